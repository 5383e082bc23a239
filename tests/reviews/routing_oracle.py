"""The routing adapter's reads as they were before issue 21, kept as a test oracle.

They build the affinity and the conflicts from model instances (one object per application and per
reviewer, prefetches, Python dictionaries). reviews.routing_reads now reads the same facts in a few
set-based queries straight into arrays; tests/reviews/test_routing_reads.py checks that both give
exactly the same keyword affinity, texts, bids and conflict pairs on a varied dataset.
"""

import numpy as np
import scipy.sparse as sp

from applications.models import CoApplicant, PartnerTeam, ResearcherProfile
from calls.models import PriorityTheme
from reviews import conflicts, routing
from reviews.keywords import normalise_term, split_keywords
from reviews.models import Bid, ConflictOfInterest, ExpertiseTerm

THEME_WEIGHT = 2.0


class Vocabulary:
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


def application_terms(vocabulary, application):
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


def reviewer_terms(vocabulary, user):
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


def keyword_affinity(applications, reviewers):
    vocabulary = Vocabulary(PriorityTheme.objects.all())
    a_rows, a_cols, a_data = vocabulary.matrix([application_terms(vocabulary, a) for a in applications])
    r_rows, r_cols, r_data = vocabulary.matrix([reviewer_terms(vocabulary, r) for r in reviewers])
    n_terms = max(len(vocabulary.columns), 1)
    app_terms = sp.csr_matrix((a_data, (a_rows, a_cols)), shape=(len(applications), n_terms))
    reviewer_terms_ = sp.csr_matrix((r_data, (r_rows, r_cols)), shape=(len(reviewers), n_terms))
    return routing.affinity_from_keywords(app_terms, reviewer_terms_, metric="cosine", dtype=np.float32)


def load(applications, reviewers):
    """The model instances the former adapter read: applications, and the pool with prefetches."""
    from django.contrib.auth import get_user_model

    from applications.models import Application

    applications = list(Application.objects.filter(pk__in=[a.pk for a in applications]).order_by("pk"))
    reviewers = list(
        get_user_model()
        .objects.filter(pk__in=[r.pk for r in reviewers])
        .select_related("reviewer_profile")
        .prefetch_related("reviewer_profile__expertise", "reviewer_profile__themes")
        .order_by("pk")
    )
    return applications, reviewers


def application_text(application):
    return "\n".join((application.title, application.abstract, application.keywords))


def reviewer_text(user):
    profile = user.reviewer_profile
    terms = [name for term in profile.expertise.all() for name in (term.name_fr, term.name_en)]
    return "\n".join((profile.expertise_statement, profile.recent_publications, profile.free_keywords, *terms))


def bid_arrays(applications, reviewers):
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


def conflict_pairs(applications, reviewers):
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
