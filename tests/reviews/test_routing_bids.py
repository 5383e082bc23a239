"""Bids in the router (issue 18): hand-made cases where a bid changes the optimum, and where a
"not willing" pair is used only when nothing else fills the slot."""

import numpy as np
import pytest

from reviews.routing import route
from reviews.routing.bids import BID_BONUS, EAGER, NEUTRAL, NOT_WILLING, WILLING, combine


def assigned(result):
    return {(int(app), int(reviewer)) for app, reviewer in result.pairs}


def test_without_bids_the_best_fit_wins():
    # Two applications, two reviewers of one slot each: reviewer 0 fits application 0 best.
    keywords = np.array([[0.8, 0.4], [0.6, 0.5]])
    affinity, reluctant = combine(keywords)
    assert assigned(route(affinity, 1, 1, reluctant=reluctant)) == {(0, 0), (1, 1)}


def test_an_eager_bid_changes_the_optimum():
    keywords = np.array([[0.8, 0.4], [0.6, 0.5]])
    # Reviewer 1 is eager for application 0, reviewer 0 willing for application 1.
    affinity, reluctant = combine(keywords, bids=([0, 1], [1, 0], [EAGER, WILLING]))
    assert assigned(route(affinity, 1, 1, reluctant=reluctant)) == {(0, 1), (1, 0)}


def test_not_willing_is_avoided_even_at_a_cost_in_fit():
    # Reviewer 0 fits application 0 far better but is not willing: reviewer 1 takes it.
    keywords = np.array([[1.0, 0.05]])
    text = np.array([[1.0, 0.0]])
    affinity, reluctant = combine(keywords, text, bids=([0], [0], [NOT_WILLING]))
    assert reluctant.tolist() == [[0, 0]]
    assert affinity[0, 0] > affinity[0, 1]  # still the better fit on paper
    assert assigned(route(affinity, 1, 1, reluctant=reluctant)) == {(0, 1)}


def test_not_willing_is_kept_when_nothing_else_fills_the_slot():
    # Two reviewers for an application that needs two: the unwilling one is still assigned
    # (coverage first), and reported among the pairs.
    affinity, reluctant = combine(np.array([[0.5, 0.5]]), bids=([0], [1], [NOT_WILLING]))
    result = route(affinity, 2, 1, reluctant=reluctant)
    assert assigned(result) == {(0, 0), (0, 1)}
    assert not result.shortfalls


def test_the_fewest_unwilling_pairs_are_used_across_applications():
    # Three applications of one slot, three reviewers of one slot each. Reviewer 2 is unwilling
    # for every application but one must take something: it takes the application where nobody
    # else could go, and no other unwilling pair is used.
    keywords = np.array([[0.9, 0.1, 0.9], [0.1, 0.9, 0.9], [0.2, 0.2, 0.9]])
    bids = ([0, 1, 2, 0], [2, 2, 2, 1], [NOT_WILLING, NOT_WILLING, NOT_WILLING, NOT_WILLING])
    affinity, reluctant = combine(keywords, bids=bids)
    result = route(affinity, 1, 1, reluctant=reluctant)
    pairs = assigned(result)
    assert len(pairs) == 3
    used_reluctant = pairs & {tuple(p) for p in reluctant.tolist()}
    assert len(used_reluctant) == 1


def test_balance_still_ranks_before_unwillingness():
    # Two applications needing two reviewers each, two reviewers of one slot each; reviewer 0 has a
    # conflict with application 1, reviewer 1 is unwilling for it. Both on application 0 would use
    # no unwilling pair but leave application 1 with nobody: every application gets its first
    # reviewer before any gets its second, so reviewer 1 goes to application 1 all the same.
    affinity, reluctant = combine(np.full((2, 2), 0.5), bids=([1], [1], [NOT_WILLING]))
    result = route(affinity, 2, 1, conflicts=[[1, 0]], reluctant=reluctant)
    assert assigned(result) == {(0, 0), (1, 1)}


def test_a_bid_turns_the_optimum_around_at_a_cost_in_fit():
    keywords = np.array([[0.9, 0.1], [0.1, 0.9]])
    affinity, reluctant = combine(keywords)
    assert assigned(route(affinity, 1, 1, reluctant=reluctant)) == {(0, 0), (1, 1)}
    affinity, reluctant = combine(keywords, bids=([1], [1], [NOT_WILLING]))
    assert assigned(route(affinity, 1, 1, reluctant=reluctant)) == {(0, 1), (1, 0)}


def test_unwilling_pairs_are_avoided_in_the_sparse_graph_too():
    rng = np.random.default_rng(3)
    keywords = rng.random((60, 40))
    unwilling_apps, unwilling_revs = np.nonzero(keywords > 0.9)
    bids = (unwilling_apps, unwilling_revs, [NOT_WILLING] * len(unwilling_apps))
    affinity, reluctant = combine(keywords, bids=bids)
    result = route(affinity, 2, 4, reluctant=reluctant, method="sparse", candidates_per_app=12)
    assert not result.shortfalls
    assert not assigned(result) & {tuple(p) for p in reluctant.tolist()}


def test_the_weights_are_the_documented_ones():
    assert BID_BONUS == {EAGER: 0.30, WILLING: 0.15, NEUTRAL: 0.0, NOT_WILLING: -0.30}
    affinity, _ = combine(np.array([[0.4]]), np.array([[0.2]]), bids=([0], [0], [WILLING]))
    assert affinity[0, 0] == pytest.approx(0.5 * 0.4 + 0.5 * 0.2 + 0.15)


def test_bad_bids_are_refused():
    with pytest.raises(ValueError, match="unknown bid kinds"):
        combine(np.zeros((1, 1)), bids=([0], [0], ["keen"]))
    with pytest.raises(ValueError, match="same length"):
        combine(np.zeros((1, 1)), bids=([0], [0, 0], [EAGER]))
