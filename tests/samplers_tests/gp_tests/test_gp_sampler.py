"""GPSampler: the sampler contract, its Optuna 5.0 arguments, and what it does with a study."""

from __future__ import annotations

import itertools
import logging
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest

import parabola
from parabola.distributions import BaseDistribution
from parabola.exceptions import ExperimentalWarning
from parabola.samplers import BaseSampler, GPSampler, RandomSampler
from parabola.samplers._gp import _sampler as gp_sampler_module
from parabola.samplers._view import StudyView
from parabola.storages import InMemoryStorage
from parabola.testing.samplers import SamplerContract
from parabola.trial import FrozenTrial, TrialState


class TestGPSampler(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        # Few start-up trials so that the contract's short studies exercise the GP itself.
        return GPSampler(seed=seed, n_startup_trials=4)


class TestGPSamplerOnSQLite(TestGPSampler):
    def create_storage(self) -> Any:
        return "sqlite:///contract.db"


def _study(sampler: BaseSampler, directions: Sequence[str] = ("minimize",)) -> Any:
    return parabola.create_study(
        storage=InMemoryStorage(), sampler=sampler, directions=list(directions)
    )


def _quadratic(trial: Any) -> float:
    x = trial.suggest_float("x", -5.0, 5.0)
    y = trial.suggest_float("y", -5.0, 5.0)
    return (x - 1.3) ** 2 + 2.0 * (y + 0.7) ** 2


# Behaviour ---------------------------------------------------------------------------------
def test_finds_the_minimum_of_a_smooth_function_far_better_than_random() -> None:
    gp, rnd = [], []
    for seed in range(3):
        study = _study(GPSampler(seed=seed))
        study.optimize(_quadratic, n_trials=25)
        gp.append(study.best_value)
        study = _study(RandomSampler(seed=seed))
        study.optimize(_quadratic, n_trials=25)
        rnd.append(study.best_value)
    assert max(gp) < 1e-2 < min(rnd)


def test_maximize_int_log_and_categorical() -> None:
    def objective(trial: Any) -> float:
        n = trial.suggest_int("n", 1, 64, log=True)
        s = trial.suggest_float("s", 0.0, 1.0, step=0.1)
        c = trial.suggest_categorical("c", ["bad", "good", "worse"])
        return -abs(np.log2(n) - 3.0) - abs(s - 0.6) + {"bad": 0.0, "good": 1.0, "worse": -1.0}[c]

    study = _study(GPSampler(seed=1), directions=("maximize",))
    study.optimize(objective, n_trials=30)
    best = study.best_params
    assert best["n"] == 8 and best["c"] == "good" and abs(best["s"] - 0.6) < 0.25
    assert all(isinstance(t.params["n"], int) for t in study.trials)


def test_seed_makes_runs_reproducible_and_seeds_differ() -> None:
    def run(seed: int) -> list[dict[str, Any]]:
        study = _study(GPSampler(seed=seed, n_startup_trials=3))
        study.optimize(_quadratic, n_trials=8)
        return [t.params for t in study.trials]

    assert run(3) == run(3)
    assert run(3)[3:] != run(4)[3:]
    assert run(np.int64(3)) == run(3)  # type: ignore[arg-type]  # numpy integers are seeds


class _Recording(RandomSampler):
    def __init__(self) -> None:
        super().__init__(seed=0)
        self.calls: list[tuple[int, str]] = []

    def sample_independent(
        self, study: StudyView, trial: FrozenTrial, param_name: str, dist: BaseDistribution
    ) -> Any:
        self.calls.append((trial.number, param_name))
        return super().sample_independent(study, trial, param_name, dist)


def test_startup_trials_and_conditional_params_go_to_the_independent_sampler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inner = _Recording()
    study = _study(GPSampler(seed=0, n_startup_trials=5, independent_sampler=inner))

    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number % 2:
            return x + trial.suggest_float("extra", 0.0, 1.0)
        return x

    with caplog.at_level(logging.WARNING):
        study.optimize(objective, n_trials=9)
    assert {n for n, name in inner.calls if name == "x"} == set(range(5))
    assert {n for n, name in inner.calls if name == "extra"} == {1, 3, 5, 7}
    # Only fallbacks after the start-up phase are worth a warning.
    warned = [r.getMessage() for r in caplog.records if "sampled independently" in r.getMessage()]
    assert len(warned) == 2 and all("'extra'" in w for w in warned)


def test_warn_independent_sampling_false_is_quiet(caplog: pytest.LogCaptureFixture) -> None:
    study = _study(GPSampler(seed=0, n_startup_trials=1, warn_independent_sampling=False))
    with caplog.at_level(logging.WARNING):
        study.optimize(lambda t: t.suggest_float(f"p{t.number}", 0, 1), n_trials=3)
    assert not [r for r in caplog.records if "independently" in r.getMessage()]


def test_running_trials_are_fantasised_and_published() -> None:
    study = _study(GPSampler(seed=0, n_startup_trials=5))
    study.optimize(_quadratic, n_trials=5)
    running = [study.ask() for _ in range(4)]
    points = [(t.suggest_float("x", -5.0, 5.0), t.suggest_float("y", -5.0, 5.0)) for t in running]
    # Without fantasies, four asks of an unchanged model would repeat one point.
    assert len(set(points)) == 4
    attrs = [study.trials[t.number].system_attrs for t in running]
    assert all(gp_sampler_module.RELATIVE_PARAMS_KEY in a for a in attrs[1:])
    for t in running:
        study.tell(t, _quadratic(t))
    study.optimize(_quadratic, n_trials=1)
    assert "gp:relative_params" not in study.trials[-1].system_attrs  # nothing else was running


def test_deterministic_objective_pins_the_noise() -> None:
    with pytest.warns(ExperimentalWarning, match="deterministic_objective"):
        sampler = GPSampler(seed=0, deterministic_objective=True, n_startup_trials=4)
    study = _study(sampler)
    study.optimize(_quadratic, n_trials=6)
    (model,) = sampler._states[study.study_name].models.values()
    assert model.hyper is not None and model.hyper.noise == gp_sampler_module._MINIMUM_NOISE


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of rows of every hyperparameter fit from here on (``fit_hyper``, counted)."""
    sizes: list[int] = []
    from parabola.samplers._gp import _regressor

    real = _regressor.fit_hyper

    def counting(x: Any, *args: Any, **kwargs: Any) -> Any:
        sizes.append(len(x))
        return real(x, *args, **kwargs)

    # _sampler imports the model code at the first model-based trial, from _regressor.
    monkeypatch.setattr(_regressor, "fit_hyper", counting)
    return sizes


def test_hyperparameters_are_refitted_lazily(fits: list[int]) -> None:
    study = _study(GPSampler(seed=0, n_startup_trials=10))
    study.optimize(_quadratic, n_trials=60)
    # A refit once the data grew by a tenth (every trial at first), row extensions in between.
    # Every other refit fits both target candidates (plain and warped) to choose between them.
    sizes = sorted(set(fits))
    assert sizes[:4] == [10, 11, 13, 15]
    assert all(b - a == max(1, int(np.ceil(0.1 * a))) for a, b in itertools.pairwise(sizes))
    assert sizes[-1] > 50 and len(sizes) < 25
    assert [fits.count(n) for n in sizes[:4]] == [2, 1, 2, 1]


def test_refits_wait_for_a_fifth_more_data_past_the_late_rows(fits: list[int]) -> None:
    sampler = GPSampler(seed=0, n_startup_trials=10)
    assert (sampler._late_refit_growth, sampler._late_refit_rows) == (0.2, 100)
    sampler._late_refit_rows = 20  # the schedule's switch, moved into a short study
    _study(sampler).optimize(_quadratic, n_trials=60)
    sizes = sorted(set(fits))
    gaps = {a: b - a for a, b in itertools.pairwise(sizes)}
    assert [a for a in gaps if a < 20] == [10, 11, 13, 15, 17, 19]  # a tenth, as before
    late = {a: g for a, g in gaps.items() if a >= 20}
    assert late == {a: int(np.ceil(0.2 * a)) for a in late} and len(late) >= 3


def test_a_sampler_pickled_before_the_late_schedule_gets_it() -> None:
    state = GPSampler(seed=0).__getstate__()
    del state["_late_refit_growth"], state["_late_refit_rows"]
    restored = GPSampler.__new__(GPSampler)
    restored.__setstate__(state)
    assert (restored._late_refit_growth, restored._late_refit_rows) == (0.2, 100)


def test_a_sampler_pickled_before_the_own_fit_uses_it() -> None:
    # Pickled when SciPy's L-BFGS-B did the fits: restored, it fits with parabola's L-BFGS
    # (a fresh sampler's default) and still samples.
    state = GPSampler(seed=0, n_startup_trials=3).__getstate__()
    del state["_scipy_fit"]
    restored = GPSampler.__new__(GPSampler)
    restored.__setstate__(state)
    assert restored._scipy_fit is False
    study = _study(restored)
    study.optimize(_quadratic, n_trials=5)
    assert len(study.trials) == 5


def test_the_sweep_shrinks_past_64_trials_in_powers_of_two() -> None:
    size = gp_sampler_module._sweep_size
    assert [size(512, n) for n in (10, 64, 65, 100, 128, 200, 256, 400, 2000)] == [
        512,
        512,
        256,
        256,
        256,
        128,
        128,
        64,
        64,
    ]
    assert size(512, 300, full_rows=256) == 256  # the former threshold, as a benchmark knob


# Constraints -----------------------------------------------------------------------------
def _constrained(trial: Any) -> float:
    x = trial.suggest_float("x", -2.0, 2.0)
    y = trial.suggest_float("y", -2.0, 2.0)
    trial.set_constraint("c", 1.0 - x - y)  # feasible when x + y >= 1
    return x * x + y * y


def test_constraints_steer_towards_the_feasible_optimum() -> None:
    study = _study(GPSampler(seed=0))
    study.optimize(_constrained, n_trials=30)
    assert study.best_value == pytest.approx(0.5, abs=0.05)
    late = study.trials[15:]
    assert sum(t.constraints["c"] <= 1e-2 for t in late) >= 0.7 * len(late)


def test_constraints_func_is_deprecated_but_works() -> None:
    def constraints(trial: FrozenTrial) -> Sequence[float]:
        return [1.0 - trial.params["x"] - trial.params["y"]]

    with pytest.warns(FutureWarning, match="constraints_func"):
        sampler = GPSampler(seed=0, constraints_func=constraints)
    study = _study(sampler)

    def objective(trial: Any) -> float:
        return float(trial.suggest_float("x", -2, 2) ** 2 + trial.suggest_float("y", -2, 2) ** 2)

    study.optimize(objective, n_trials=20)
    assert all(set(t.constraints) == {"0"} for t in study.trials)
    feasible = [t.value for t in study.trials if t.constraints["0"] <= 0]
    assert feasible and min(feasible) < 0.7


def test_all_infeasible_start_still_samples() -> None:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        trial.set_constraint("c", 0.95 - x)  # only x >= 0.95 is feasible
        return x

    study = _study(GPSampler(seed=0, n_startup_trials=3))
    study.optimize(objective, n_trials=12)
    assert any(t.constraints["c"] <= 0 for t in study.trials[3:])


def test_different_numbers_of_constraints_are_refused() -> None:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        trial.set_constraint("a", x - 0.5)
        if trial.number % 2:
            trial.set_constraint("b", -x)
        return x

    study = _study(GPSampler(seed=0, n_startup_trials=2))
    with pytest.raises(ValueError, match="same number of constraints"):
        study.optimize(objective, n_trials=4)


# Several objectives ------------------------------------------------------------------------
@pytest.mark.parametrize("n_obj", [2, 3])
def test_multi_objective_spreads_over_the_front(n_obj: int) -> None:
    def objective(trial: Any) -> tuple[float, ...]:
        x = np.array([trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(3)])
        centres = np.eye(3)[:n_obj]
        return tuple(float(np.sum((x - c) ** 2)) for c in centres)

    from parabola._hypervolume import hypervolume

    def hv(sampler: BaseSampler) -> float:
        study = _study(sampler, directions=["minimize"] * n_obj)
        study.optimize(objective, n_trials=20 if n_obj == 2 else 16)
        loss = np.array([t.values for t in study.trials])
        return hypervolume(loss, np.full(n_obj, 3.0))

    gp = np.mean([hv(GPSampler(seed=s, n_startup_trials=6)) for s in range(2)])
    rnd = np.mean([hv(RandomSampler(seed=s)) for s in range(2)])
    assert gp > rnd


def test_more_than_three_objectives_are_refused() -> None:
    study = _study(GPSampler(seed=0, n_startup_trials=1), directions=["minimize"] * 4)
    with pytest.raises(ValueError, match="4 directions"):
        study.optimize(
            lambda t: tuple(t.suggest_float("x", 0, 1) + i for i in range(4)), n_trials=3
        )


# Arguments -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"seed": 1.5}, TypeError, "seed"),
        ({"n_startup_trials": -1}, ValueError, "n_startup_trials"),
        ({"n_startup_trials": 2.0}, TypeError, "n_startup_trials"),
        ({"independent_sampler": "random"}, TypeError, "independent_sampler"),
        ({"deterministic_objective": "yes"}, TypeError, "deterministic_objective"),
        ({"warn_independent_sampling": None}, TypeError, "warn_independent_sampling"),
        ({"constraints_func": 3}, TypeError, "constraints_func"),
    ],
)
def test_bad_arguments_name_themselves(kwargs: dict[str, Any], error: type, name: str) -> None:
    with pytest.raises(error, match=name):
        GPSampler(**kwargs)


def test_failed_and_pruned_trials_are_not_modelled() -> None:
    study = _study(GPSampler(seed=0, n_startup_trials=3))

    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number % 3 == 1:
            raise parabola.TrialPruned()
        if trial.number % 3 == 2:
            raise RuntimeError("boom")
        return x

    study.optimize(objective, n_trials=12, catch=(RuntimeError,))
    states = {t.state for t in study.trials}
    assert states == {TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL}


def test_pickles_without_its_caches() -> None:
    import pickle

    sampler = GPSampler(seed=0, n_startup_trials=2)
    study = _study(sampler)
    study.optimize(_quadratic, n_trials=4)
    clone = pickle.loads(pickle.dumps(sampler))
    assert clone._states == {}
    study2 = _study(clone)
    study2.optimize(_quadratic, n_trials=4)


def test_runs_without_torch() -> None:
    # A fresh interpreter: other tests may have imported Optuna (and torch) into this one.
    code = textwrap.dedent(
        """
        import sys
        import parabola
        s = parabola.samplers.GPSampler(seed=0, n_startup_trials=3)
        st = parabola.create_study(sampler=s, storage=parabola.storages.InMemoryStorage(),
                                   directions=["minimize", "maximize"])
        def f(t):
            x = t.suggest_float("x", 0, 1)
            t.set_constraint("c", x - 0.8)
            return x, t.suggest_categorical("c1", ["a", "b"]) == "a"
        st.optimize(f, n_trials=8)
        st2 = parabola.create_study(sampler=parabola.samplers.GPSampler(n_startup_trials=2),
                                    storage=parabola.storages.InMemoryStorage())
        st2.optimize(lambda t: t.suggest_int("n", 0, 9) ** 2, n_trials=5)
        assert "torch" not in sys.modules, "torch was imported"
        # Nor scipy.stats (about 0.3 s of CPU to import): the sweep's Sobol points are ours.
        assert "scipy.stats" not in sys.modules, "scipy.stats was imported"
        # Nor scipy.optimize (another 0.3 s): the fits and searches use parabola's L-BFGS.
        assert "scipy.optimize" not in sys.modules, "scipy.optimize was imported"
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
