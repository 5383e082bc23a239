"""Querysets and computed values behind the researcher's pages, each in a constant number of queries."""

from collections import defaultdict
from decimal import Decimal

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


# What apps above this one add to the dashboard's rows (the reviews app: a published decision's
# outcome), registered from their AppConfig.ready() so that imports keep running one way.
_dashboard_extensions = []


def register_dashboard_extension(annotate, describe):
    """`annotate(queryset)` adds what `describe(application)` reads; `describe` returns the text
    shown under the row's status (None: nothing to add)."""
    if (annotate, describe) not in _dashboard_extensions:
        _dashboard_extensions.append((annotate, describe))


def dashboard_applications(user):
    """The researcher's applications, each with `outcome` (what is decided, once published)."""
    queryset = Application.objects.for_dashboard(user)
    for annotate, _describe in _dashboard_extensions:
        queryset = annotate(queryset)
    applications = list(queryset)
    for application in applications:
        application.outcome = next(
            (text for _annotate, describe in _dashboard_extensions if (text := describe(application))), None
        )
    return applications


# Sections that apps above this one add to the dashboard, above the applications (the projects
# app: "My projects"), registered from their AppConfig.ready() so that imports keep running one way.
_dashboard_sections = []


def register_dashboard_section(template_name, context_function):
    """`context_function(user)` returns the dict `template_name` reads as `section`; an empty
    dict (or None) shows nothing. Each costs its own constant number of queries."""
    if (template_name, context_function) not in _dashboard_sections:
        _dashboard_sections.append((template_name, context_function))


def dashboard_sections(user):
    """[(template_name, context)] of the registered sections that have something to show."""
    sections = []
    for template_name, context_function in _dashboard_sections:
        context = context_function(user)
        if context:
            sections.append((template_name, context))
    return sections


# Each step of the application form, for the links of what blocks a submission.
FINDING_STEPS = {
    "amount": "budget",
    "partner_countries": "partners",
    "duration_months": "general",
    "theme": "general",
}
CODE_STEPS = {"tremplin.collaboration_not_new": "declarations"}


def submission_blockers(application, steps, findings):
    """What stops the submission, each with where to fix it: the incomplete steps, then the rules
    not met (or waiting for input). [(label, url, [message, ...])], empty when it can be submitted."""
    from django.urls import reverse

    blockers = []
    for step in steps:
        if not step.done:
            url = reverse("applications:step", args=[application.pk, step.slug])
            blockers.append((step.label, url, [str(message) for message in step.missing]))
    for finding in findings:
        if finding.passed:
            continue
        if finding.code.startswith("tremplin.applicant"):
            label, url = _("My profile"), reverse("applications:profile")
        elif finding.code == "call.not_open":
            label, url = _("Call"), reverse("call_detail", args=[application.call_id])
        else:
            slug = CODE_STEPS.get(finding.code) or FINDING_STEPS.get(finding.subject or "")
            if slug is None and finding.code.startswith("partners."):
                slug = "partners"
            slug = slug or "general"
            label = dict((s.slug, s.label) for s in steps).get(slug, _("General information"))
            url = reverse("applications:step", args=[application.pk, slug])
        blockers.append((label, url, [str(finding.message)]))
    return blockers


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


# The vocabulary applicants and reviewers share (the reviews app provides it: its terms in French
# and English), registered from the reviews app's AppConfig.ready().
_vocabulary_providers = []


def register_vocabulary(provide):
    """`provide()` returns [(id, name_fr, name_en), ...]."""
    if provide not in _vocabulary_providers:
        _vocabulary_providers.append(provide)


def vocabulary():
    """[(id, name_fr, name_en)] of every registered provider, in one list."""
    return [term for provide in _vocabulary_providers for term in provide()]


def vocabulary_labels(term_ids, language=None):
    """The names of these terms in the reader's language, in the vocabulary's order."""
    from django.utils.translation import get_language

    french = (language or get_language() or "fr").startswith("fr")
    wanted = {int(term_id) for term_id in term_ids or () if str(term_id).isdigit()}
    return [name_fr if french else name_en for term_id, name_fr, name_en in vocabulary() if term_id in wanted]


def contributions(user):
    """The applications `user` works on as a co-applicant who accepted, for the dashboard's
    "Applications I contribute to" (one query, whatever their number)."""
    from .models import CoApplicant

    accepted = CoApplicant.objects.filter(user=user, accepted_at__isnull=False).values("application")
    return list(
        Application.objects.filter(pk__in=accepted)
        .select_related("call", "applicant")
        .only(
            *("id", "title", "status", "reference", "created_at", "call__id", "call__title_fr", "call__title_en"),
            *("applicant__id", "applicant__email", "applicant__first_name", "applicant__last_name"),
        )
        .order_by("-created_at", "-id")
    )
