"""The GP's view of a search space: one column per parameter.

Numerical parameters live in ``[0, 1]`` through :func:`parabola.distributions.to_unit` (log
scale and the half-step margins of int/step grids included); categorical ones keep their choice
index, which the kernel compares by equality (Hamming distance). Grid parameters are optimised
as continuous and snapped to the nearest grid point afterwards.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from parabola.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    from_unit,
    to_unit,
)

__all__ = ["GPSpace"]

_Array = np.ndarray[Any, np.dtype[np.float64]]


class GPSpace:
    """Encoding of one relative search space (a dict of non-single distributions)."""

    def __init__(self, space: dict[str, BaseDistribution]) -> None:
        self.names = list(space)
        self.dists = list(space.values())
        self.dim = len(self.dists)
        self.is_categorical = np.array(
            [isinstance(d, CategoricalDistribution) for d in self.dists], dtype=bool
        )
        self.n_choices = np.array(
            [len(d.choices) if isinstance(d, CategoricalDistribution) else 0 for d in self.dists]
        )
        # Columns that must be snapped onto a grid after continuous optimisation.
        self.is_grid = np.array(
            [
                not isinstance(d, CategoricalDistribution)
                and not (isinstance(d, FloatDistribution) and d.step is None)
                for d in self.dists
            ],
            dtype=bool,
        )
        self.continuous = np.flatnonzero(~self.is_categorical)

    def encode(self, params: dict[str, Any]) -> _Array:
        """The row of a trial's external ``params`` (all names must be present)."""
        return self.encode_internal(
            {
                name: dist.to_internal_repr(params[name])
                for name, dist in zip(self.names, self.dists, strict=True)
            }
        )

    def encode_internal(self, internal: dict[str, float]) -> _Array:
        """The row of internal values (all names must be present)."""
        row = np.empty(self.dim)
        for j, (name, dist) in enumerate(zip(self.names, self.dists, strict=True)):
            value = float(internal[name])
            row[j] = value if self.is_categorical[j] else to_unit(dist, value)
        return row

    def snap(self, x: _Array) -> _Array:
        """Round grid and categorical columns of ``x`` (shape ``(..., dim)``) to valid values."""
        out = np.array(x, dtype=float, copy=True)
        for j in np.flatnonzero(self.is_grid):
            out[..., j] = to_unit(self.dists[j], from_unit(self.dists[j], out[..., j]))
        cat = self.is_categorical
        if cat.any():
            out[..., cat] = np.clip(np.round(out[..., cat]), 0, self.n_choices[cat] - 1)
        return out

    def from_unit_cube(self, u: _Array) -> _Array:
        """Map points of ``[0, 1]^dim`` (e.g. a Sobol sweep) to encoded, snapped rows."""
        out = np.array(u, dtype=float, copy=True)
        cat = self.is_categorical
        if cat.any():
            n = self.n_choices[cat]
            out[..., cat] = np.minimum(np.floor(out[..., cat] * n), n - 1)
        return self.snap(out)

    def decode(self, row: _Array) -> dict[str, Any]:
        """External values (a float, an int, a choice) of one encoded row."""
        out: dict[str, Any] = {}
        for j, (name, dist) in enumerate(zip(self.names, self.dists, strict=True)):
            if self.is_categorical[j]:
                internal = float(round(row[j]))
            else:
                internal = float(from_unit(dist, float(row[j])))
            out[name] = dist.to_external_repr(internal)
        return out
