"""NSGA-III: NSGA-II with selection by reference points, for three objectives and more."""

from __future__ import annotations

from parabola.samplers._nsga3._sampler import NSGAIIISampler

__all__ = ["NSGAIIISampler"]
