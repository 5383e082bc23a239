"""What the router takes and gives: the reasons an application is left short, the result, explicit
candidate pairs, and the inputs normalised into one problem scanned by rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np


def gettext_noop(message: str) -> str:
    """Mark a string for translation without importing Django (``makemessages`` knows this name)."""
    return message


NOT_ENOUGH_REVIEWERS = "routing.not_enough_reviewers"
NOT_ENOUGH_CONFLICT_FREE = "routing.not_enough_conflict_free_reviewers"
NOT_ENOUGH_ELIGIBLE = "routing.not_enough_eligible_reviewers"
CAPACITY_EXHAUSTED = "routing.capacity_exhausted"

REASON_TEMPLATES: dict[str, str] = {
    NOT_ENOUGH_REVIEWERS: gettext_noop(
        "Not enough reviewers: only %(available)d reviewer(s) accepted to review this call, %(required)d are "
        "required per application. Invite more reviewers, or ask for fewer per application."
    ),
    NOT_ENOUGH_CONFLICT_FREE: gettext_noop(
        "Not enough conflict-free reviewers: only %(available)d reviewer(s) have no conflict of interest "
        "with this application, %(required)d are required."
    ),
    NOT_ENOUGH_ELIGIBLE: gettext_noop(
        "No reviewer with enough affinity: only %(available)d conflict-free reviewer(s) have an allowed "
        "affinity for this application, %(required)d are required."
    ),
    CAPACITY_EXHAUSTED: gettext_noop(
        "Reviewers' capacity exhausted: every eligible reviewer not yet on this application has reached "
        "their maximum load; %(missing)d reviewer(s) missing."
    ),
}

#: Integer steps given to the largest absolute affinity when costs are made integral.
COST_RESOLUTION = 1_000_000
#: Elements of the affinity matrix processed at once when scanning it by rows.
CHUNK_ELEMENTS = 4_000_000
#: Rounds of "solve, look for an augmenting path, add rows" in the sparse path before giving up.
MAX_REPAIR_ROUNDS = 20


@dataclasses.dataclass(frozen=True)
class Shortfall:
    """An application that did not get all the reviewers it needs, and why."""

    app: int
    missing: int
    code: str
    message: str
    params: dict

    @property
    def template(self) -> str:
        return REASON_TEMPLATES[self.code]


@dataclasses.dataclass(frozen=True)
class RoutingResult:
    """The assignment: ``pairs`` rows are ``[app_idx, reviewer_idx]`` sorted, existing ones included.

    ``new_mask[p]`` is True when pair ``p`` was proposed by the router (False for ``existing`` ones);
    ``total_affinity`` sums the affinity of every pair in ``pairs``; ``shortfalls`` lists each
    application left short with its reason; ``stats`` holds figures for logs and benchmarks.
    """

    pairs: np.ndarray
    total_affinity: float
    shortfalls: list[Shortfall]
    new_mask: np.ndarray
    stats: dict

    @property
    def new_pairs(self) -> np.ndarray:
        return self.pairs[self.new_mask]

    @property
    def filled(self) -> int:
        return int(len(self.pairs))


@dataclasses.dataclass(frozen=True)
class CandidatePairs:
    """A sparse problem: only the listed (application, reviewer) pairs may be assigned.

    Use it when the caller already knows the candidates (e.g. from a search index). Conflicts passed
    to :func:`route` are still removed from the list.
    """

    apps: np.ndarray
    reviewers: np.ndarray
    affinity: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_sparse(cls, matrix) -> CandidatePairs:
        """Every *stored* entry of a scipy sparse matrix is a candidate (explicit zeros included).

        Beware: entries absent from the matrix are then forbidden, not zero-affinity pairs; for a
        sparse affinity where absent means zero, pass ``matrix.toarray()`` to :func:`route` instead.
        """
        coo = matrix.tocoo()
        return cls(coo.row, coo.col, coo.data, tuple(coo.shape))


# --------------------------------------------------------------------------------------------------
# Normalising the inputs
# --------------------------------------------------------------------------------------------------


def _per_item(value, n: int, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim == 0:
        arr = np.full(n, arr)
    if arr.shape != (n,):
        raise ValueError(f"{name} must be an int or an array of length {n}, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.equal(np.mod(arr, 1), 0)):
            raise ValueError(f"{name} must hold integers")
    arr = arr.astype(np.int64)
    if (arr < 0).any():
        raise ValueError(f"{name} must not be negative")
    return arr


def _pair_keys(pairs, n_apps: int, n_revs: int, name: str) -> np.ndarray:
    """Sorted unique flat keys ``app * n_revs + reviewer`` from a mask or a list of index pairs."""
    if pairs is None:
        return np.empty(0, dtype=np.int64)
    if hasattr(pairs, "tocoo"):  # scipy sparse: stored non-zero entries
        coo = pairs.tocoo()
        nz = coo.data != 0
        rows, cols = coo.row[nz], coo.col[nz]
        if tuple(coo.shape) != (n_apps, n_revs):
            raise ValueError(f"{name} has shape {coo.shape}, expected {(n_apps, n_revs)}")
        return unique_keys(rows.astype(np.int64) * n_revs + cols)
    arr = np.asarray(pairs)
    if arr.dtype == bool:
        if arr.shape != (n_apps, n_revs):
            raise ValueError(f"{name} has shape {arr.shape}, expected {(n_apps, n_revs)}")
        return np.flatnonzero(arr).astype(np.int64)
    arr = arr.reshape(-1, 2).astype(np.int64)
    if len(arr) and (
        arr[:, 0].min() < 0 or arr[:, 1].min() < 0 or arr[:, 0].max() >= n_apps or arr[:, 1].max() >= n_revs
    ):
        raise ValueError(f"{name} holds an index out of range")
    return unique_keys(arr[:, 0] * n_revs + arr[:, 1])


def unique_keys(keys) -> np.ndarray:
    """Sorted unique int64 keys, by a sort: numpy 2.4's ``np.unique`` (without ``return_index``)
    hashes, 20 times slower than sorting on millions of keys (4 s against 0.2 s on 3 million)."""
    keys = np.sort(np.asarray(keys, dtype=np.int64).ravel())
    if len(keys) > 1:
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return keys


def _in_sorted(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if not len(sorted_keys) or not len(keys):
        return np.zeros(len(keys), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[pos] == keys


class _Problem:
    """The normalised inputs, and row scans of the allowed pairs (``-inf`` where forbidden)."""

    def __init__(self, affinity, k, capacity, conflicts, existing, min_affinity, reluctant=None):
        if hasattr(affinity, "tocoo") and not isinstance(affinity, CandidatePairs):
            raise TypeError(
                "a scipy sparse affinity is ambiguous: pass CandidatePairs.from_sparse(m) (stored entries "
                "are the only candidates) or m.toarray() (absent entries are zero-affinity pairs)"
            )
        self.candidates = affinity if isinstance(affinity, CandidatePairs) else None
        if self.candidates is None:
            self.dense = np.asarray(affinity)
            if self.dense.ndim != 2:
                raise ValueError("affinity must be a 2-D array")
            if not np.issubdtype(self.dense.dtype, np.floating):
                self.dense = self.dense.astype(np.float64)
            self.n_apps, self.n_revs = self.dense.shape
        else:
            self.dense = None
            self.n_apps, self.n_revs = (int(x) for x in self.candidates.shape)
        n_apps, n_revs = self.n_apps, self.n_revs
        self.k = _per_item(k, n_apps, "k")
        self.capacity = _per_item(capacity, n_revs, "capacity")
        self.min_affinity = min_affinity
        self.conflict_keys = _pair_keys(conflicts, n_apps, n_revs, "conflicts")
        self.existing_keys = _pair_keys(existing, n_apps, n_revs, "existing")
        # Pairs a reviewer said they are not willing to take (a bid): allowed, assigned only when
        # nothing else keeps the coverage and balance (flow._solve_flow gives them a level of cost).
        self.reluctant_keys = _pair_keys(reluctant, n_apps, n_revs, "reluctant")
        if _in_sorted(self.existing_keys, self.conflict_keys).any():
            raise ValueError("an existing assignment is conflicted: remove it before routing")
        ex_apps, ex_revs = np.divmod(self.existing_keys, n_revs)
        self.have = np.bincount(ex_apps, minlength=n_apps)
        self.load = np.bincount(ex_revs, minlength=n_revs)
        self.need = np.maximum(self.k - self.have, 0)
        self.spare = np.maximum(self.capacity - self.load, 0)
        # Reviewers not conflicted and not already on the application, per application.
        self.conflict_free = (
            n_revs - np.bincount(self.conflict_keys // max(n_revs, 1), minlength=n_apps) - self.have
        ).astype(np.int64)
        if self.candidates is not None:
            self._prepare_candidates()

    # -- explicit candidate lists ------------------------------------------------------------------
    def _prepare_candidates(self) -> None:
        c = self.candidates
        apps = np.asarray(c.apps, dtype=np.int64)
        revs = np.asarray(c.reviewers, dtype=np.int64)
        aff = np.asarray(c.affinity, dtype=np.float64)
        if not (apps.shape == revs.shape == aff.shape):
            raise ValueError("CandidatePairs arrays must have the same length")
        if len(apps) and (apps.min() < 0 or revs.min() < 0 or apps.max() >= self.n_apps or revs.max() >= self.n_revs):
            raise ValueError("CandidatePairs holds an index out of range")
        keys = apps * self.n_revs + revs
        keys, first = np.unique(keys, return_index=True)
        aff = aff[first]
        self.cand_keys_all, self.cand_aff_all = keys, aff  # for the affinity of existing pairs
        ok = np.isfinite(aff) & ~_in_sorted(keys, self.conflict_keys) & ~_in_sorted(keys, self.existing_keys)
        if self.min_affinity is not None:
            ok &= aff >= self.min_affinity
        self.cand_keys, self.cand_aff = keys[ok], aff[ok]
        self.eligible = np.bincount(self.cand_keys // self.n_revs, minlength=self.n_apps)

    # -- dense matrix scanned by rows ------------------------------------------------------------
    #: Without a dense matrix (candidate pairs), a callable giving the full rows of the given
    #: applications (``rows -> len(rows) x n_revs`` affinities) for the repair (sparse.route_sparse).
    row_source = None

    def _rows(self, part: np.ndarray) -> np.ndarray:
        if self.dense is not None:
            return np.array(self.dense[part], dtype=np.float64)
        block = np.array(self.row_source(part), dtype=np.float64)
        if block.shape != (len(part), self.n_revs):
            raise ValueError(f"full rows have shape {block.shape}, expected {(len(part), self.n_revs)}")
        return block

    def chunks(self, rows: np.ndarray | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(row_indices, block)``: float64 copies with ``-inf`` on every forbidden pair."""
        n_revs = self.n_revs
        step = max(1, CHUNK_ELEMENTS // max(n_revs, 1))
        if rows is None and self.dense is not None:
            for a in range(0, self.n_apps, step):
                b = min(a + step, self.n_apps)
                block = np.array(self.dense[a:b], dtype=np.float64)
                self._mask(block, a, b, None)
                yield np.arange(a, b), block
        else:
            rows = np.arange(self.n_apps) if rows is None else np.sort(rows)
            for s in range(0, len(rows), step):
                part = rows[s : s + step]
                block = self._rows(part)
                self._mask(block, part[0], part[-1] + 1, part)
                yield part, block

    def _mask(self, block: np.ndarray, a: int, b: int, part: np.ndarray | None) -> None:
        n_revs = self.n_revs
        block[~np.isfinite(block)] = -np.inf
        if self.min_affinity is not None:
            block[block < self.min_affinity] = -np.inf
        flat = block.reshape(-1)
        for keys in (self.conflict_keys, self.existing_keys):
            lo, hi = np.searchsorted(keys, [a * n_revs, b * n_revs])
            sel = keys[lo:hi]
            if part is None:
                flat[sel - a * n_revs] = -np.inf
            else:
                r, c = np.divmod(sel, n_revs)
                pos = np.searchsorted(part, r)
                hit = part[np.minimum(pos, len(part) - 1)] == r
                flat[pos[hit] * n_revs + c[hit]] = -np.inf

    def pair_affinity(self, apps: np.ndarray, revs: np.ndarray) -> np.ndarray:
        if self.dense is not None:
            out = np.asarray(self.dense[apps, revs], dtype=np.float64)
        else:
            keys = apps.astype(np.int64) * self.n_revs + revs
            pos = np.minimum(np.searchsorted(self.cand_keys_all, keys), max(len(self.cand_keys_all) - 1, 0))
            found = _in_sorted(keys, self.cand_keys_all)
            out = np.where(found, self.cand_aff_all[pos] if len(self.cand_aff_all) else 0.0, 0.0)
        return np.where(np.isfinite(out), out, 0.0)
