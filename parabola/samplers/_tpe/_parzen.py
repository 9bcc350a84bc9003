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

__all__ = ["KernelMemo", "ParzenEstimator", "ParzenParameters", "SpaceLayout"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
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

    def cells(self, internal: _Array) -> tuple[_Array, _Array]:
        """Unit-interval edges of the grid cells holding the stepped columns' values.

        ``internal`` has one column per entry of ``disc``.
        """
        pos = [self.num.index(j) for j in self.disc]
        half = 0.5 * self._step[pos]
        lo, width, log = self._lo[pos], self._width[pos], self._log[pos]
        left, right = internal - half, internal + half
        with np.errstate(invalid="ignore", divide="ignore"):
            left = np.where(log, np.log(np.maximum(left, 1e-300)), left)
            right = np.where(log, np.log(right), right)
        return (left - lo) / width, (right - lo) / width


class KernelMemo:
    """Per-kernel quantities that only change when a kernel's bandwidth does.

    Kernels are identified by a row id (a trial's row in the study history). Between two trials
    most kernels keep their centre and bandwidth (a bandwidth depends only on the neighbouring
    observations), so everything derived from them is reused instead of recomputed: the log
    normaliser, the two coefficient matrices of the quadratic form and the constant term. Each
    entry is keyed by the exact ``(mu, sigma)`` pair it was computed from.
    """

    FIELDS = ("mu", "sigma", "log_z", "a", "b", "c")

    def __init__(self, n_columns: int) -> None:
        self._d = n_columns
        self._cap = 0
        self._f = {name: np.full((0, n_columns), np.nan) for name in self.FIELDS}

    def _ensure(self, size: int) -> None:
        if size <= self._cap:
            return
        cap = max(size, 2 * self._cap, 64)
        for name, old in self._f.items():
            arr = np.full((cap, self._d), np.nan)
            arr[: self._cap] = old
            self._f[name] = arr
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
        n = len(rows)
        self._ensure(int(rows.max()) + 1 if n else 0)
        out = {}
        for name in ("mu", "sigma", "log_z", "a", "b", "c"):
            arr = np.empty((n + prior, self._d))
            np.take(self._f[name], rows, axis=0, out=arr[:n])
            out[name] = arr
        stale = out["mu"][:n] != mus
        stale |= out["sigma"][:n] != sigmas
        if stale.any():
            i, j = np.nonzero(stale)
            fresh = self.derive(mus[i, j], sigmas[i, j])
            r = rows[i]
            for name, values in fresh.items():
                out[name][i, j] = values
                self._f[name][r, j] = values
        if prior:
            for name, value in _PRIOR_DERIVED.items():
                out[name][n] = value
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
        if c:
            # -0.5 * sum((x - mu)^2 / s^2) = x^2 @ a^T + x @ b^T - sum(0.5 * mu * b) with
            # a = -0.5 / s^2 and b = mu / s^2: two matrix products score every candidate
            # against every kernel; "c" folds the constant with the log normalisers.
            all_cont = len(c) == d
            self._neg_half_inv_var = derived["a"] if all_cont else derived["a"][:, c]
            self._mu_inv_var = derived["b"] if all_cont else derived["b"][:, c]
            c_sum = (derived["c"] if all_cont else derived["c"][:, c]).sum(axis=1)
            self._const = self._log_w - c_sum - len(c) * _LOG_SQRT_2PI
        else:
            self._const = self._log_w.copy()

        self._cat_log_w: list[_Array] = []
        self._cat_w: list[_Array] = []
        for j in layout.cat:
            dist = layout.dists[j]
            assert isinstance(dist, CategoricalDistribution)
            n_choices = len(dist.choices)
            k = n + 1  # Optuna's smoothing counts the prior kernel even when it is off.
            table = np.full((n, n_choices), params.prior_weight / k)
            table[np.arange(n), obs[:, j].astype(int)] += 1.0
            if use_prior:
                table = np.vstack([table, np.full((1, n_choices), 1.0 / n_choices)])
            sums = table.sum(axis=1, keepdims=True)
            table = table / np.where(sums == 0, 1.0, sums)
            self._cat_w.append(table)
            self._cat_log_w.append(_safe_log(table))

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
        srt = cols.ravel()[flat].reshape(d, n)
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
        # Scatter back to observation order, transposed to (n, d) on the way.
        t_flat = (order * d + np.arange(d)[:, None]).ravel()
        out[t_flat] = sig.ravel()
        return out.reshape(n + extra_row, d)

    def sample(self, rng: np.random.RandomState, size: int) -> _Array:
        """Draw ``size`` internal-value rows (one column per parameter, in layout order)."""
        layout = self._layout
        # What RandomState.choice(p=...) does, without its validation overhead.
        cdf = np.cumsum(np.exp(self._log_w))
        cdf /= cdf[-1]
        kernels = cdf.searchsorted(rng.random_sample(size), side="right")
        out = np.empty((size, len(layout.names)))
        for k, j in enumerate(layout.cat):
            cum = np.cumsum(self._cat_w[k][kernels], axis=1)
            cum[:, -1] = 1.0
            out[:, j] = np.sum(cum < rng.uniform(size=size)[:, None], axis=1)
        if layout.num:
            mu = self._mu[kernels]
            sig = self._sigma[kernels]
            z = _truncnorm.sample(-mu / sig, (1.0 - mu) / sig, rng)
            out[:, layout.num] = layout.num_from_unit(mu + sig * z)
        return out

    def log_pdf(self, internal: _Array) -> _Array:
        """Log density of internal-value rows, shape ``(m,)``."""
        layout = self._layout
        m = internal.shape[0]
        if self._cont_cols:
            x = layout.num_to_unit(internal[:, layout.num])[:, self._cont_cols]
            total = (x * x) @ self._neg_half_inv_var.T
            total += x @ self._mu_inv_var.T
            total += self._const
        else:
            total = np.broadcast_to(self._const, (m, self._n_kernels)).copy()
        if layout.disc:
            lefts, rights = layout.cells(internal[:, layout.disc])
        for k, (col, j) in enumerate(zip(self._disc_cols, layout.disc, strict=False)):
            # Candidates repeat on a grid: evaluate each distinct cell once.
            _uniq, first, inv = np.unique(internal[:, j], return_index=True, return_inverse=True)
            left, right = lefts[first, k], rights[first, k]
            # Kernels repeat too: observations sit on the grid and most bandwidths are clipped
            # to the same floor, so each distinct (mu, sigma) pair is evaluated once.
            pairs, kinv = np.unique(
                self._mu[:, col] + 1j * self._sigma[:, col], return_inverse=True
            )
            mu, sig = pairs.real, pairs.imag
            mass = _truncnorm.log_gauss_mass_fast(
                (left[:, None] - mu) / sig, (right[:, None] - mu) / sig
            )
            total += mass[inv.reshape(-1)][:, kinv.reshape(-1)]
            total -= self._log_z[:, col]
        for k, j in enumerate(layout.cat):
            total += self._cat_log_w[k][:, internal[:, j].astype(int)].T
        top = np.max(total, axis=1)
        top[~np.isfinite(top)] = 0.0
        total -= top[:, None]
        # Terms below e^-600 cannot change the sum; clamping them keeps exp() off the very
        # slow subnormal path.
        np.maximum(total, -600.0, out=total)
        np.exp(total, out=total)
        with np.errstate(divide="ignore"):
            return np.asarray(np.log(total.sum(axis=1)) + top)


def _log_z(mus: _Array, sigmas: _Array) -> _Array:
    """Log mass of each kernel inside ``[0, 1]``; exactly 0 for kernels 8.3 sigmas inside."""
    a = -mus / sigmas
    b = (1.0 - mus) / sigmas
    out = np.zeros_like(a)
    edge = (a > -8.3) | (b < 8.3)
    if np.any(edge):
        out[edge] = _truncnorm.log_gauss_mass(a[edge], b[edge])
    return out


_PRIOR_DERIVED = {
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
