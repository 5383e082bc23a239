"""reviews.routing: the pure assignment of reviewers to applications (no database)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import maximum_flow

from bench.greedy import greedy_assign
from reviews.routing import (
    CAPACITY_EXHAUSTED,
    NOT_ENOUGH_CONFLICT_FREE,
    NOT_ENOUGH_ELIGIBLE,
    NOT_ENOUGH_REVIEWERS,
    REASON_TEMPLATES,
    CandidatePairs,
    affinity_from_keywords,
    route,
)


def as_set(pairs):
    return {tuple(int(x) for x in p) for p in pairs}


# --------------------------------------------------------------------------------------------------
# Small cases solved by hand
# --------------------------------------------------------------------------------------------------


def test_optimal_assignment_gives_contested_reviewer_to_the_application_with_no_good_alternative():
    # Greedy takes the best pair (0, 0) = 0.9 and leaves application 1 with a useless reviewer: 0.9.
    # The optimum swaps: 0.8 + 0.7 = 1.5.
    affinity = np.array([[0.9, 0.8], [0.7, 0.0]])
    result = route(affinity, k=1, capacity=1)
    assert as_set(result.pairs) == {(0, 1), (1, 0)}
    assert result.total_affinity == pytest.approx(1.5)
    assert greedy_assign(affinity, k=1, capacity=1).total_affinity == pytest.approx(0.9)


def test_every_application_staffed_before_any_affinity_is_maximised():
    # Application 1 is conflicted with reviewer 1: greedy gives reviewer 0 to application 0 and leaves
    # application 1 without anyone. The router staffs both, at a lower total affinity.
    affinity = np.array([[1.0, 0.5], [0.2, 0.9]])
    conflicts = np.array([[False, False], [False, True]])
    greedy = greedy_assign(affinity, 1, 1, conflicts=conflicts)
    assert as_set(greedy.pairs) == {(0, 0)}
    result = route(affinity, 1, 1, conflicts=conflicts)
    assert as_set(result.pairs) == {(0, 1), (1, 0)}
    assert result.total_affinity == pytest.approx(0.7)
    assert result.shortfalls == []


def test_optimal_assignment_with_three_reviewers_per_application():
    # Reviewer 0 is everyone's favourite but takes two applications; greedy gives it to 0 and 1,
    # which leaves application 2 (only strong on reviewer 0) with weak reviewers.
    affinity = np.array(
        [
            [0.9, 0.8, 0.8, 0.1, 0.0],
            [0.9, 0.8, 0.8, 0.0, 0.1],
            [0.85, 0.1, 0.1, 0.3, 0.3],
        ]
    )
    capacity = np.array([2, 2, 2, 2, 2])
    # Greedy: 0-0, 1-0 (reviewer 0 full), 0-1, 0-2, 1-1, 1-2 (reviewers 1 and 2 full), then 2-3, 2-4:
    # application 2 stays one reviewer short.
    greedy = greedy_assign(affinity, 3, capacity)
    assert greedy.filled == 8
    result = route(affinity, 3, capacity)
    # Optimum: all 9 slots. Application 2 takes {0, 3, 4} = 1.45; one of applications 0/1 keeps
    # reviewer 0 ({0, 1, 2} = 2.5), the other takes {1, 2, and its 0.1 reviewer} = 1.7. Total 5.65.
    assert result.filled == 9
    assert result.total_affinity == pytest.approx(5.65)
    assert {r for a, r in as_set(result.pairs) if a == 2} == {0, 3, 4}


def test_zero_affinity_reviewer_is_assigned_rather_than_leaving_a_slot_empty():
    affinity = np.array([[0.6, 0.0, 0.0]])
    result = route(affinity, k=2, capacity=1)
    assert result.filled == 2
    assert (0, 0) in as_set(result.pairs)
    assert result.shortfalls == []


def test_min_affinity_forbids_weak_pairs_and_says_so():
    affinity = np.array([[0.6, 0.1, 0.0]])
    result = route(affinity, k=2, capacity=1, min_affinity=0.5)
    assert as_set(result.pairs) == {(0, 0)}
    [short] = result.shortfalls
    assert (short.app, short.missing, short.code) == (0, 1, NOT_ENOUGH_ELIGIBLE)
    assert short.params == {"available": 1, "missing": 1, "required": 2}


def test_nan_affinity_forbids_the_pair():
    affinity = np.array([[np.nan, 0.2]])
    result = route(affinity, k=1, capacity=1)
    assert as_set(result.pairs) == {(0, 1)}


def test_shortfall_for_too_few_conflict_free_reviewers():
    affinity = np.ones((1, 3))
    result = route(affinity, k=3, capacity=5, conflicts=[[0, 0], [0, 2]])
    assert as_set(result.pairs) == {(0, 1)}
    [short] = result.shortfalls
    assert (short.app, short.missing, short.code) == (0, 2, NOT_ENOUGH_CONFLICT_FREE)
    assert "only 1 reviewer(s) have no conflict of interest" in short.message
    assert short.template == REASON_TEMPLATES[NOT_ENOUGH_CONFLICT_FREE]


def test_shortfall_for_too_few_reviewers_in_the_pool_names_the_pool_not_conflicts():
    affinity = np.ones((2, 2))
    result = route(affinity, k=3, capacity=5, conflicts=[[0, 0]])
    short = {s.app: s for s in result.shortfalls}
    assert short[0].code == short[1].code == NOT_ENOUGH_REVIEWERS
    assert "only 2 reviewer(s) accepted to review this call, 3 are required" in short[1].message


def test_shortage_is_shared_so_that_no_application_is_left_without_reviewer():
    # Application 0 prefers both reviewers, but giving them both to it would leave application 1
    # with nobody: each gets one, and each is reported one reviewer short.
    affinity = np.array([[1.0, 0.9], [0.1, 0.1]])
    result = route(affinity, k=2, capacity=1)
    assert as_set(result.pairs) == {(0, 0), (1, 1)}
    assert sorted((s.app, s.missing, s.code) for s in result.shortfalls) == [
        (0, 1, CAPACITY_EXHAUSTED),
        (1, 1, CAPACITY_EXHAUSTED),
    ]


def test_existing_assignments_are_kept_and_count_against_k_and_capacity():
    affinity = np.array([[0.1, 0.9, 0.8], [0.2, 0.9, 0.1]])
    result = route(affinity, k=2, capacity=np.array([1, 1, 2]), existing=[[0, 0]])
    pairs = as_set(result.pairs)
    assert (0, 0) in pairs
    assert as_set(result.pairs[~result.new_mask]) == {(0, 0)}
    # Application 0 needs one more; reviewer 0 is full, so application 1 cannot have it.
    assert sum(1 for a, _ in pairs if a == 0) == 2
    assert (1, 0) not in pairs
    assert pairs == {(0, 0), (0, 2), (1, 1), (1, 2)}
    assert result.total_affinity == pytest.approx(0.1 + 0.8 + 0.9 + 0.1)


def test_existing_conflicted_assignment_is_refused():
    with pytest.raises(ValueError, match="conflicted"):
        route(np.ones((1, 1)), 1, 1, conflicts=[[0, 0]], existing=[[0, 0]])


def test_conflicts_given_as_mask_pairs_or_sparse_matrix_route_the_same():
    rng = np.random.default_rng(3)
    affinity = rng.random((30, 12))
    mask = rng.random((30, 12)) < 0.2
    by_mask = route(affinity, 3, 9, conflicts=mask)
    by_pairs = route(affinity, 3, 9, conflicts=np.argwhere(mask))
    by_sparse = route(affinity, 3, 9, conflicts=sp.csr_matrix(mask))
    assert as_set(by_mask.pairs) == as_set(by_pairs.pairs) == as_set(by_sparse.pairs)
    assert not any(mask[a, r] for a, r in by_mask.pairs)


def test_candidate_pairs_only_assign_listed_pairs():
    matrix = sp.coo_matrix(([0.5, 0.0, 0.7], ([0, 1, 1], [1, 0, 1])), shape=(2, 3))
    result = route(CandidatePairs.from_sparse(matrix), k=1, capacity=1)
    assert as_set(result.pairs) == {(0, 1), (1, 0)}
    assert result.total_affinity == pytest.approx(0.5)


def test_scipy_sparse_affinity_without_explicit_meaning_is_refused():
    with pytest.raises(TypeError, match="CandidatePairs"):
        route(sp.csr_matrix(np.ones((2, 2))), 1, 1)


def test_affinity_from_keywords_cosine_and_jaccard():
    apps = sp.csr_matrix(np.array([[1, 1, 0, 0], [0, 0, 0, 0], [1, 0, 1, 1]]))
    revs = np.array([[1, 1, 0, 0], [1, 0, 0, 1]])
    cosine = affinity_from_keywords(apps, revs)
    assert cosine == pytest.approx(np.array([[1.0, 0.5], [0.0, 0.0], [1 / np.sqrt(6), 2 / np.sqrt(6)]]), abs=1e-6)
    jaccard = affinity_from_keywords(apps, revs, metric="jaccard")
    assert jaccard == pytest.approx(np.array([[1.0, 1 / 3], [0.0, 0.0], [1 / 4, 2 / 3]]), abs=1e-6)


def test_routing_module_imports_no_django():
    root = Path(__file__).resolve().parents[2]
    code = "import sys, reviews.routing; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------------------------------
# Properties, checked against independent solvers
# --------------------------------------------------------------------------------------------------


@st.composite
def problems(draw):
    n_apps = draw(st.integers(1, 7))
    n_revs = draw(st.integers(1, 6))
    affinity = draw(
        arrays(np.float64, (n_apps, n_revs), elements=st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.75, 0.9, 1.0]))
    )
    # About one pair in six conflicted, sometimes none, sometimes half.
    density = draw(st.sampled_from([0, 2, 6]))
    conflicts = draw(arrays(np.int64, (n_apps, n_revs), elements=st.integers(1, 12))) <= density
    k = draw(arrays(np.int64, n_apps, elements=st.integers(0, 3)))
    capacity = draw(arrays(np.int64, n_revs, elements=st.integers(0, 4)))
    existing_mask = draw(arrays(np.bool_, (n_apps, n_revs))) & ~conflicts
    existing_mask &= draw(arrays(np.bool_, (n_apps, n_revs)))
    return affinity, conflicts, k, capacity, np.argwhere(existing_mask)


def open_slots(n_apps, n_revs, k, capacity, existing):
    have = np.bincount(existing[:, 0], minlength=n_apps)
    load = np.bincount(existing[:, 1], minlength=n_revs)
    return np.maximum(k - have, 0), np.maximum(capacity - load, 0)


def max_coverage(allowed, need, spare):
    """Independent maximum number of new slots: scipy's max flow on source/apps/reviewers/sink."""
    n_apps, n_revs = allowed.shape
    source, sink = n_apps + n_revs, n_apps + n_revs + 1
    a, r = np.nonzero(allowed)
    tails = np.concatenate([np.full(n_apps, source), a, n_apps + np.arange(n_revs)])
    heads = np.concatenate([np.arange(n_apps), n_apps + r, np.full(n_revs, sink)])
    caps = np.concatenate([need, np.ones(len(a), np.int64), spare]).astype(np.int32)
    graph = sp.csr_matrix((caps, (tails, heads)), shape=(sink + 1, sink + 1))
    return maximum_flow(graph, source, sink).flow_value


