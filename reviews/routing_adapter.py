"""The thin ORM adapter around reviews.routing: rows to arrays, arrays to a proposal.

Everything is built as arrays in a number of queries that does not grow with the call: the term
matrices (scipy sparse, one column per vocabulary term, free keyword or theme), the conflicts as
``(m, 2)`` index pairs found through dictionaries (no loop over every application x reviewer pair),
the capacities from the profiles minus the current load. ``routing.route`` does the rest.
"""

import hashlib
import logging
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from applications.models import Application, CoApplicant, PartnerTeam, ResearcherProfile

from . import conflicts, routing
from .keywords import normalise_term, split_keywords
from .models import (
    Bid,
    ConflictOfInterest,
    ExpertiseTerm,
    ProposedAssignment,
    ReviewAssignment,
    ReviewerInvitation,
    Screening,
)
from .routing import bids, text

logger = logging.getLogger(__name__)

#: A theme counts twice as much as one keyword in the cosine affinity.
THEME_WEIGHT = 2.0
ROUTED_STATUSES = (Application.Status.SUBMITTED, Application.Status.IN_REVIEW)


def reviewer_pool(call, today=None):
    """Reviewers who accepted the call's invitation, active and available today, by id."""
    today = today or timezone.localdate()
    User = get_user_model()
    return list(
        User.objects.filter(
            reviewer_invitations__call=call,
            reviewer_invitations__status=ReviewerInvitation.Status.ACCEPTED,
            is_active=True,
            is_reviewer=True,
            reviewer_profile__is_available=True,
        )
        .filter(Q(reviewer_profile__available_until__isnull=True) | Q(reviewer_profile__available_until__gte=today))
        .select_related("reviewer_profile")
        .prefetch_related("reviewer_profile__expertise", "reviewer_profile__themes")
        .order_by("pk")
    )


def routable(rows):
    """The applications of `rows` routing takes: those screened admissible after their call closed
    (services.screening), and those already with reviewers."""
    return rows.filter(
        Q(status=Application.Status.IN_REVIEW)
        | Q(status=Application.Status.SUBMITTED, screening__outcome=Screening.Outcome.ADMISSIBLE)
    )


def applications_to_route(call, application=None):
    rows = routable(Application.objects.filter(call=call))
    if application is not None:
        rows = rows.filter(pk=application.pk)
    return list(rows.order_by("pk"))


class Vocabulary:
    """Normalised words to columns: a vocabulary term's French and English names share one column,
    a theme's code and names share another; any other keyword gets its own."""

    def __init__(self, themes=()):
        self.columns = {}
        self.aliases = {}
        for term_id, name_fr, name_en in ExpertiseTerm.objects.values_list("pk", "name_fr", "name_en"):
            for name in (name_fr, name_en):
                self.aliases[normalise_term(name)] = f"term:{term_id}"
        for theme in themes:
            for name in (theme.code, theme.name_fr, theme.name_en):
                self.aliases.setdefault(normalise_term(name), f"theme:{theme.code}")

    def key(self, word):
        word = normalise_term(word)
        return self.aliases.get(word, f"kw:{word}") if word else None

    def column(self, key):
        return self.columns.setdefault(key, len(self.columns))

    def matrix(self, rows_of_keys):
        rows, cols, data = [], [], []
        for index, weighted in enumerate(rows_of_keys):
            for key, weight in weighted.items():
                rows.append(index)
                cols.append(self.column(key))
                data.append(weight)
        return rows, cols, data


def _application_terms(vocabulary, application):
    weighted = {}
    for term_id in application.vocabulary_terms or ():
        if str(term_id).isdigit():
            weighted[f"term:{int(term_id)}"] = 1.0
    for word in split_keywords(application.keywords):
        key = vocabulary.key(word)
        if key:
            weighted[key] = 1.0
    theme = vocabulary.key(application.theme)
    if theme:
        weighted[theme] = THEME_WEIGHT
    return weighted


def _reviewer_terms(vocabulary, user):
    profile = user.reviewer_profile
    weighted = {}
    for term in profile.expertise.all():
        weighted[f"term:{term.pk}"] = 1.0
    for word in profile.keyword_list:
        key = vocabulary.key(word)
        if key:
            weighted.setdefault(key, 1.0)
    for theme in profile.themes.all():
        weighted[f"theme:{theme.code}"] = THEME_WEIGHT
    return weighted


def application_text(application):
    """What routing reads of an application: its title, abstract and keywords."""
    return "\n".join((application.title, application.abstract, application.keywords))


def reviewer_text(user):
    """What routing reads of a reviewer: their expertise statement, recent publications' titles,
    keywords and the names of their vocabulary terms (in both languages)."""
    profile = user.reviewer_profile
    terms = [name for term in profile.expertise.all() for name in (term.name_fr, term.name_en)]
    return "\n".join((profile.expertise_statement, profile.recent_publications, profile.free_keywords, *terms))


