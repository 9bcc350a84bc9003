"""AutoSampler: the sampler contract, and the policy handing over at its documented points."""

from __future__ import annotations

import datetime
import importlib
import logging
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

import parabola
from parabola.distributions import BaseDistribution
from parabola.samplers import AutoSampler, BaseSampler
from parabola.samplers import _auto as auto_module
from parabola.storages import InMemoryStorage
from parabola.testing.samplers import SamplerContract


class TestAutoSampler(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        return AutoSampler(seed=seed, max_overhead=None)


def _study(sampler: BaseSampler, directions: tuple[str, ...] = ("minimize",)) -> Any:
    return parabola.create_study(
        storage=InMemoryStorage(), sampler=sampler, directions=list(directions)
    )


def _optimize(study: Any, objective: Any, n_trials: int) -> list[str]:
    """Run ``optimize`` and return each trial's choice, read from AutoSampler's DEBUG lines."""
    handler = _Records()
    logger = logging.getLogger("parabola.samplers._auto")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        study.optimize(objective, n_trials=n_trials)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    choices: dict[int, str] = {}
    for message in handler.messages:
        match = re.fullmatch(r"AutoSampler: trial (\d+) uses (\w+) \(.*\)\.", message)
        if match:
            choices[int(match[1])] = match[2]
    assert sorted(choices) == [t.number for t in study.trials][-n_trials:]
    return [choices[n] for n in sorted(choices)]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _study_attrs(study: Any) -> dict[str, Any]:
    (summary,) = [
        s
        for s in parabola.get_all_study_summaries(study._storage)
        if s.study_name == study.study_name
    ]
    return dict(summary.system_attrs)


def _continuous(trial: Any) -> float:
    return float((trial.suggest_float("x", -3, 3) - 1) ** 2 + trial.suggest_int("n", 0, 5))


def test_continuous_space_uses_the_gp_then_hands_over(caplog: pytest.LogCaptureFixture) -> None:
    study = _study(AutoSampler(seed=0, gp_trials=14, max_overhead=None))
    with caplog.at_level(logging.INFO, logger="parabola"):
        choices = _optimize(study, _continuous, 17)
    after = "CmaEsSampler" if auto_module._cmaes_class() is not None else "TPESampler"
    assert choices == ["GPSampler"] * 14 + [after] * 3
    # One INFO line per hand-over; the first choice is DEBUG only (Optuna's INFO log stays).
    logged = [
        r.getMessage()
        for r in caplog.records
        if "AutoSampler" in r.getMessage() and r.levelno >= logging.INFO
    ]
    assert logged == [
        f"AutoSampler: trial 14 onwards uses {after} instead of GPSampler (numerical space, "
        "1 objective, 14 finished trials >= gp_trials=14)."
    ]
    attrs = _study_attrs(study)
    assert attrs["auto:sampler"] == after
    assert {k: v["sampler"] for k, v in attrs.items() if k.startswith("auto:handover:")} == {
        "auto:handover:0": "GPSampler",
        "auto:handover:14": after,
    }
    assert attrs["auto:handover:0"]["reason"].startswith("first choice: numerical space")


def test_the_choice_is_not_a_trial_attribute() -> None:
    study = _study(AutoSampler(seed=0, max_overhead=None))
    _optimize(study, _continuous, 3)
    assert all(not any(k.startswith("auto:") for k in t.system_attrs) for t in study.trials)
    columns = list(study.trials_dataframe().columns)
    assert not [c for c in columns if "auto" in c]


def test_categorical_or_conditional_spaces_use_tpe() -> None:
    study = _study(AutoSampler(seed=0, max_overhead=None))
    choices = _optimize(
        study,
        lambda t: t.suggest_float("x", 0, 1) + (t.suggest_categorical("c", ["a", "b"]) == "a"),
        5,
    )
    assert choices[1:] == ["TPESampler"] * 4
    assert _study_attrs(study)["auto:handover:1"] == {
        "sampler": "TPESampler",
        "reason": "categorical or conditional space",
    }

    def conditional(trial: Any) -> float:
        x = trial.suggest_float("x", 0, 1)
        return x + (trial.suggest_float("y", 0, 1) if trial.number % 2 else 0.0)

    study = _study(AutoSampler(seed=0, max_overhead=None))
    assert _optimize(study, conditional, 5)[2:] == ["TPESampler"] * 3


def test_a_space_that_turns_conditional_late_hands_over_to_tpe() -> None:
    # The space check reads only the trials finished since its last call: a parameter that
    # first appears at trial 12 must still be seen, and the choice must stay TPE after it.
    def late(trial: Any) -> float:
        x = trial.suggest_float("x", 0, 1)
        return x + (trial.suggest_float("y", 0, 1) if trial.number == 12 else 0.0)

    study = _study(AutoSampler(seed=0, max_overhead=None))
    choices = _optimize(study, late, 16)
    assert choices[1:13] == ["GPSampler"] * 12
    assert choices[13:] == ["TPESampler"] * 3


def test_the_space_record_is_per_study_and_restarts_for_a_reused_name() -> None:
    sampler = AutoSampler(seed=0, max_overhead=None)
    storage = InMemoryStorage()
    cat = parabola.create_study(storage=storage, sampler=sampler, study_name="s")
    _optimize(cat, lambda t: float(t.suggest_categorical("c", [1, 2])), 3)
    parabola.delete_study(study_name="s", storage=storage)
    # Same name, now a numerical space: the old study's "not static" must not carry over.
    num = parabola.create_study(storage=storage, sampler=sampler, study_name="s")
    assert _optimize(num, lambda t: t.suggest_float("x", 0, 1), 3)[1:] == ["GPSampler"] * 2


def test_never_random_for_categoricals_after_the_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from parabola.samplers._random import RandomSampler

    drawn_at_random: list[int] = []
    original = RandomSampler.sample_independent

    def spy(self: Any, study: Any, trial: Any, name: str, dist: Any) -> Any:
        drawn_at_random.append(trial.number)
        return original(self, study, trial, name, dist)

    monkeypatch.setattr(RandomSampler, "sample_independent", spy)

    def mixed(trial: Any) -> float:
        x = trial.suggest_float("x", -2, 2)
        kind = trial.suggest_categorical("kind", ["a", "b", "c"])
        return x**2 + {"a": 0.0, "b": 1.0, "c": 2.0}[kind]

    study = _study(AutoSampler(seed=0, max_overhead=None))
    _optimize(study, mixed, 14)
    # TPE's own 10 start-up trials are random (as Optuna's); nothing after them is.
    assert drawn_at_random and max(drawn_at_random) < 10

    # On a numerical space the GP's start-up and its parameters outside the joint space go to
    # TPE, not to the GP's default RandomSampler.
    drawn_at_random.clear()
    study = _study(AutoSampler(seed=0, max_overhead=None))

    def conditional(trial: Any) -> float:
        x = trial.suggest_float("x", -2, 2)
        return x**2 + (trial.suggest_float("y", 0, 1) if trial.number >= 12 else 0.0)

    _optimize(study, conditional, 14)
    assert max(drawn_at_random) < 10


def test_several_objectives() -> None:
    def two(trial: Any) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        return x, 1 - x

    study = _study(AutoSampler(seed=0, max_overhead=None), ("minimize", "minimize"))
    assert set(_optimize(study, two, 4)) == {"GPSampler"}

    study = _study(AutoSampler(seed=0, max_overhead=None), ("minimize",) * 4)
    choices = _optimize(study, lambda t: tuple(t.suggest_float("x", 0, 1) + i for i in range(4)), 3)
    many = "NSGAIISampler" if auto_module._nsga2_class() is not None else "TPESampler"
    assert choices == [many] * 3
    assert _study_attrs(study)["auto:handover:0"]["reason"] == "first choice: 4 objectives > 3"


def test_a_fast_objective_leaves_the_gp_a_slow_one_keeps_it() -> None:
    # Without the absolute allowance, a GP step costs more than a zero-cost objective.
    fast = _study(AutoSampler(seed=0, gp_step_allowance=0.0))
    choices = _optimize(fast, _continuous, 22)
    # Start-up, then nine counted GP steps (ten if the first loaded SciPy).
    assert choices[:19] == ["GPSampler"] * 19
    assert choices[-1] == "TPESampler"  # the GP steps cost more than the objective
    (handover,) = [v for k, v in _study_attrs(fast).items() if k.startswith("auto:handover:")][1:]
    assert handover["sampler"] == "TPESampler"
    assert "max_overhead=1" in handover["reason"]

    def slow(trial: Any) -> float:
        time.sleep(0.3)
        return _continuous(trial)

    # A GP step took 0.74 s once on a loaded machine, more than this 0.3 s objective (the rule
    # then rightly hands over): the margin is set so that only the rule is tested, not the
    # machine's load.
    study = _study(AutoSampler(seed=0, max_overhead=10.0))
    assert set(_optimize(study, slow, 13)) == {"GPSampler"}


def _floats(trial: Any) -> float:
    return sum((trial.suggest_float(f"x{i}", -5, 5) - 1) ** 2 for i in range(5))


def test_a_gp_step_inside_the_allowance_keeps_the_gp_on_a_zero_cost_objective() -> None:
    # The default allowance (40 ms) holds a 5-D single-objective GP step (~8 ms, median, one
    # BLAS thread; benchmarks/README.md, "Default sampler"); a loaded machine with several BLAS
    # threads can slow a step 10x, so this test sets an allowance no step reaches, and the
    # default's value is checked on its own below.
    _load_gp_modules()
    sampler = AutoSampler(seed=0, gp_step_allowance=30.0)
    study = _study(sampler)
    assert set(_optimize(study, _floats, 25)) == {"GPSampler"}
    assert len(sampler._gp_cost) == auto_module._GP_STEP_WINDOW  # the rule had steps to read


@pytest.mark.parametrize(
    ("gp_step_ms", "objective_ms", "hands_over"),
    [
        (39.0, 0.001, False),  # inside the allowance, whatever the objective
        (41.0, 0.001, True),  # over it, and over 1x an instant objective
        (41.0, 50.0, False),  # over the allowance, but below 1x the objective
        (120.0, 100.0, True),  # over both
    ],
)
def test_the_documented_hand_over_points(
    gp_step_ms: float, objective_ms: float, hands_over: bool
) -> None:
    # The rule's inputs set directly: the GP steps and objective durations it has measured.
    sampler = AutoSampler(seed=0)
    assert sampler._gp_step_allowance == 0.04 and sampler._max_overhead == 1.0
    sampler._gp_cost = [gp_step_ms / 1e3] * auto_module._GP_STEP_WINDOW
    sampler._objective_cost["s"] = [objective_ms / 1e3] * auto_module._MIN_MEASURED
    reason = sampler._gp_too_costly("s")
    assert (reason is not None) == hands_over
    if reason is not None:
        assert reason.startswith(f"a GP step ({gp_step_ms:.3g} ms) > gp_step_allowance=40 ms")
    # No rule before three measured objective durations or nine counted GP steps (a first
    # fit from scratch is not a GP step's usual cost), nor with max_overhead=None.
    sampler._objective_cost["s"] = sampler._objective_cost["s"][:2]
    assert sampler._gp_too_costly("s") is None
    sampler._objective_cost["s"] *= 2
    sampler._gp_cost = [1.0] * (auto_module._GP_STEP_WINDOW - 1)
    assert sampler._gp_too_costly("s") is None
    off = AutoSampler(seed=0, max_overhead=None)
    off._gp_cost = [1.0] * 5
    off._objective_cost["s"] = [0.0] * 5
    assert off._gp_too_costly("s") is None


def test_a_sampler_pickled_before_the_allowance_gets_the_default() -> None:
    import pickle

    state = AutoSampler(seed=0, gp_step_allowance=0.0).__getstate__()
    del state["_gp_step_allowance"]
    old = AutoSampler.__new__(AutoSampler)
    old.__setstate__(state)
    assert old._gp_step_allowance == 0.04
    assert pickle.loads(pickle.dumps(old))._gp_step_allowance == 0.04


def test_reproducible_with_a_seed_when_the_clock_rule_is_off() -> None:
    def run() -> list[dict[str, Any]]:
        study = _study(AutoSampler(seed=5, max_overhead=None, gp_trials=12))
        study.optimize(_continuous, n_trials=14)
        return [t.params for t in study.trials]

    assert run() == run()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"gp_trials": -1}, r"gp_trials=\.\.\.\): expected an int >= 0, got -1"),
        ({"gp_trials": 2.5}, r"gp_trials=\.\.\.\): expected an int >= 0, got 2\.5"),
        ({"gp_trials": True}, r"gp_trials=\.\.\.\): expected an int >= 0, got True"),
        ({"max_overhead": 0.0}, r"max_overhead=\.\.\.\): expected a float > 0 or None"),
        ({"max_overhead": "1"}, r"max_overhead=\.\.\.\): expected a float > 0 or None"),
        ({"gp_step_allowance": -0.01}, r"gp_step_allowance=\.\.\.\): expected a finite float"),
        ({"gp_step_allowance": float("nan")}, r"gp_step_allowance=\.\.\.\): .* got nan"),
        ({"gp_step_allowance": float("inf")}, r"gp_step_allowance=\.\.\.\): .* got inf"),
        ({"gp_step_allowance": "0"}, r"gp_step_allowance=\.\.\.\): .* got '0'"),
    ],
)
def test_bad_arguments_name_themselves(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AutoSampler(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": "a"}, r"AutoSampler\(seed=\.\.\.\): expected an int or None, got 'a'"),
        ({"seed": 1.5}, r"AutoSampler\(seed=\.\.\.\): expected an int or None, got 1\.5"),
        ({"constraints_func": 3}, r"AutoSampler\(constraints_func=\.\.\.\): expected a callable"),
    ],
)
def test_bad_types_are_refused_before_any_trial(kwargs: dict[str, Any], message: str) -> None:
    # The seed and constraints reach a sampler only when one is built (trial 10 for the GP):
    # without the check a wrong one failed mid-study.
    with pytest.raises(TypeError, match=message):
        AutoSampler(**kwargs)


