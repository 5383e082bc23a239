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


def combine(keyword_affinity, text_affinity=None, bids=None, *, dtype=np.float32):
    """(affinity, reluctant): the router's affinity and the ``(m, 2)`` reluctant pairs.

    ``keyword_affinity`` and ``text_affinity`` are ``n_apps x n_reviewers`` arrays (``text_affinity``
    None counts as zeros); ``bids`` is ``(apps, reviewers, kinds)``, three sequences of the same
    length, a kind being one of EAGER, WILLING, NEUTRAL, NOT_WILLING.
    """
    keywords = np.asarray(keyword_affinity, dtype=np.float64)
    out = KEYWORD_WEIGHT * keywords
    if text_affinity is not None:
        text = np.asarray(text_affinity, dtype=np.float64)
        if text.shape != keywords.shape:
            raise ValueError(f"text affinity has shape {text.shape}, expected {keywords.shape}")
        out = out + TEXT_WEIGHT * text
    reluctant = np.empty((0, 2), dtype=np.int64)
    if bids is not None:
        apps, revs, kinds = (np.asarray(part) for part in bids)
        if not (apps.shape == revs.shape == kinds.shape):
            raise ValueError("bids: apps, reviewers and kinds must have the same length")
        unknown = set(kinds.tolist()) - set(BID_BONUS)
        if unknown:
            raise ValueError(f"unknown bid kinds: {sorted(unknown)}")
        if len(apps):
            apps, revs = apps.astype(np.int64), revs.astype(np.int64)
            bonus = np.vectorize(BID_BONUS.__getitem__, otypes=[np.float64])(kinds)
            np.add.at(out, (apps, revs), bonus)
            unwilling = kinds == NOT_WILLING
            reluctant = np.stack([apps[unwilling], revs[unwilling]], axis=1)
    np.clip(out, 0.0, None, out=out)
    return out.astype(dtype, copy=False), reluctant
