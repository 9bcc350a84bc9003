"""Log priors on the GP's hyperparameters, with gradients in the log parameters.

A prior is ``(theta, scale, noise, dim) -> (log density, gradient)`` where the gradient is taken
in ``(log theta_1..d, log scale, log noise)``. Two are offered:

* :func:`optuna_prior`: Optuna 5.0's hand-made prior (``-(0.1/theta + 0.1 theta)`` per inverse
  squared length scale, Gamma(2, 1) on the scale, Gamma(1.1, 30) on the noise);
* :func:`dim_scaled_prior`: the same scale and noise priors, with the log-normal length-scale
  prior of Hvarfner et al. 2024 ("Vanilla Bayesian optimization performs great in high
  dimensions"), whose median grows with ``sqrt(dim)`` so that high-dimensional models start
  smooth instead of treating every direction as relevant.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["LogPrior", "dim_scaled_prior", "optuna_prior"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
LogPrior = Callable[[_Array, float, float, int], tuple[float, _Array]]


def _scale_noise(scale: float, noise: float) -> tuple[float, float, float]:
    # Gamma(2, 1) on the scale, Gamma(1.1, 30) on the noise (densities up to constants).
    value = (math.log(scale) - scale) + (0.1 * math.log(noise) - 30.0 * noise)
    return value, 1.0 - scale, 0.1 - 30.0 * noise


def optuna_prior(theta: _Array, scale: float, noise: float, dim: int) -> tuple[float, _Array]:
    """Optuna 5.0's default prior."""
    v, g_scale, g_noise = _scale_noise(scale, noise)
    value = v - float(np.sum(0.1 / theta + 0.1 * theta))
    grad = np.concatenate([0.1 / theta - 0.1 * theta, [g_scale, g_noise]])
    return value, grad


def dim_scaled_prior(theta: _Array, scale: float, noise: float, dim: int) -> tuple[float, _Array]:
    """Log-normal length scales with location ``sqrt(2) + log(dim) / 2`` and scale ``sqrt(3)``."""
    v, g_scale, g_noise = _scale_noise(scale, noise)
    mu = math.sqrt(2.0) + 0.5 * math.log(max(dim, 1))
    # theta = l^-2, so log theta ~ N(-2 mu, (2 sqrt 3)^2) = N(-2 mu, 12).
    z = np.log(theta) + 2.0 * mu
    value = v - float(np.sum(z * z)) / 24.0
    grad = np.concatenate([-z / 12.0, [g_scale, g_noise]])
    return value, grad