def balance_cost(got, have):
    """Sum over applications of the ranks of the slots filled: lower is more balanced."""
    return int(sum((h + 1 + h + g) * g // 2 for g, h in zip(got, have, strict=True)))


def lexicographic_optimum(allowed, affinity, need, have, spare):
    """Independent optimum by integer programming: most slots, then most balanced, then most affinity.

    Variables: one per allowed pair and one per open slot of an application (the t-th worth less
    than the (t-1)-th); weights make each level dominate the next.
    """
    n_apps, n_revs = allowed.shape
    a, r = np.nonzero(allowed)
    slot_app = np.repeat(np.arange(n_apps), need)
    slot_rank = np.concatenate([have[i] + 1 + np.arange(need[i]) for i in range(n_apps)]).astype(float)
    if not len(a) or not len(slot_app):
        return 0.0, 0
    weights = affinity[a, r]
    w2 = weights.sum() + 1.0
    w1 = w2 * (slot_rank.max() * len(slot_app) + 1)
    n_x, n_y = len(a), len(slot_app)
    per_app = sp.hstack(
        [
            sp.csr_matrix((np.ones(n_x), (a, np.arange(n_x))), shape=(n_apps, n_x)),
            sp.csr_matrix((-np.ones(n_y), (slot_app, np.arange(n_y))), shape=(n_apps, n_y)),
        ]
    )
    per_rev = sp.hstack(
        [sp.csr_matrix((np.ones(n_x), (r, np.arange(n_x))), shape=(n_revs, n_x)), sp.csr_matrix((n_revs, n_y))]
    )
    res = milp(
        -np.concatenate([weights, w1 - w2 * slot_rank]),
        constraints=[LinearConstraint(per_app, 0, 0), LinearConstraint(per_rev, 0, spare)],
        integrality=np.ones(n_x + n_y),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0},
    )
    assert res.success
    x = np.rint(res.x[:n_x]).astype(bool)
    got = np.bincount(a[x], minlength=n_apps)
    return float(weights[x].sum()), balance_cost(got, have)


def check_invariants(result, affinity, conflicts, k, capacity, existing, *, exact_affinity):
    n_apps, n_revs = affinity.shape
    pairs = result.pairs
    # Never a conflicted pair, never a pair twice.
    assert not conflicts[pairs[:, 0], pairs[:, 1]].any()
    assert len(as_set(pairs)) == len(pairs)
    # Existing pairs all kept, and flagged as not new.
    assert as_set(existing) <= as_set(pairs)
    assert as_set(pairs[~result.new_mask]) == as_set(existing)
    need, spare = open_slots(n_apps, n_revs, k, capacity, existing)
    new = result.new_pairs
    got = np.bincount(new[:, 0], minlength=n_apps)
    # Caps: at most k per application and capacity per reviewer (existing over-loads are kept, never added to).
    assert (got <= need).all()
    assert (np.bincount(new[:, 1], minlength=n_revs) <= spare).all()
    # As many slots filled as the independent max flow says possible: every app gets k when feasible.
    allowed = ~conflicts
    allowed[existing[:, 0], existing[:, 1]] = False
    assert len(new) == max_coverage(allowed, need, spare)
    have = np.bincount(existing[:, 0], minlength=n_apps)
    if exact_affinity:
        best_affinity, best_balance = lexicographic_optimum(allowed, affinity, need, have, spare)
        assert balance_cost(got, have) == best_balance
        assert affinity[new[:, 0], new[:, 1]].sum() == pytest.approx(best_affinity, abs=1e-4)
    # A reason for every application left short, and the right one.
    short = {s.app: s for s in result.shortfalls}
    assert set(short) == set(np.flatnonzero(got < need).tolist())
    load = np.bincount(new[:, 1], minlength=n_revs)
    for i, s in short.items():
        assert s.missing == need[i] - got[i]
        free = allowed[i].sum()
        if n_revs < np.broadcast_to(k, (n_apps,))[i]:
            assert s.code == NOT_ENOUGH_REVIEWERS
        elif free < need[i]:
            assert s.code == NOT_ENOUGH_CONFLICT_FREE
        else:
            assert s.code == CAPACITY_EXHAUSTED
            # Every conflict-free reviewer not on the application is indeed at full load.
            mine = set(new[new[:, 0] == i, 1].tolist())
            others = [j for j in np.flatnonzero(allowed[i]) if j not in mine]
            assert all(load[j] >= spare[j] for j in others)
        assert s.message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_full_routing_respects_every_constraint_and_is_optimal(problem):
    affinity, conflicts, k, capacity, existing = problem
    result = route(affinity, k, capacity, conflicts=conflicts, existing=existing, method="full")
    check_invariants(result, affinity, conflicts, k, capacity, existing, exact_affinity=True)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 2), st.integers(0, 2), st.integers(0, 1))