#: The TF-IDF vectors of the last calls routed, by a fingerprint of the texts they were fitted on
#: (ids and last changes): routing the same call again, or one application of it, fits nothing.
_TEXT_VECTORS = OrderedDict()
TEXT_VECTORS_KEPT = 4


def _text_fingerprint(applications, reviewers):
    digest = hashlib.sha256()
    for application in applications:
        digest.update(f"a{application.pk}:{application.updated_at.isoformat()};".encode())
    for user in reviewers:
        profile = user.reviewer_profile
        terms = ",".join(str(term.pk) for term in profile.expertise.all())
        digest.update(f"r{user.pk}:{profile.updated_at.isoformat()}:{terms};".encode())
    return digest.hexdigest()


def text_affinity(applications, reviewers):
    """Cosine of the TF-IDF vectors of what applications and reviewers wrote (routing/text.py),
    the vectors kept per call while their texts do not change."""
    shape = (len(applications), len(reviewers))
    if not shape[0] or not shape[1]:
        return np.zeros(shape, dtype=np.float32)
    key = _text_fingerprint(applications, reviewers)
    fitted = _TEXT_VECTORS.get(key)
    if fitted is None:
        fitted = text.vectors([application_text(a) for a in applications], [reviewer_text(r) for r in reviewers])
        _TEXT_VECTORS[key] = fitted
        while len(_TEXT_VECTORS) > TEXT_VECTORS_KEPT:
            _TEXT_VECTORS.popitem(last=False)
    else:
        _TEXT_VECTORS.move_to_end(key)
    if fitted is None:
        return np.zeros(shape, dtype=np.float32)
    app_vectors, reviewer_vectors = fitted
    out = np.asarray(app_vectors @ reviewer_vectors.T.toarray(), dtype=np.float32)
    return np.clip(out, 0.0, 1.0, out=out)


def affinity_matrix(applications, reviewers):
    """The router's affinity without the bids: keywords and themes, and the texts, by the weights of
    routing/bids.py."""
    affinity, _ = bids.combine(keyword_affinity(applications, reviewers), text_affinity(applications, reviewers))
    return affinity


def bid_arrays(applications, reviewers):
    """The reviewers' bids on the applications as ``(apps, reviewers, kinds)`` index arrays (one
    query; a pair without a bid has no preference)."""
    app_index = {a.pk: i for i, a in enumerate(applications)}
    rev_index = {r.pk: j for j, r in enumerate(reviewers)}
    rows = Bid.objects.filter(application__in=list(app_index), reviewer__in=list(rev_index)).values_list(
        "application_id", "reviewer_id", "kind"
    )
    apps, revs, kinds = [], [], []
    for app_id, reviewer_id, kind in rows:
        apps.append(app_index[app_id])
        revs.append(rev_index[reviewer_id])
        kinds.append(kind)
    return np.array(apps, dtype=np.int64), np.array(revs, dtype=np.int64), np.array(kinds, dtype=object)


def routing_affinity(applications, reviewers):
    """(affinity, reluctant pairs): keywords, texts and bids combined (routing/bids.py)."""
    return bids.combine(
        keyword_affinity(applications, reviewers),
        text_affinity(applications, reviewers),
        bid_arrays(applications, reviewers),
    )


def keyword_affinity(applications, reviewers):
    """Cosine affinity between applications' keywords + theme and reviewers' expertise + themes."""
    from calls.models import PriorityTheme

    vocabulary = Vocabulary(PriorityTheme.objects.all())
    a_rows, a_cols, a_data = vocabulary.matrix([_application_terms(vocabulary, a) for a in applications])
    r_rows, r_cols, r_data = vocabulary.matrix([_reviewer_terms(vocabulary, r) for r in reviewers])
    n_terms = max(len(vocabulary.columns), 1)
    app_terms = sp.csr_matrix((a_data, (a_rows, a_cols)), shape=(len(applications), n_terms))
    reviewer_terms = sp.csr_matrix((r_data, (r_rows, r_cols)), shape=(len(reviewers), n_terms))
    return routing.affinity_from_keywords(app_terms, reviewer_terms, metric="cosine", dtype=np.float32)


