"""``UnitCodec``: a whole vector of numeric parameters to and from the unit cube at once.

CMA-ES and NSGA-II work in ``[0, 1]`` per parameter. Converting one parameter at a time with
:func:`~parabola.distributions.to_unit` / :func:`~parabola.distributions.from_unit` costs a
few microseconds each (type checks, bounds, numpy scalars), which at 10-50 parameters a trial
was a large part of those samplers' cost. A codec computes the bounds of a fixed space once
and converts whole arrays with the same arithmetic, so results equal the scalar functions'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from parabola.distributions import BaseDistribution, FloatDistribution, IntDistribution, _bounds

__all__ = ["UnitCodec"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_Index = np.ndarray[Any, np.dtype[np.intp]]
_PLAIN_MAX = 8  # up to this many plain floats, decode in Python (measured faster)


class UnitCodec:
    """Vectorised unit-cube encoding of a fixed space of float and int distributions.

    Args:
        space: Parameter names to ``FloatDistribution`` or ``IntDistribution``, in the order
            of the vectors' coordinates.

    Raises:
        TypeError: if a distribution is categorical (or of another kind).
    """

    def __init__(self, space: Mapping[str, BaseDistribution]) -> None:
        dists: list[FloatDistribution | IntDistribution] = []
        for name, d in space.items():
            if not isinstance(d, (FloatDistribution, IntDistribution)):
                raise TypeError(f"UnitCodec: '{name}' is not numeric: {d!r}.")
            dists.append(d)
        self.space = dict(space)
        self.names = tuple(space)
        bounds = np.array([_bounds(d) for d in dists], dtype=float).reshape(len(dists), 3)
        self._lo = bounds[:, 0]
        span = bounds[:, 1] - bounds[:, 0]
        self._span = span
        self._flat: _Index = np.flatnonzero(span == 0)  # to_unit maps these to 0.5
        self._span_safe = np.where(span == 0, 1.0, span)
        self._low = np.array([d.low for d in dists], dtype=float)
        self._high = np.array([d.high for d in dists], dtype=float)
        self._log: _Index = np.flatnonzero([d.log for d in dists])
        is_int = [isinstance(d, IntDistribution) for d in dists]
        self._ints: _Index = np.flatnonzero(is_int)
        self._int_list = self._ints.tolist()
        self._int_step = np.array([float(dists[i].step) for i in self._int_list])
        stepped = [
            i for i, d in enumerate(dists) if not is_int[i] and not d.log and d.step is not None
        ]
        self._fsteps: _Index = np.array(stepped, dtype=np.intp)
        self._fstep = np.array([float(dists[i].step) for i in stepped])  # type: ignore[arg-type]
        plain = not self._log.size and not self._ints.size and not self._fsteps.size
        self._plain: list[tuple[str, float, float, float, float]] | None = (
            list(
                zip(
                    self.names,
                    self._lo.tolist(),
                    span.tolist(),
                    self._low.tolist(),
                    self._high.tolist(),
                    strict=True,
                )
            )
            if plain and len(dists) <= _PLAIN_MAX
            else None
        )

    def encode(self, params: Sequence[Mapping[str, Any]]) -> _Array:
        """Unit coordinates, one row per mapping of external values (must hold every name)."""
        x = np.array([[p[n] for n in self.names] for p in params], dtype=float)
        x = x.reshape(len(params), len(self.names))
        if self._log.size:
            x[:, self._log] = np.log(x[:, self._log])
        out: _Array = (x - self._lo) / self._span_safe
        if self._flat.size:
            out[:, self._flat] = 0.5
        return out

    def decode(self, unit: _Array) -> dict[str, Any]:
        """External values of one unit vector (clipped into the cube, snapped, in range)."""
        if self._plain is not None:
            # Plain floats, few of them: numpy's per-call overhead (~1 us a call, six calls)
            # costs more than a Python loop, which does from_unit's scalar arithmetic.
            return {
                name: min(max(lo + min(max(u, 0.0), 1.0) * span, low), high)
                for (name, lo, span, low, high), u in zip(self._plain, unit.tolist(), strict=True)
            }
        x = self._lo + np.clip(unit, 0.0, 1.0) * self._span
        if self._log.size:
            x[self._log] = np.exp(x[self._log])
        if self._ints.size:
            i, step, low = self._ints, self._int_step, self._low[self._ints]
            x[i] = np.floor((x[i] - low) / step + 0.5) * step + low  # half up, as from_unit
        if self._fsteps.size:
            j, step, low = self._fsteps, self._fstep, self._low[self._fsteps]
            x[j] = np.round((x[j] - low) / step) * step + low
        values: list[Any] = np.minimum(np.maximum(x, self._low), self._high).tolist()
        for k in self._int_list:
            values[k] = round(values[k])
        return dict(zip(self.names, values, strict=True))
