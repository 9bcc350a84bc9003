"""Write ``optuna-5.0.db`` (a store written by Optuna 5.0) and ``optuna-5.0.json`` (what it holds).

The importer tests copy this file and import it, so they run in CI, where Optuna is not
installed; with Optuna installed (``make test-anchors``) they also build a fresh store with
:func:`build` on SQLite and on PostgreSQL. Regenerate with Optuna 5.0 installed:

    .venv/bin/python tests/assets/make_optuna_store.py
"""

from __future__ import annotations

import json
import math
import sys
import types
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
DB = HERE / "optuna-5.0.db"
EXPECTED = HERE / "optuna-5.0.json"


def build(url: str, n_trials: int = 12) -> None:
    """Write three studies covering what an Optuna store can hold (needs Optuna)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.RDBStorage(url)
    single = optuna.create_study(
        storage=storage,
        study_name="single",
        sampler=optuna.samplers.TPESampler(seed=1, n_startup_trials=4),
    )
    single.set_user_attr("owner", {"team": "ml", "tags": [1, 2]})
    storage.set_study_system_attr(single._study_id, "legacy", "kept")

    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", -5, 5)
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        n = trial.suggest_int("n", 1, 64, log=True)
        k = trial.suggest_int("k", 0, 10, step=2)
        q = trial.suggest_float("q", 0, 1, step=0.25)
        c = trial.suggest_categorical("c", ["baz", None, 3, 2.5, True])
        trial.set_user_attr("note", f"trial {trial.number}")
        trial.set_constraint("x_small", abs(x) - 4)
        for step in range(4):
            value = [math.nan, math.inf, -math.inf][step] if step < 3 and trial.number == 3 else x
            trial.report(value, step)
        if trial.number == 5:
            raise optuna.TrialPruned()
        if trial.number == 6:
            raise ValueError("failed on purpose")
        del lr, n, k, q, c
        return math.inf if trial.number == 7 else x**2

    single.optimize(objective, n_trials=n_trials, catch=(ValueError,))
    single.enqueue_trial({"x": 1.5}, user_attrs={"queued": True})  # a WAITING trial
    single.ask()  # a RUNNING trial (the enqueued one)
    single.ask()

    multi = optuna.create_study(
        storage=storage,
        study_name="multi",
        directions=["minimize", "maximize"],
        sampler=optuna.samplers.RandomSampler(seed=2),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        multi.set_metric_names(["loss", "acc"])
    multi.optimize(
        lambda t: (t.suggest_float("a", 0, 1), -math.inf if t.number == 1 else t.number),
        n_trials=4,
    )
    optuna.create_study(storage=storage, study_name="empty", direction="maximize")
    storage.engine.dispose()


def dump(m: types.ModuleType, storage: Any) -> list[dict[str, Any]]:
    """The studies of ``storage`` as library ``m`` shows them, in a JSON-comparable form."""
    out = []
    for summary in sorted(m.get_all_study_summaries(storage=storage), key=lambda s: s.study_name):
        study = m.load_study(study_name=summary.study_name, storage=storage)
        system = {
            k: v
            for k, v in study._storage.get_study_system_attrs(study._study_id).items()
            if k != "parabola:imported_from"
        }
        out.append(
            {
                "name": study.study_name,
                "directions": [d.name for d in study.directions],
                "user_attrs": study.user_attrs,
                "system_attrs": system,
                "metric_names": study.metric_names,
                "trials": [_trial(t) for t in study.get_trials(deepcopy=False)],
            }
        )
    return json.loads(json.dumps(out, default=str))  # type: ignore[no-any-return]


def _num(v: float) -> Any:
    return v if math.isfinite(v) else repr(v)  # JSON has no NaN/inf


def _trial(t: Any) -> dict[str, Any]:
    return {
        "number": t.number,
        "state": t.state.name,
        "values": None if t.values is None else [_num(v) for v in t.values],
        "params": t.params,
        "distributions": {k: [type(d).__name__, d._asdict()] for k, d in t.distributions.items()},
        "user_attrs": t.user_attrs,
        "system_attrs": t.system_attrs,
        "constraints": t.constraints,
        "intermediate_values": {str(k): _num(v) for k, v in t.intermediate_values.items()},
        "datetime_start": None if t.datetime_start is None else t.datetime_start.isoformat(),
        "datetime_complete": (
            None if t.datetime_complete is None else t.datetime_complete.isoformat()
        ),
    }


def main() -> None:
    import os
    import time

    import optuna

    # Optuna shows stored UTC times as local time: pin the zone so the JSON is the same
    # wherever it is regenerated (the tests pin it too).
    os.environ["TZ"] = "UTC"
    time.tzset()

    if optuna.__version__ != "5.0.0":
        sys.exit(f"needs Optuna 5.0.0 (the anchor), found {optuna.__version__}")
    DB.unlink(missing_ok=True)
    build(f"sqlite:///{DB}")
    EXPECTED.write_text(json.dumps(dump(optuna, f"sqlite:///{DB}"), indent=1) + "\n")
    print(f"wrote {DB} ({DB.stat().st_size} bytes) and {EXPECTED}")


if __name__ == "__main__":
    main()
