"""Candidate pairs from keyword matrices, by blocks of rows: no ``n_apps x n_reviewers`` matrix.

For :func:`.sparse.route_sparse` at conference scale. The cosine affinity of a block of
applications against every reviewer is computed (``rows_per_block x n_reviewers``, a few tens of MB),
the block's candidates are kept, and the block is dropped:

- each application's ``per_app`` best conflict-free reviewers;
- ``random_per_app`` random conflict-free reviewers per application (so that load can spread);
- each reviewer's ``per_reviewer`` best applications over all blocks (so that a reviewer nobody
  ranks first still has somewhere to spend their load), merged block after block.

The same choice as ``route``'s sparse method, which reaches 99.5 % or more of the full optimum
(bench/routing_conference.py measures it on 2,000 x 400). :class:`KeywordAffinity` also gives the
full rows of a few applications (``rows``), for route_sparse's repair.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .arcs import best_of_reviewers, top_per_row
from .problem import CandidatePairs, _pair_keys

#: Affinity elements computed at once (one block of applications x every reviewer).
BLOCK_ELEMENTS = 4_000_000
#: Above this many elements, the reviewers' term matrix stays sparse in the products.
DENSE_TERMS_MAX = 40_000_000


def _normalised(matrix, dtype):
    m = sp.csr_matrix(matrix, dtype=np.float64)
    size = np.sqrt(np.asarray(m.multiply(m).sum(axis=1))).ravel()
    scaled = sp.diags(np.divide(1.0, size, out=np.zeros_like(size), where=size > 0)) @ m
    return scaled.astype(dtype)


class KeywordAffinity:
    """Cosine affinity of applications' and reviewers' term matrices (as
    affinity.affinity_from_keywords), computed by rows on demand, in float32 by default (the
    precision of the dense affinity the portal routes with, half the memory traffic)."""

    def __init__(self, app_terms, reviewer_terms, dtype=np.float32):
        self.dtype = dtype
        self.apps = _normalised(app_terms, dtype).tocsr()
        reviewers = _normalised(reviewer_terms, dtype)
        if self.apps.shape[1] != reviewers.shape[1]:
            raise ValueError("term counts differ between applications and reviewers")
        self.shape = (self.apps.shape[0], reviewers.shape[0])
        terms_t = reviewers.T
        dense = terms_t.shape[0] * terms_t.shape[1] <= DENSE_TERMS_MAX
        self.reviewers_t = terms_t.toarray() if dense else terms_t.tocsc()

    def rows(self, rows) -> np.ndarray:
        """``len(rows) x n_reviewers`` affinities of the applications `rows`."""
        out = self.apps[np.asarray(rows)] @ self.reviewers_t
        return np.asarray(out.toarray() if hasattr(out, "toarray") else out, dtype=self.dtype)

    def candidates(self, *, per_app=30, per_reviewer=20, random_per_app=5, conflicts=None, seed=0) -> CandidatePairs:
        """The candidate pairs described in the module docstring, conflicted pairs left out."""
        n_apps, n_revs = self.shape
        conflict_keys = _pair_keys(conflicts, n_apps, n_revs, "conflicts")
        rng = np.random.default_rng(seed)
        per_app, per_reviewer = min(per_app, n_revs), min(per_reviewer, n_apps)
        step = max(1, BLOCK_ELEMENTS // max(n_revs, 1))
        best_vals = np.full((n_revs, 0), -np.inf, dtype=self.dtype)
        best_rows = np.zeros((n_revs, 0), dtype=np.int64)
        keys, values = [], []
        for a in range(0, n_apps, step):
            b = min(a + step, n_apps)
            block = self.rows(np.arange(a, b))
            lo, hi = np.searchsorted(conflict_keys, [a * n_revs, b * n_revs])
            block.reshape(-1)[conflict_keys[lo:hi] - a * n_revs] = -np.inf
            m = b - a
            if per_app:
                i, j = top_per_row(block, per_app)
                keys.append((a + i) * n_revs + j)
                values.append(block[i, j])
            if random_per_app and n_revs:
                pick = rng.integers(0, n_revs, size=(m, random_per_app))
                vals = np.take_along_axis(block, pick, axis=1)
                ok = vals > -np.inf
                keys.append((np.broadcast_to(np.arange(a, b)[:, None], pick.shape)[ok]) * n_revs + pick[ok])
                values.append(vals[ok])
            if per_reviewer:
                best_vals, best_rows = best_of_reviewers(block, a, best_vals, best_rows, per_reviewer)
        ok = best_vals > -np.inf
        keys.append(best_rows[ok] * n_revs + np.broadcast_to(np.arange(n_revs)[:, None], best_rows.shape)[ok])
        values.append(best_vals[ok])
        all_keys = np.concatenate(keys) if keys else np.empty(0, np.int64)
        all_values = np.concatenate(values) if values else np.empty(0)
        all_keys, first = np.unique(all_keys, return_index=True)
        apps, revs = np.divmod(all_keys, max(n_revs, 1))
        return CandidatePairs(apps, revs, all_values[first], self.shape)
