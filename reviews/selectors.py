"""Querysets and computed values behind the review pages, each in a constant number of queries.

The conflict-of-interest rule is reviews.conflicts (a pure predicate); ``has_conflict`` asks its SQL
mirror (models.conflict_filter), ``explain_conflicts`` the predicate itself, with the facts read here.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import exports
from applications.information import open_request
from applications.models import Application, CoApplicant, ResearcherProfile, SubmittedVersion
from calls.models import Call, ReviewCriterion
from calls.rules.base import Money

from . import conflicts
from .models import (
    ConflictOfInterest,
    CriterionScore,
    Decision,
    ExpertiseTerm,
    Review,
    ReviewAssignment,
    ReviewerInvitation,
    RoutingProposal,
    conflict_filter,
    reviewer_profile,
)

#: Reviewers' weighted scores whose standard deviation reaches this are flagged for discussion.
DIVERGENCE_THRESHOLD = Decimal("1.5")
TWO_PLACES = Decimal("0.01")

# --- Conflicts of interest -------------------------------------------------------------------------


def has_conflict(user, application):
    return Application.objects.filter(conflict_filter(user), pk=application.pk).exists()


def conflict_facts(user, application):
    """The plain values conflicts.conflict_kinds needs about one reviewer and one application."""
    profile = reviewer_profile(user)
    declared = ConflictOfInterest.objects.filter(reviewer=user.pk, application=application.pk)
    partners = list(application.partners.values_list("email", "institution"))
    unit = ResearcherProfile.objects.filter(user=application.applicant_id).values_list("unit_code", flat=True)
    co_applicants = list(
        CoApplicant.objects.filter(application=application.pk, accepted_at__isnull=False).values_list(
            "user_id", "user__researcher_profile__unit_code"
        )
    )
    reviewer = conflicts.ReviewerFacts(
        user_id=user.pk,
        email=user.email,
        unit_code=profile.unit_code if profile else "",
        institution=profile.institution if profile else "",
        declared=dict(declared.values_list("application_id", "kind")),
    )
    return reviewer, conflicts.ApplicationFacts(
        application_id=application.pk,
        applicant_id=application.applicant_id,
        applicant_unit=unit.first() or "",
        partner_emails=tuple(email for email, _institution in partners),
        partner_institutions=tuple(institution for _email, institution in partners),
        co_applicant_ids=tuple(user_id for user_id, _unit in co_applicants),
        co_applicant_units=tuple(unit or "" for _user_id, unit in co_applicants),
    )


def explain_conflicts(user, application):
    """Every conflict between `user` and `application`, computed and declared (labels, for staff)."""
    kinds = conflicts.conflict_kinds(*conflict_facts(user, application))
    return [ConflictOfInterest.Kind(kind).label for kind in kinds]


# --- Reviewer side -------------------------------------------------------------------------------


def _criteria_count():
    return (
        ReviewCriterion.objects.filter(call=OuterRef("call"))
        .order_by()
        .values("call")
        .annotate(n=Count("pk"))
        .values("n")
    )


# What the queue shows: no abstract, no frozen report, no call description is read.
QUEUE_FIELDS = (
    *("id", "application_id", "call_id", "due_date", "application__id", "application__title"),
    *("application__reference", "application__status", "call__id", "call__title_fr", "call__title_en"),
)


def reviewer_queue(user, today=None):
    """The reviewer's active, conflict-free assignments with the review's status, whether it is
    overdue and how many criteria are scored, in one query."""
    from django.db.models import IntegerField, Subquery
    from django.db.models.functions import Coalesce

    scored = (
        CriterionScore.objects.filter(review__assignment=OuterRef("pk"), score__isnull=False)
        .order_by()
        .values("review")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        ReviewAssignment.objects.for_reviewer(user)
        .with_overdue(today)
        .select_related("application", "call")
        .only(*QUEUE_FIELDS)
        .annotate(
            review_submitted=ExpressionWrapper(Q(review__status=Review.Status.SUBMITTED), output_field=BooleanField()),
            scored_count=Coalesce(Subquery(scored, output_field=IntegerField()), 0),
            criteria_count=Coalesce(Subquery(_criteria_count(), output_field=IntegerField()), 0),
        )
        .order_by("due_date", "id")
    )


def assignment_for_page(user, application_pk):
    """The active, conflict-free assignment of `user` on the application, with what the page shows;
    raises ReviewAssignment.DoesNotExist otherwise (the view answers 404)."""
    return (
        ReviewAssignment.objects.for_reviewer(user)
        .select_related("application__call__instrument", "call")
        .prefetch_related("application__partners", "application__budget_lines", "application__attachments")
        .get(application_id=application_pk)
    )


def application_changes(assignment):
    """What the reviewer should know of a request for more information on the application: the
    request still open (the applicant is completing it: it may still be scored), and the latest
    version resubmitted after the reviewer was assigned (what they read may have changed)."""
    application = assignment.application
    changed = (
        SubmittedVersion.objects.filter(application=application, number__gt=1, submitted_at__gt=assignment.assigned_at)
        .order_by("-number")
        .only("number", "submitted_at", "application_id")
        .first()
    )
    return {
        "open_information_request": open_request(application) if application.is_more_info else None,
        "changed_version": changed,
    }


def review_of(assignment):
    """The reviewer's own review with its scores (never the other reviewers')."""
    review = Review.objects.filter(assignment=assignment).prefetch_related("scores").first()
    return review


# --- Staff side: progress and ranking ----------------------------------------------------------


@dataclass
class CallProgress:
    assigned: int
    submitted: int
    overdue: int
    applications: int
    unassigned_applications: int


def call_progress(call, today=None):
    today = today or timezone.localdate()
    active = ReviewAssignment.objects.active().filter(call=call)
    figures = active.aggregate(
        assigned=Count("pk"),
        submitted=Count("pk", filter=Q(review__status=Review.Status.SUBMITTED)),
        overdue=Count("pk", filter=ReviewAssignment.overdue_condition(today)),
    )
    routed = Application.objects.filter(call=call, status__in=[*RANKED_STATUSES]).annotate(
        has=Exists(active.filter(application=OuterRef("pk")))
    )
    counts = routed.aggregate(total=Count("pk"), unassigned=Count("pk", filter=Q(has=False)))
    return CallProgress(
        assigned=figures["assigned"],
        submitted=figures["submitted"],
        overdue=figures["overdue"],
        applications=counts["total"],
        unassigned_applications=counts["unassigned"],
    )


def weighted_score(scores, weights):
    """The weighted mean of one review: sum(weight x score) / sum(weights) over scored criteria.
    (The ranking computes the same in SQL, see _RANKED_SQL.)"""
    total_weight = sum((weights[c] for c in scores), Decimal(0))
    if not total_weight:
        return None
    return sum((weights[c] * Decimal(s) for c, s in scores.items()), Decimal(0)) / total_weight


def _decimal(value):
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(repr(value))  # SQLite answers floats


def spread_from_moments(mean, mean_of_squares):
    """Population standard deviation from the mean and the mean of the squares (0 for one value)."""
    mean, mean_of_squares = _decimal(mean), _decimal(mean_of_squares)
    variance = mean_of_squares - mean * mean
    return variance.sqrt() if variance > 0 else Decimal(0)


@dataclass
class RankingRow:
    application: Application
    mean: Decimal | None = None
    spread: Decimal = Decimal(0)
    count: int = 0
    assigned: int = 0
    divergent: bool = False
    criterion_means: dict = field(default_factory=dict)
    criterion_cells: list = field(default_factory=list)  # {"name", "mean"} in the criteria's order
    decision: Decision | None = None
    rank: int | None = None


def _q(value):
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


RANKING_PAGE_FIELDS = (
    "id",
    "call_id",
    "reference",
    "title",
    "status",
    "requested_amount",
    "decision__id",
    "decision__application",
    "decision__outcome",
    "decision__amount",
    "decision__released_at",
)

# An application staff asked for more information stays in its call's progress and ranking while
# its applicant completes it (its reviews go on).
RANKED_STATUSES = (
    Application.Status.SUBMITTED,
    Application.Status.IN_REVIEW,
    Application.Status.MORE_INFO,
    Application.Status.DECIDED,
)  # as many as the placeholders of _RANKED_SQL's "app.status IN (...)"

# One submitted review's weighted mean, then per application the mean of those, the mean of their
# squares (for the spread) and their number; every application of the call under review in ranking
# order: scored first, best rounded mean first, then by reference. Rounded as the page shows it, so
# two applications shown with the same mean are in reference order. (`* 1.0`: SQLite stores whole
# weights as integers and would divide them as integers.)
_RANKED_SQL = """
WITH review_scores AS (
    SELECT a.application_id AS application_id,
           SUM(cs.score * rc.weight) * 1.0 / NULLIF(SUM(rc.weight), 0) AS weighted
    FROM {score} cs
    JOIN {review} r ON r.id = cs.review_id
    JOIN {assignment} a ON a.id = r.assignment_id
    JOIN {criterion} rc ON rc.id = cs.criterion_id
    WHERE a.call_id = %(call)s AND rc.call_id = %(call)s AND a.status = %(active)s
      AND r.status = %(submitted)s AND cs.score IS NOT NULL
    GROUP BY a.application_id, r.id
), per_application AS (
    SELECT application_id, AVG(weighted) AS mean, AVG(weighted * weighted) AS mean_square,
           COUNT(*) AS reviews
    FROM review_scores WHERE weighted IS NOT NULL GROUP BY application_id
)
SELECT app.id, p.mean, p.mean_square, COALESCE(p.reviews, 0)
FROM {application} app LEFT JOIN per_application p ON p.application_id = app.id
WHERE app.call_id = %(call)s AND app.status IN (%(status0)s, %(status1)s, %(status2)s, %(status3)s)
ORDER BY CASE WHEN p.mean IS NULL THEN 1 ELSE 0 END, ROUND(p.mean, 2) DESC,
         COALESCE(app.reference, ''), app.id
