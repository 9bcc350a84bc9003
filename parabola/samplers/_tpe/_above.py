"""The "above" estimator kept in place across trials, one kernel slot per history row.

Between two trials the "above" set (the bad observations) gains one or two rows and most
kernels keep their bandwidth, yet rebuilding the estimator gathers and re-derives every
kernel. Here each history row owns a fixed slot holding its kernel's terms (the quadratic-form
coefficients, already transposed for the scoring product, and the log normalisers); a trial
only recomputes the bandwidths, re-derives the kernels whose bandwidth changed, and scores
candidates against all slots, rows outside the set getting weight zero (``-inf`` log weight).
The slot after the last row holds the prior kernel. Same kernels, weights and arithmetic as
:class:`~parabola.samplers._tpe._parzen.ParzenEstimator`; only the kernel order differs
(history order, which is trial-number order when used).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from parabola.distributions import CategoricalDistribution
from parabola.samplers._tpe._parzen import (
    PRIOR_DERIVED,
    KernelMemo,
    ParzenEstimator,
    ParzenParameters,
    SpaceLayout,
    choice_table,
    sorted_bandwidths,
)

__all__ = ["SlotKernels"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_IntArray = np.ndarray[Any, np.dtype[np.int64]]
_BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


class SlotKernels:
    """Per-history-row kernel terms of one search space, for the "above" estimator.

    Args:
        layout: The search space's column layout.
    """

    _sig: _Array
    _kmu: _Array
    _ksig: _Array
    _coef: _Array
    _kc: _Array
    _kcs: _Array
    _kinds: list[np.ndarray[Any, np.dtype[np.intp]]]
    _pids: list[np.ndarray[Any, np.dtype[np.intp]]]

    def __init__(self, layout: SpaceLayout) -> None:
        self.layout = layout
        self.n = 0
        num = layout.num
        pos = {j: k for k, j in enumerate(num)}
        self._d = len(num)
        self._cont = np.asarray([pos[j] for j in layout.cont], dtype=np.intp)
        # Row of each numerical column in the coefficient matrix (-1: stepped column).
        self._cont_row = np.full(self._d, -1, dtype=np.intp)
        self._cont_row[self._cont] = np.arange(len(self._cont))
        self._n_choices = []
        for j in layout.cat:
            dist = layout.dists[j]
            assert isinstance(dist, CategoricalDistribution)
            self._n_choices.append(len(dist.choices))
        self._disc = [pos[j] for j in layout.disc]
        # Per stepped column: the distinct (mu, sigma) pairs of the kernels (ids in a dict,
        # id 0 is the prior's and the default's (0.5, 1)), so scoring evaluates each pair once
        # without a unique() over all kernels every trial. Stale pairs are dropped by a
        # periodic compaction.
        self._pair_ids: list[dict[tuple[float, float], int]] = []
        self._pair_arrays: list[tuple[_Array, _Array] | None] = []
        self._pair_live: list[int] = []
        for _ in self._disc:
            self._pair_ids.append({(0.5, 1.0): 0})
            self._pair_arrays.append(None)
            self._pair_live.append(1)
        self._cap = 0
        self._alloc(64)

    def _alloc(self, cap: int) -> None:
        """(Re)allocate ``cap + 1`` slots (one spare for the prior kernel), keeping the rows."""
        old, n, d, c = self._cap, self.n, self._d, len(self._cont)
        # Bandwidth each slot's terms were derived from, column-major like the sorted orders
        # it is compared against; -1 (no bandwidth) marks "never derived".
        sig = np.full((d, cap + 1), -1.0)
        kmu = np.full((cap + 1, d), 0.5)  # finite stand-ins: excluded slots are scored too
        ksig = np.full((cap + 1, d), 1.0)
        coef = np.zeros((2 * c, cap + 1))
        kc = np.zeros((cap + 1, d))  # c of continuous columns, log normaliser of stepped ones
        kcs = np.zeros(cap + 1)  # row sums of kc
        kinds = [np.full(cap + 1, nc, dtype=np.intp) for nc in self._n_choices]
        pids = [np.zeros(cap + 1, dtype=np.intp) for _ in self._disc]
        if old:
            sig[:, :n], kmu[:n], ksig[:n] = self._sig[:, :n], self._kmu[:n], self._ksig[:n]
            coef[:, :n], kc[:n], kcs[:n] = self._coef[:, :n], self._kc[:n], self._kcs[:n]
            for new, prev in zip(kinds + pids, self._kinds + self._pids, strict=True):
                new[:n] = prev[:n]
        self._sig, self._kmu, self._ksig, self._coef, self._kc = sig, kmu, ksig, coef, kc
        self._kcs = kcs
        self._kinds = kinds
        self._pids = pids
        self._cap = cap

    def append(self, encoded: _Array) -> None:
        """Add history rows (encoded, ``(k, len(layout.names))``, NaN where missing)."""
        start, stop = self.n, self.n + len(encoded)
        if stop > self._cap:
            self._alloc(max(stop, 2 * self._cap))
        layout = self.layout
        if self._d:
            vals = encoded[:, layout.num]
            self._kmu[start:stop] = np.where(np.isnan(vals), 0.5, vals)
        for kind, j, nc in zip(self._kinds, layout.cat, self._n_choices, strict=True):
            v = encoded[:, j]
            kind[start:stop] = np.where(np.isnan(v), nc, np.nan_to_num(v)).astype(np.intp)
        self.n = stop

    def estimator(
        self,
        member: _BoolArray,
        weights: _Array,
        order: _IntArray,
        sorted_values: _Array,
        params: ParzenParameters,
    ) -> ParzenEstimator:
        """The scoring-only estimator of the rows in ``member`` (at least one).

        Args:
            member: Which history rows are kernels (complete rows of the "above" set).
            weights: Weight of each member, in history order.
            order: Per numerical column, all history rows sorted by value ``(d, n)``.
            sorted_values: The values in that order ``(d, n)``.
            params: Estimator knobs.
        """
        n, d = self.n, self._d
        idx = np.flatnonzero(member)
        n_kernels = len(idx)
        use_prior = params.consider_prior
        size = n + 1 if use_prior else n
        if d:
            pick = member[order]
            srt = sorted_values[pick].reshape(d, n_kernels)
            rows = order[pick].reshape(d, n_kernels)
            sig = sorted_bandwidths(srt, params)
            # Compare with the bandwidths the slots hold, gathered in the same sorted order.
            flat = rows + (np.arange(d) * (self._cap + 1))[:, None]
            stale = sig != self._sig.ravel()[flat]
            if stale.any():
                col, at = np.nonzero(stale)
                self._derive(rows[col, at], col, sig[col, at])
        if use_prior:
            self._set_prior(n)
        w = np.empty(n_kernels + use_prior)
        w[:n_kernels] = weights
        if use_prior:
            w[n_kernels] = params.prior_weight
        with np.errstate(divide="ignore"):
            log_w = np.log(w / w.sum())
        const = np.full(size, -np.inf)
        const[idx] = log_w[:n_kernels]
        if use_prior:
            const[n] = log_w[n_kernels]
        const -= self._kcs[:size]
        const -= len(self._cont) * _LOG_SQRT_2PI
        cat_log_w_t = [
            choice_table(n_kernels, nc, params.prior_weight)[1] for nc in self._n_choices
        ]
        return ParzenEstimator.scorer(
            self.layout,
            self._coef[:, :size],
            const,
            self._kmu[:size],
            self._ksig[:size],
            [kind[:size] for kind in self._kinds],
            cat_log_w_t,
            [(*self._pairs(q), pid[:size]) for q, pid in enumerate(self._pids)],
        )

    def _pairs(self, q: int) -> tuple[_Array, _Array]:
        arrays = self._pair_arrays[q]
        if arrays is None:
            keys = np.asarray(list(self._pair_ids[q]))
            arrays = self._pair_arrays[q] = (keys[:, 0].copy(), keys[:, 1].copy())
        return arrays

    def _assign_pairs(self, i: _IntArray, j: _IntArray) -> None:
        """Point slots ``i`` of stepped columns ``j`` at their (new) ``(mu, sigma)`` pair."""
        for q, col in enumerate(self._disc):
            at = i[j == col]
            if not len(at):
                continue
            ids = self._pair_ids[q]
            size = len(ids)
            keys = zip(self._kmu[at, col].tolist(), self._ksig[at, col].tolist(), strict=True)
            self._pids[q][at] = [ids.setdefault(key, len(ids)) for key in keys]
            if len(ids) != size:
                self._pair_arrays[q] = None
                if len(ids) > 2 * self._pair_live[q] + 64:
                    self._compact(q)

    def _compact(self, q: int) -> None:
        """Rebuild column ``q``'s pair table from the pairs the slots use now."""
        col, n = self._disc[q], self.n
        ids: dict[tuple[float, float], int] = {(0.5, 1.0): 0}
        keys = zip(self._kmu[:n, col].tolist(), self._ksig[:n, col].tolist(), strict=True)
        self._pids[q][:n] = [ids.setdefault(key, len(ids)) for key in keys]
        self._pair_ids[q] = ids
        self._pair_arrays[q] = None
        self._pair_live[q] = len(ids)

    def _derive(self, i: _IntArray, j: _IntArray, s: _Array) -> None:
        """Recompute the terms of slots ``i``, columns ``j`` from bandwidths ``s``."""
        f = KernelMemo.derive(self._kmu[i, j], s)
        self._sig[j, i] = s
        self._ksig[i, j] = s
        c = len(self._cont)
        if not self._disc:
            # Continuous columns only (the common case): no stepped terms to sort out.
            self._kc[i, j] = f["c"]
            self._coef[j, i] = f["a"]
            self._coef[j + c, i] = f["b"]
        else:
            rows = self._cont_row[j]
            cont = rows >= 0
            self._kc[i, j] = np.where(cont, f["c"], f["log_z"])
            if cont.any():
                ic, rc = i[cont], rows[cont]
                self._coef[rc, ic] = f["a"][cont]
                self._coef[rc + c, ic] = f["b"][cont]
            if not cont.all():
                self._assign_pairs(i, j)
        # Repeated slots in ``i`` just write the same (complete) row sum again.
        self._kcs[i] = self._kc[i].sum(axis=1)

    def _set_prior(self, n: int) -> None:
        """Write the prior kernel into slot ``n`` (the first free one, never derived)."""
        c = len(self._cont)
        self._coef[:c, n] = PRIOR_DERIVED["a"]
        self._coef[c:, n] = PRIOR_DERIVED["b"]
        self._kc[n] = PRIOR_DERIVED["log_z"]
        self._kc[n, self._cont] = PRIOR_DERIVED["c"]
        self._kcs[n] = self._kc[n].sum()
        self._kmu[n] = 0.5
        self._ksig[n] = 1.0
