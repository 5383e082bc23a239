"""What routing reads of the database, in a few set-based queries straight into arrays (issue 21).

The router (reviews/routing) takes arrays; this module reads the facts it needs as flat rows
(``values_list``, no model instance, no prefetch) and turns them into numpy arrays:

- ``read_pool``: the reviewers' ids, load caps and the three fields the conflict rule compares;
- ``read_affinity_inputs``: the keyword/theme term matrices (scipy sparse) and the texts the TF-IDF
  affinity reads, with the fingerprint that keeps the fitted vectors while no text changes;
- ``read_conflicts``: the conflict rule (reviews.conflicts) in bulk. Each kind of fact (units,
  e-mails, institutions) is reduced to integer codes through ``conflicts.normalise`` -- the
  rule's own Python function, run once per distinct value -- and the pairs sharing a code are
  joined in numpy (sort, repeat), never by a loop over application x reviewer pairs;
- ``read_bids``: the bids as index arrays.

Applications are given as a queryset (used as a subquery, whatever its size) and the array of
their ids in the order of the rows; reviewers as the array of their ids in the order of the columns.
tests/reviews/routing_oracle.py keeps the former computation from model instances, and
tests/reviews/test_routing_reads.py checks both give the same arrays.
"""

import hashlib
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from applications.models import Application, CoApplicant, PartnerTeam
from calls.models import PriorityTheme

from . import conflicts
from .keywords import normalise_term, split_keywords
from .models import Bid, ConflictOfInterest, ExpertiseTerm, ReviewerProfile
from .routing.problem import unique_keys

#: A theme counts twice as much as one keyword in the cosine affinity.
THEME_WEIGHT = 2.0