"""


def _ranked(call, limit=None, offset=0):
    """[(application id, mean, mean of squares, reviews)] in ranking order, from `offset`."""
    from django.db import connection

    sql = _RANKED_SQL.format(
        score=CriterionScore._meta.db_table,
        review=Review._meta.db_table,
        assignment=ReviewAssignment._meta.db_table,
        criterion=ReviewCriterion._meta.db_table,
        application=Application._meta.db_table,
    )
    params = {
        "call": call.pk,
        "active": ReviewAssignment.Status.ACTIVE,
        "submitted": Review.Status.SUBMITTED,
        **{f"status{i}": str(status) for i, status in enumerate(RANKED_STATUSES)},
    }
    if limit is not None:
        sql += " LIMIT %(limit)s OFFSET %(offset)s"
        params.update(limit=limit, offset=offset)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ranking_rows(call, criteria, ranked, offset, with_applicants):
    """RankingRows for `ranked` (a slice of _ranked starting at `offset`), in 2 queries."""
    ids = [application_id for application_id, *_ in ranked]
    applications = Application.objects.filter(pk__in=ids).annotate(
        assigned_count=Count(
            "review_assignments", filter=Q(review_assignments__status=ReviewAssignment.Status.ACTIVE), distinct=True
        )
    )
    if with_applicants:
        # The exports: every column but the long texts, with the applicants.
        applications = applications.select_related("applicant", "decision").defer(
            "abstract", "keywords", "eligibility_report"
        )
    else:
        # The ranking page reads these columns only.
        applications = applications.select_related("decision").only(*RANKING_PAGE_FIELDS)
    by_id = {application.pk: application for application in applications}
    criterion_means = {}
    for application_id, criterion_id, mean in (
        CriterionScore.objects.filter(
            review__status=Review.Status.SUBMITTED,
            review__assignment__status=ReviewAssignment.Status.ACTIVE,
            review__assignment__call=call,
            review__assignment__application_id__in=ids,
            score__isnull=False,
        )
        .values_list("review__assignment__application_id", "criterion_id")
        .annotate(mean=Avg("score", output_field=DecimalField(max_digits=30, decimal_places=20)))
        .values_list("review__assignment__application_id", "criterion_id", "mean")
    ):
        criterion_means.setdefault(application_id, {})[criterion_id] = _q(_decimal(mean))
    rows = []
    for position, (application_id, mean, mean_square, count) in enumerate(ranked, start=offset + 1):
        application = by_id[application_id]
        row = RankingRow(
            application=application,
            assigned=application.assigned_count,
            decision=getattr(application, "decision", None),
            count=count,
        )
        if count:
            row.mean = _q(_decimal(mean))
            row.spread = _q(spread_from_moments(mean, mean_square))
            row.divergent = row.spread >= DIVERGENCE_THRESHOLD
            row.rank = position  # scored rows come first: their position is their rank
        row.criterion_means = {
            c.pk: criterion_means[application_id][c.pk]
            for c in criteria
            if c.pk in criterion_means.get(application_id, {})
        }
        row.criterion_cells = [{"name": c.name, "mean": row.criterion_means.get(c.pk)} for c in criteria]
        rows.append(row)
    return rows


def ranking(call, *, with_applicants=False):
    """Every application of the call under review, best weighted mean first, in 4 queries
    (the applicants are loaded too with `with_applicants`, for the committee exports).

    Only submitted reviews count. An application's score is the mean of its reviews' weighted
    means; its spread is the standard deviation of those; it is divergent when the spread
    reaches DIVERGENCE_THRESHOLD. The sums, means and order are computed by the database.
    """
    criteria = list(ReviewCriterion.objects.filter(call=call).order_by("position", "id"))
    return criteria, _ranking_rows(call, criteria, _ranked(call), 0, with_applicants)


class RankingPages:
    """The ranking as a sequence for Django's Paginator: its length is one COUNT, a slice is one
    page computed by the database (ranks stay global), so a page costs the same whatever the call's
    size."""

    def __init__(self, call, criteria):
        self.call, self.criteria = call, criteria

    def count(self):
        return Application.objects.filter(call=self.call, status__in=RANKED_STATUSES).count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("RankingPages supports page slices only")
        offset = index.start or 0
        ranked = _ranked(self.call, limit=max(index.stop - offset, 0), offset=offset)
        return _ranking_rows(self.call, self.criteria, ranked, offset, with_applicants=False)


def ranking_pages(call):
    """(criteria, RankingPages) for the ranking page."""
    criteria = list(ReviewCriterion.objects.filter(call=call).order_by("position", "id"))
    return criteria, RankingPages(call, criteria)


# --- Committee export ----------------------------------------------------------------------------


def export_rows(call):
    """The ranking as a header and plain rows (strings and Decimals) for CSV and XLSX."""
    criteria, rows = ranking(call, with_applicants=True)
    header = [
        _("Rank"),
        _("Reference"),
        _("Title"),
        _("Applicant"),
        _("Requested amount (EUR)"),
        _("Reviews submitted"),
        _("Reviewers assigned"),
        _("Weighted mean"),
        _("Spread (standard deviation)"),
        _("Divergent"),
        *[_("Mean: %(criterion)s") % {"criterion": c.name} for c in criteria],
        _("Decision"),
        _("Amount awarded (EUR)"),
    ]
    body = []
    for row in rows:
        application = row.application
        decision = row.decision
        body.append(
            [
                row.rank if row.rank is not None else "",
                application.reference or "",
                application.title,
                str(application.applicant),
                application.requested_amount if application.requested_amount is not None else "",
                row.count,
                row.assigned,
                row.mean if row.mean is not None else "",
                row.spread if row.count else "",
                _("yes") if row.divergent else _("no"),
                *[row.criterion_means.get(c.pk, "") for c in criteria],
                decision.get_outcome_display() if decision else "",
                decision.amount if decision and decision.amount is not None else "",
            ]
        )
    return header, body


def export_csv(call, *, delimiter=",", decimal_separator="."):
    header, body = export_rows(call)
    return exports.write_csv(header, body, delimiter=delimiter, decimal_separator=decimal_separator)


def export_xlsx(call):
    header, body = export_rows(call)
    return exports.write_xlsx(header, body, sheet_title=_("Ranking"))


# --- Researcher side: published decisions -------------------------------------------------------


def published_decisions():
    """Decisions the researcher may see: published means released_at is set (by
    services.release_decisions, with the letters), nothing else."""
    return Decision.objects.filter(released_at__isnull=False)


def published_decision_for(user, application_pk):
    """The published decision on the user's own application (DoesNotExist otherwise)."""
    return (
        published_decisions()
        .select_related("application__call", "application__screening")
        .get(application_id=application_pk, application__applicant=user)
    )


