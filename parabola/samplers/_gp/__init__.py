"""GP: Gaussian-process Bayesian optimisation on numpy and SciPy (no torch)."""

from __future__ import annotations

from parabola.samplers._gp._sampler import GPSampler

__all__ = ["GPSampler"]
