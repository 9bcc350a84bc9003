"""CMA-ES: covariance matrix adaptation on the ``cmaes`` library, restarts included."""

from __future__ import annotations

from parabola.samplers._cmaes._sampler import CmaEsSampler

__all__ = ["CmaEsSampler"]
