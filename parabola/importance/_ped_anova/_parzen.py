"""PED-ANOVA's density estimate of one parameter: a Parzen estimator on a fixed grid.

Each parameter's values are binned onto a grid (at most ``n_steps`` points; categorical choices
are their own grid). The density is a mixture of one kernel per occupied grid point, weighted by
its count, plus a wide prior kernel: discrete truncated Gaussians with Scott's-rule bandwidth for
numbers, smoothed one-hot rows for categories. Optuna 5.0 builds the same mixture through its TPE
machinery in log space; here it is a closed form on at most 51 kernels x 50 grid points, so the
numbers agree to rounding (tested to 1e-9).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from parabola.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

__all__ = ["grid_counts", "grid_pdf", "pearson_divergence"]

# The bandwidth floor: 0.5/1.64 puts 1.64 sigma (90 %) of a kernel within half a grid step.
_SIGMA_MIN = 0.5 / 1.64


def grid_counts(values: Sequence[object], dist: BaseDistribution, n_steps: int) -> np.ndarray:
    """How many of ``values`` (external representation) fall on each grid point of ``dist``."""
    if isinstance(dist, CategoricalDistribution):
        index = np.fromiter(
            (int(dist.to_internal_repr(v)) for v in values), dtype=np.int64, count=len(values)
        )
        return np.bincount(index, minlength=len(dist.choices))
    if not isinstance(dist, (FloatDistribution, IntDistribution)):
        raise TypeError(f"PED-ANOVA cannot assess a parameter with distribution {dist!r}.")
    if isinstance(dist, IntDistribution) and dist.log:
        # A log-int domain has few distinct points per octave: one grid point per power of two.
        n_steps = min(math.ceil(math.log(dist.high - dist.low + 1) / math.log(2)) + 1, n_steps)
    elif dist.step is not None:
        n_steps = min(round((dist.high - dist.low) / dist.step) + 1, n_steps)
    raw = np.fromiter((float(v) for v in values), dtype=np.float64, count=len(values))  # type: ignore[arg-type]
    if dist.log:
        low, high, x = math.log(dist.low), math.log(dist.high), np.log(raw)
    else:
        low, high, x = float(dist.low), float(dist.high), raw
    step_size = (high - low) / (n_steps - 1)
    # Round to the nearest grid point, a midpoint going down (Optuna's convention).
    index = np.clip(np.ceil((x - low) / step_size - 0.5).astype(np.int64), 0, n_steps - 1)
    return np.bincount(index, minlength=n_steps)


def grid_pdf(counts: np.ndarray, categorical: bool, prior_weight: float) -> np.ndarray:
    """The estimator's probability of each grid point, given the counts on the grid."""
    observed = np.flatnonzero(counts)
    weights = counts[observed]
    if observed.size == 0:
        return np.full(counts.size, 1.0 / counts.size)
    mixture = np.append(weights.astype(np.float64), prior_weight)
    mixture /= mixture.sum()
    if categorical:
        kernels = _categorical_kernels(observed, counts.size, prior_weight)
    else:
        kernels = _numerical_kernels(observed, weights, counts.size)
    pdf: np.ndarray = mixture @ kernels
    return pdf


def _categorical_kernels(observed: np.ndarray, n_choices: int, prior_weight: float) -> np.ndarray:
    n_kernels = observed.size + 1  # the last row is the prior
    rows = np.full((n_kernels, n_choices), prior_weight / n_kernels)
    rows[np.arange(observed.size), observed] += 1.0
    sums = rows.sum(axis=1, keepdims=True)
    normalised: np.ndarray = rows / np.where(sums == 0, 1.0, sums)
    return normalised


def _numerical_kernels(observed: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Row k: kernel k's probability of each grid point (discrete Gaussian truncated to grid)."""
    total = int(weights.sum())
    cumulative = np.cumsum(weights)
    mean = float(observed @ weights) / total
    sigma = math.sqrt(float(((observed - mean) ** 2) @ weights) / max(1, total - 1))
    # Scott's rule with the robust (IQR) spread; quartiles of the weighted sample.
    q1 = int(np.searchsorted(cumulative, total // 4, side="left"))
    q3 = int(np.searchsorted(cumulative, total * 3 // 4, side="right"))
    iqr = float(observed[min(observed.size - 1, q3)] - observed[q1])
    bandwidth = max(1.059 * min(iqr / 1.34, sigma) * total**-0.2, _SIGMA_MIN)
    mus = np.append(observed.astype(np.float64), (size - 1) / 2.0)
    sigmas = np.append(np.full(observed.size, bandwidth), float(size))  # prior: the whole grid
    edges = np.arange(size + 1, dtype=np.float64) - 0.5  # grid point j spans [j - .5, j + .5]
    z = (edges[:, None] - mus[None, :]) / sigmas[None, :]
    # Both tails, so each mass is a difference of small terms. math.erfc on at most 51 x 51
    # values costs less than importing scipy.special (0.1-0.4 s: the dashboard's first call).
    lower, upper = _ndtr(z), _ndtr(-z)
    # Mass of [z_j, z_{j+1}]: from the upper tail when the interval lies right of the mean.
    right = z[:-1] > 0
    mass = np.where(right, upper[:-1] - upper[1:], lower[1:] - lower[:-1])
    whole = np.where(z[0] > 0, upper[0] - upper[-1], lower[-1] - lower[0])
    kernels: np.ndarray = (mass / whole).T
    return kernels


_ERFC = np.frompyfunc(math.erfc, 1, 1)


def _ndtr(z: np.ndarray) -> np.ndarray:
    """The standard normal CDF, accurate in the lower tail (0.5 erfc(-z / sqrt 2))."""
    erfc = np.asarray(_ERFC(-z / math.sqrt(2.0)), dtype=np.float64)
    out: np.ndarray = 0.5 * erfc
    return out


def pearson_divergence(pdf_top: np.ndarray, pdf_local: np.ndarray) -> float:
    """Pearson chi-square divergence of the top trials' density from the region's."""
    return float(pdf_local @ ((pdf_top / pdf_local - 1.0) ** 2))
