"""Shared studies for the visualization tests: the same trials as Optuna and as parabola objects.

A scenario is a list of plain trial specs (number, state, values, params with their
distributions, intermediate values, constraints, times), deterministic from a seed. ``to_optuna``
and ``to_parabola`` turn it into each library's study, so a figure can be compared trace by
trace without the two samplers' random streams getting in the way.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import numpy as np

import parabola
from parabola.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

T0 = datetime.datetime(2026, 1, 1, 12, 0, 0)


def _spec(
    number: int,
    state: str,
    values: list[float] | None,
    params: dict[str, tuple[Any, tuple[Any, ...]]],
    steps: dict[int, float] | None = None,
    constraints: list[float] | None = None,
) -> dict[str, Any]:
    start = T0 + datetime.timedelta(seconds=10 * number)
    end = None if state == "RUNNING" else start + datetime.timedelta(seconds=3 + number % 5)
    return {
        "number": number,
        "state": state,
        "values": values,
        "params": params,
        "steps": steps or {},
        "constraints": constraints,
        "start": start,
        "end": end,
    }


def single(n: int = 40, seed: int = 0, with_constraints: bool = False) -> dict[str, Any]:
    """A single-objective study: float, log float, int, categorical and a conditional param,
    with pruned, failed and running trials and learning curves."""
    rng = np.random.default_rng(seed)
    trials = []
    for i in range(n):
        x = float(rng.uniform(-5, 5))
        lr = float(10 ** rng.uniform(-4, 0))
        k = int(rng.integers(1, 11))
        kind = ["a", "b", "c"][int(rng.integers(0, 3))]
        params: dict[str, Any] = {
            "x": (x, ("float", -5.0, 5.0, False)),
            "lr": (lr, ("float", 1e-4, 1.0, True)),
            "n": (k, ("int", 1, 10, False)),
            "kind": (kind, ("cat", "a", "b", "c")),
        }
        if kind == "a":
            params["depth"] = (int(rng.integers(1, 6)), ("int", 1, 5, False))
        value = x**2 + math.log10(lr) ** 2 / 4 + k / 10 + (1.0 if kind == "b" else 0.0)
        steps = {s: value + 3.0 / (s + 1) for s in range(0, 5)}
        state = "COMPLETE"
        if i % 11 == 5:
            state, steps = "PRUNED", {s: steps[s] for s in range(3)}
        elif i % 13 == 7:
            state = "FAIL"
        cons = [float(x - 3.0)] if with_constraints else None
        vals = [value] if state == "COMPLETE" else None
        trials.append(_spec(i, state, vals, params, steps if state != "FAIL" else {}, cons))
    trials.append(_spec(n, "RUNNING", None, {"x": (0.5, ("float", -5.0, 5.0, False))}))
    return {"directions": ["minimize"], "trials": trials}


def multi(
    n: int = 40, seed: int = 1, n_obj: int = 2, with_constraints: bool = False
) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    trials = []
    for i in range(n):
        a, b = float(rng.uniform(0, 1)), float(rng.uniform(0, 1))
        params = {"a": (a, ("float", 0.0, 1.0, False)), "b": (b, ("float", 0.0, 1.0, False))}
        vals = [a, (1 - a) ** 2 + b, b * a + 0.5][:n_obj]
        cons = [float(b - 0.8)] if with_constraints else None
        state = "FAIL" if i % 9 == 4 else "COMPLETE"
        trials.append(_spec(i, state, vals if state == "COMPLETE" else None, params, None, cons))
    directions = ["minimize", "maximize", "minimize"][:n_obj]
    return {"directions": directions, "trials": trials}


def empty() -> dict[str, Any]:
    return {"directions": ["minimize"], "trials": []}


def _dist(mod: Any, spec: tuple[Any, ...]) -> Any:
    if spec[0] == "float":
        return mod.distributions.FloatDistribution(spec[1], spec[2], log=spec[3])
    if spec[0] == "int":
        return mod.distributions.IntDistribution(spec[1], spec[2], log=spec[3])
    return mod.distributions.CategoricalDistribution(list(spec[1:]))


def _frozen(mod: Any, s: dict[str, Any], trial_id: int) -> Any:
    state = getattr(mod.trial.TrialState, s["state"])
    system_attrs = {} if s["constraints"] is None else {"constraints": list(s["constraints"])}
    return mod.trial.FrozenTrial(
        number=s["number"],
        state=state,
        value=None,
        values=s["values"],
        datetime_start=s["start"],
        datetime_complete=s["end"],
        params={k: v for k, (v, _) in s["params"].items()},
        distributions={k: _dist(mod, d) for k, (_, d) in s["params"].items()},
        user_attrs={},
        system_attrs=system_attrs,
        intermediate_values=dict(s["steps"]),
        trial_id=trial_id,
    )


def to_optuna(scenario: dict[str, Any], name: str = "study") -> Any:
    import optuna

    study = optuna.create_study(
        study_name=name,
        directions=scenario["directions"],
        storage=optuna.storages.InMemoryStorage(),
    )
    for i, s in enumerate(scenario["trials"]):
        study.add_trial(_frozen(optuna, s, i))
    return study


def to_parabola(
    scenario: dict[str, Any], name: str = "study"
) -> parabola.visualization.StudySnapshot:
    trials = [_frozen(parabola, s, i) for i, s in enumerate(scenario["trials"])]
    return parabola.visualization.StudySnapshot(
        trials, directions=scenario["directions"], study_name=name
    )


def to_parabola_study(scenario: dict[str, Any], name: str = "study") -> parabola.Study:
    study = parabola.create_study(
        study_name=name,
        directions=scenario["directions"],
        storage=parabola.storages.InMemoryStorage(),
    )
    for i, s in enumerate(scenario["trials"]):
        study.add_trial(_frozen(parabola, s, i))
    return study


__all__ = [
    "CategoricalDistribution",
    "FloatDistribution",
    "IntDistribution",
    "empty",
    "multi",
    "single",
    "to_optuna",
    "to_parabola",
    "to_parabola_study",
]