def index_of(ids, values):
    """Positions in `ids` (unique, any order) of each of `values`, -1 for a value not in `ids`."""
    ids = np.asarray(ids, dtype=np.int64)
    values = np.asarray(values, dtype=np.int64)
    if not len(ids) or not len(values):
        return np.full(len(values), -1, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    pos = np.minimum(np.searchsorted(ids[order], values), len(ids) - 1)
    return np.where(ids[order][pos] == values, order[pos], -1)


class Vocabulary:
    """Normalised words to columns: a vocabulary term's French and English names share one column,
    a theme's code and names share another; any other keyword gets its own.

    ``themes``: ``(code, name_fr, name_en)`` rows."""

    def __init__(self, themes=()):
        self.columns = {}
        self.aliases = {}
        for term_id, name_fr, name_en in ExpertiseTerm.objects.values_list("pk", "name_fr", "name_en"):
            for name in (name_fr, name_en):
                self.aliases[normalise_term(name)] = f"term:{term_id}"
        for code, name_fr, name_en in themes:
            for name in (code, name_fr, name_en):
                self.aliases.setdefault(normalise_term(name), f"theme:{code}")

    @classmethod
    def load(cls, themes=None):
        if themes is None:
            themes = PriorityTheme.objects.values_list("code", "name_fr", "name_en")
        return cls(themes)

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


# --- The pool ------------------------------------------------------------------------------------


@dataclass
class Pool:
    """The reviewers, one per column: ids, load caps, and the conflict rule's e-mail, unit and
    institution (raw, as stored)."""

    ids: np.ndarray
    max_load: np.ndarray
    emails: list
    units: list
    institutions: list

    def __len__(self):
        return len(self.ids)

    def reordered(self, ids):
        """The same reviewers in the order of `ids` (each must be in the pool)."""
        take = index_of(self.ids, ids)
        if (take < 0).any():
            raise ValueError("a reviewer is not in the pool")
        return Pool(
            ids=self.ids[take],
            max_load=self.max_load[take],
            emails=[self.emails[t] for t in take.tolist()],
            units=[self.units[t] for t in take.tolist()],
            institutions=[self.institutions[t] for t in take.tolist()],
        )


def read_pool(users):
    """One query: `users` (a User queryset, e.g. the call's pool) as a :class:`Pool`, by id."""
    rows = list(
        users.order_by("pk").values_list(
            "pk",
            "reviewer_profile__max_load_per_call",
            "email",
            "reviewer_profile__unit_code",
            "reviewer_profile__institution",
        )
    )
    ids, loads, emails, units, institutions = zip(*rows, strict=True) if rows else ((),) * 5
    return Pool(
        ids=np.array(ids, dtype=np.int64),
        max_load=np.array([load or 0 for load in loads], dtype=np.int64),
        emails=list(emails),
        units=list(units),
        institutions=list(institutions),
    )


# --- Affinity inputs -----------------------------------------------------------------------------


@dataclass
class AffinityInputs:
    app_terms: sp.csr_matrix
    reviewer_terms: sp.csr_matrix
    app_texts: list
    reviewer_texts: list
    fingerprint: str


def _application_terms(vocabulary, vocabulary_terms, keywords, theme):
    weighted = {}
    for term_id in vocabulary_terms or ():
        if str(term_id).isdigit():
            weighted[f"term:{int(term_id)}"] = 1.0
    for word in split_keywords(keywords):
        key = vocabulary.key(word)
        if key:
            weighted[key] = 1.0
    theme = vocabulary.key(theme)
    if theme:
        weighted[theme] = THEME_WEIGHT
    return weighted


def _reviewer_terms(vocabulary, term_ids, free_keywords, theme_codes):
    weighted = {}
    for term_id in term_ids:
        weighted[f"term:{term_id}"] = 1.0
    for word in split_keywords(free_keywords):
        key = vocabulary.key(word)
        if key:
            weighted.setdefault(key, 1.0)
    for code in theme_codes:
        weighted[f"theme:{code}"] = THEME_WEIGHT
    return weighted


def read_affinity_inputs(applications, app_ids, reviewer_ids):
    """Six queries (applications, profiles, their terms, their themes, the vocabulary's terms and
    themes) -> the term matrices and texts, rows in the order of `app_ids`, `reviewer_ids`."""
    n_apps, n_revs = len(app_ids), len(reviewer_ids)
    app_rows = [None] * n_apps
    fetched = list(
        applications.values_list("pk", "vocabulary_terms", "keywords", "theme", "title", "abstract", "updated_at")
    )
    for position, row in zip(index_of(app_ids, [row[0] for row in fetched]).tolist(), fetched, strict=True):
        if position >= 0:
            app_rows[position] = row
    reviewer_list = [int(r) for r in reviewer_ids]
    profiles = [("", "", "", None)] * n_revs
    fetched = list(
        ReviewerProfile.objects.filter(user__in=reviewer_list).values_list(
            "user_id", "free_keywords", "expertise_statement", "recent_publications", "updated_at"
        )
    )
    for position, row in zip(index_of(reviewer_ids, [row[0] for row in fetched]).tolist(), fetched, strict=True):
        profiles[position] = row[1:]
    # The terms and themes in the order the profile's own relations list them (their Meta ordering).
    terms = [[] for _ in range(n_revs)]
    fetched = list(
        ReviewerProfile.expertise.through.objects.filter(reviewerprofile__user__in=reviewer_list)
        .order_by("expertiseterm__name_en", "expertiseterm_id")
        .values_list("reviewerprofile__user_id", "expertiseterm_id", "expertiseterm__name_fr", "expertiseterm__name_en")
    )
    for position, row in zip(index_of(reviewer_ids, [row[0] for row in fetched]).tolist(), fetched, strict=True):
        terms[position].append(row[1:])
    themes = [[] for _ in range(n_revs)]
    fetched = list(
        ReviewerProfile.themes.through.objects.filter(reviewerprofile__user__in=reviewer_list)
        .order_by("prioritytheme__name_fr", "prioritytheme_id")
        .values_list("reviewerprofile__user_id", "prioritytheme__code")
    )
    for position, row in zip(index_of(reviewer_ids, [row[0] for row in fetched]).tolist(), fetched, strict=True):
        themes[position].append(row[1])

    vocabulary = Vocabulary.load()
    a_rows, a_cols, a_data = vocabulary.matrix(
        [_application_terms(vocabulary, row[1], row[2], row[3]) for row in app_rows]
    )
    r_rows, r_cols, r_data = vocabulary.matrix(
        [_reviewer_terms(vocabulary, [t[0] for t in terms[j]], profiles[j][0], themes[j]) for j in range(n_revs)]
    )
    n_terms = max(len(vocabulary.columns), 1)
    digest = hashlib.sha256()
    for row in app_rows:
        digest.update(f"a{row[0]}:{row[6].isoformat()};".encode())
    for j in range(n_revs):
        updated = profiles[j][3]
        listed = ",".join(str(t[0]) for t in terms[j])
        digest.update(f"r{reviewer_list[j]}:{updated.isoformat() if updated else ''}:{listed};".encode())
    return AffinityInputs(
        app_terms=sp.csr_matrix((a_data, (a_rows, a_cols)), shape=(n_apps, n_terms)),
        reviewer_terms=sp.csr_matrix((r_data, (r_rows, r_cols)), shape=(n_revs, n_terms)),
        app_texts=["\n".join((row[4], row[5], row[2])) for row in app_rows],
        reviewer_texts=[
            "\n".join((profiles[j][1], profiles[j][2], profiles[j][0], *(n for t in terms[j] for n in t[1:])))
            for j in range(n_revs)
        ],
        fingerprint=digest.hexdigest(),
    )


# --- Conflicts -----------------------------------------------------------------------------------


def _codes(values, normalised, table):
    """Integer code of each value's normalised key in `table` (-1: blank, or no reviewer has it).
    ``normalised`` memoises conflicts.normalise over the distinct values."""
    out = np.empty(len(values), dtype=np.int64)
    for n, value in enumerate(values):
        key = normalised.get(value)
        if key is None:
            key = normalised[value] = conflicts.normalise(value)
        out[n] = table.get(key, -1) if key else -1
    return out


def _join(app_positions, app_codes, rev_codes):
    """Every (application position, reviewer position) sharing a code, as two arrays: the
    reviewers sorted by code, then each application's run of them repeated (no loop over pairs)."""
    keep = app_codes >= 0
    app_positions, app_codes = app_positions[keep], app_codes[keep]
    valid = np.flatnonzero(rev_codes >= 0)
    order = valid[np.argsort(rev_codes[valid], kind="stable")]
    n_codes = int(rev_codes.max(initial=-1)) + 1
    counts = np.bincount(rev_codes[valid], minlength=n_codes)
    starts = np.cumsum(counts) - counts
    per_app = counts[app_codes] if n_codes else np.zeros(0, dtype=np.int64)
    total = int(per_app.sum())
    if not total:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    first = np.cumsum(per_app) - per_app
    offsets = np.arange(total) - np.repeat(first, per_app)
    return np.repeat(app_positions, per_app), order[np.repeat(starts[app_codes], per_app) + offsets]


def read_conflicts(applications, app_ids, pool):
    """``(m, 2)`` sorted unique [application position, reviewer position] pairs in conflict: the
    rule of reviews.conflicts.conflict_kinds in bulk, in four queries."""
    n_revs = len(pool)
    if not len(app_ids) or not n_revs:
        return np.empty((0, 2), dtype=np.int64)
    normalised = {}
    tables = {}
    rev_codes = {}
    for name, values in (("email", pool.emails), ("unit", pool.units), ("institution", pool.institutions)):
        table = tables[name] = {}
        keys = [conflicts.normalise(value) for value in values]
        for key in keys:
            if key:
                table.setdefault(key, len(table))
        rev_codes[name] = np.array([table[key] if key else -1 for key in keys], dtype=np.int64)
    apps, revs = [], []

    def add(i, j):
        keep = j >= 0
        apps.append(i[keep])
        revs.append(j[keep])

    subquery = applications.values("pk")
    # The applicant and the co-applicants who accepted: a personal conflict, and their units.
    people = list(applications.values_list("pk", "applicant_id", "applicant__researcher_profile__unit_code"))
    people += CoApplicant.objects.filter(application__in=subquery, accepted_at__isnull=False).values_list(
        "application_id", "user_id", "user__researcher_profile__unit_code"
    )
    if people:
        app_col, user_col, unit_col = zip(*people, strict=True)
        positions = index_of(app_ids, app_col)
        add(positions, index_of(pool.ids, [u if u is not None else -1 for u in user_col]))
        add(*_join(positions, _codes(unit_col, normalised, tables["unit"]), rev_codes["unit"]))
    partners = list(
        PartnerTeam.objects.filter(application__in=subquery).values_list("application_id", "email", "institution")
    )
    if partners:
        app_col, email_col, institution_col = zip(*partners, strict=True)
        positions = index_of(app_ids, app_col)
        add(*_join(positions, _codes(email_col, normalised, tables["email"]), rev_codes["email"]))
        add(*_join(positions, _codes(institution_col, normalised, tables["institution"]), rev_codes["institution"]))
    declared = list(
        ConflictOfInterest.objects.filter(application__in=subquery, reviewer__in=pool.ids.tolist()).values_list(
            "application_id", "reviewer_id"
        )
    )
    if declared:
        app_col, reviewer_col = zip(*declared, strict=True)
        add(index_of(app_ids, app_col), index_of(pool.ids, reviewer_col))
    if not apps:
        return np.empty((0, 2), dtype=np.int64)
    i, j = np.concatenate(apps), np.concatenate(revs)
    keep = i >= 0
    keys = unique_keys(i[keep] * n_revs + j[keep])
    return np.stack(np.divmod(keys, n_revs), axis=1).astype(np.int64).reshape(-1, 2)


def read_bids(applications, app_ids, reviewer_ids):
    """One query: the bids as ``(apps, reviewers, kinds)`` position arrays (no bid: no preference)."""
    rows = list(
        Bid.objects.filter(application__in=applications.values("pk"), reviewer__in=[int(r) for r in reviewer_ids])
        .order_by("application_id", "reviewer_id")
        .values_list("application_id", "reviewer_id", "kind")
    )
    if not rows:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, dtype=object)
    app_col, reviewer_col, kinds = zip(*rows, strict=True)
    i, j = index_of(app_ids, app_col), index_of(reviewer_ids, reviewer_col)
    keep = (i >= 0) & (j >= 0)
    return i[keep], j[keep], np.array(kinds, dtype=object)[keep]


def applications_by_ids(ids):
    """The Application queryset of explicit ids (the list-based entry points)."""
    return Application.objects.filter(pk__in=[int(pk) for pk in ids])
