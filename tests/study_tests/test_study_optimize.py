"""``Study.optimize``: callbacks, stop, timeout, threads, catch, failures, progress bar."""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import pytest

import parabola as optuna
from parabola.study import MaxTrialsCallback
from parabola.trial import FrozenTrial, TrialState


def _study(**kwargs: object) -> optuna.Study:
    return optuna.create_study(storage=optuna.storages.InMemoryStorage(), **kwargs)  # type: ignore[arg-type]


def quadratic(trial: optuna.Trial) -> float:
    return trial.suggest_float("x", -10, 10) ** 2 + 1


def test_optimize_appends_across_calls() -> None:
    study = _study()
    study.optimize(quadratic, n_trials=3)
    study.optimize(quadratic, n_trials=2)
    assert [t.number for t in study.trials] == [0, 1, 2, 3, 4]
    assert study.best_value == min(t.value for t in study.trials)  # type: ignore[type-var]


def test_callbacks_see_every_finished_trial() -> None:
    seen: list[tuple[int, TrialState]] = []

    def callback(study: optuna.Study, trial: FrozenTrial) -> None:
        assert isinstance(trial, FrozenTrial)
        seen.append((trial.number, trial.state))

    def objective(trial: optuna.Trial) -> float:
        if trial.number == 1:
            raise optuna.TrialPruned()
        return quadratic(trial)

    _study().optimize(objective, n_trials=3, callbacks=[callback])
    assert seen == [(0, TrialState.COMPLETE), (1, TrialState.PRUNED), (2, TrialState.COMPLETE)]


def test_max_trials_callback_counts_across_calls() -> None:
    study = _study()
    study.optimize(quadratic, n_trials=2)
    study.optimize(quadratic, n_trials=50, callbacks=[MaxTrialsCallback(5)])
    assert len(study.trials) == 5


def test_max_trials_callback_states() -> None:
    def objective(trial: optuna.Trial) -> float:
        if trial.number % 2:
            raise optuna.TrialPruned()
        return quadratic(trial)

    study = _study()
    study.optimize(objective, n_trials=50, callbacks=[MaxTrialsCallback(3)])
    assert len(study.get_trials(states=(TrialState.COMPLETE,))) == 3
    assert len(study.trials) == 5

    study = _study()
    study.optimize(objective, n_trials=50, callbacks=[MaxTrialsCallback(3, states=None)])
    assert len(study.trials) == 3


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_max_trials_callback_rejects_bad_budget(bad: Any) -> None:
    with pytest.raises(ValueError, match="n_trials must be an int >= 0"):
        MaxTrialsCallback(bad)


def test_stop_from_objective_and_callback() -> None:
    def objective(trial: optuna.Trial) -> float:
        if trial.number == 2:
            trial.study.stop()
        return quadratic(trial)

    study = _study()
    study.optimize(objective, n_trials=10)
    assert len(study.trials) == 3

    def callback(study: optuna.Study, trial: FrozenTrial) -> None:
        if trial.value is not None and trial.number >= 1:
            study.stop()

    study.optimize(quadratic, n_trials=10, callbacks=[callback])
    assert len(study.trials) == 4
    # The stop flag does not leak into the next call.
    study.optimize(quadratic, n_trials=2)
    assert len(study.trials) == 6


def test_timeout_stops_starting_trials() -> None:
    def slow(trial: optuna.Trial) -> float:
        time.sleep(0.1)
        return quadratic(trial)

    study = _study()
    start = time.monotonic()
    study.optimize(slow, timeout=0.25)
    elapsed = time.monotonic() - start
    # Trials start at ~0, 0.1, 0.2; none starts after 0.25 s, and the running one finishes.
    assert 0.25 <= elapsed < 0.25 + 0.1 + 1.5  # generous slack: the machine is shared
    assert 1 <= len(study.trials) <= 3
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_timeout_and_n_trials_whichever_first() -> None:
    study = _study()
    study.optimize(quadratic, n_trials=3, timeout=60)
    assert len(study.trials) == 3


