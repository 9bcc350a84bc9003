"""Per-study cache of finished trials as growable numpy columns.

Finished trials never change, so each is decoded once (params to internal floats, values,
pruning score, constraint violation) and appended to column buffers that double in capacity.
A TPE step then slices arrays instead of re-walking ``FrozenTrial`` objects in Python, which is
what keeps the per-trial cost flat as the study grows. Memory is a few floats per trial and
parameter.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import numpy as np

from parabola.distributions import BaseDistribution, CategoricalDistribution
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["TrialHistory", "column_key"]

_Array = np.ndarray[Any, np.dtype[np.float64]]

COMPLETE = 0
PRUNED = 1


def column_key(name: str, dist: BaseDistribution) -> tuple[str, Hashable]:
    """Column of a parameter: numbers share one column, categoricals one per choice list."""
    if isinstance(dist, CategoricalDistribution):
        return (name, tuple(map(repr, dist.choices)))
    return (name, "num")


class _Column:
    """A float buffer that grows by doubling; unset cells are NaN."""

    def __init__(self, capacity: int) -> None:
        self.data = np.full(max(capacity, 16), np.nan)

    def ensure(self, capacity: int) -> None:
        if capacity > len(self.data):
            new = np.full(max(capacity, 2 * len(self.data)), np.nan)
            new[: len(self.data)] = self.data
            self.data = new


class TrialHistory:
    """Decoded COMPLETE and PRUNED trials of one study, in the order they were first seen.

    Args:
        n_objectives: Number of objective values per trial.
    """

    def __init__(self, n_objectives: int) -> None:
        self.n_objectives = n_objectives
        self.n = 0
        self.in_order = True  # rows sorted by trial number (no out-of-order finishes yet)
        self.n_pruned = 0  # rows of PRUNED trials
        self.n_infeasible = 0  # rows with a violated constraint
        self.seen: set[int] = set()
        self._cap = 64
        self._number = np.zeros(self._cap, dtype=np.int64)
        self._state = np.zeros(self._cap, dtype=np.int8)
        self._values = np.full((self._cap, n_objectives), np.nan)
        self._pruned_step = np.zeros(self._cap)
        self._pruned_value = np.zeros(self._cap)
        self._violation = np.zeros(self._cap)
        self._columns: dict[tuple[str, Hashable], _Column] = {}

    def update(self, trials: list[FrozenTrial]) -> None:
        """Decode the finished trials of ``trials`` not seen before (others are skipped)."""
        seen = self.seen
        for t in trials:
            if t.number in seen or t.state not in (TrialState.COMPLETE, TrialState.PRUNED):
                continue
            seen.add(t.number)
            self._append(t)

    def _grow(self) -> None:
        cap = 2 * self._cap
        self._number = np.resize(self._number, cap)
        self._state = np.resize(self._state, cap)
        values = np.full((cap, self.n_objectives), np.nan)
        values[: self._cap] = self._values
        self._values = values
        self._pruned_step = np.resize(self._pruned_step, cap)
        self._pruned_value = np.resize(self._pruned_value, cap)
        self._violation = np.resize(self._violation, cap)
        for col in self._columns.values():
            col.ensure(cap)
        self._cap = cap

    def _append(self, t: FrozenTrial) -> None:
        if self.n == self._cap:
            self._grow()
        i = self.n
        if i and t.number < self._number[i - 1]:
            self.in_order = False
        self._number[i] = t.number
        self._state[i] = COMPLETE if t.state == TrialState.COMPLETE else PRUNED
        if t.state == TrialState.COMPLETE and t.values is not None:
            self._values[i] = t.values
        step, value = 1.0, 0.0
        if t.intermediate_values:
            last = max(t.intermediate_values)
            v = t.intermediate_values[last]
            step, value = -float(last), (math.inf if math.isnan(v) else float(v))
        self._pruned_step[i] = step
        self._pruned_value[i] = value
        violation = sum(v for v in t.constraints.values() if v > 0)
        self._violation[i] = violation
        self.n_pruned += int(t.state != TrialState.COMPLETE)
        self.n_infeasible += int(violation > 0)
        for name, dist in t.distributions.items():
            key = column_key(name, dist)
            col = self._columns.get(key)
            if col is None:
                col = self._columns[key] = _Column(self._cap)
            col.data[i] = dist.to_internal_repr(t.params[name])
        self.n += 1

    @property
    def numbers(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        return self._number[: self.n]

    @property
    def states(self) -> np.ndarray[Any, np.dtype[np.int8]]:
        return self._state[: self.n]

    @property
    def values(self) -> _Array:
        return self._values[: self.n]

    @property
    def pruned_score(self) -> tuple[_Array, _Array]:
        return self._pruned_step[: self.n], self._pruned_value[: self.n]

    @property
    def violation(self) -> _Array:
        return self._violation[: self.n]

    def block(self, keys: list[tuple[str, Hashable]], start: int, stop: int) -> _Array:
        """Rows ``start:stop`` of the columns ``keys`` (see :func:`column_key`), NaN if absent."""
        out = np.full((stop - start, len(keys)), np.nan)
        for j, key in enumerate(keys):
            col = self._columns.get(key)
            if col is not None:
                out[:, j] = col.data[start:stop]
        return out

    def column(self, name: str, dist: BaseDistribution) -> _Array:
        """Internal values of ``name`` (NaN where a trial lacks it), one per cached trial."""
        col = self._columns.get(column_key(name, dist))
        if col is None:
            return np.full(self.n, np.nan)
        return col.data[: self.n]
