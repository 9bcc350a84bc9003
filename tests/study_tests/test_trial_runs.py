"""``parabola.init()`` inside an objective is the trial's own run (the one ``trial.log`` writes)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import parabola
from parabola.storages import BaseStorage, InMemoryStorage


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BaseStorage | str:
    if request.param == "memory":
        return InMemoryStorage()
    return f"sqlite:///{tmp_path / 'runs.db'}"


def test_init_without_arguments_attaches_to_the_trial(store: BaseStorage | str) -> None:
    def objective(trial: parabola.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        run = parabola.init(config={"lr": 0.1})
        assert parabola.run is run
        assert run.trial_number == trial.number
        for step in range(3):
            run.log({"loss": x / (step + 1)}, step=step)
        trial.log({"from_trial": step}, step=step)  # the same run
        parabola.log({"via_module": 1.0})
        return x**2

    study = parabola.create_study(study_name="linked", storage=store)
    study.optimize(objective, n_trials=3)
    assert parabola.run is None  # the trial's run was current only inside the objective
    runs = parabola.Api(storage=study._storage).runs(
        "linked", {"group": "linked"}, order="+trial_number"
    )
    assert [r.trial_number for r in runs] == [0, 1, 2]
    for run, trial in zip(runs, study.trials, strict=True):
        assert run.state == "finished" and run.job_type == "trial"
        assert run.summary["value"] == trial.value and run.summary["state"] == "COMPLETE"
        assert run.config == {"x": trial.params["x"], "lr": 0.1}
        rows = list(run.scan_history())
        assert [r["loss"] for r in rows[:3]] == [trial.params["x"] / (s + 1) for s in range(3)]
        assert rows[2]["from_trial"] == 2
        assert any(r.get("via_module") == 1.0 for r in rows)


def test_threads_each_get_their_own_trials_run(store: BaseStorage | str) -> None:
    barrier = threading.Barrier(2, timeout=30)
    seen: dict[int, int | None] = {}

    def objective(trial: parabola.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        run = parabola.init()
        if trial.number < 2:
            barrier.wait()  # both trials inside their objective at once
        seen[trial.number] = run.trial_number
        run.log({"x": x})
        return x

    study = parabola.create_study(study_name="threads", storage=store)
    study.optimize(objective, n_trials=4, n_jobs=2)
    assert seen == {n: n for n in range(4)}
    runs = parabola.Api(storage=study._storage).runs("threads", {"group": "threads"})
    assert sorted(r.trial_number for r in runs) == [0, 1, 2, 3]


def test_init_naming_a_run_or_place_is_not_the_trials(store: BaseStorage | str) -> None:
    url = store if isinstance(store, str) else None

    def objective(trial: parabola.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        storage = url if url is not None else trial.study._storage
        with parabola.init(project="own", storage=storage) as run:
            assert run.trial_number is None
            run.log({"x": x})
        return x

    study = parabola.create_study(study_name="unlinked", storage=store)
    study.optimize(objective, n_trials=2)
    api = parabola.Api(storage=study._storage)
    assert len(api.runs("own")) == 2
    assert [r.trial_number for r in api.runs("own")] == [None, None]
    assert len(api.runs("unlinked", {"group": "unlinked"})) == 0


def test_a_run_the_objective_finishes_itself_stays_linked(store: BaseStorage | str) -> None:
    def objective(trial: parabola.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        with parabola.init() as run:
            run.log({"x": x})
        return x

    study = parabola.create_study(study_name="early", storage=store)
    study.optimize(objective, n_trials=2)
    runs = parabola.Api(storage=study._storage).runs(
        "early", {"group": "early"}, order="+trial_number"
    )
    assert [(r.trial_number, r.state) for r in runs] == [(0, "finished"), (1, "finished")]
    first_rows = [next(iter(r.scan_history())) for r in runs]
    assert [row["x"] for row in first_rows] == [t.params["x"] for t in study.trials]


def test_a_current_run_from_before_optimize_stays_current(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    outer = parabola.init(project="outer", storage=url)
    try:

        def objective(trial: parabola.Trial) -> float:
            assert parabola.init() is not outer  # the trial's, not the script's run
            return trial.suggest_float("x", -1, 1)

        study = parabola.create_study(study_name="outer-study", storage=url)
        study.optimize(objective, n_trials=2)
        assert parabola.run is outer
        assert parabola.init() is outer  # outside a trial: W&B's return-the-live-run rule
    finally:
        outer.finish()


def test_the_trial_scope_ends_with_the_objective_even_when_it_raises() -> None:
    from parabola.tracking._trial_scope import active_scope

    seen = []

    def objective(trial: parabola.Trial) -> float:
        seen.append(active_scope())
        run = parabola.init()
        assert parabola.run is run
        if trial.number == 0:
            raise RuntimeError("boom")
        return 1.0

    study = parabola.create_study(storage=InMemoryStorage())
    study.optimize(objective, n_trials=2, catch=(RuntimeError,))
    assert len(seen) == 2 and seen[0] is not None and seen[0] is not seen[1]
    assert active_scope() is None  # reset after the failed trial and after the next
    assert parabola.run is None  # the failed trial's run was current only inside it
    assert [t.state.name for t in study.trials] == ["FAIL", "COMPLETE"]