def test_sparse_routing_never_loses_coverage(problem, per_app, per_rev, n_random):
    # Tiny candidate lists force the repair rounds (augmenting paths found on the full graph).
    affinity, conflicts, k, capacity, existing = problem
    result = route(
        affinity,
        k,
        capacity,
        conflicts=conflicts,
        existing=existing,
        method="sparse",
        candidates_per_app=per_app,
        candidates_per_reviewer=per_rev,
        random_candidates_per_app=n_random,
    )
    check_invariants(result, affinity, conflicts, k, capacity, existing, exact_affinity=False)
    assert result.stats["coverage_certified"]


@settings(max_examples=100, deadline=None)
@given(problems())
def test_greedy_baseline_respects_constraints(problem):
    affinity, conflicts, k, capacity, existing = problem
    result = greedy_assign(affinity, k, capacity, conflicts=conflicts, existing=existing)
    assert not conflicts[result.pairs[:, 0], result.pairs[:, 1]].any()
    need, spare = open_slots(*affinity.shape, k, capacity, existing)
    new = result.new_pairs
    assert (np.bincount(new[:, 0], minlength=len(k)) <= need).all()
    assert (np.bincount(new[:, 1], minlength=len(capacity)) <= spare).all()


# --------------------------------------------------------------------------------------------------
# Quality of the sparsified graph on a realistic instance
# --------------------------------------------------------------------------------------------------


