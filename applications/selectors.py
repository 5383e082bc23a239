"""Querysets and computed values behind the researcher's pages, each in a constant number of queries."""

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from calls import rules
from calls.models import Call
from calls.services import call_facts

from .models import Application, BudgetLine


def application_for_page(user, pk):
    """The application with everything its pages show, if `user` may see it (else DoesNotExist)."""
    return (
        Application.objects.visible_to(user)
        .select_related("call__instrument", "applicant__researcher_profile")
        .prefetch_related("partners", "budget_lines", "attachments", "call__zones", "call__priority_themes")
        .get(pk=pk)
    )


def dashboard_applications(user):
    return Application.objects.for_dashboard(user)


def open_calls():
    """The calls the dashboard offers, with only what it shows (title, instrument, deadline)."""
    return (
        Call.objects.open_now()
        .select_related("instrument")
        .only("id", "title_fr", "title_en", "closes_at", "instrument__id", "instrument__name_fr", "instrument__name_en")
        .order_by("closes_at", "id")
    )


def budget_summary(application):
    """Totals per year and per category, the grand total and the ceiling the rules apply."""
    lines = list(application.budget_lines.all())
    by_year = defaultdict(lambda: Decimal("0"))
    by_category = defaultdict(lambda: Decimal("0"))
    for line in lines:
        by_year[line.year] += line.amount
        by_category[line.category] += line.amount
    total = sum((line.amount for line in lines), Decimal("0"))
    countries = tuple(p.country.code for p in application.partners.all() if p.country)
    ceiling = rules.ceiling_for(call_facts(application.call), countries)
    labels = dict(BudgetLine.Category.choices)
    return {
        "by_year": sorted(by_year.items()),
        "by_category": [(labels.get(code, code), amount) for code, amount in sorted(by_category.items())],
        "total": total,
        "ceiling": ceiling,
        "over_ceiling": ceiling is not None and total > ceiling,
    }


def next_step_label(application, now=None):
    """What the researcher should do next, for the dashboard (from for_dashboard()'s annotations)."""
    now = now or timezone.now()
    status = application.status
    if status == Application.Status.DRAFT:
        if now >= application.call.closes_at:
            return _("The call has closed: this draft can no longer be submitted.")
        if not (application.title and application.abstract and application.keywords):
            return _("Complete the general information.")
        if not application.has_partner:
            return _("Add the partner teams.")
        if not application.budget_total:
            return _("Fill in the budget.")
        if not application.has_attachment:
            return _("Upload the project description (PDF).")
        return _("Check the eligibility checklist and submit.")
    if status == Application.Status.SUBMITTED:
        return _("Submitted: wait for the review.")
    if status == Application.Status.IN_REVIEW:
        return _("In review by the committee.")
    if status == Application.Status.DECIDED:
        return _("Decided: see the decision letter.")
    return _("Withdrawn: nothing more to do.")