# --- The researcher's dashboard: the outcome of a published decision ----------------------------


def annotate_dashboard_outcome(queryset):
    """Registered with applications.selectors: each row's published decision, if any (two
    subqueries, whatever the number of rows)."""
    published = published_decisions().filter(application=OuterRef("pk"))
    return queryset.annotate(
        decision_outcome=Subquery(published.values("outcome")[:1]),
        decision_amount=Subquery(published.values("amount")[:1]),
    )


def describe_dashboard_outcome(application):
    outcome = getattr(application, "decision_outcome", None)
    if not outcome:
        return None
    label = Decision.Outcome(outcome).label
    if application.decision_amount is not None:
        return _("%(outcome)s: %(amount)s €") % {"outcome": label, "amount": Money(application.decision_amount)}
    return str(label)


def expertise_vocabulary():
    """Registered with applications.selectors: the terms applicants choose and reviewers declare."""
    return list(ExpertiseTerm.objects.order_by("name_en").values_list("pk", "name_fr", "name_en"))


# --- Staff pages: calls, routing proposals, decisions ---------------------------------------------

#: The calls whose reviews staff follow.
REVIEWED_CALL_STATUSES = (Call.Status.CLOSED, Call.Status.IN_REVIEW, Call.Status.DECIDED)


def staff_calls():
    """The calls of the staff's list: closed, in review or decided, the latest closed first."""
    return Call.objects.filter(status__in=REVIEWED_CALL_STATUSES).select_related("instrument").order_by("-closes_at")


def calls_for_staff():
    """Any call, with its instrument (a staff page's title and exports' file names read it)."""
    return Call.objects.select_related("instrument")


def call_proposals(call, limit=20):
    """The call's latest routing proposals, with the call and application their names read."""
    return RoutingProposal.objects.filter(call=call).select_related("call", "application")[:limit]


def call_invitations(call):
    """The reviewers invited to the call, and their answers."""
    return ReviewerInvitation.objects.filter(call=call).select_related("reviewer")


def proposals_for_staff():
    """Routing proposals with the call and application their page names."""
    return RoutingProposal.objects.select_related("call", "application")


def proposal_pairs(proposal):
    """The proposal's pairs, application by application, the best affinity first."""
    return proposal.pairs.select_related("application", "reviewer").order_by(
        "application__reference", "application_id", "-affinity"
    )


def applications_for_decision():
    """Applications with what the decision page reads: call, instrument, applicant, and the
    partners' countries the ceiling depends on."""
    return Application.objects.select_related("call__instrument", "applicant").prefetch_related("partners")


def decision_of(application):
    """The application's decision (recorded, released or not), or None."""
    return Decision.objects.filter(application=application).first()