def keyword_instance(n_apps, n_revs, k=3, seed=0, n_terms=300):
    """Zipf-like keyword popularity, cosine affinity, 2 % conflicts, total capacity 1.2 x demand."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, n_terms + 1) ** 0.8
    popularity /= popularity.sum()

    def terms(n, low, high):
        picks = rng.choice(n_terms, size=(n, high), p=popularity)
        keep = np.arange(high)[None, :] < rng.integers(low, high + 1, size=n)[:, None]
        rows = np.broadcast_to(np.arange(n)[:, None], picks.shape)[keep]
        matrix = sp.csr_matrix((np.ones(keep.sum()), (rows, picks[keep])), shape=(n, n_terms))
        matrix.data[:] = 1.0
        return matrix

    affinity = affinity_from_keywords(terms(n_apps, 3, 8), terms(n_revs, 5, 15))
    capacity = np.maximum(1, np.rint(rng.uniform(0.5, 1.5, n_revs) * 1.2 * k * n_apps / n_revs)).astype(np.int64)
    conflicts = rng.random((n_apps, n_revs)) < 0.02
    return affinity, capacity, conflicts


def test_sparse_routing_reaches_the_full_optimum_and_beats_greedy_on_2000_by_400():
    affinity, capacity, conflicts = keyword_instance(2_000, 400, seed=7)
    full = route(affinity, 3, capacity, conflicts=conflicts, method="full")
    sparse = route(affinity, 3, capacity, conflicts=conflicts, method="sparse")
    greedy = greedy_assign(affinity, 3, capacity, conflicts=conflicts)
    assert sparse.stats["method"] == "sparse" and sparse.stats["arcs"] < full.stats["arcs"] / 5
    assert full.filled == sparse.filled == 6_000
    assert sparse.total_affinity >= 0.995 * full.total_affinity
    assert sparse.total_affinity >= greedy.total_affinity
    assert full.total_affinity >= sparse.total_affinity - 1e-6 * full.filled


def test_auto_method_sparsifies_large_problems_only():
    affinity, capacity, conflicts = keyword_instance(300, 50, seed=1)
    assert route(affinity, 3, capacity, conflicts=conflicts).stats["method"] == "full"
    assert route(affinity, 3, capacity, conflicts=conflicts, max_full_pairs=1_000).stats["method"] == "sparse"
