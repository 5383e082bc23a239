"""Affinity between applications and reviewers, from their expertise terms."""

from __future__ import annotations

from typing import Literal

import numpy as np

#: Affinity elements computed at once (a block of applications x every reviewer).
BLOCK_ELEMENTS = 2_000_000


def affinity_from_keywords(
    app_terms, reviewer_terms, *, metric: Literal["cosine", "jaccard"] = "cosine", dtype=np.float32
) -> np.ndarray:
    """Dense ``n_apps x n_reviewers`` affinity from term matrices, as one sparse-dense product.

    ``app_terms`` (``n_apps x n_terms``) and ``reviewer_terms`` (``n_reviewers x n_terms``) are scipy
    sparse or numpy arrays, one column per keyword of the controlled vocabulary, free-text keyword or
    theme (give a theme a weight above 1 to make it count more in ``cosine``). ``cosine`` uses the
    weights; ``jaccard`` binarises: ``|A & R| / |A | R|``. A row without any term gives 0 everywhere.
    """
    import scipy.sparse as sp

    a = sp.csr_matrix(app_terms, dtype=np.float64)
    r = sp.csr_matrix(reviewer_terms, dtype=np.float64)
    if a.shape[1] != r.shape[1]:
        raise ValueError(f"term counts differ: {a.shape[1]} for applications, {r.shape[1]} for reviewers")
    if metric == "jaccard":
        a.data[:] = a.data != 0
        r.data[:] = r.data != 0
        a.eliminate_zeros()
        r.eliminate_zeros()
        a_size = np.asarray(a.sum(axis=1), dtype=dtype).ravel()
        r_size = np.asarray(r.sum(axis=1), dtype=dtype).ravel()
    elif metric == "cosine":
        a_size = np.sqrt(np.asarray(a.multiply(a).sum(axis=1))).ravel()
        r_size = np.sqrt(np.asarray(r.multiply(r).sum(axis=1))).ravel()
        a = sp.diags(np.divide(1.0, a_size, out=np.zeros_like(a_size), where=a_size > 0)) @ a
        r = sp.diags(np.divide(1.0, r_size, out=np.zeros_like(r_size), where=r_size > 0)) @ r
    else:
        raise ValueError(f"unknown metric {metric!r}")
    # Sparse (apps) times dense (terms x reviewers): cost nnz(apps) x n_reviewers, dense output,
    # computed by blocks of rows into the result (no full-size float64 temporary: 160 MB for a
    # year's 10,000 x 2,000, and as many page faults; each row is computed as on the whole matrix).
    terms_by_reviewer = r.T.toarray().astype(np.float64, copy=False)
    n_apps, n_revs = a.shape[0], r.shape[0]
    out = np.empty((n_apps, n_revs), dtype=dtype)
    step = max(1, BLOCK_ELEMENTS // max(n_revs, 1))
    for start in range(0, n_apps, step):
        stop = min(start + step, n_apps)
        block = np.asarray(a[start:stop] @ terms_by_reviewer, dtype=dtype)
        if metric == "jaccard":
            union = a_size[start:stop, None] + r_size[None, :]
            union -= block
            np.divide(block, union, out=block, where=union > 0)
            block[union <= 0] = 0
        out[start:stop] = block
    return out
