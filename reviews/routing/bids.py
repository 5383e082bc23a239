"""How a reviewer's bids and the texts enter the affinity the router maximises (issue 18).

Before routing, each reviewer who accepted the call bids on its applications: eager, willing,
neutral (the default, the same as no bid) or not willing. The affinity of a pair is

    affinity = KEYWORD_WEIGHT x keywords + TEXT_WEIGHT x text + BID_BONUS[bid]

where ``keywords`` is the cosine of the shared vocabulary terms, free keywords and themes
(affinity.affinity_from_keywords) and ``text`` the TF-IDF cosine of what they wrote
(text.text_affinity), both in [0, 1]. The weights are chosen so that:

- an eager bid (+0.30) outweighs a moderate difference of fit: a reviewer eager for an application
  with half the fit of another reviewer's is preferred, but an eager bid on an application with no
  overlap at all (0.30) does not beat a strong fit (above 0.30);
- a willing bid (+0.15) breaks ties between comparable reviewers;
- "not willing" lowers the pair (-0.30, so that it ranks last among the candidates the router keeps)
  and, above all, marks it *reluctant*: the router uses a reluctant pair only when no assignment
  with the same coverage and balance can do without it (flow._solve_flow's extra cost level).

The result is clipped at 0 (the router ranks zero-affinity pairs last; the reluctant level, not the
sign, keeps "not willing" away). No Django here: the adapter reads the bids into arrays.
"""

from __future__ import annotations

import numpy as np

EAGER = "eager"
WILLING = "willing"
NEUTRAL = "neutral"
NOT_WILLING = "not_willing"

KEYWORD_WEIGHT = 0.5
TEXT_WEIGHT = 0.5
BID_BONUS = {EAGER: 0.30, WILLING: 0.15, NEUTRAL: 0.0, NOT_WILLING: -0.30}
#: Elements combined at once (a block of rows, in float64).
CHUNK_ELEMENTS = 1_000_000


def combine(keyword_affinity, text_affinity=None, bids=None, *, dtype=np.float32):
    """(affinity, reluctant): the router's affinity and the ``(m, 2)`` reluctant pairs.

    ``keyword_affinity`` and ``text_affinity`` are ``n_apps x n_reviewers`` arrays (``text_affinity``
    None counts as zeros); ``bids`` is ``(apps, reviewers, kinds)``, three sequences of the same
    length, a kind being one of EAGER, WILLING, NEUTRAL, NOT_WILLING.
    """
    keywords = np.asarray(keyword_affinity)
    text = None
    if text_affinity is not None:
        text = np.asarray(text_affinity)
        if text.shape != keywords.shape:
            raise ValueError(f"text affinity has shape {text.shape}, expected {keywords.shape}")
    bid_apps = bid_revs = np.empty(0, dtype=np.int64)
    bonus = np.empty(0, dtype=np.float64)
    reluctant = np.empty((0, 2), dtype=np.int64)
    if bids is not None:
        apps, revs, kinds = (np.asarray(part) for part in bids)
        if not (apps.shape == revs.shape == kinds.shape):
            raise ValueError("bids: apps, reviewers and kinds must have the same length")
        unknown = set(kinds.tolist()) - set(BID_BONUS)
        if unknown:
            raise ValueError(f"unknown bid kinds: {sorted(unknown)}")
        if len(apps):
            bid_apps, bid_revs = apps.astype(np.int64), revs.astype(np.int64)
            bonus = np.vectorize(BID_BONUS.__getitem__, otypes=[np.float64])(kinds)
            unwilling = kinds == NOT_WILLING
            reluctant = np.stack([bid_apps[unwilling], bid_revs[unwilling]], axis=1)
            order = np.argsort(bid_apps, kind="stable")
            bid_apps, bid_revs, bonus = bid_apps[order], bid_revs[order], bonus[order]
    # In float64 by blocks of rows, written into the result as they are done: the same arithmetic
    # as on whole matrices, without four full-size float64 temporaries (a year's call: 10,000 x
    # 2,000, 160 MB each, was 1.5 s of page faults and copies).
    out = np.empty(keywords.shape, dtype=dtype)
    n_rows, n_cols = keywords.shape if keywords.ndim == 2 else (len(keywords), 1)
    step = max(1, CHUNK_ELEMENTS // max(n_cols, 1))
    for a in range(0, n_rows, step):
        b = min(a + step, n_rows)
        block = KEYWORD_WEIGHT * keywords[a:b].astype(np.float64)
        if text is not None:
            block += TEXT_WEIGHT * text[a:b].astype(np.float64)
        lo, hi = np.searchsorted(bid_apps, [a, b])
        if hi > lo:
            np.add.at(block, (bid_apps[lo:hi] - a, bid_revs[lo:hi]), bonus[lo:hi])
        np.clip(block, 0.0, None, out=block)
        out[a:b] = block
    return out, reluctant
