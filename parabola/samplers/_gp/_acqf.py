"""Acquisition functions (to maximise) with closed-form gradients in the encoded inputs.

Every GP models a *score* to maximise (minimised objectives and constraint values are negated
and standardised before they reach the GP). Each acquisition maps an ``(B, d)`` batch to
``(B,)`` values and, on request, their ``(B, d)`` gradients:

* :class:`LogEI`: ``log E[max(0, f(x) - best)]``, computed stably far below the incumbent
  (Ament et al. 2023, "Unexpected improvements to expected improvement");
* :class:`LogPF`: the log probability that every constraint holds (constraints modelled
  independently, as Gardner et al. 2014); added to the others for constrained problems;
* :class:`LogEHVI`: the log of the *exact* expected hypervolume improvement of 2 or 3
  independent Gaussian objectives over a box decomposition of the non-dominated region.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

from parabola._hypervolume import non_dominated_boxes
from parabola.samplers._gp._regressor import GPModel

__all__ = ["Acquisition", "LogEHVI", "LogEI", "LogPF", "Sum", "log_h"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_HALF_PI = math.sqrt(0.5 * math.pi)
_TINY = 1e-300


def log_h(z: _Array) -> tuple[_Array, _Array]:
    """``log(phi(z) + z Phi(z))`` and its derivative ``Phi(z) / h(z)``, stable for all ``z``."""
    z = np.asarray(z, dtype=float)
    log_phi = -0.5 * z * z - _LOG_SQRT_2PI
    if z.size and z.min() > -1.0:
        # Every point on the direct branch (the usual case near the incumbent): no masks,
        # whose indexing costs more than the arithmetic at a local search's few points.
        cdf = ndtr(z)
        h = np.exp(log_phi) + z * cdf
        return np.log(h), cdf / h
    out = np.empty_like(z)
    dout = np.empty_like(z)
    hi = z > -1.0
    if hi.any():
        zh = z[hi]
        cdf = ndtr(zh)
        h = np.exp(log_phi[hi]) + zh * cdf
        out[hi] = np.log(h)
        dout[hi] = cdf / h
    mid = (z <= -1.0) & (z > -25.0)
    if mid.any():
        # h = phi(z) (1 + z sqrt(pi/2) erfcx(-z / sqrt 2)): no underflow of phi and Phi apart.
        zm = z[mid]
        c = _SQRT_HALF_PI * erfcx(-zm / math.sqrt(2.0))
        one_plus = 1.0 + zm * c
        out[mid] = log_phi[mid] + np.log(one_plus)
        dout[mid] = c / one_plus
    lo = z <= -25.0
    if lo.any():
        # Asymptotic series: h(z) ~ phi(z) / z^2 (1 - 3 / z^2).
        zl = z[lo]
        inv2 = 1.0 / (zl * zl)
        out[lo] = log_phi[lo] + np.log(inv2) + np.log1p(-3.0 * inv2)
        dout[lo] = -zl - 2.0 / zl + (6.0 * inv2 / zl) / (1.0 - 3.0 * inv2)
    return out, dout


class Acquisition:
    """Base class: ``value(x)`` and ``value_grad(x)`` over a batch of encoded points."""

    def value(self, x: _Array) -> _Array:
        return self.value_grad(x, grad=False)[0]

    def value_grad(self, x: _Array, grad: bool = True) -> tuple[_Array, _Array]:
        raise NotImplementedError


def _moments(model: GPModel, x: _Array, grad: bool) -> tuple[_Array, _Array, _Array, _Array]:
    if grad:
        mean, var, dmean, dvar = model.posterior_grad(x)
    else:
        mean, var = model.posterior(x)
        dmean = dvar = np.zeros_like(x)
    sigma = np.sqrt(var)
    dsigma = dvar / (2.0 * sigma)[:, None]
    return mean, sigma, dmean, dsigma


class LogEI(Acquisition):
    """Log expected improvement over ``best`` (a score to maximise)."""

    def __init__(self, model: GPModel, best: float) -> None:
        self.model = model
        self.best = best

    def value_grad(self, x: _Array, grad: bool = True) -> tuple[_Array, _Array]:
        if not grad:
            mean, var = self.model.posterior(x)
            sigma = np.sqrt(var)
            return log_h((mean - self.best) / sigma)[0] + np.log(sigma), np.zeros_like(x)
        mean, var, dmean, dvar = self.model.posterior_grad(x)
        sigma = np.sqrt(var)
        z = (mean - self.best) / sigma
        lh, dlh = log_h(z)
        # d/dx [log h(z) + log sigma] with z = (mean - best) / sigma, sigma = sqrt(var):
        # (h'/h) / sigma * dmean + (1 - (h'/h) z) / (2 var) * dvar, in two products.
        a = dlh / sigma
        b = (1.0 - dlh * z) / (2.0 * var)
        return lh + np.log(sigma), a[:, None] * dmean + b[:, None] * dvar


class LogPF(Acquisition):
    """Log probability that every modelled score is ``>= threshold`` (constraints hold)."""

    def __init__(self, models: Sequence[GPModel], thresholds: Sequence[float]) -> None:
        self.models = list(models)
        self.thresholds = list(thresholds)

    def value_grad(self, x: _Array, grad: bool = True) -> tuple[_Array, _Array]:
        val = np.zeros(len(x))
        g = np.zeros_like(x)
        for model, t in zip(self.models, self.thresholds, strict=True):
            mean, sigma, dmean, dsigma = _moments(model, x, grad)
            z = (mean - t) / sigma
            lp = log_ndtr(z)
            val += lp
            if grad:
                ratio = np.exp(-0.5 * z * z - _LOG_SQRT_2PI - lp)
                g += ratio[:, None] * (dmean - z[:, None] * dsigma) / sigma[:, None]
        return val, g


class LogEHVI(Acquisition):
    """Log of the exact expected hypervolume improvement over the observed scores ``y``.

    Scores are negated into losses; the reference point is Optuna's (``1.1 x`` the worst loss
    on the far side of zero, ``0.9 x`` on the near side). With independent Gaussian objectives
    the improvement inside a box ``[l, u]`` factorises, and per objective
    ``E[max(0, u - max(l, Y))] = psi(u) - psi(l)`` with ``psi(c) = E[max(0, c - Y)]``.
    """

    def __init__(self, models: Sequence[GPModel], y: _Array) -> None:
        self.models = list(models)
        loss = -np.asarray(y, dtype=float)
        worst = loss.max(axis=0)
        ref = np.nextafter(np.maximum(1.1 * worst, 0.9 * worst), np.inf)
        self.lower, self.upper = non_dominated_boxes(loss, ref)

    def value_grad(self, x: _Array, grad: bool = True) -> tuple[_Array, _Array]:
        n_obj = len(self.models)
        b = len(x)
        # Per objective: psi at each box bound, and d psi / d mean, d psi / d sigma.
        factors = np.empty((n_obj, b, len(self.lower)))
        d_mean = np.empty_like(factors)
        d_sigma = np.empty_like(factors)
        moments = []
        for j, model in enumerate(self.models):
            mean, sigma, dmean, dsigma = _moments(model, x, grad)
            moments.append((dmean, dsigma))
            m, s = -mean[:, None], sigma[:, None]  # loss moments
            psi = []
            for bound in (self.upper[:, j], self.lower[:, j]):
                finite = np.isfinite(bound)
                c = np.where(finite, bound, 0.0)[None, :]
                w = (c - m) / s
                cdf, pdf = ndtr(w), np.exp(-0.5 * w * w - _LOG_SQRT_2PI)
                val = np.where(finite, (c - m) * cdf + s * pdf, 0.0)
                psi.append((val, np.where(finite, -cdf, 0.0), np.where(finite, pdf, 0.0)))
            (pu, dmu_u, dsu), (pl, dmu_l, dsl) = psi
            factors[j] = np.maximum(pu - pl, 0.0)
            d_mean[j] = dmu_u - dmu_l
            d_sigma[j] = dsu - dsl
        prod = np.prod(factors, axis=0)
        ehvi = prod.sum(axis=1)
        val = np.log(np.maximum(ehvi, _TINY))
        if not grad:
            return val, np.zeros_like(x)
        g = np.zeros_like(x)
        for j in range(n_obj):
            others = np.prod(np.delete(factors, j, axis=0), axis=0)
            d_m = (others * d_mean[j]).sum(axis=1)  # d EHVI / d loss mean
            d_s = (others * d_sigma[j]).sum(axis=1)
            dmean, dsigma = moments[j]
            # loss mean = -score mean
            g += -d_m[:, None] * dmean + d_s[:, None] * dsigma
        g /= np.maximum(ehvi, _TINY)[:, None]
        g[ehvi <= _TINY] = 0.0
        return val, g


class Sum(Acquisition):
    """The sum of several log acquisitions (e.g. log EI + log PF)."""

    def __init__(self, parts: Sequence[Acquisition]) -> None:
        self.parts = list(parts)

    def value_grad(self, x: _Array, grad: bool = True) -> tuple[_Array, _Array]:
        if len(self.parts) == 1:  # the common case (no constraints): no sums to build
            return self.parts[0].value_grad(x, grad)
        val = np.zeros(len(x))
        g = np.zeros_like(x)
        for p in self.parts:
            v, gp = p.value_grad(x, grad)
            val += v
            g += gp
        return val, g
