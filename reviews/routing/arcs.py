"""The candidate arcs of the flow graph: every allowed pair, or the sparse candidate graph."""

from __future__ import annotations

import numpy as np

from .problem import _Problem


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
    best_vals = np.full((per_rev, n_revs), -np.inf)
    best_rows = np.zeros((per_rev, n_revs), dtype=np.int64)
    parts = []
    for rows, block in p.chunks():
        eligible[rows] = (block > -np.inf).sum(axis=1)
        block[p.need[rows] == 0] = -np.inf
        block[:, p.spare == 0] = -np.inf
        m = len(rows)
        if per_app > 0:
            if per_app < n_revs:
                top = np.argpartition(-block, per_app - 1, axis=1)[:, :per_app]
            else:
                top = np.broadcast_to(np.arange(n_revs), (m, n_revs))
            ok = np.take_along_axis(block, top, axis=1) > -np.inf
            parts.append((np.broadcast_to(rows[:, None], top.shape)[ok]) * n_revs + top[ok])
        if n_random > 0 and n_revs > 0:
            pick = rng.integers(0, n_revs, size=(m, n_random))
            ok = np.take_along_axis(block, pick, axis=1) > -np.inf
            parts.append((np.broadcast_to(rows[:, None], pick.shape)[ok]) * n_revs + pick[ok])
        if per_rev > 0:
            vals = np.concatenate([best_vals, block])
            idx_rows = np.concatenate([best_rows, np.broadcast_to(rows[:, None], block.shape)])
            if len(vals) > per_rev:
                sel = np.argpartition(-vals, per_rev - 1, axis=0)[:per_rev]
                best_vals = np.take_along_axis(vals, sel, axis=0)
                best_rows = np.take_along_axis(idx_rows, sel, axis=0)
            else:
                best_vals, best_rows = vals, idx_rows
    if per_rev > 0:
        ok = best_vals > -np.inf
        parts.append(best_rows[ok] * n_revs + np.broadcast_to(np.arange(n_revs), best_rows.shape)[ok])
    keys = np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int64)
    return keys, eligible
