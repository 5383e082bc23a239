"""reviews.routing.sparse.route_sparse and reviews.routing.candidates: routing from candidate pairs,
no dense matrix (issue 21, conference scale)."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.routing import NOT_ENOUGH_ELIGIBLE, affinity_from_keywords, route
from reviews.routing.candidates import KeywordAffinity
from reviews.routing.sparse import route_sparse

from .test_routing import as_set, check_invariants, keyword_instance, problems


def candidates_of(affinity, mask):
    apps, revs = np.nonzero(mask)
    return apps, revs, affinity[apps, revs]


# --------------------------------------------------------------------------------------------------
# Small cases by hand
# --------------------------------------------------------------------------------------------------


def test_the_contested_reviewer_goes_where_there_is_no_good_alternative():
    # The optimum swaps the greedy choice: 0.8 + 0.7 = 1.5, not 0.9 + 0.
    result = route_sparse(([0, 0, 1], [0, 1, 0], [0.9, 0.8, 0.7]), 1, 1, shape=(2, 2))
    assert as_set(result.pairs) == {(0, 1), (1, 0)}
    assert result.total_affinity == pytest.approx(1.5)
    assert result.stats["method"] == "candidates"


def test_only_candidates_are_assigned_and_an_application_without_enough_is_short_with_its_reason():
    # Application 1 lists only reviewer 2, but needs two reviewers.
    result = route_sparse(([0, 0, 1], [0, 1, 2], [0.5, 0.4, 0.3]), 2, 2, shape=(2, 3))
    assert as_set(result.pairs) == {(0, 0), (0, 1), (1, 2)}
    (short,) = result.shortfalls
    assert (short.app, short.missing, short.code) == (1, 1, NOT_ENOUGH_ELIGIBLE)
    assert not result.stats["coverage_certified"]


def test_with_the_full_rows_the_repair_finds_the_reviewer_no_candidate_list_had():
    affinity = np.array([[0.9, 0.1, 0.2], [0.8, 0.0, 0.0]])
    # Both list only reviewer 0, who takes one application: the other would be left short.
    result = route_sparse(([0, 1], [0, 0], [0.9, 0.8]), 1, 1, shape=(2, 3), full_rows=lambda rows: affinity[rows])
    assert result.filled == 2 and not result.shortfalls
    assert result.stats["repair_rounds"] >= 1 and result.stats["coverage_certified"]
    # Coverage is certified, not the affinity: the rows the search reached (application 1's) join
    # the graph, application 0 keeps its best candidate.
    assert as_set(result.pairs) == {(0, 0), (1, 1)}
    assert result.total_affinity == pytest.approx(0.9)


def test_conflicts_existing_pairs_and_a_sparse_matrix():
    # The stored entries are the candidates, the explicit zero (0, 2) too.
    matrix = sp.csr_matrix(([0.9, 0.5, 0.0, 0.6, 0.7], ([0, 0, 0, 1, 1], [0, 1, 2, 1, 2])), shape=(2, 3))
    result = route_sparse(matrix, 2, 2, conflicts=np.array([[0, 0]]), existing=np.array([[1, 1]]))
    assert as_set(result.pairs) == {(0, 1), (0, 2), (1, 1), (1, 2)}
    assert as_set(result.new_pairs) == {(0, 1), (0, 2), (1, 2)}


def test_candidate_arrays_need_their_shape():
    with pytest.raises(ValueError, match="shape"):
        route_sparse(([0], [0], [1.0]), 1, 1)


# --------------------------------------------------------------------------------------------------
# Properties against the full solve
# --------------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_pair_as_a_candidate_gives_the_full_optimum(problem):
    affinity, conflicts, k, capacity, existing = problem
    candidates = candidates_of(affinity, np.ones(affinity.shape, dtype=bool))
    result = route_sparse(
        candidates, k, capacity, shape=affinity.shape, conflicts=np.argwhere(conflicts), existing=existing
    )
    check_invariants(result, affinity, conflicts, k, capacity, existing, exact_affinity=True)
    full = route(affinity, k, capacity, conflicts=conflicts, existing=existing, method="full")
    assert result.total_affinity == pytest.approx(full.total_affinity, abs=1e-4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.2, 0.5]))
def test_few_candidates_and_the_full_rows_never_lose_coverage(problem, seed, share):
    # A random part of the pairs as candidates (often none for an application): the repair on the
    # full rows must still reach the maximum coverage, with exact reasons.
    affinity, conflicts, k, capacity, existing = problem
    mask = np.random.default_rng(seed).random(affinity.shape) < share
    result = route_sparse(
        candidates_of(affinity, mask),
        k,
        capacity,
        shape=affinity.shape,
        conflicts=np.argwhere(conflicts),
        existing=existing,
        full_rows=lambda rows: affinity[rows],
    )
    check_invariants(result, affinity, conflicts, k, capacity, existing, exact_affinity=False)
    assert result.stats["coverage_certified"]


# --------------------------------------------------------------------------------------------------
# Candidates from keyword matrices
# --------------------------------------------------------------------------------------------------


def keyword_terms(n_apps, n_revs, seed):
    rng = np.random.default_rng(seed)
    apps = sp.csr_matrix((rng.random((n_apps, 40)) < 0.1).astype(float))
    revs = sp.csr_matrix((rng.random((n_revs, 40)) < 0.2).astype(float))
    return apps, revs


@pytest.mark.parametrize("seed", [0, 1])
def test_candidates_are_each_applications_best_and_each_reviewers_best_never_a_conflict(seed):
    apps, revs = keyword_terms(60, 25, seed)
    dense = affinity_from_keywords(apps, revs, dtype=np.float64)
    affinity = KeywordAffinity(apps, revs, dtype=np.float64)
    assert np.allclose(affinity.rows(np.arange(60)), dense)
    conflicts = np.argwhere(np.random.default_rng(seed).random(dense.shape) < 0.1)
    allowed = np.ones(dense.shape, dtype=bool)
    allowed[conflicts[:, 0], conflicts[:, 1]] = False
    masked = np.where(allowed, dense, -np.inf)

    per_app = affinity.candidates(per_app=4, per_reviewer=0, random_per_app=0, conflicts=conflicts)
    chosen = np.zeros(dense.shape, dtype=bool)
    chosen[per_app.apps, per_app.reviewers] = True
    assert not (chosen & ~allowed).any()
    assert (chosen.sum(axis=1) == np.minimum(4, allowed.sum(axis=1))).all()
    assert np.allclose(per_app.affinity, dense[per_app.apps, per_app.reviewers])
    for i in range(60):  # nothing left out is better than what was kept
        assert masked[i][~chosen[i]].max(initial=-np.inf) <= masked[i][chosen[i]].min(initial=np.inf)

    # Small blocks of rows, so that each reviewer's best is merged across many of them.
    import reviews.routing.candidates as module

    saved, module.BLOCK_ELEMENTS = module.BLOCK_ELEMENTS, 7 * 25
    try:
        per_rev = affinity.candidates(per_app=0, per_reviewer=3, random_per_app=0, conflicts=conflicts)
    finally:
        module.BLOCK_ELEMENTS = saved
    chosen = np.zeros(dense.shape, dtype=bool)
    chosen[per_rev.apps, per_rev.reviewers] = True
    assert not (chosen & ~allowed).any()
    assert (chosen.sum(axis=0) == np.minimum(3, allowed.sum(axis=0))).all()
    for j in range(25):
        assert masked[:, j][~chosen[:, j]].max(initial=-np.inf) <= masked[:, j][chosen[:, j]].min(initial=np.inf)


def test_the_candidates_reach_the_full_optimum_on_2000_by_400():
    # keyword_instance's load caps and conflicts, with term matrices of our own (it gives only the
    # dense affinity).
    _affinity, capacity, conflicts = keyword_instance(2_000, 400, seed=7)
    rng = np.random.default_rng(3)
    apps = sp.csr_matrix((rng.random((2_000, 300)) < 0.02).astype(float))
    revs = sp.csr_matrix((rng.random((400, 300)) < 0.04).astype(float))
    dense = affinity_from_keywords(apps, revs)
    pairs = np.argwhere(conflicts)
    full = route(dense, 3, capacity, conflicts=pairs, method="full")
    keywords = KeywordAffinity(apps, revs)
    result = route_sparse(keywords.candidates(conflicts=pairs), 3, capacity, conflicts=pairs, full_rows=keywords.rows)
    assert result.filled == full.filled == 6_000
    total = dense[result.pairs[:, 0], result.pairs[:, 1]].astype(np.float64).sum()
    assert total >= 0.995 * full.total_affinity
    assert result.stats["arcs"] < full.stats["arcs"] / 5


def test_top_per_row_breaks_ties_by_column_and_never_takes_a_forbidden_pair():
    from reviews.routing.arcs import top_per_row

    block = np.array([[0.5, 0.5, 0.9, 0.5, 0.1], [-np.inf, 0.3, -np.inf, -np.inf, -np.inf], [0.0] * 5])
    rows, cols = top_per_row(block, 3)
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 1),
        (2, 0),
        (2, 1),
        (2, 2),
    ]
    rows, cols = top_per_row(block, 5)
    assert len(rows) == 5 + 1 + 5