@pytest.mark.parametrize("n_jobs", [2, -1])
def test_threads_numbers_are_gapless(n_jobs: int) -> None:
    thread_ids: set[int] = set()
    lock = threading.Lock()

    def objective(trial: optuna.Trial) -> float:
        with lock:
            thread_ids.add(threading.get_ident())
        time.sleep(0.002)
        return quadratic(trial)

    study = _study()
    study.optimize(objective, n_trials=20, n_jobs=n_jobs)
    trials = study.trials
    assert sorted(t.number for t in trials) == list(range(20))
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert threading.get_ident() not in thread_ids  # ran on worker threads
    assert 1 <= len(thread_ids) <= max(2, len(thread_ids))


def test_threads_with_timeout() -> None:
    def slow(trial: optuna.Trial) -> float:
        time.sleep(0.02)
        return quadratic(trial)

    study = _study()
    study.optimize(slow, timeout=0.2, n_jobs=2)
    assert len(study.trials) >= 2
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_catch_keeps_going() -> None:
    def objective(trial: optuna.Trial) -> float:
        x = quadratic(trial)
        if trial.number % 2 == 0:
            raise ValueError("bad x")
        return x

    study = _study()
    study.optimize(objective, n_trials=4, catch=(ValueError,))
    assert [t.state for t in study.trials] == [TrialState.FAIL, TrialState.COMPLETE] * 2
    # A single class is accepted too.
    study.optimize(objective, n_trials=2, catch=ValueError)
    assert len(study.trials) == 6


def test_uncaught_exception_marks_fail_then_propagates() -> None:
    def objective(trial: optuna.Trial) -> float:
        quadratic(trial)
        raise ZeroDivisionError("boom")

    study = _study()
    with pytest.raises(ZeroDivisionError, match="boom"):
        study.optimize(objective, n_trials=5, catch=(ValueError,))
    assert len(study.trials) == 1
    assert study.trials[0].state == TrialState.FAIL
    assert "x" in study.trials[0].params


def test_uncaught_exception_in_threads_propagates() -> None:
    def objective(trial: optuna.Trial) -> float:
        if trial.number == 3:
            raise KeyError("k")
        return quadratic(trial)

    study = _study()
    with pytest.raises(KeyError):
        study.optimize(objective, n_trials=20, n_jobs=2)
    states = {t.number: t.state for t in study.trials}
    assert states[3] == TrialState.FAIL
    assert len(study.trials) < 20
    assert all(t.state.is_finished() for t in study.trials)