def conflict_pairs(applications, reviewers):
    """``(m, 2)`` [application index, reviewer index] pairs in conflict, computed and declared.

    The bulk mirror of reviews.conflicts.conflict_kinds: the same cases, keyed by the same
    ``normalise`` (a blank key is never indexed, so it never matches), looked up through
    dictionaries instead of testing every pair."""
    app_index = {a.pk: i for i, a in enumerate(applications)}
    by_user = {r.pk: j for j, r in enumerate(reviewers)}
    by_email, by_unit, by_institution = {}, {}, {}
    for j, reviewer in enumerate(reviewers):
        profile = reviewer.reviewer_profile
        for index, value in (
            (by_email, reviewer.email),
            (by_unit, profile.unit_code),
            (by_institution, profile.institution),
        ):
            key = conflicts.normalise(value)
            if key:
                index.setdefault(key, []).append(j)
    pairs = []
    for i, application in enumerate(applications):
        if application.applicant_id in by_user:
            pairs.append((i, by_user[application.applicant_id]))
    units = dict(
        ResearcherProfile.objects.filter(user__in=[a.applicant_id for a in applications]).values_list(
            "user_id", "unit_code"
        )
    )
    for i, application in enumerate(applications):
        for j in by_unit.get(conflicts.normalise(units.get(application.applicant_id)), ()):
            pairs.append((i, j))
    # The co-applicants who accepted count as the applicant does (one query for every application).
    for app_id, user_id, unit in CoApplicant.objects.filter(
        application__in=list(app_index), accepted_at__isnull=False
    ).values_list("application_id", "user_id", "user__researcher_profile__unit_code"):
        i = app_index[app_id]
        if user_id in by_user:
            pairs.append((i, by_user[user_id]))
        pairs.extend((i, j) for j in by_unit.get(conflicts.normalise(unit), ()))
    for app_id, email, institution in PartnerTeam.objects.filter(application__in=list(app_index)).values_list(
        "application_id", "email", "institution"
    ):
        i = app_index[app_id]
        pairs.extend((i, j) for j in by_email.get(conflicts.normalise(email), ()))
        pairs.extend((i, j) for j in by_institution.get(conflicts.normalise(institution), ()))
    for app_id, user_id in ConflictOfInterest.objects.filter(
        application__in=list(app_index), reviewer__in=list(by_user)
    ).values_list("application_id", "reviewer_id"):
        pairs.append((app_index[app_id], by_user[user_id]))
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.array(pairs, dtype=np.int64), axis=0)


def _with_former_reviewers(call, conflicts, app_index, rev_index):
    """A reviewer who recused or was removed from an application is never proposed for it again."""
    active = set(ReviewAssignment.objects.active().filter(call=call).values_list("application_id", "reviewer_id"))
    former = [
        (app_index[app_id], rev_index[reviewer_id])
        for app_id, reviewer_id in ReviewAssignment.objects.filter(call=call)
        .exclude(status=ReviewAssignment.Status.ACTIVE)
        .values_list("application_id", "reviewer_id")
        if app_id in app_index and reviewer_id in rev_index and (app_id, reviewer_id) not in active
    ]
    if not former:
        return conflicts
    return np.unique(np.concatenate([conflicts, np.array(former, dtype=np.int64)]), axis=0)


@dataclass
class RoutingInput:
    applications: list
    reviewers: list
    affinity: np.ndarray
    conflicts: np.ndarray
    k: np.ndarray
    capacity: np.ndarray
    existing: np.ndarray
    reluctant: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))


def build_input(call, k, application=None, progress=None):
    """Load the rows and build the arrays route() takes (a few queries, whatever the call's size)."""
    progress = progress or (lambda value: None)
    applications = applications_to_route(call, application)
    reviewers = reviewer_pool(call)
    progress(15)
    affinity, reluctant = routing_affinity(applications, reviewers)
    progress(35)
    conflicts = conflict_pairs(applications, reviewers)
    progress(45)
    app_index = {a.pk: i for i, a in enumerate(applications)}
    rev_index = {r.pk: j for j, r in enumerate(reviewers)}
    conflicts = _with_former_reviewers(call, conflicts, app_index, rev_index)
    targets = np.full(len(applications), int(k), dtype=np.int64)
    conflict_keys = {(int(i), int(j)) for i, j in conflicts}
    existing = []
    outside_load = np.zeros(len(reviewers), dtype=np.int64)
    for app_id, reviewer_id in (
        ReviewAssignment.objects.active().filter(call=call).values_list("application_id", "reviewer_id")
    ):
        i, j = app_index.get(app_id), rev_index.get(reviewer_id)
        if i is None:
            if j is not None:
                outside_load[j] += 1  # load on applications routed elsewhere still counts
            continue
        if j is None or (i, j) in conflict_keys:
            # A reviewer out of the pool still counts towards k; a conflicted one is left to staff.
            targets[i] = max(targets[i] - (j is None), 0)
            continue
        existing.append((i, j))
    capacity = np.array(
        [max(r.reviewer_profile.max_load_per_call - int(outside_load[j]), 0) for j, r in enumerate(reviewers)],
        dtype=np.int64,
    )
    return RoutingInput(
        applications=applications,
        reviewers=reviewers,
        affinity=affinity,
        conflicts=conflicts,
        k=targets,
        capacity=capacity,
        existing=np.array(existing, dtype=np.int64).reshape(-1, 2),
        reluctant=reluctant,
    )


