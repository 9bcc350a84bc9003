"""Seeding for the dashboard tests: a small store with everything the dashboard shows.

The names, tags, config keys and values, params and user attributes carry HTML/script payloads:
the tests check they come back as data in JSON and as inert text in pages and in the browser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import parabola
from parabola.storages import BaseStorage, RunKey, get_storage

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


@dataclass
class Seeded:
    url: str
    storage: BaseStorage
    study_id: int
    multi_id: int
    run_path: tuple[str, str, str]  # a run of the project, with a saved file
    trial_run_path: tuple[str, str, str]  # the run of trial 0 of the study


def seed(path: Path) -> Seeded:
    url = f"sqlite:///{path}"
    store = get_storage(url)
    parabola.logging.set_verbosity(parabola.logging.WARNING)
    study = parabola.create_study(study_name="study " + XSS, storage=store)

    def objective(trial: parabola.Trial) -> float:
        x = trial.suggest_float("x", -5, 5)
        k = trial.suggest_categorical("kind", ["a", "b"])
        for step in range(4):
            trial.report(x * x + 4 - step, step)
            if trial.number < 3:  # a sweep-style study: the first trials log curves
                trial.log({"loss": x * x + 10 / (step + 1)}, step=step)
        trial.set_user_attr("why", XSS)
        return x * x + (1 if k == "a" else 2)

    with parabola.tracking.TrackingCallback(project="sweep", per_trial=True) as callback:
        study.optimize(objective, n_trials=12, callbacks=[callback])
    linked = [r for r in store.get_runs() if r.study_name == study.study_name]
    first = min(linked, key=lambda r: r.trial_number if r.trial_number is not None else 99)
    trial_run_path = (first.entity, first.project, first.run_id)
    multi = parabola.create_study(
        study_name="multi", storage=store, directions=["minimize", "maximize"]
    )
    multi.optimize(lambda t: (t.suggest_float("a", 0, 1), t.suggest_float("b", 0, 1)), n_trials=8)

    artifact = path.parent / "notes.txt"
    artifact.write_text("hello from a run\n")
    run_path: tuple[str, str, str] | None = None
    for i in range(4):
        with parabola.init(
            project="proj",
            name=f"run{i} {XSS}",
            group=f"g{i % 2}",
            job_type="train",
            config={"lr": 0.01 * (i + 1), "layers": i + 1, XSS: XSS},
            tags=["baseline" if i < 2 else "new", XSS],
            notes=XSS,
            storage=store,
            settings={"x_disable_stats": True},
        ) as run:
            for step in range(200):
                spike = 100.0 if step == 123 else 0.0
                run.log({"loss": math.exp(-step / 40) + 0.1 * i + spike, "acc": step / 200})
            store.append_run_history(
                RunKey(run.entity, run.project, run.id),
                [{"_step": s, "cpu": 10.0 + s} for s in range(5)],
                stream="system",
            )
            if i == 0:
                run.save(str(artifact), base_path=str(path.parent), policy="now")
                run_path = (run.entity, run.project, run.id)
    assert run_path is not None
    ids = store.get_study_id_from_name
    return Seeded(
        url, store, ids(study.study_name), ids(multi.study_name), run_path, trial_run_path
    )