@pytest.mark.parametrize(
    ("returned", "reason"),
    [
        (math.nan, "The value nan is not acceptable"),
        ((1.0, 2.0), "The number of the values 2 did not match the number of the objectives 1"),
        (None, "The objective function returned None"),
        ("abc", "could not be cast to float"),
    ],
)
def test_bad_return_value_is_fail_with_a_logged_warning(
    returned: Any, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _study()
    study.optimize(lambda t: returned, n_trials=2)
    assert [t.state for t in study.trials] == [TrialState.FAIL, TrialState.FAIL]
    err = capsys.readouterr().err
    assert "[W " in err
    assert "Trial 0 failed with parameters: {} because of the following error: " in err
    assert reason in err
    with pytest.raises(ValueError, match="No trials are completed yet"):
        _ = study.best_trial


def test_gc_after_trial_and_progress_bar_off(capsys: pytest.CaptureFixture[str]) -> None:
    study = _study()
    study.optimize(quadratic, n_trials=2, gc_after_trial=True)
    assert len(study.trials) == 2
    assert "it/s" not in capsys.readouterr().err


def test_progress_bar_is_a_real_tqdm_bar(capsys: pytest.CaptureFixture[str]) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        _study().optimize(quadratic, n_trials=5, show_progress_bar=True)
    finally:
        optuna.logging.set_verbosity(optuna.logging.INFO)
    err = capsys.readouterr().err
    assert "5/5" in err
    assert "100%" in err
    assert "Best trial: " in err
    assert "Best value: " in err


def test_progress_bar_by_time(capsys: pytest.CaptureFixture[str]) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        _study().optimize(quadratic, timeout=0.2, show_progress_bar=True)
    finally:
        optuna.logging.set_verbosity(optuna.logging.INFO)
    err = capsys.readouterr().err
    assert "%|" in err
    assert "Best trial: " in err


def test_nested_optimize_is_refused() -> None:
    study = _study()

    def objective(trial: optuna.Trial) -> float:
        study.optimize(quadratic, n_trials=1)
        return 0.0

    with pytest.raises(RuntimeError, match=r"Nested invocation of `Study\.optimize`"):
        study.optimize(objective, n_trials=1)
    # The flag is cleared afterwards.
    study.optimize(quadratic, n_trials=1)
    assert study.trials[-1].state == TrialState.COMPLETE


def test_two_threads_may_optimize_one_study() -> None:
    # Optuna's ThreadPoolExecutor pattern: each thread calls optimize on the same study.
    from concurrent.futures import ThreadPoolExecutor

    study = _study()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for f in [pool.submit(study.optimize, quadratic, n_trials=5) for _ in range(2)]:
            f.result()
    assert len(study.trials) == 10
    assert sorted(t.number for t in study.trials) == list(range(10))


def test_stop_outside_optimize_raises() -> None:
    study = _study()
    with pytest.raises(RuntimeError, match="supposed to be invoked inside an objective"):
        study.stop()

    # Inside the objective it works, in the parallel workers too.
    def objective(trial: optuna.Trial) -> float:
        if trial.number in (1, 3):
            trial.study.stop()
        return 1.0

    study.optimize(objective, n_trials=20)
    assert len(study.trials) == 2
    study.optimize(objective, n_trials=20, n_jobs=2)
    assert len(study.trials) < 22


def test_grid_exhausted_through_ask_and_tell_is_not_an_error() -> None:
    # Optuna raises RuntimeError from GridSampler's study.stop() here; parabola does not
    # (docs/optuna-differences.md).
    study = optuna.create_study(
        storage=optuna.storages.InMemoryStorage(),
        sampler=optuna.samplers.GridSampler({"x": [0, 1]}),
    )
    for _ in range(2):
        trial = study.ask()
        trial.suggest_categorical("x", [0, 1])
        study.tell(trial, 1.0)
    assert len(study.trials) == 2


def test_parallel_jobs_reseed_the_sampler() -> None:
    class Counting(optuna.samplers.RandomSampler):
        reseeds = 0

        def reseed_rng(self) -> None:
            Counting.reseeds += 1
            super().reseed_rng()

    study = optuna.create_study(storage=optuna.storages.InMemoryStorage(), sampler=Counting(0))
    study.optimize(quadratic, n_trials=3)
    assert Counting.reseeds == 0
    study.optimize(quadratic, n_trials=4, n_jobs=2)
    assert Counting.reseeds == 4


def test_enqueued_trials_are_each_used_once_with_threads() -> None:
    study = _study()
    for i in range(8):
        study.enqueue_trial({"x": float(i)})
    study.optimize(quadratic, n_trials=12, n_jobs=2)
    xs = sorted(t.params["x"] for t in study.trials)
    assert [x for x in xs if x in {float(i) for i in range(8)}] == [float(i) for i in range(8)]
    assert len(study.trials) == 12
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_keyboard_interrupt_marks_fail_and_stops() -> None:
    def objective(trial: optuna.Trial) -> float:
        quadratic(trial)
        if trial.number == 1:
            raise KeyboardInterrupt
        return 0.0

    study = _study()
    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=5, catch=(Exception,))
    assert [t.state for t in study.trials] == [TrialState.COMPLETE, TrialState.FAIL]


def test_callback_errors_propagate() -> None:
    def callback(study: optuna.Study, trial: FrozenTrial) -> None:
        raise RuntimeError("callback broke")

    study = _study()
    with pytest.raises(RuntimeError, match="callback broke"):
        study.optimize(quadratic, n_trials=3, callbacks=[callback])
    assert [t.state for t in study.trials] == [TrialState.COMPLETE]


def test_n_trials_zero_runs_nothing() -> None:
    study = _study()
    study.optimize(quadratic, n_trials=0)
    assert study.trials == []
