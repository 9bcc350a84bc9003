"""TPE: the Tree-structured Parzen Estimator sampler (the default of ``create_study``)."""

from __future__ import annotations

from parabola.samplers._tpe._sampler import TPESampler

__all__ = ["TPESampler"]
