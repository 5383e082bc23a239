"""The queries of the committee's pages (issue 18): the screening list of a call. Each page's query,
with its annotations, in one function; the views only call it."""

from django.db.models import Count, Q

from applications.models import Application, PartnerAnswer

from .models import Decision, Screening

#: The applications the screening page lists: those submitted to the call (and still in the review
#: or decided at the screening); drafts and withdrawn ones never reach it.
SCREENED_STATUSES = (
    Application.Status.SUBMITTED,
    Application.Status.MORE_INFO,
    Application.Status.IN_REVIEW,
    Application.Status.DECIDED,
)

TO_SCREEN, ADMISSIBLE, INADMISSIBLE = "to_screen", "admissible", "inadmissible"
STATES = (TO_SCREEN, ADMISSIBLE, INADMISSIBLE)


def _state_filter(state):
    if state == TO_SCREEN:
        return Q(screening__isnull=True, status=Application.Status.SUBMITTED)
    if state == ADMISSIBLE:
        return Q(screening__outcome=Screening.Outcome.ADMISSIBLE)
    if state == INADMISSIBLE:
        return Q(screening__outcome=Screening.Outcome.INADMISSIBLE)
    return Q()


def screening_rows(call, state="", query=""):
    """The call's submitted applications for the screening page, in reference order, with what
    staff check: the applicant and their unit, the report frozen at submission, the partner teams'
    answers and the documents, and the screening so far. One query for any page of rows."""
    rows = (
        Application.objects.filter(call=call, status__in=SCREENED_STATUSES)
        .exclude(Q(status=Application.Status.DECIDED) & ~Q(decision__outcome=Decision.Outcome.INADMISSIBLE))
        .filter(_state_filter(state))
        .select_related("applicant__researcher_profile", "screening")
        .annotate(
            partner_count=Count("partners", distinct=True),
            confirmed_count=Count("partners", filter=Q(partners__answer=PartnerAnswer.CONFIRMED), distinct=True),
            document_count=Count("attachments", distinct=True),
        )
        .order_by("reference", "pk")
    )
    query = (query or "").strip()
    if query:
        rows = rows.filter(
            Q(reference__icontains=query)
            | Q(title__icontains=query)
            | Q(applicant__last_name__icontains=query)
            | Q(applicant__email__icontains=query)
        )
    return rows


def screening_counts(call):
    """{to_screen, admissible, inadmissible}: how far the call's screening has gone (one query)."""
    rows = Application.objects.filter(call=call, status__in=SCREENED_STATUSES)
    return rows.aggregate(
        to_screen=Count("pk", filter=_state_filter(TO_SCREEN)),
        admissible=Count("pk", filter=_state_filter(ADMISSIBLE)),
        inadmissible=Count("pk", filter=_state_filter(INADMISSIBLE)),
    )


def failed_findings(application, language):
    """The rules that did not pass in the report frozen at submission, in `language`."""
    return [
        entry.get(f"message_{language}") or entry.get("message_en") or entry.get("code", "")
        for entry in application.eligibility_report or []
        if entry.get("outcome") not in ("pass", "warning")
    ]
