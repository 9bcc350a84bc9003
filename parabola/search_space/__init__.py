"""Search-space helpers for samplers: which parameters can be sampled jointly."""

from __future__ import annotations

from parabola.search_space._intersection import IntersectionSearchSpace, intersection_search_space

__all__ = ["IntersectionSearchSpace", "intersection_search_space"]
