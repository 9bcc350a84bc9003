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

__all__ = ["ParzenEstimator", "ParzenParameters", "SpaceLayout"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_EPS = 1e-12
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


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


class ParzenEstimator:
    """A mixture of product kernels fitted to observations in :class:`SpaceLayout` encoding.

    Args:
        layout: The search space's column layout.
        obs: Observations, shape ``(n, len(layout.names))``.
        weights: Non-negative weight per observation (normalised here with the prior's).
        params: Estimator knobs.
    """

    def __init__(
        self, layout: SpaceLayout, obs: _Array, weights: _Array, params: ParzenParameters
    ) -> None:
        self._layout = layout
        n = obs.shape[0]
        use_prior = params.consider_prior or n == 0
        prior_weight = params.prior_weight if n > 0 else 1.0
        w = np.append(np.asarray(weights, dtype=float), [prior_weight] if use_prior else [])
        self._log_w = _safe_log(w / w.sum())
        self._n_kernels = len(w)

        num = layout.num
        mus = obs[:, num]
        sigmas = self._bandwidths(mus, params, n)
        if use_prior:
            mus = np.vstack([mus, np.full((1, len(num)), 0.5)])
            sigmas = np.vstack([sigmas, np.ones((1, len(num)))])
        self._mu = mus
        self._sigma = sigmas
        # Normaliser of each truncated kernel on [0, 1], per kernel and column.
        self._log_z = _log_z(mus, sigmas)

        pos = {j: k for k, j in enumerate(num)}
        self._cont_cols = [pos[j] for j in layout.cont]
        self._disc_cols = [pos[j] for j in layout.disc]
        c = self._cont_cols
        if c:
            mu_c, sig_c = mus[:, c], sigmas[:, c]
            self._inv_var = 1.0 / (sig_c * sig_c)
            self._mu_inv_var = mu_c * self._inv_var
            self._const = (
                self._log_w
                - 0.5 * np.sum(mu_c * self._mu_inv_var, axis=1)
                - np.sum(np.log(sig_c) + _LOG_SQRT_2PI + self._log_z[:, c], axis=1)
            )
        else:
            self._const = self._log_w.copy()

        self._cat_log_w: list[_Array] = []
        self._cat_w: list[_Array] = []
        for j in layout.cat:
            d = layout.dists[j]
            assert isinstance(d, CategoricalDistribution)
            n_choices = len(d.choices)
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
    def _bandwidths(mus: _Array, params: ParzenParameters, n: int) -> _Array:
        if n == 0:
            return np.empty_like(mus)
        cols = np.ascontiguousarray(mus.T)  # sort each parameter's row: contiguous is faster
        order = np.argsort(cols, axis=1)
        srt = np.take_along_axis(cols, order, axis=1)
        d = cols.shape[0]
        ext = np.hstack([np.zeros((d, 1)), srt, np.ones((d, 1))])
        gaps = np.diff(ext, axis=1)
        sig = np.maximum(gaps[:, :-1], gaps[:, 1:])
        if not params.consider_endpoints and n >= 2:
            sig[:, 0] = gaps[:, 1]
            sig[:, -1] = gaps[:, -2]
        min_sigma = 1.0 / min(100.0, n + 2.0) if params.consider_magic_clip else _EPS
        np.clip(sig, min_sigma, 1.0, out=sig)
        out = np.empty_like(sig)
        out[np.arange(d)[:, None], order] = sig
        return np.asarray(out.T)

    def sample(self, rng: np.random.RandomState, size: int) -> _Array:
        """Draw ``size`` internal-value rows (one column per parameter, in layout order)."""
        layout = self._layout
        kernels = rng.choice(self._n_kernels, p=np.exp(self._log_w), size=size)
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
        total = np.broadcast_to(self._const, (m, self._n_kernels)).copy()
        if self._cont_cols:
            x = layout.num_to_unit(internal[:, layout.num])[:, self._cont_cols]
            total -= 0.5 * ((x * x) @ self._inv_var.T - 2.0 * (x @ self._mu_inv_var.T))
        if layout.disc:
            lefts, rights = layout.cells(internal[:, layout.disc])
        for k, (col, j) in enumerate(zip(self._disc_cols, layout.disc, strict=False)):
            # Candidates repeat on a grid: evaluate each distinct cell once.
            _uniq, first, inv = np.unique(internal[:, j], return_index=True, return_inverse=True)
            left, right = lefts[first, k], rights[first, k]
            mu, sig = self._mu[:, col], self._sigma[:, col]
            mass = _truncnorm.log_gauss_mass_fast(
                (left[:, None] - mu) / sig, (right[:, None] - mu) / sig
            )
            total += (mass - self._log_z[:, col])[inv.reshape(-1)]
        for k, j in enumerate(layout.cat):
            total += self._cat_log_w[k][:, internal[:, j].astype(int)].T
        top = np.max(total, axis=1)
        top[~np.isfinite(top)] = 0.0
        with np.errstate(divide="ignore"):
            return np.asarray(np.log(np.sum(np.exp(total - top[:, None]), axis=1)) + top)


def _log_z(mus: _Array, sigmas: _Array) -> _Array:
    """Log mass of each kernel inside ``[0, 1]``; exactly 0 for kernels 8.3 sigmas inside."""
    a = -mus / sigmas
    b = (1.0 - mus) / sigmas
    out = np.zeros_like(a)
    edge = (a > -8.3) | (b < 8.3)
    if np.any(edge):
        out[edge] = _truncnorm.log_gauss_mass(a[edge], b[edge])
    return out


def _safe_log(x: _Array) -> _Array:
    with np.errstate(divide="ignore"):
        return np.asarray(np.log(x), dtype=float)