def test_a_numpy_integer_seed_is_a_seed() -> None:
    def run(seed: Any) -> list[float]:
        study = parabola.create_study(
            storage=InMemoryStorage(), sampler=AutoSampler(seed=seed, max_overhead=None)
        )
        study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=12)
        return [t.params["x"] for t in study.trials]

    assert run(np.int64(7)) == run(7)


def test_the_default_of_create_and_load_study() -> None:
    storage = InMemoryStorage()
    study = parabola.create_study(storage=storage, study_name="default")
    assert type(study.sampler) is AutoSampler
    loaded = parabola.load_study(study_name="default", storage=storage)
    assert type(loaded.sampler) is AutoSampler
    assert loaded.sampler is not study.sampler


def test_pickles_and_runs_threads() -> None:
    import pickle

    study = _study(AutoSampler(seed=0, max_overhead=None))
    study.optimize(_continuous, n_trials=12, n_jobs=2)
    assert len(study.trials) == 12
    assert all(t.state == parabola.trial.TrialState.COMPLETE for t in study.trials)
    copy = pickle.loads(pickle.dumps(study))
    assert type(copy.sampler) is AutoSampler
    copy.optimize(_continuous, n_trials=2)
    assert len(copy.trials) == 14


def test_creating_the_default_loads_no_sub_sampler() -> None:

    code = (
        "import sys, parabola\n"
        "parabola.create_study(storage=parabola.storages.InMemoryStorage())\n"
        "loaded = [m for m in ('numpy', 'scipy', 'parabola.samplers._gp', 'parabola.samplers._tpe')"
        " if m in sys.modules]\n"
        "assert loaded == [], loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_start_up_trials_under_the_gp_load_no_scipy() -> None:

    code = (
        "import sys, parabola\n"
        "parabola.logging.set_verbosity(parabola.logging.WARNING)\n"
        "study = parabola.create_study(storage=parabola.storages.InMemoryStorage())\n"
        "study.optimize(lambda t: t.suggest_float('x', -1, 1) ** 2, n_trials=5)\n"
        "attrs = study._storage.get_study_system_attrs(study._study_id)\n"
        "assert attrs['auto:sampler'] == 'GPSampler', attrs\n"
        "assert 'scipy' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def _load_gp_modules() -> None:
    for name in auto_module.GP_LAZY_MODULES:
        importlib.import_module(name)


def test_a_gp_step_that_loads_scipy_is_not_counted_as_a_gp_steps_cost() -> None:
    code = (
        "import sys, parabola\n"
        "from parabola.samplers import AutoSampler\n"
        "parabola.logging.set_verbosity(parabola.logging.WARNING)\n"
        "sampler = AutoSampler(seed=0)\n"
        "study = parabola.create_study(sampler=sampler, "
        "storage=parabola.storages.InMemoryStorage())\n"
        "f = lambda t: t.suggest_float('x', -1, 1) ** 2\n"
        "study.optimize(f, n_trials=11)\n"  # 10 start-up trials, then the first GP step
        "assert sampler._gp_steps == 1 and sampler._gp_cost == [], sampler._gp_cost\n"
        "study.optimize(f, n_trials=1)\n"
        "assert sampler._gp_steps == 2 and len(sampler._gp_cost) == 1, sampler._gp_cost\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_with_the_gp_modules_loaded_the_first_gp_step_counts() -> None:
    _load_gp_modules()  # as a Dask worker does before its first trial
    sampler = AutoSampler(seed=0)
    study = _study(sampler)
    study.optimize(_continuous, n_trials=11)
    assert sampler._gp_steps == 1 and len(sampler._gp_cost) == 1


def test_a_zero_cost_objective_hands_over_after_nine_gp_steps() -> None:
    _load_gp_modules()
    study = _study(AutoSampler(seed=0, gp_step_allowance=0.0))
    choices = _optimize(study, _continuous, 22)
    # 10 start-up trials, nine GP steps measured, then TPE for good.
    assert choices == ["GPSampler"] * 19 + ["TPESampler"] * 3
    handover = _study_attrs(study)["auto:handover:19"]
    assert handover["sampler"] == "TPESampler"
    assert "max_overhead=1 x the objective's median duration" in handover["reason"]


def test_the_rule_measures_the_objective_not_the_stored_trial_durations() -> None:
    # Trials that took 2 s each (another process's, or ones whose wall time held GP steps and
    # waits for a core) do not make a zero-cost objective look slow.
    _load_gp_modules()
    study = _study(AutoSampler(seed=0, gp_step_allowance=0.0))
    dist = {"x": parabola.distributions.FloatDistribution(-3, 3)}
    for i in range(12):
        t = parabola.create_trial(params={"x": i / 6 - 1}, distributions=dist, value=float(i))
        assert t.datetime_complete is not None
        t.datetime_start = t.datetime_complete - datetime.timedelta(seconds=2)
        study.add_trial(t)
    choices = _optimize(study, lambda t: t.suggest_float("x", -3, 3) ** 2, 12)
    # The rule waits for three measured objective durations of this process's own trials
    # (and nine counted GP steps).
    assert choices == ["GPSampler"] * 9 + ["TPESampler"] * 3


def test_a_zero_cost_objective_hands_over_with_two_threads() -> None:
    _load_gp_modules()
    sampler = AutoSampler(seed=0, gp_step_allowance=0.0)
    study = _study(sampler)
    study.optimize(_continuous, n_trials=34, n_jobs=2)
    attrs = _study_attrs(study)
    assert attrs["auto:sampler"] == "TPESampler"
    handovers = sorted(int(k.rsplit(":", 1)[1]) for k in attrs if k.startswith("auto:handover:"))
    # One shared sampler: one hand-over, after nine GP steps or ten (threads interleave).
    assert len(handovers) == 2 and handovers[1] <= 22, handovers
    assert "objective's median duration" in attrs[f"auto:handover:{handovers[1]}"]["reason"]


def test_a_zero_cost_objective_hands_over_in_each_of_two_processes(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'auto.db'}"
    parabola.create_study(study_name="auto", storage=url)
    code = (
        "import sys, parabola\n"
        "parabola.logging.set_verbosity(parabola.logging.WARNING)\n"
        "sampler = parabola.samplers.AutoSampler(gp_step_allowance=0.0)\n"
        "study = parabola.load_study(study_name='auto', storage=sys.argv[1], sampler=sampler)\n"
        "study.optimize(lambda t: t.suggest_float('x', -1, 1) ** 2, n_trials=30)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()[-2000:]
    study = parabola.load_study(study_name="auto", storage=url)
    assert len(study.trials) == 60
    attrs = study._storage.get_study_system_attrs(study._study_id)
    to_tpe = sorted(
        int(k.rsplit(":", 1)[1])
        for k, v in attrs.items()
        if k.startswith("auto:handover:") and v["sampler"] == "TPESampler"
    )
    # Each process measures its own trials and hands over after its own nine counted GP
    # steps (the step that imports SciPy is not counted): a process's eleventh GP trial at the
    # latest, before the 60 trials end (a process that starts late joins after the other's
    # first trials, hence the margin).
    assert len(to_tpe) == 2 and to_tpe[-1] <= 50, attrs
    assert attrs["auto:sampler"] == "TPESampler"


def test_trials_asked_but_never_told_keep_no_clock_forever() -> None:
    sampler = AutoSampler(seed=0)
    study = _study(sampler)
    for _ in range(auto_module._MAX_CLOCKS + 5):
        study.ask()
    assert len(sampler._clocks) == auto_module._MAX_CLOCKS
    trial = study.ask()
    study.tell(trial, 1.0)
    assert len(sampler._clocks) == auto_module._MAX_CLOCKS - 1  # the told trial's is gone
