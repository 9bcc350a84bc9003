"""Trial sets shared by the importance tests, as plain JSON-able data.

A *case* is a dict: ``directions``, ``distributions`` (key -> ``distribution_to_json``) and
``trials`` (each with ``params``, ``dists`` (param -> distribution key) and ``values``). The same
case builds a study in parabola or in Optuna (``build``), which is how the differential tests and
the recorded fixtures (``make_importance_fixtures.py``) put identical trials in both libraries.
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np

Case = dict[str, Any]


def _dist_json(kind: str, **kw: Any) -> str:
    import json

    return json.dumps({"name": kind, "attributes": kw})


SPACES: dict[str, dict[str, str]] = {
    "float": {"x": _dist_json("FloatDistribution", low=-5.0, high=5.0, log=False, step=None)},
    "float_step": {"x": _dist_json("FloatDistribution", low=0.0, high=1.0, log=False, step=0.1)},
    "float_log": {"x": _dist_json("FloatDistribution", low=1e-4, high=1.0, log=True, step=None)},
    "int": {"x": _dist_json("IntDistribution", low=0, high=9, log=False, step=1)},
    "int_step": {"x": _dist_json("IntDistribution", low=0, high=100, log=False, step=5)},
    "int_log": {"x": _dist_json("IntDistribution", low=1, high=256, log=True, step=1)},
    "cat": {"x": _dist_json("CategoricalDistribution", choices=["a", "b", "c", "d"])},
    "bool": {"x": _dist_json("CategoricalDistribution", choices=[True, False])},
}


def _draw(rng: np.random.Generator, dist: dict[str, Any]) -> Any:
    a = dist["attributes"]
    if dist["name"] == "CategoricalDistribution":
        return a["choices"][int(rng.integers(len(a["choices"])))]
    low, high, step, log = a["low"], a["high"], a.get("step"), a.get("log", False)
    if dist["name"] == "IntDistribution":
        if log:
            return int(
                min(high, max(low, round(math.exp(rng.uniform(math.log(low), math.log(high))))))
            )
        return int(low + step * rng.integers((high - low) // step + 1))
    # Short decimals keep the fixtures small and are still exact in JSON.
    if log:
        return min(
            high, max(low, float(f"{math.exp(rng.uniform(math.log(low), math.log(high))):.5g}"))
        )
    if step is not None:
        return float(round(low + step * rng.integers(round((high - low) / step) + 1), 10))
    return round(float(rng.uniform(low, high)), 4)


def _numeric(value: Any, dist: dict[str, Any]) -> float:
    """A value mapped to [0, 1] in its distribution (for building objectives)."""
    a = dist["attributes"]
    if dist["name"] == "CategoricalDistribution":
        return a["choices"].index(value) / max(1, len(a["choices"]) - 1)
    low, high = a["low"], a["high"]
    if a.get("log"):
        return (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))
    return (value - low) / (high - low)


def mixed_case(
    seed: int,
    n_trials: int,
    *,
    n_objectives: int = 1,
    conditional: bool = False,
    ties: bool = False,
) -> Case:
    """Every distribution kind at once; weights make the importances distinct.

    ``conditional`` adds a parameter present only when ``cat == "a"`` and one whose range
    changes with ``cat`` (two regimes); ``ties`` rounds objective values (quantile ties).
    """
    import json

    rng = np.random.default_rng(seed)
    distributions: dict[str, str] = {}
    names = []
    for kind, space in SPACES.items():
        distributions[kind] = space["x"]
        names.append(kind)
    if conditional:
        distributions["cond"] = _dist_json(
            "FloatDistribution", low=0.0, high=1.0, log=False, step=None
        )
        distributions["range_small"] = _dist_json(
            "FloatDistribution", low=0.0, high=1.0, log=False, step=None
        )
        distributions["range_large"] = _dist_json(
            "FloatDistribution", low=0.0, high=10.0, log=False, step=None
        )
    parsed = {k: json.loads(v) for k, v in distributions.items()}
    weights = {name: 2.0**-i for i, name in enumerate(names)}
    trials = []
    for _ in range(n_trials):
        params: dict[str, Any] = {}
        dists: dict[str, str] = {}
        for name in names:
            params[name] = _draw(rng, parsed[name])
            dists[name] = name
        loss = sum(w * (_numeric(params[n], parsed[n]) - 0.3) ** 2 for n, w in weights.items())
        if conditional:
            if params["cat"] == "a":
                params["cond"] = _draw(rng, parsed["cond"])
                dists["cond"] = "cond"
                loss += 0.3 * params["cond"]
            key = "range_small" if params["bool"] else "range_large"
            params["r"] = _draw(rng, parsed[key])
            dists["r"] = key
            loss += 0.5 * _numeric(params["r"], parsed[key])
        loss += 0.01 * float(rng.normal())
        values = [round(loss, 1 if ties else 6)]
        if n_objectives >= 2:
            second = -_numeric(params["float"], parsed["float"]) + 0.1 * float(rng.normal())
            values.append(round(second, 6))
        if n_objectives >= 3:
            third = _numeric(params["int"], parsed["int"]) ** 2 + 0.1 * float(rng.normal())
            values.append(round(third, 6))
        trials.append({"params": params, "dists": dists, "values": values})
    directions = ["minimize", "maximize", "minimize"][:n_objectives]
    return {"directions": directions, "distributions": distributions, "trials": trials}


def additive_case(seed: int, n_trials: int, n_params: int = 10) -> tuple[Case, list[float]]:
    """A float problem with known importances: ``sum_i w_i g_i(x_i)`` plus a little noise.

    Returns the case and the true share of variance of each parameter (``p0``, ``p1``, ...).
    The shapes ``g_i`` vary with the seed (quadratic, sine, step, linear); the weights fall
    geometrically so the ranking is unambiguous.
    """
    rng = np.random.default_rng(seed)
    shapes = rng.integers(0, 4, size=n_params)
    weights = 0.6 ** np.arange(n_params) * rng.uniform(0.8, 1.2, size=n_params)
    order = rng.permutation(n_params)  # the important parameter is not always p0
    x = np.round(rng.uniform(0.0, 1.0, size=(n_trials, n_params)), 4)

    def g(kind: int, u: np.ndarray) -> np.ndarray:
        return [(u - 0.3) ** 2 * 4, np.sin(6 * u), (u > 0.6).astype(float), u][kind]

    # Variance of each g under U(0, 1), by a fine grid, for the true shares.
    grid = (np.arange(100_000) + 0.5) / 100_000
    var = np.array([np.var(g(int(k), grid)) for k in shapes])
    contributions = np.column_stack(
        [weights[order[i]] * g(int(shapes[i]), x[:, i]) for i in range(n_params)]
    )
    y = contributions.sum(axis=1) + 0.01 * rng.normal(size=n_trials)
    true = weights[order] ** 2 * var
    dist = _dist_json("FloatDistribution", low=0.0, high=1.0, log=False, step=None)
    names = [f"p{i}" for i in range(n_params)]
    trials = [
        {
            "params": {n: float(v) for n, v in zip(names, row, strict=True)},
            "dists": dict.fromkeys(names, "u"),
            "values": [round(float(value), 6)],
        }
        for row, value in zip(x, y, strict=True)
    ]
    case = {"directions": ["minimize"], "distributions": {"u": dist}, "trials": trials}
    return case, (true / true.sum()).tolist()


def build(module: types.ModuleType, case: Case) -> Any:
    """The case as a study of ``module`` (parabola or optuna), on its in-memory storage."""
    study = module.create_study(
        directions=case["directions"], storage=module.storages.InMemoryStorage()
    )
    dists = {
        k: module.distributions.json_to_distribution(v) for k, v in case["distributions"].items()
    }
    study.add_trials(
        [
            module.trial.create_trial(
                params=t["params"],
                distributions={name: dists[key] for name, key in t["dists"].items()},
                values=t["values"],
            )
            for t in case["trials"]
        ]
    )
    return study


def target_of(spec: str | None) -> Any:
    """A ``target`` callable from its name in a fixture (``None``, ``values0``, ``neg_values1``)."""
    if spec is None:
        return None
    sign = -1.0 if spec.startswith("neg_") else 1.0
    index = int(spec.rsplit("values", 1)[1])
    return lambda t: sign * t.values[index]


def pack(case: Case) -> dict[str, Any]:
    """A compact JSON form of a case: one row of values per trial instead of dicts."""
    names = sorted({n for t in case["trials"] for n in t["params"]})
    keys = sorted(case["distributions"])
    rows = []
    for t in case["trials"]:
        rows.append(
            [
                [t["params"].get(n) for n in names],
                [keys.index(t["dists"][n]) if n in t["dists"] else None for n in names],
                t["values"],
            ]
        )
    return {
        "directions": case["directions"],
        "distributions": case["distributions"],
        "names": names,
        "keys": keys,
        "rows": rows,
    }


def unpack(packed: dict[str, Any]) -> Case:
    """The inverse of :func:`pack`."""
    names, keys = packed["names"], packed["keys"]
    trials = []
    for values_row, keys_row, values in packed["rows"]:
        present = [i for i, k in enumerate(keys_row) if k is not None]
        trials.append(
            {
                "params": {names[i]: values_row[i] for i in present},
                "dists": {names[i]: keys[keys_row[i]] for i in present},
                "values": values,
            }
        )
    return {
        "directions": packed["directions"],
        "distributions": packed["distributions"],
        "trials": trials,
    }


def many_choices_case(seed: int, n_trials: int, n_choices: int = 12) -> Case:
    """One categorical with many choices and one float: fANOVA's product grid gets large."""
    import json

    rng = np.random.default_rng(seed)
    choices = [f"c{i}" for i in range(n_choices)]
    effects = rng.normal(size=n_choices)
    trials = []
    for _ in range(n_trials):
        c, x = int(rng.integers(n_choices)), round(float(rng.uniform()), 4)
        trials.append(
            {
                "params": {"c": choices[c], "x": x},
                "dists": {"c": "c", "x": "x"},
                "values": [round(float(effects[c] + x), 6)],
            }
        )
    return {
        "directions": ["minimize"],
        "distributions": {
            "c": json.dumps(
                {"name": "CategoricalDistribution", "attributes": {"choices": choices}}
            ),
            "x": _dist_json("FloatDistribution", low=0.0, high=1.0, log=False, step=None),
        },
        "trials": trials,
    }
