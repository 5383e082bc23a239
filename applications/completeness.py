"""What a draft still lacks, step by step, and so what its researcher should do next.

One function decides both: ``completeness()`` gives the steps the application's pages show (and
that block a submission), ``next_step()`` the dashboard's advice, which is the first incomplete
step's own words. The eligibility rules (calls.rules) judge the rest.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from calls.models import Instrument

from .models import Application, Attachment
from .validators import ABSTRACT_MAX_WORDS, word_count


@dataclass(frozen=True)
class Step:
    slug: str
    label: str
    done: bool
    missing: tuple = ()


@dataclass(frozen=True)
class DraftParts:
    """What completeness looks at, from the application's own fields and its related rows."""

    title: str
    abstract: str
    keywords: tuple
    has_partner: bool
    has_budget_line: bool
    has_project_description: bool
    collaboration_is_new: bool | None
    asks_declarations: bool


def draft_parts(application):
    """The parts of `application`: from the annotations of ApplicationQuerySet.with_parts() when
    it was loaded with them (the dashboard: no row read), else from its related rows (prefetched
    by the pages that show them)."""
    annotated = hasattr(application, "has_project_description")
    if annotated:
        has_partner, has_line = application.has_partner, application.has_budget_line
        has_project = application.has_project_description
    else:
        has_partner, has_line = bool(application.partners.all()), bool(application.budget_lines.all())
        has_project = any(a.kind == Attachment.Kind.PROJECT for a in application.attachments.all())
    return DraftParts(
        title=application.title,
        abstract=application.abstract,
        keywords=tuple(application.keyword_list),
        has_partner=has_partner,
        has_budget_line=has_line,
        has_project_description=has_project,
        collaboration_is_new=application.collaboration_is_new,
        # Tremplins are the only instrument with a declaration to make (the collaboration is new).
        asks_declarations=application.call.instrument.code == Instrument.Code.TREMPLIN,
    )


def completeness(application):
    """What the application still lacks, step by step (the rules judge eligibility separately)."""
    parts = draft_parts(application)
    general = []
    if not parts.title.strip():
        general.append(_("Give a title."))
    if not parts.abstract.strip():
        general.append(_("Write the abstract."))
    elif word_count(parts.abstract) > ABSTRACT_MAX_WORDS:
        general.append(_("Shorten the abstract to %(max)s words.") % {"max": ABSTRACT_MAX_WORDS})
    if not parts.keywords:
        general.append(_("Give at least one keyword."))
    partners = [] if parts.has_partner else [_("Add at least one partner team.")]
    budget = [] if parts.has_budget_line else [_("Add at least one budget line.")]
    declarations = [] if parts.collaboration_is_new is not None else [_("Say whether the collaboration is new.")]
    attachments = [] if parts.has_project_description else [_("Upload the project description (PDF).")]
    steps = [
        Step("general", _("General information"), not general, tuple(general)),
        Step("partners", _("Partner teams"), not partners, tuple(partners)),
        Step("budget", _("Budget"), not budget, tuple(budget)),
    ]
    if parts.asks_declarations:
        steps.append(Step("declarations", _("Declarations"), not declarations, tuple(declarations)))
    steps.append(Step("attachments", _("Attachments"), not attachments, tuple(attachments)))
    return steps


def completeness_percent(steps):
    return round(100 * sum(step.done for step in steps) / len(steps)) if steps else 100


STATUS_NEXT_STEPS = {
    Application.Status.SUBMITTED: _("Submitted: wait for the review."),
    Application.Status.IN_REVIEW: _("In review by the committee."),
    Application.Status.DECIDED: _("Decided: see the decision letter."),
    Application.Status.WITHDRAWN: _("Withdrawn: nothing more to do."),
    Application.Status.MORE_INFO: _("More information requested: complete the open sections and resubmit."),
}


def next_step(application, now):
    """What the researcher should do next (the dashboard): for a draft, what the first incomplete
    step of completeness() lacks, in its words."""
    if application.status != Application.Status.DRAFT:
        return str(STATUS_NEXT_STEPS[application.status])
    if now >= application.call.closes_at:
        return str(_("The call has closed: this draft can no longer be submitted."))
    for step in completeness(application):
        if not step.done:
            return " ".join(str(message) for message in step.missing)
    return str(_("Check the eligibility checklist and submit."))
