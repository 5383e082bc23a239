"""The queries of the committee's pages (issue 18): the screening list of a call, the bidding
page of a reviewer and the bids' coverage. Each page's query,
with its annotations, in one function; the views only call it."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from applications.models import Application, PartnerAnswer, PartnerTeam

from .models import Bid, ConflictOfInterest, Decision, ReviewerInvitation, Screening

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


# --- Bidding ------------------------------------------------------------------------------------------

NO_BID = "none"
BID_STATES = (NO_BID, *Bid.Kind.values)


def bid_state_choices():
    return [("", _("All")), (NO_BID, _("Not bid on yet")), *Bid.Kind.choices]


def _my_bid(reviewer):
    return Subquery(Bid.objects.filter(application=OuterRef("pk"), reviewer=reviewer).values("kind")[:1])


def bidding_rows(reviewer, call, state="", query=""):
    """The admissible applications of `call` the reviewer may bid on, with their bid (``my_bid``)
    and what the page shows of each (title, abstract, instrument, theme, partner countries, the
    applicant's name and unit): two queries for any page of rows."""
    from .services.bidding import biddable

    rows = (
        biddable(reviewer, call)
        .select_related("applicant__researcher_profile", "call__instrument")
        .only(
            *("id", "reference", "title", "abstract", "theme", "call__id", "call__instrument__id"),
            *(
                "call__instrument__code",
                "call__instrument__name_fr",
                "call__instrument__name_en",
                "applicant__id",
                "applicant__first_name",
                "applicant__last_name",
            ),
            *("applicant__email", "applicant__researcher_profile__id", "applicant__researcher_profile__unit_code"),
        )
        .annotate(my_bid=_my_bid(reviewer))
        .prefetch_related(Prefetch("partners", queryset=PartnerTeam.objects.only("id", "application_id", "country")))
        .order_by("reference", "pk")
    )
    if state == NO_BID:
        rows = rows.filter(my_bid__isnull=True)
    elif state in Bid.Kind.values:
        rows = rows.filter(my_bid=state)
    query = (query or "").strip()
    if query:
        rows = rows.filter(Q(reference__icontains=query) | Q(title__icontains=query) | Q(abstract__icontains=query))
    return rows


def bid_counts(reviewer, call):
    """How many of the call's biddable applications the reviewer bid on, and how many there are."""
    from .services.bidding import biddable

    return biddable(reviewer, call).aggregate(
        total=Count("pk"), bid=Count("pk", filter=Q(bids__reviewer=reviewer) & ~Q(bids__kind=Bid.Kind.NEUTRAL))
    )


def declared_conflicts(reviewer, call):
    """The applications of `call` the reviewer declared a conflict with (reference and title)."""
    return (
        ConflictOfInterest.objects.filter(reviewer=reviewer, application__call=call)
        .select_related("application")
        .only("id", "kind", "reason", "application__id", "application__reference", "application__title")
        .order_by("application__reference")
    )


def bidding_pool_size(call):
    return ReviewerInvitation.objects.filter(call=call, status=ReviewerInvitation.Status.ACCEPTED).count()


def bid_coverage(call):
    """The call's admissible applications with how the pool bid on them: eager, willing, not
    willing, and the conflicts declared (one query for any page of rows)."""
    from .routing_adapter import routable

    return (
        routable(Application.objects.filter(call=call))
        .only("id", "reference", "title")
        .annotate(
            eager=Count("bids", filter=Q(bids__kind=Bid.Kind.EAGER), distinct=True),
            willing=Count("bids", filter=Q(bids__kind=Bid.Kind.WILLING), distinct=True),
            not_willing=Count("bids", filter=Q(bids__kind=Bid.Kind.NOT_WILLING), distinct=True),
            declared=Count("conflicts", distinct=True),
        )
        .order_by("eager", "willing", "reference", "pk")
    )


def bidding_calls(reviewer):
    """The calls the reviewer accepted to review whose applications await bids (closed, not routed)."""
    from calls.models import Call

    accepted = ReviewerInvitation.objects.filter(reviewer=reviewer, status=ReviewerInvitation.Status.ACCEPTED)
    return list(
        Call.objects.filter(pk__in=accepted.values("call"), status=Call.Status.CLOSED)
        .only("id", "title_fr", "title_en")
        .order_by("closes_at", "pk")
    )


def version_rows(versions):
    """Earlier versions of a review as the page shows them: each score with its criterion's name
    in the page's language (the names were kept with the version)."""
    english = get_language() == "en"
    for version in versions:
        version.score_rows = [
            {
                "name": row.get("name_en" if english else "name_fr") or row.get("name_fr") or "",
                "score": row.get("score"),
                "comment": row.get("comment") or "",
            }
            for row in version.scores or []
        ]
    return versions
