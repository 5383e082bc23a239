"""The candidate arcs of the flow graph: every allowed pair, or the sparse candidate graph."""

from __future__ import annotations

import numpy as np

from .problem import _Problem, unique_keys


def top_per_row(block, n):
    """``(rows, cols)`` of each row's `n` largest entries (``-inf`` never; ties at the n-th value
    broken by column). The n-th value comes from a sort of each row (numpy's vectorised sort of
    floats is twice as fast as ``argpartition`` on these rows of few distinct values), then one
    comparison picks the entries at or above it."""
    m, width = block.shape
    if n >= width:
        return np.nonzero(block > -np.inf)
    kth = np.sort(block, axis=1)[:, width - n]
    rows, cols = np.nonzero(block >= kth[:, None])
    values = block[rows, cols]
    keep = values > kth[rows]
    room = n - np.bincount(rows[keep], minlength=m)
    tied = np.flatnonzero(~keep)
    tied_rows = rows[tied]  # row-major order from nonzero: sorted by row, then by column
    rank = np.arange(len(tied)) - np.searchsorted(tied_rows, tied_rows)
    keep[tied[rank < room[tied_rows]]] = True
    keep &= values > -np.inf
    return rows[keep], cols[keep]


def best_of_reviewers(block, a, best_vals, best_rows, per_reviewer):
    """Each reviewer's `per_reviewer` best applications so far, given the block of rows from `a`.

    Only the entries above a reviewer's current last best are looked at (after the first blocks,
    few are): one comparison over the block, then a partition of the reviewers it touched."""
    m, n_revs = block.shape
    if best_vals.shape[1] < per_reviewer:
        # Until every reviewer has enough applications: all of the block's, partitioned.
        by_reviewer = np.ascontiguousarray(block.T)
        vals = np.concatenate([best_vals, by_reviewer], axis=1)
        rows = np.concatenate([best_rows, np.broadcast_to(np.arange(a, a + m), (n_revs, m))], axis=1)
        if vals.shape[1] > per_reviewer:
            keep = np.argpartition(vals, vals.shape[1] - per_reviewer, axis=1)[:, vals.shape[1] - per_reviewer :]
            vals, rows = np.take_along_axis(vals, keep, axis=1), np.take_along_axis(rows, keep, axis=1)
        return vals, rows
    i, j = np.nonzero(block > best_vals.min(axis=1)[None, :])
    if not len(i):
        return best_vals, best_rows
    order = np.argsort(j, kind="stable")
    i, j = i[order], j[order]
    counts = np.bincount(j, minlength=n_revs)
    touched = np.flatnonzero(counts)
    slot = np.arange(len(j)) - (np.cumsum(counts) - counts)[j]
    where = np.searchsorted(touched, j)
    width = int(counts.max())
    new_vals = np.full((len(touched), width), -np.inf, dtype=best_vals.dtype)
    new_rows = np.zeros((len(touched), width), dtype=np.int64)
    new_vals[where, slot] = block[i, j]
    new_rows[where, slot] = i + a
    vals = np.concatenate([best_vals[touched], new_vals], axis=1)
    rows = np.concatenate([best_rows[touched], new_rows], axis=1)
    keep = np.argpartition(vals, vals.shape[1] - per_reviewer, axis=1)[:, vals.shape[1] - per_reviewer :]
    best_vals, best_rows = best_vals.copy(), best_rows.copy()
    best_vals[touched] = np.take_along_axis(vals, keep, axis=1)
    best_rows[touched] = np.take_along_axis(rows, keep, axis=1)
    return best_vals, best_rows


def _full_arcs(p: _Problem) -> tuple[np.ndarray, np.ndarray]:
    """Every allowed pair, as sorted keys, and the per-application count of eligible reviewers."""
    if p.candidates is not None:
        return p.cand_keys, p.eligible
    eligible = np.zeros(p.n_apps, dtype=np.int64)
    parts = []
    for rows, block in p.chunks():
        ok = block > -np.inf
        eligible[rows] = ok.sum(axis=1)
        ok[p.need[rows] == 0] = False
        ok[:, p.spare == 0] = False
        r, c = np.nonzero(ok)
        parts.append((rows[r]).astype(np.int64) * p.n_revs + c)
    return (np.concatenate(parts) if parts else np.empty(0, np.int64)), eligible


def _sparse_arcs(p: _Problem, per_app: int, per_rev: int, n_random: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Best ``per_app`` reviewers of each application, best ``per_rev`` applications of each
    reviewer and ``n_random`` random allowed reviewers per application, as sorted unique keys."""
    n_revs = p.n_revs
    eligible = np.zeros(p.n_apps, dtype=np.int64)
    per_app = min(per_app, n_revs)
    per_rev = min(per_rev, p.n_apps)
    best_vals = np.full((n_revs, 0), -np.inf)
    best_rows = np.zeros((n_revs, 0), dtype=np.int64)
    parts = []
    for rows, block in p.chunks():
        eligible[rows] = (block > -np.inf).sum(axis=1)
        block[p.need[rows] == 0] = -np.inf
        block[:, p.spare == 0] = -np.inf
        m = len(rows)
        if per_app > 0:
            i, j = top_per_row(block, per_app)
            parts.append(rows[i] * n_revs + j)
        if n_random > 0 and n_revs > 0:
            pick = rng.integers(0, n_revs, size=(m, n_random))
            ok = np.take_along_axis(block, pick, axis=1) > -np.inf
            parts.append((np.broadcast_to(rows[:, None], pick.shape)[ok]) * n_revs + pick[ok])
        if per_rev > 0:
            best_vals, best_rows = best_of_reviewers(block, rows[0], best_vals, best_rows, per_rev)
    if per_rev > 0:
        ok = best_vals > -np.inf
        parts.append(best_rows[ok] * n_revs + np.broadcast_to(np.arange(n_revs)[:, None], best_rows.shape)[ok])
    keys = unique_keys(np.concatenate(parts)) if parts else np.empty(0, np.int64)
    return keys, eligible
