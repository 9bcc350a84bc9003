"""``define_metric``: how a logged key is summarised and which key is its x-axis.

A definition applies to one name or to a glob (``"val/*"``). The summary of a key is its last
value unless a definition asks for ``min``, ``max``, ``mean``, ``first``, ``best`` (with
``goal``) or ``none``; with any of those, ``summary[key]`` becomes a dict such as
``{"min": 0.1, "max": 0.9}`` (as in W&B), and ``none`` keeps the key out of the summary.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from typing import Any

from parabola.tracking._values import is_number

__all__ = ["SUMMARY_CHOICES", "MetricDefinition", "MetricRegistry"]

SUMMARY_CHOICES = ("min", "max", "mean", "first", "last", "best", "none", "copy")
_GOALS = ("minimize", "maximize")


@dataclasses.dataclass
class MetricDefinition:
    """One ``define_metric`` call, merged with earlier calls for the same name."""

    name: str
    step_metric: str | None = None
    step_sync: bool = True
    hidden: bool = False
    summary: tuple[str, ...] = ()
    goal: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def parse_summary(summary: str | None, goal: str | None) -> tuple[str, ...]:
    """Validate ``summary`` ("min", "min,max", ...) and return its parts."""
    if summary is None:
        return ()
    if not isinstance(summary, str):
        raise TypeError(
            f"define_metric(summary=...): expected a str such as 'min' or 'min,max', "
            f"got {summary!r}."
        )
    parts = tuple(p.strip().lower() for p in summary.split(",") if p.strip())
    for part in parts:
        if part not in SUMMARY_CHOICES:
            raise ValueError(
                f"define_metric(summary=...): unknown aggregation {part!r}; allowed: "
                f"{', '.join(SUMMARY_CHOICES[:-1])} (comma-separated for several)."
            )
    if "best" in parts and goal not in _GOALS:
        raise ValueError("define_metric(summary='best') needs goal='minimize' or goal='maximize'.")
    return tuple("last" if p == "copy" else p for p in parts)


class MetricRegistry:
    """The run's metric definitions with a per-key cache of the one that applies."""

    def __init__(self) -> None:
        self.definitions: dict[str, MetricDefinition] = {}
        self._resolved: dict[str, MetricDefinition | None] = {}
        self.has_aggregations = False
        self.has_step_metrics = False

    def define(
        self,
        name: str,
        step_metric: str | None = None,
        step_sync: bool | None = None,
        hidden: bool | None = None,
        summary: str | None = None,
        goal: str | None = None,
        overwrite: bool | None = None,
    ) -> MetricDefinition:
        if not isinstance(name, str) or not name:
            raise TypeError(f"define_metric(name=...): expected a non-empty str, got {name!r}.")
        if name.startswith("_") and name not in ("_step", "_runtime", "_timestamp"):
            raise ValueError(
                f"define_metric(name=...): names starting with '_' are reserved: {name!r}."
            )
        if goal is not None and goal not in _GOALS:
            raise ValueError(f"define_metric(goal=...): expected one of {_GOALS}, got {goal!r}.")
        if step_metric is not None and not isinstance(step_metric, str):
            raise TypeError(f"define_metric(step_metric=...): expected a str, got {step_metric!r}.")
        parts = parse_summary(summary, goal)
        old = self.definitions.get(name)
        new = MetricDefinition(name=name) if old is None or overwrite else dataclasses.replace(old)
        if step_metric is not None:
            new.step_metric = step_metric
        if step_sync is not None:
            new.step_sync = bool(step_sync)
        if hidden is not None:
            new.hidden = bool(hidden)
        if parts:
            merged = new.summary + tuple(p for p in parts if p not in new.summary)
            new.summary = ("none",) if "none" in parts else tuple(p for p in merged if p != "none")
        if goal is not None:
            new.goal = goal
        self.definitions[name] = new
        self._resolved.clear()
        self.has_aggregations = any(d.summary for d in self.definitions.values())
        self.has_step_metrics = any(d.step_metric for d in self.definitions.values())
        return new

    def lookup(self, key: str) -> MetricDefinition | None:
        """The definition for ``key``: an exact name first, else the longest matching glob.

        Globs never match the reserved keys (``_step``, ``_runtime``, ``_timestamp``...):
        ``define_metric("*", summary="max")`` must not turn ``summary["_step"]``, the resume
        point, into a dict. Those keys only follow a definition made for their exact name.
        """
        try:
            return self._resolved[key]
        except KeyError:
            pass
        found = self.definitions.get(key)
        if found is None and not key.startswith("_"):
            globs = [n for n in self.definitions if _is_glob(n) and fnmatch.fnmatchcase(key, n)]
            if globs:
                found = self.definitions[max(globs, key=len)]
        self._resolved[key] = found
        return found

    def to_json(self) -> list[dict[str, Any]]:
        return [d.to_json() for d in self.definitions.values()]


class Aggregator:
    """Running aggregates for keys whose summary is not just the last value."""

    def __init__(self) -> None:
        self._state: dict[str, dict[str, Any]] = {}

    def update(self, key: str, value: Any, definition: MetricDefinition, prior: Any = None) -> Any:
        """Fold ``value`` in; return the summary value (a scalar or a dict), or ``DROP``.

        ``prior`` is the key's current summary: a resumed run continues its min/max/first/best.
        """
        parts = definition.summary
        if parts == ("none",):
            return DROP
        if parts == ("last",):
            return value
        state = self._state.get(key)
        if state is None:
            state = self._state[key] = {}
            if isinstance(prior, dict):
                state.update({k: prior[k] for k in ("min", "max", "first", "best") if k in prior})
        out: dict[str, Any] = {}
        numeric = is_number(value)
        for part in parts:
            if part == "last":
                state["last"] = value
            elif part == "first":
                state.setdefault("first", value)
            elif numeric and part == "min":
                state["min"] = value if "min" not in state else min(state["min"], value)
            elif numeric and part == "max":
                state["max"] = value if "max" not in state else max(state["max"], value)
            elif numeric and part == "best":
                pick = min if definition.goal == "minimize" else max
                state["best"] = value if "best" not in state else pick(state["best"], value)
            elif numeric and part == "mean":
                state["_sum"] = state.get("_sum", 0.0) + value
                state["_n"] = state.get("_n", 0) + 1
                state["mean"] = state["_sum"] / state["_n"]
        for part in parts:
            if part in state:
                out[part] = state[part]
        return out


class _Drop:
    __slots__ = ()


DROP: Any = _Drop()


def _is_glob(name: str) -> bool:
    return any(c in name for c in "*?[")