@dataclass
class Solution:
    """What the router found for a proposal, not yet written."""

    pairs: list
    total_affinity: float
    shortfalls: list
    stats: dict


def compute(proposal, progress=None):
    """Run the router for `proposal` (reads only: progress updates commit on their own outside a
    transaction, so the proposal page sees them); ``store`` writes the result."""
    progress = progress or (lambda value: None)
    data = build_input(proposal.call, proposal.reviewers_per_application, proposal.application, progress)
    figures = {"applications": len(data.applications), "reviewers": len(data.reviewers)}
    if not data.applications:
        return Solution([], 0.0, [], figures)
    result = routing.route(
        data.affinity,
        data.k,
        data.capacity,
        conflicts=data.conflicts,
        existing=data.existing,
        reluctant=data.reluctant,
    )
    progress(80)
    new_pairs = result.new_pairs
    pair_affinity = data.affinity[new_pairs[:, 0], new_pairs[:, 1]] if len(new_pairs) else np.zeros(0)
    pairs = [
        ProposedAssignment(
            proposal=proposal,
            application_id=data.applications[int(i)].pk,
            reviewer_id=data.reviewers[int(j)].pk,
            affinity=round(float(value), 4),
        )
        for (i, j), value in zip(new_pairs.tolist(), pair_affinity.tolist(), strict=True)
    ]
    shortfalls = [
        {
            "application_id": data.applications[s.app].pk,
            "reference": data.applications[s.app].reference or "",
            "missing": s.missing,
            "code": s.code,
            "params": s.params,
        }
        for s in result.shortfalls
    ]
    stats = {
        **{key: value for key, value in result.stats.items() if isinstance(value, int | float | str | bool)},
        **figures,
        "conflicts": int(len(data.conflicts)),
        "kept_assignments": int(len(data.existing)),
    }
    return Solution(pairs, round(float(pair_affinity.sum()), 4), shortfalls, stats)


def store(proposal, solution):
    """Replace the proposal's pairs and figures by the solution's (call inside a transaction)."""
    ProposedAssignment.objects.filter(proposal=proposal).delete()
    ProposedAssignment.objects.bulk_create(solution.pairs, batch_size=2000)
    proposal.total_affinity = solution.total_affinity
    proposal.shortfalls = solution.shortfalls
    proposal.stats = solution.stats
    return proposal


def shortfall_message(shortfall):
    """A stored shortfall in the reader's language: gettext(template) % params."""
    from django.utils.translation import gettext

    template = routing.REASON_TEMPLATES.get(shortfall.get("code"))
    if template is None:
        return shortfall.get("code", "")
    return gettext(template) % shortfall.get("params", {})


def proposal_shortfalls(proposal, pairs):
    """The applications of `proposal` still short of reviewers if it were confirmed as it stands:
    active assignments plus the proposed `pairs` against the reviewers asked per application. It
    follows staff's edits (a pair added or removed); each keeps the router's reason where it gave
    one, else says the edits left it short. Two queries, whatever the call's size."""
    from django.utils.translation import gettext

    rows = routable(Application.objects.filter(call=proposal.call_id))
    if proposal.application_id:
        rows = rows.filter(pk=proposal.application_id)
    rows = rows.annotate(
        active=Count("review_assignments", filter=Q(review_assignments__status=ReviewAssignment.Status.ACTIVE))
    ).only("id", "reference", "title")
    proposed = {}
    for pair in pairs:
        proposed[pair.application_id] = proposed.get(pair.application_id, 0) + 1
    stored = {s.get("application_id"): s for s in (proposal.shortfalls or [])}
    wanted = proposal.reviewers_per_application
    short = []
    for application in rows.order_by("reference", "pk"):
        missing = wanted - application.active - proposed.get(application.pk, 0)
        if missing <= 0:
            continue
        reason = stored.get(application.pk)
        short.append(
            {
                "application": application,
                "missing": missing,
                "message": shortfall_message(reason)
                if reason is not None and reason.get("missing") == missing
                else gettext("%(missing)d reviewer(s) missing after the changes made to this proposal.")
                % {"missing": missing},
            }
        )
    return short


def current_loads(call, reviewer_ids):
    return dict(
        ReviewAssignment.objects.active()
        .filter(call=call, reviewer__in=list(reviewer_ids))
        .values("reviewer")
        .annotate(n=Count("pk"))
        .values_list("reviewer", "n")
    )
