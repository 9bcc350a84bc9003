"""QMCSampler: the study's points are scipy's Sobol/Halton sequence, mapped onto the space."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pytest
from scipy.stats import qmc

import parabola
from parabola.distributions import BaseDistribution, FloatDistribution
from parabola.exceptions import ExperimentalWarning
from parabola.samplers import BaseSampler, QMCSampler, RandomSampler
from parabola.storages import InMemoryStorage
from parabola.trial import FrozenTrial, Trial

pytestmark = pytest.mark.filterwarnings("ignore::parabola.exceptions.ExperimentalWarning")

N = 17


def _xy(trial: Trial) -> float:
    x = trial.suggest_float("x", 0.0, 1.0)
    y = trial.suggest_float("y", -2.0, 2.0)
    return x + y


def _run(sampler: BaseSampler, n: int = N, n_jobs: int = 1) -> parabola.Study:
    study = parabola.create_study(storage=InMemoryStorage(), sampler=sampler)
    study.optimize(_xy, n_trials=n, n_jobs=n_jobs)
    return study


def _points(study: parabola.Study) -> np.ndarray[Any, Any]:
    # Back to the unit square: x in [0, 1], y in [-2, 2].
    return np.array([[t.params["x"], (t.params["y"] + 2.0) / 4.0] for t in study.trials])


def _sobol(d: int, n: int, seed: int, scramble: bool = True) -> np.ndarray[Any, Any]:
    # scipy warns unless the first draw is a power of 2: draw more, keep the first n.
    n2 = 1 << max(n - 1, 0).bit_length()
    points: np.ndarray[Any, Any] = qmc.Sobol(d, scramble=scramble, seed=seed).random(n2)
    return points[:n]


@pytest.mark.parametrize("qmc_type", ["sobol", "halton"])
@pytest.mark.parametrize("scramble", [False, True])
def test_points_are_scipys_sequence(qmc_type: str, scramble: bool) -> None:
    study = _run(QMCSampler(qmc_type=qmc_type, scramble=scramble, seed=42))
    if qmc_type == "sobol":
        expected = _sobol(2, N - 1, seed=42, scramble=scramble)
    else:
        expected = qmc.Halton(2, scramble=scramble, seed=42).random(N - 1)
    # Trial 0 defines the search space and is sampled independently.
    np.testing.assert_allclose(_points(study)[1:], expected, rtol=0, atol=1e-12)


def test_unscrambled_sobol_starts_at_the_corner_and_halves() -> None:
    study = _run(QMCSampler(qmc_type="sobol"), n=4)
    assert [t.params["x"] for t in study.trials[1:]] == [0.0, 0.5, 0.75]


def test_low_discrepancy_compared_with_random() -> None:
    n = 33
    qmc_points = _points(_run(QMCSampler(scramble=True, seed=0), n=n))[1:]
    random_discrepancies = [
        qmc.discrepancy(_points(_run(RandomSampler(seed=s), n=n))[1:]) for s in range(3)
    ]
    assert qmc.discrepancy(qmc_points) < 0.5 * min(random_discrepancies)


def test_int_log_and_categorical_dimensions_follow_from_unit() -> None:
    space: dict[str, BaseDistribution] = {
        "n": parabola.distributions.IntDistribution(-3, 4),
        "lr": FloatDistribution(1e-5, 1e-1, log=True),
        "step": FloatDistribution(0.0, 1.0, step=0.1),
        "c": parabola.distributions.CategoricalDistribution(["a", "b", "c"]),
    }

    def objective(trial: Trial) -> float:
        trial.suggest_int("n", -3, 4)
        trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        trial.suggest_float("step", 0.0, 1.0, step=0.1)
        trial.suggest_categorical("c", ["a", "b", "c"])
        return 0.0

    study = parabola.create_study(
        storage=InMemoryStorage(), sampler=QMCSampler(scramble=True, seed=3)
    )
    study.optimize(objective, n_trials=9)
    units = _sobol(4, 8, seed=3)
    for trial, u in zip(study.trials[1:], units, strict=True):
        for (name, dist), ui in zip(space.items(), u, strict=True):
            expected = dist.to_external_repr(parabola.distributions.from_unit(dist, ui))
            assert trial.params[name] == expected, name


def test_reproducible_with_seed() -> None:
    a = _run(QMCSampler(scramble=True, seed=9))
    b = _run(QMCSampler(scramble=True, seed=9))
    c = _run(QMCSampler(scramble=True, seed=10))
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.params for t in a.trials[1:]] != [t.params for t in c.trials[1:]]


def test_first_trial_uses_the_independent_sampler() -> None:
    class Constant(RandomSampler):
        def sample_independent(
            self, study: Any, trial: FrozenTrial, name: str, dist: BaseDistribution
        ) -> Any:
            return 0.123

    study = _run(QMCSampler(independent_sampler=Constant()), n=3)
    assert study.trials[0].params["x"] == 0.123
    assert all(t.params["x"] != 0.123 for t in study.trials[1:])


def test_sample_index_is_recorded_and_continues_after_resume() -> None:
    study = _run(QMCSampler(scramble=True, seed=5), n=6)
    study.sampler = QMCSampler(scramble=True, seed=5)  # e.g. a new process
    study.optimize(_xy, n_trials=6)
    ids = [
        next((v for k, v in t.system_attrs.items() if k.startswith("qmc:")), None)
        for t in study.trials
    ]
    assert ids == [None, *range(11)]
    expected = _sobol(2, 11, seed=5)
    np.testing.assert_allclose(_points(study)[1:], expected, atol=1e-12)


def test_two_threads_draw_distinct_indices() -> None:
    study = _run(QMCSampler(scramble=True, seed=1), n=20, n_jobs=2)
    ids = sorted(v for t in study.trials for k, v in t.system_attrs.items() if k.startswith("qmc:"))
    assert ids == list(range(len(ids)))
    assert len(ids) >= 18  # at most one trial per thread starts before the space is known
    expected = _sobol(2, len(ids), seed=1)
    sampled = np.array(
        [p for t, p in zip(study.trials, _points(study), strict=True) if len(t.system_attrs)]
    )
    got = sorted(map(tuple, sampled.round(12)))
    assert got == sorted(map(tuple, expected.round(12)))


def test_parameter_outside_the_space_warns_and_falls_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    study = parabola.create_study(storage=InMemoryStorage(), sampler=QMCSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    parabola.logging.enable_propagation()
    try:
        with caplog.at_level(logging.WARNING, logger="parabola"):
            study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("z", 0, 1), 1)
    finally:
        parabola.logging.disable_propagation()
    assert any("'z' in trial#1 is sampled independently" in r.getMessage() for r in caplog.records)
    assert 0.0 <= study.trials[1].params["z"] <= 1.0


def test_fallback_warning_can_be_silenced(caplog: pytest.LogCaptureFixture) -> None:
    sampler = QMCSampler(seed=0, warn_independent_sampling=False)
    study = parabola.create_study(storage=InMemoryStorage(), sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    parabola.logging.enable_propagation()
    try:
        with caplog.at_level(logging.WARNING, logger="parabola"):
            study.optimize(lambda t: t.suggest_float("z", 0, 1), n_trials=2)
    finally:
        parabola.logging.disable_propagation()
    assert not any("sampled independently" in r.getMessage() for r in caplog.records)
    assert len(study.trials) == 3


def test_asynchronous_seeding_is_logged(capsys: pytest.CaptureFixture[str]) -> None:
    QMCSampler(scramble=True)
    assert "No seed is provided for QMCSampler" in capsys.readouterr().err
    QMCSampler(scramble=True, warn_asynchronous_seeding=False)
    QMCSampler(scramble=True, seed=0)
    assert "No seed" not in capsys.readouterr().err


def test_reseed_rng_keeps_the_sequence() -> None:
    sampler = QMCSampler(scramble=True, seed=4)
    sampler.reseed_rng()
    study = _run(sampler)
    expected = _sobol(2, N - 1, seed=4)
    np.testing.assert_allclose(_points(study)[1:], expected, atol=1e-12)


def test_bad_qmc_type_names_the_argument() -> None:
    with pytest.raises(ValueError, match=r"qmc_type=.*'sobol', 'halton'.*'lhs'"):
        QMCSampler(qmc_type="lhs")
    with pytest.raises(TypeError, match="independent_sampler"):
        QMCSampler(independent_sampler="random")  # type: ignore[arg-type]


@pytest.mark.filterwarnings("default::parabola.exceptions.ExperimentalWarning")
def test_is_experimental() -> None:
    with pytest.warns(ExperimentalWarning, match="QMCSampler is experimental"):
        QMCSampler()


def test_same_points_as_optuna() -> None:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    ours = _run(QMCSampler(scramble=True, seed=8), n=8)
    with pytest.warns(optuna.exceptions.ExperimentalWarning):
        sampler = optuna.samplers.QMCSampler(scramble=True, seed=8)
    theirs = optuna.create_study(sampler=sampler)
    theirs.optimize(_xy, n_trials=8)  # type: ignore[arg-type]
    assert [t.params for t in ours.trials[1:]] == [t.params for t in theirs.trials[1:]]
