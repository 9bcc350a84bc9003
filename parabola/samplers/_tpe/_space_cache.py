"""Per-search-space cache: encoded observations and per-parameter sorted orders.

A TPE step needs, for every numerical parameter, the observations of the "below" and "above"
sets in sorted order (bandwidths come from neighbour gaps). Sorting the whole history every
trial is the dominant cost of a naive implementation; here each parameter keeps the order of
*all* history rows, updated by insertion as trials finish, and a subset's order is read off it
with a boolean mask in linear time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from parabola.distributions import BaseDistribution
from parabola.samplers._tpe._above import SlotKernels
from parabola.samplers._tpe._history import TrialHistory, column_key
from parabola.samplers._tpe._parzen import (
    KernelMemo,
    ParzenEstimator,
    ParzenParameters,
    SpaceLayout,
)

__all__ = ["SpaceCache"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_IntArray = np.ndarray[Any, np.dtype[np.int64]]


class SpaceCache:
    """Encoded history of one search space, kept in step with a :class:`TrialHistory`.

    Args:
        space: The search space (parameter name to distribution).
    """

    def __init__(self, space: dict[str, BaseDistribution]) -> None:
        self.space = space
        self.layout = SpaceLayout(space)
        self._keys = [column_key(name, dist) for name, dist in space.items()]
        self.n = 0
        self._enc = np.full((64, len(space)), np.nan)
        self._have = np.zeros(64, dtype=bool)
        n_num = len(self.layout.num)
        self._order: _IntArray = np.zeros((n_num, 0), dtype=np.int64)
        self._sorted: _Array = np.zeros((n_num, 0))
        self.memo = KernelMemo(n_num)
        self.slots = SlotKernels(self.layout)
        # The last "below" estimator, keyed by its rows and weights (see TPESampler._sample).
        self.below_fit: tuple[tuple[bytes, bytes], ParzenEstimator] | None = None

    @property
    def complete(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Whether each history row has every parameter of the space (a usable observation)."""
        return self._have[: self.n]

    @property
    def encoded(self) -> _Array:
        """Encoded rows of the history seen so far, ``(n, len(space))`` (NaN: missing)."""
        return self._enc[: self.n]

    def update(self, hist: TrialHistory) -> None:
        """Encode the history rows added since the last call and merge them into the orders."""
        start, stop = self.n, hist.n
        if stop == start:
            return
        if stop > len(self._enc):
            enc = np.full((max(stop, 2 * len(self._enc)), self._enc.shape[1]), np.nan)
            enc[:start] = self._enc[:start]
            self._enc = enc
            have = np.zeros(len(enc), dtype=bool)
            have[:start] = self._have[:start]
            self._have = have
        new = self.layout.encode(hist.block(self._keys, start, stop))
        self._enc[start:stop] = new
        self._have[start:stop] = np.all(np.isfinite(new), axis=1)
        self.slots.append(new)
        num = self.layout.num
        if num:
            vals = np.ascontiguousarray(new[:, num].T)  # (n_num, k); NaN sorts last
            ids = np.arange(start, stop, dtype=np.int64)
            if stop - start > 8 or start == 0:
                allv = np.ascontiguousarray(self._enc[:stop, num].T)
                self._order = np.argsort(allv, axis=1, kind="stable")
                self._sorted = np.take_along_axis(allv, self._order, axis=1)
            else:
                self._insert(vals, ids)
        self.n = stop

    def _insert(self, vals: _Array, ids: _IntArray) -> None:
        """Merge ``k`` new rows into every parameter's order (``vals`` is ``(n_num, k)``)."""
        d, n = self._order.shape
        k = len(ids)
        if k == 1:
            # One new trial (the usual case): its insertion point is a count, for all
            # parameters in one vectorised comparison; a missing value (NaN) goes last.
            new_ids = np.broadcast_to(ids, (d, 1))
            pos = np.where(
                np.isnan(vals), n, np.count_nonzero(self._sorted <= vals, axis=1)[:, None]
            )
        else:
            srt = np.argsort(vals, axis=1, kind="stable")
            vals = np.take_along_axis(vals, srt, axis=1)
            new_ids = ids[srt]
            # Final position of each new value: its insertion point plus the new ones before it.
            pos = np.vstack(
                [np.searchsorted(self._sorted[i], vals[i], side="right") for i in range(d)]
            ) + np.arange(k)
        slot = np.ones((d, n + k), dtype=bool)
        slot[np.arange(d)[:, None], pos] = False
        order = np.empty((d, n + k), dtype=np.int64)
        ordered = np.empty((d, n + k))
        order[slot] = self._order.ravel()
        ordered[slot] = self._sorted.ravel()
        order[~slot] = new_ids.ravel()
        ordered[~slot] = vals.ravel()
        self._order, self._sorted = order, ordered

    def subset_order(self, rows: _IntArray, extra: _Array) -> tuple[_IntArray, _IntArray] | None:
        """Sorted order of the observations ``rows`` (history row ids, then ``extra`` rows).

        ``rows`` lists the estimator's observations in kernel order; ids ``>= n`` refer to
        ``extra`` (encoded rows of running trials, row ``n + i`` is ``extra[i]``). Returns
        ``(order, rows)`` with ``order[d]`` the kernel indices sorted by parameter ``d``, or
        ``None`` when there is no numerical parameter.
        """
        num = self.layout.num
        if not num:
            return None
        n_rows = len(rows)
        kpos = np.full(self.n + len(extra), -1, dtype=np.int64)
        kpos[rows] = np.arange(n_rows)
        member = kpos[: self.n] >= 0
        n_hist = int(member.sum())
        picked = self._order[member[self._order]].reshape(len(num), n_hist)
        order = kpos[picked]
        if n_hist < n_rows:
            # Running trials (constant liar): merge their few values into each order.
            ext = rows[rows >= self.n]
            vals = extra[ext - self.n][:, num]
            sorted_vals = self._sorted[member[self._order]].reshape(len(num), n_hist)
            merged = []
            for d in range(len(num)):
                pos = np.searchsorted(sorted_vals[d], vals[:, d], side="right")
                merged.append(np.insert(order[d], pos, kpos[ext]))
            order = np.vstack(merged)
        return order, rows

    def above_estimator(
        self,
        member: np.ndarray[Any, np.dtype[np.bool_]],
        weights: _Array,
        params: ParzenParameters,
    ) -> ParzenEstimator:
        """Scoring-only estimator of the history rows in ``member``, kept in place across
        trials (see :class:`~parabola.samplers._tpe._above.SlotKernels`); ``weights`` are the
        members' in history order. Needs a numerical parameter and at least one member."""
        return self.slots.estimator(member, weights, self._order, self._sorted, params)
