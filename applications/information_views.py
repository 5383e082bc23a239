"""The lead resubmits an application staff asked to complete; whoever may see an application reads
its frozen copies (one per submission), each beside the one before.

Who may see: the same as the application's page (selectors.application_for_page: the lead, the
co-applicants, staff, the reviewers it is routed to); anyone else gets 404.
"""

import rules
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_countries import countries

from . import information, services
from .models import Attachment, BudgetLine, SubmittedVersion
from .views import ApplicationMixin

OUTCOMES = {
    "pass": gettext_lazy("Met"),
    "fail": gettext_lazy("Not met"),
    "warning": gettext_lazy("To check"),
    "todo": gettext_lazy("To do"),
}

#: The texts of a version compared one by one, with their labels on the page.
TEXT_FIELDS = (
    ("title", gettext_lazy("Title")),
    ("abstract", gettext_lazy("Abstract")),
    ("keywords", gettext_lazy("Other keywords")),
    ("theme", gettext_lazy("Theme")),
    ("duration_months", gettext_lazy("Duration (months)")),
    ("collaboration_is_new", gettext_lazy("New collaboration")),
)


class ResubmitView(ApplicationMixin, View):
    """POST: the lead sends the application again in answer to the request (information.resubmit)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        if not rules.has_perm("applications.act_as_applicant", request.user, self.application):
            raise Http404
        try:
            application = information.resubmit(self.application, request.user)
        except services.SubmissionRefused:
            messages.error(request, _("The application cannot be resubmitted yet: see what is missing below."))
            return redirect(reverse("applications:detail", args=[pk]) + "#submit-blockers")
        version = application.versions.order_by("-number").first()
        messages.success(
            request,
            _("Your application is resubmitted (version %(number)s). A receipt is on its way by e-mail.")
            % {"number": version.number if version else ""},
        )
        return redirect("applications:detail", pk=pk)


def versions_of(application):
    """The frozen copies of `application`, oldest first, with who sent them (one query)."""
    return list(
        SubmittedVersion.objects.filter(application=application)
        .select_related("submitted_by", "information_request")
        .defer("content", "eligibility_report")
        .order_by("number")
    )


class VersionListView(ApplicationMixin, TemplateView):
    template_name = "applications/versions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["application"] = self.application
        context["versions"] = versions_of(self.application)
        return context


def _display(field, value):
    if value is None or value == "":
        return "—"
    if field == "collaboration_is_new":
        return _("yes") if value else _("no")
    return str(value)


def shown_content(content):
    """A version's content as the page shows it: texts, then partner teams, budget lines and
    documents with their names in the page's language."""
    content = content or {}
    categories = dict(BudgetLine.Category.choices)
    kinds = dict(Attachment.Kind.choices)
    return {
        "texts": {field: _display(field, content.get(field)) for field, _label in TEXT_FIELDS},
        "partners": [
            {**partner, "country_name": countries.name(partner.get("country") or "") or partner.get("country")}
            for partner in content.get("partners", [])
        ],
        "budget": [
            {**line, "category_name": categories.get(line.get("category"), line.get("category"))}
            for line in content.get("budget", [])
        ],
        "attachments": [
            {**document, "kind_name": kinds.get(document.get("kind"), document.get("kind"))}
            for document in content.get("attachments", [])
        ],
    }


def report_rows(report):
    language = (get_language() or "fr")[:2]
    return [
        {
            "outcome": entry.get("outcome", ""),
            "outcome_name": OUTCOMES.get(entry.get("outcome", ""), entry.get("outcome", "")),
            "message": entry.get(f"message_{language}") or entry.get("message_fr", ""),
        }
        for entry in report or []
    ]


class VersionView(ApplicationMixin, TemplateView):
    """One frozen copy, and what changed since the one before (if any)."""

    template_name = "applications/version.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = get_object_or_404(
            SubmittedVersion.objects.select_related("submitted_by", "information_request"),
            application=self.application,
            number=kwargs["number"],
        )
        previous = (
            SubmittedVersion.objects.filter(application=self.application, number__lt=version.number)
            .order_by("-number")
            .first()
        )
        shown = shown_content(version.content)
        before = shown_content(previous.content) if previous else None
        context.update(
            {
                "application": self.application,
                "version": version,
                "previous": previous,
                "texts": [
                    {
                        "label": label,
                        "value": shown["texts"][field],
                        "before": before["texts"][field] if before else None,
                        "changed": bool(before) and before["texts"][field] != shown["texts"][field],
                    }
                    for field, label in TEXT_FIELDS
                ],
                "content": shown,
                "before": before,
                "partners_changed": bool(before) and before["partners"] != shown["partners"],
                "budget_changed": bool(before) and before["budget"] != shown["budget"],
                "attachments_changed": bool(before) and before["attachments"] != shown["attachments"],
                "report": report_rows(version.eligibility_report),
            }
        )
        return context
