"""The Parzen estimator of TPE: a weighted mixture of product kernels, fully vectorised.

Every numerical parameter is handled in the *unit interval* of
:func:`parabola.distributions.to_unit` (log scale for ``log=True``, half a step of margin for
stepped ones), so one estimator mixes floats, log floats, ints and stepped floats without
special cases; the Jacobian of that map is the same for the two estimators TPE compares, so it
cancels in their log-likelihood ratio. Kernels:

* continuous parameters: a normal truncated to ``[0, 1]``; the log densities of all candidates
  against all kernels are one matrix product (no loop over kernels or candidates);
* stepped parameters: the same normal integrated over the candidate's grid cell;
* categorical parameters: a smoothed one-hot row per kernel.

Bandwidths follow Optuna 5.0: the larger gap to the sorted neighbours (the outermost
observations use their inner gap unless ``consider_endpoints``), clipped to
``[1 / min(100, n + 2), 1]`` with the "magic clip", and a prior kernel ``N(0.5, 1)`` with
weight ``prior_weight``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from parabola.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    _bounds,
)
from parabola.samplers._tpe import _truncnorm

__all__ = [
    "PRIOR_DERIVED",
    "KernelMemo",
    "ParzenEstimator",
    "ParzenParameters",
    "SpaceLayout",
    "choice_table",
    "sorted_bandwidths",
]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_IntpArray = np.ndarray[Any, np.dtype[np.intp]]
_EPS = 1e-12
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_PRIOR_LOG_Z = math.log(math.erf(0.5 / math.sqrt(2.0)))  # N(0.5, 1) mass inside [0, 1]


@dataclass(frozen=True)
class ParzenParameters:
    """The estimator knobs of :class:`~parabola.samplers.TPESampler`."""

    consider_prior: bool
    prior_weight: float
    consider_magic_clip: bool
    consider_endpoints: bool


class SpaceLayout:
    """How a search space splits into continuous, stepped and categorical columns.

    Observation matrices handed to the estimator have one column per parameter, in
    ``names`` order: the unit-interval value for numerical parameters, the choice index for
    categorical ones. The unit-interval maps are those of :func:`parabola.distributions.to_unit`
    and :func:`~parabola.distributions.from_unit`, vectorised over all numerical columns at once.
    """

    def __init__(self, search_space: dict[str, BaseDistribution]) -> None:
        self.names = list(search_space)
        self.dists = [search_space[n] for n in self.names]
        self.cont: list[int] = []
        self.disc: list[int] = []
        self.cat: list[int] = []
        for i, d in enumerate(self.dists):
            if isinstance(d, CategoricalDistribution):
                self.cat.append(i)
            elif isinstance(d, IntDistribution) or (
                isinstance(d, FloatDistribution) and d.step is not None
            ):
                self.disc.append(i)
            else:
                self.cont.append(i)
        self.num = sorted(self.cont + self.disc)
        nums = [self.dists[j] for j in self.num]
        bounds = [_bounds(d) for d in nums]  # type: ignore[arg-type]
        self._lo = np.asarray([b[0] for b in bounds])
        self._width = np.asarray([b[1] - b[0] for b in bounds])
        self._flat = self._width == 0
        self._width[self._flat] = 1.0
        self._log = np.asarray([getattr(d, "log", False) for d in nums], dtype=np.bool_)
        self._low = np.asarray([float(d.low) for d in nums])  # type: ignore[attr-defined]
        self._high = np.asarray([float(d.high) for d in nums])  # type: ignore[attr-defined]
        steps = [getattr(d, "step", None) for d in nums]
        self._step = np.asarray([0.0 if st is None else float(st) for st in steps])
        self._snap = self._step > 0
        self._any_log = bool(self._log.any())
        self._any_snap = bool(self._snap.any())
        self._cell_params: list[tuple[float, float, float, bool]] = []
        for j in self.disc:
            p = self.num.index(j)
            self._cell_params.append(
                (0.5 * self._step[p], self._lo[p], self._width[p], bool(self._log[p]))
            )

    def encode(self, internal: _Array) -> _Array:
        """Map internal-value rows ``(m, len(names))`` to the estimator encoding (NaN stays)."""
        out = np.array(internal, dtype=float)
        if self.num:
            out[:, self.num] = self.num_to_unit(out[:, self.num])
        return out

    def num_to_unit(self, x: _Array) -> _Array:
        """Unit-interval values of numerical columns (internal values in, any leading shape)."""
        if self._any_log:
            x = np.array(x, dtype=float)
            with np.errstate(invalid="ignore", divide="ignore"):
                x[..., self._log] = np.log(x[..., self._log])
        u = (x - self._lo) / self._width
        if self._flat.any():
            u = np.where(self._flat, 0.5, u)
        return np.asarray(u, dtype=float)

    def num_from_unit(self, u: _Array) -> _Array:
        """Valid internal values (snapped to the step grid, clipped) of unit-interval values."""
        x = self._lo + np.clip(u, 0.0, 1.0) * self._width
        if self._any_log:
            x[..., self._log] = np.exp(x[..., self._log])
        if self._any_snap:
            snapped = np.round((x - self._low) / np.where(self._snap, self._step, 1.0))
            x = np.where(self._snap, snapped * self._step + self._low, x)
        return np.asarray(np.clip(x, self._low, self._high), dtype=float)

    def cells(self, k: int, values: list[float]) -> tuple[_Array, _Array]:
        """Unit-interval edges of the grid cells holding ``values`` of stepped column ``k``.

        ``k`` indexes ``disc``; ``values`` are internal values (a few distinct candidates, so
        plain Python arithmetic is cheaper than numpy here).
        """
        half, lo, width, log = self._cell_params[k]
        if log:
            left = [(math.log(max(v - half, 1e-300)) - lo) / width for v in values]
            right = [(math.log(v + half) - lo) / width for v in values]
        else:
            left = [(v - half - lo) / width for v in values]
            right = [(v + half - lo) / width for v in values]
        return np.asarray(left), np.asarray(right)


class KernelMemo:
    """Per-kernel quantities that only change when a kernel's bandwidth does.

    Kernels are identified by a row id (a trial's row in the study history). Between two trials
    most kernels keep their centre and bandwidth (a bandwidth depends only on the neighbouring
    observations), so everything derived from them is reused instead of recomputed: the log
    normaliser, the two coefficient matrices of the quadratic form and the constant term. Each
    entry is keyed by the exact ``(mu, sigma)`` pair it was computed from.
    """

    # Packed side by side in one row per kernel, so a lookup is a single gather; "a" and "b"
    # are adjacent because the estimator stacks them into one coefficient matrix.
    FIELDS = ("a", "b", "c", "log_z", "mu", "sigma")

    def __init__(self, n_columns: int) -> None:
        self._d = n_columns
        self._cap = 0
        self._packed = np.full((0, len(self.FIELDS) * n_columns), np.nan)
        d = n_columns
        self._prior = np.concatenate([np.full(d, PRIOR_DERIVED[name]) for name in self.FIELDS])

    def _ensure(self, size: int) -> None:
        if size <= self._cap:
            return
        cap = max(size, 2 * self._cap, 64)
        arr = np.full((cap, self._packed.shape[1]), np.nan)
        arr[: self._cap] = self._packed
        self._packed = arr
        self._cap = cap

    @staticmethod
    def derive(mus: _Array, sigmas: _Array) -> dict[str, _Array]:
        """The memoised quantities of kernels ``(mus, sigmas)`` (any matching shapes)."""
        log_z = _log_z(mus, sigmas)
        a = -0.5 / (sigmas * sigmas)
        b = -2.0 * mus * a
        c = 0.5 * mus * b + np.log(sigmas) + log_z
        return {"mu": mus, "sigma": sigmas, "log_z": log_z, "a": a, "b": b, "c": c}

    def lookup(
        self,
        rows: np.ndarray[Any, np.dtype[np.int64]],
        mus: _Array,
        sigmas: _Array,
        prior: bool,
    ) -> dict[str, _Array]:
        """Derived quantities for kernels ``rows`` (plus the prior kernel last if ``prior``)."""
        n, d = len(rows), self._d
        self._ensure(int(rows.max()) + 1 if n else 0)
        packed = np.empty((n + prior, self._packed.shape[1]))
        np.take(self._packed, rows, axis=0, out=packed[:n])
        out = {name: packed[:, k * d : (k + 1) * d] for k, name in enumerate(self.FIELDS)}
        stale = out["mu"][:n] != mus
        stale |= out["sigma"][:n] != sigmas
        if stale.any():
            i, j = np.nonzero(stale)
            fresh = self.derive(mus[i, j], sigmas[i, j])
            r = rows[i]
            for k, name in enumerate(self.FIELDS):
                out[name][i, j] = fresh[name]
                self._packed[r, k * d + j] = fresh[name]
        if prior:
            packed[n] = self._prior
        return out


class ParzenEstimator:
    """A mixture of product kernels fitted to observations in :class:`SpaceLayout` encoding.

    Args:
        layout: The search space's column layout.
        obs: Observations, shape ``(n, len(layout.names))``.
        weights: Non-negative weight per observation (normalised here with the prior's).
        params: Estimator knobs.
        order: Optional ``(len(layout.num), n)`` array: for each numerical column, the
            observation indices in increasing order of value (saves the sort).
        memo: Optional cache of per-kernel normalisers, with ``rows`` the row id of each
            observation.
        rows: Row ids of the observations, for ``memo``.
    """

    def __init__(
        self,
        layout: SpaceLayout,
        obs: _Array,
        weights: _Array,
        params: ParzenParameters,
        *,
        order: np.ndarray[Any, np.dtype[np.int64]] | None = None,
        memo: KernelMemo | None = None,
        rows: np.ndarray[Any, np.dtype[np.int64]] | None = None,
    ) -> None:
        self._layout = layout
        self._disc_pairs: list[tuple[_Array, _Array, _IntpArray]] | None = None
        self._draw: tuple[_Array, _Array, _Array, _Array, _Array] | None = None
        n = obs.shape[0]
        use_prior = params.consider_prior or n == 0
        prior_weight = params.prior_weight if n > 0 else 1.0
        w = np.append(np.asarray(weights, dtype=float), [prior_weight] if use_prior else [])
        self._log_w = _safe_log(w / w.sum())
        self._n_kernels = len(w)

        num = layout.num
        d = len(num)
        mus = obs if d == obs.shape[1] else obs[:, num]
        sigmas = self._bandwidths(mus, params, n, order, extra_row=use_prior)
        if use_prior:
            mus = _with_row(mus, 0.5)
        if memo is not None and rows is not None and n > 32:
            derived = memo.lookup(rows, mus[:n], sigmas[:n], use_prior)
        else:
            derived = KernelMemo.derive(mus, sigmas)
        self._mu = mus
        self._sigma = sigmas
        # Normaliser of each truncated kernel on [0, 1], per kernel and column.
        self._log_z = derived["log_z"]

        pos = {j: k for k, j in enumerate(num)}
        self._cont_cols = [pos[j] for j in layout.cont]
        self._disc_cols = [pos[j] for j in layout.disc]
        c = self._cont_cols
        const = self._log_w
        if c:
            # -0.5 * sum((x - mu)^2 / s^2) = [x^2, x] @ [a, b]^T - sum(0.5 * mu * b) with
            # a = -0.5 / s^2 and b = mu / s^2: one matrix product scores every candidate
            # against every kernel; "c" folds the constant with the log normalisers.
            all_cont = len(c) == d
            a = derived["a"] if all_cont else derived["a"][:, c]
            b = derived["b"] if all_cont else derived["b"][:, c]
            coef = np.empty((2 * len(c), self._n_kernels))
            coef[: len(c)] = a.T
            coef[len(c) :] = b.T
            self._coef = coef
            c_sum = (derived["c"] if all_cont else derived["c"][:, c]).sum(axis=1)
            const = const - c_sum - len(c) * _LOG_SQRT_2PI
        if self._disc_cols:
            # The stepped columns' normalisers do not depend on the candidate: fold them too.
            const = const - self._log_z[:, self._disc_cols].sum(axis=1)
        self._const = const

        # A categorical kernel's smoothed row depends only on its observed choice: keep one row
        # per choice (plus the prior's, last) and each kernel's row index, not an (n, k) table.
        self._cat_kind: list[np.ndarray[Any, np.dtype[np.intp]]] = []
        self._cat_w: list[_Array] = []
        self._cat_log_w_t: list[_Array] = []
        for j in layout.cat:
            dist = layout.dists[j]
            assert isinstance(dist, CategoricalDistribution)
            n_choices = len(dist.choices)
            table, log_t = choice_table(n, n_choices, params.prior_weight)
            kind = np.empty(n + use_prior, dtype=np.intp)
            kind[:n] = obs[:, j]
            kind[n:] = n_choices
            self._cat_kind.append(kind)
            self._cat_w.append(table)
            self._cat_log_w_t.append(log_t)

    @classmethod
    def scorer(
        cls,
        layout: SpaceLayout,
        coef: _Array,
        const: _Array,
        mu: _Array,
        sigma: _Array,
        cat_kind: list[np.ndarray[Any, np.dtype[np.intp]]],
        cat_log_w_t: list[_Array],
        disc_pairs: list[tuple[_Array, _Array, _IntpArray]] | None = None,
    ) -> ParzenEstimator:
        """An estimator that only scores (:meth:`log_pdf`), from precomputed kernel terms.

        For estimators maintained incrementally elsewhere: ``coef`` is ``[a; b]`` of the
        continuous columns ``(2 * n_cont, K)``, ``const`` the per-kernel constant (log weight
        included; ``-inf`` drops a kernel), ``mu`` and ``sigma`` ``(K, len(layout.num))``
        (read for stepped columns only), and per categorical column each kernel's row of the
        choice-major log table ``cat_log_w_t``; optionally per stepped column the distinct
        ``(mu, sigma)`` pairs of the kernels and each kernel's pair index.
        """
        est = cls.__new__(cls)
        est._layout = layout
        pos = {j: k for k, j in enumerate(layout.num)}
        est._cont_cols = [pos[j] for j in layout.cont]
        est._disc_cols = [pos[j] for j in layout.disc]
        est._n_kernels = len(const)
        est._coef = coef
        est._const = const
        est._mu = mu
        est._sigma = sigma
        est._cat_kind = cat_kind
        est._cat_log_w_t = cat_log_w_t
        est._disc_pairs = disc_pairs
        est._draw = None
        return est

    @staticmethod
    def _bandwidths(
        mus: _Array,
        params: ParzenParameters,
        n: int,
        order: np.ndarray[Any, np.dtype[np.int64]] | None = None,
        extra_row: bool = False,
    ) -> _Array:
        """Bandwidth of each observation's kernel, ``(n, d)``; ``extra_row`` appends a row of
        ones (the prior kernel's)."""
        d = mus.shape[1]
        out = np.empty((n + extra_row) * d)
        if extra_row:
            out[n * d :] = 1.0
        if n == 0:
            return out.reshape(n + extra_row, d)
        cols = np.ascontiguousarray(mus.T)  # one row per parameter: contiguous is faster
        if order is None:
            order = np.argsort(cols, axis=1)
        # Flat indices of each parameter's sorted observations (cheaper than take_along_axis).
        flat = (order + (np.arange(d) * n)[:, None]).ravel()
        sig = sorted_bandwidths(cols.ravel()[flat].reshape(d, n), params)
        # Scatter back to observation order, transposed to (n, d) on the way.
        t_flat = (order * d + np.arange(d)[:, None]).ravel()
        out[t_flat] = sig.ravel()
        return out.reshape(n + extra_row, d)

    def sample(self, rng: np.random.RandomState, size: int) -> _Array:
        """Draw ``size`` internal-value rows (one column per parameter, in layout order)."""
        layout = self._layout
        if self._draw is None:
            # Per-kernel quantities of the draw, computed once: TPE reuses an unchanged "below"
            # estimator across trials. What RandomState.choice(p=...) does, without its
            # validation overhead; the kernels' standardised bounds and their normal CDFs.
            cdf = np.cumsum(np.exp(self._log_w))
            cdf /= cdf[-1]
            lo = -self._mu / self._sigma
            hi = (1.0 - self._mu) / self._sigma
            special = _truncnorm._special()
            self._draw = (cdf, lo, hi, special.ndtr(lo), special.ndtr(hi))
        cdf, lo, hi, cdf_lo, cdf_hi = self._draw
        kernels = cdf.searchsorted(rng.random_sample(size), side="right")
        out = np.empty((size, len(layout.names)))
        for k, j in enumerate(layout.cat):
            cum = np.cumsum(self._cat_w[k][self._cat_kind[k][kernels]], axis=1)
            cum[:, -1] = 1.0
            out[:, j] = np.sum(cum < rng.uniform(size=size)[:, None], axis=1)
        if layout.num:
            mu = self._mu[kernels]
            sig = self._sigma[kernels]
            z = _truncnorm.sample(lo[kernels], hi[kernels], rng, cdf_lo[kernels], cdf_hi[kernels])
            out[:, layout.num] = layout.num_from_unit(mu + sig * z)
        return out

    def log_pdf(self, internal: _Array, unit: _Array | None = None) -> _Array:
        """Log density of internal-value rows, shape ``(m,)``.

        ``unit`` may pass ``layout.num_to_unit(internal[:, layout.num])`` when the caller
        already has it (both estimators of a TPE step score the same candidates).
        """
        layout = self._layout
        m = internal.shape[0]
        if self._cont_cols:
            if unit is None:
                unit = layout.num_to_unit(internal[:, layout.num])
            x = unit[:, self._cont_cols]
            total = np.concatenate([x * x, x], axis=1) @ self._coef
            total += self._const
        else:
            total = np.broadcast_to(self._const, (m, self._n_kernels)).copy()
        for k, col in enumerate(self._disc_cols):
            # Candidates repeat on a grid: evaluate each distinct cell once.
            index: dict[float, int] = {}
            inv = [index.setdefault(v, len(index)) for v in internal[:, layout.disc[k]].tolist()]
            left, right = layout.cells(k, list(index))
            mu, sig = self._mu[:, col], self._sigma[:, col]
            many = self._n_kernels > 64 or self._disc_pairs is not None
            if self._disc_pairs is not None:
                # Distinct (mu, sigma) pairs and each kernel's pair, maintained by the caller.
                mu, sig, kinv = self._disc_pairs[k]
            elif many:
                # Kernels repeat too: observations sit on the grid and most bandwidths are
                # clipped to the same floor, so each distinct (mu, sigma) pair is evaluated once.
                pairs, kinv = np.unique(mu + 1j * sig, return_inverse=True)
                mu, sig = pairs.real, pairs.imag
            mass = _truncnorm.log_gauss_mass_fast(
                (left[:, None] - mu) / sig, (right[:, None] - mu) / sig
            )
            if many:
                # Spread over the kernels once per distinct cell, then per candidate.
                mass = np.take(mass, kinv.reshape(-1), axis=1)
            total += mass[inv]
        for k, j in enumerate(layout.cat):
            # One row of kernel terms per choice, then one per candidate.
            per_choice = np.take(self._cat_log_w_t[k], self._cat_kind[k], axis=1)
            total += per_choice[internal[:, j].astype(np.intp)]
        top = np.max(total, axis=1)
        top[~np.isfinite(top)] = 0.0
        total -= top[:, None]
        # Terms below e^-600 cannot change the sum; clamping them keeps exp() off the very
        # slow subnormal path.
        np.maximum(total, -600.0, out=total)
        np.exp(total, out=total)
        with np.errstate(divide="ignore"):
            return np.asarray(np.log(total.sum(axis=1)) + top)


def choice_table(n: int, n_choices: int, prior_weight: float) -> tuple[_Array, _Array]:
    """Smoothed choice probabilities of ``n`` categorical kernels, one row per observed choice.

    Row ``c`` is the kernel of an observation of choice ``c``, row ``n_choices`` the prior's
    (uniform). Returns the table and its log, transposed choice-major (scoring gathers whole
    rows per candidate).
    """
    k = n + 1  # Optuna's smoothing counts the prior kernel even when it is off.
    table = np.full((n_choices + 1, n_choices), prior_weight / k)
    table[np.arange(n_choices), np.arange(n_choices)] += 1.0
    table[n_choices] = 1.0 / n_choices
    sums = table.sum(axis=1, keepdims=True)
    table = table / np.where(sums == 0, 1.0, sums)
    return table, np.ascontiguousarray(_safe_log(table).T)


def sorted_bandwidths(srt: _Array, params: ParzenParameters) -> _Array:
    """Optuna's bandwidths of observations already sorted along each row, ``(d, n)``, n >= 1.

    Each kernel takes the larger gap to its sorted neighbours (the interval ends count as
    neighbours); unless ``consider_endpoints`` the outermost kernels take their inner gap.
    Clipped to ``[1 / min(100, n + 2), 1]`` with the magic clip.
    """
    d, n = srt.shape
    gaps = np.empty((d, n + 1))
    gaps[:, 0] = srt[:, 0]
    np.subtract(srt[:, 1:], srt[:, :-1], out=gaps[:, 1:-1])
    gaps[:, -1] = 1.0 - srt[:, -1]
    sig = np.maximum(gaps[:, :-1], gaps[:, 1:])
    if not params.consider_endpoints and n >= 2:
        sig[:, 0] = gaps[:, 1]
        sig[:, -1] = gaps[:, -2]
    min_sigma = 1.0 / min(100.0, n + 2.0) if params.consider_magic_clip else _EPS
    np.maximum(sig, min_sigma, out=sig)
    np.minimum(sig, 1.0, out=sig)
    return sig


def _log_z(mus: _Array, sigmas: _Array) -> _Array:
    """Log mass of each kernel inside ``[0, 1]``; exactly 0 for kernels 8.3 sigmas inside."""
    a = -mus / sigmas
    b = (1.0 - mus) / sigmas
    out = np.zeros_like(a)
    edge = (a > -8.3) | (b < 8.3)
    if np.any(edge):
        out[edge] = _truncnorm.log_gauss_mass(a[edge], b[edge])
    return out


PRIOR_DERIVED = {
    "mu": 0.5,
    "sigma": 1.0,
    "log_z": _PRIOR_LOG_Z,
    "a": -0.5,
    "b": 0.5,
    "c": 0.125 + _PRIOR_LOG_Z,  # 0.5 * mu * b + log(sigma) + log_z
}


def _with_row(a: _Array, fill: float) -> _Array:
    out = np.empty((a.shape[0] + 1, a.shape[1]))
    out[:-1] = a
    out[-1] = fill
    return out


def _safe_log(x: _Array) -> _Array:
    with np.errstate(divide="ignore"):
        return np.asarray(np.log(x), dtype=float)
