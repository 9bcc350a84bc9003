"""TPESampler: options, reproducibility, parallel constant liar, multi-objective, constraints,
conditional spaces and optimisation quality."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import pytest

import parabola
from parabola.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from parabola.exceptions import ExperimentalWarning
from parabola.samplers import RandomSampler, TPESampler
from parabola.samplers._tpe._sampler import (
    RELATIVE_PARAMS_KEY,
    default_gamma,
    default_weights,
    hyperopt_default_gamma,
)
from parabola.storages import InMemoryStorage
from parabola.trial import TrialState


def _study(sampler: Any, **kwargs: Any) -> Any:
    return parabola.create_study(storage=InMemoryStorage(), sampler=sampler, **kwargs)


def _quadratic(trial: Any) -> float:
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_float("y", -10, 10)
    return float((x - 2) ** 2 + (y + 1) ** 2)


def test_the_default_sampler_uses_tpe_on_categorical_spaces() -> None:
    # The default is AutoSampler now (its policy: tests/samplers_tests/test_auto.py); TPE is what
    # it picks for a categorical space, from the second trial on.
    study = _study(None, study_name="default")
    study.optimize(lambda t: float(t.suggest_categorical("c", ["a", "b"]) == "a"), n_trials=3)
    (summary,) = parabola.get_all_study_summaries(study._storage)
    assert summary.system_attrs["auto:sampler"] == "TPESampler"


def test_default_gamma_and_weights() -> None:
    assert [default_gamma(n) for n in (0, 1, 10, 11, 250, 1000)] == [0, 1, 1, 2, 25, 25]
    assert hyperopt_default_gamma(100) == 3
    assert len(default_weights(0)) == 0
    assert np.all(default_weights(10) == 1)
    w = default_weights(100)
    assert len(w) == 100 and w[0] == pytest.approx(0.01) and np.all(w[-25:] == 1)
    assert np.all(np.diff(w) >= 0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_startup_trials": -1}, ValueError, "n_startup_trials"),
        ({"n_ei_candidates": 0}, ValueError, "n_ei_candidates"),
        ({"multivariate": "yes"}, TypeError, "multivariate"),
        ({"group": True, "multivariate": False}, ValueError, "group"),
    ],
)
def test_validation_names_the_argument(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        TPESampler(**kwargs)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("consider_prior", True),
        ("prior_weight", 2.0),
        ("consider_magic_clip", False),
        ("consider_endpoints", True),
        ("gamma", default_gamma),
        ("weights", default_weights),
        ("warn_independent_sampling", False),
    ],
)
def test_deprecated_knobs_warn_and_work(name: str, value: Any) -> None:
    with pytest.warns(FutureWarning, match=name):
        sampler = TPESampler(n_startup_trials=3, seed=0, **{name: value})
    study = _study(sampler)
    study.optimize(_quadratic, n_trials=8)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_prior_weight_validation() -> None:
    with pytest.warns(FutureWarning), pytest.raises(ValueError, match="prior_weight"):
        TPESampler(prior_weight=-1.0)


def test_group_is_experimental() -> None:
    with pytest.warns(ExperimentalWarning, match="group"):
        TPESampler(group=True)


def test_gamma_and_weights_are_called() -> None:
    seen: list[int] = []

    def gamma(n: int) -> int:
        seen.append(n)
        return 2

    with pytest.warns(FutureWarning):
        sampler = TPESampler(n_startup_trials=4, gamma=gamma, seed=0)
    _study(sampler).optimize(_quadratic, n_trials=8)
    assert seen == [4, 5, 6, 7]

    with pytest.warns(FutureWarning):
        bad = TPESampler(n_startup_trials=2, weights=lambda n: -np.ones(n), seed=0)
    study = _study(bad)
    study.optimize(_quadratic, n_trials=2)
    with pytest.raises(ValueError, match="weights"):
        study.optimize(_quadratic, n_trials=1)


def test_startup_trials_match_random_sampler() -> None:
    tpe = _study(TPESampler(seed=3))
    tpe.optimize(_quadratic, n_trials=12)
    rnd = _study(RandomSampler(seed=3))
    rnd.optimize(_quadratic, n_trials=10)
    assert [t.params for t in tpe.trials[:10]] == [t.params for t in rnd.trials]
    assert tpe.trials[10].params != rnd.trials[0].params


def test_reproducible_with_seed() -> None:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 1e-3, 10, log=True)
        n = trial.suggest_int("n", 1, 64, log=True)
        s = trial.suggest_int("s", 0, 30, step=5)
        c = trial.suggest_categorical("c", ["a", "b", None])
        return float(np.log(x) ** 2 + abs(n - 8) + s / 10 + (c == "b"))

    runs = []
    for _ in range(2):
        study = _study(TPESampler(seed=11, n_startup_trials=5))
        study.optimize(objective, n_trials=25)
        runs.append([t.params for t in study.trials])
    assert runs[0] == runs[1]
    other = _study(TPESampler(seed=12, n_startup_trials=5))
    other.optimize(objective, n_trials=25)
    assert [t.params for t in other.trials] != runs[0]


@pytest.mark.parametrize("multivariate", [True, False])
def test_beats_random_on_a_quadratic(multivariate: bool) -> None:
    tpe_best, rnd_best = [], []
    for seed in range(3):
        study = _study(TPESampler(seed=seed, multivariate=multivariate))
        study.optimize(_quadratic, n_trials=100)
        tpe_best.append(study.best_value)
        study = _study(RandomSampler(seed=seed))
        study.optimize(_quadratic, n_trials=100)
        rnd_best.append(study.best_value)
    # Random search's best of 100 on this 2-D bowl is ~0.5-3; TPE gets well below 0.3.
    assert float(np.median(tpe_best)) < 0.3
    assert float(np.median(tpe_best)) < 0.3 * float(np.median(rnd_best))


def test_multivariate_defaults() -> None:
    sampler = TPESampler(seed=0, n_startup_trials=3)
    study = _study(sampler)
    study.optimize(_quadratic, n_trials=5)
    trial = study.ask()
    frozen = study._storage.get_trial(trial._trial_id)
    assert set(sampler.infer_relative_search_space(study, frozen)) == {"x", "y"}

    mo_sampler = TPESampler(seed=0, n_startup_trials=3)
    mo = _study(mo_sampler, directions=["minimize", "minimize"])
    mo.optimize(lambda t: (_quadratic(t), t.params["x"]), n_trials=5)
    frozen = mo._storage.get_trial(mo.ask()._trial_id)
    assert mo_sampler.infer_relative_search_space(mo, frozen) == {}


def test_categorical_int_and_step_spaces_converge() -> None:
    def objective(trial: Any) -> float:
        c = trial.suggest_categorical("c", ["bad", "good", "worse"])
        n = trial.suggest_int("n", 0, 40, step=4)
        m = trial.suggest_int("m", 1, 1000, log=True)
        return float(
            {"good": 0.0, "bad": 5.0, "worse": 10.0}[c] + abs(n - 12) + abs(np.log(m / 30))
        )

    study = _study(TPESampler(seed=0))
    study.optimize(objective, n_trials=60)
    last = study.trials[-20:]
    assert sum(t.params["c"] == "good" for t in last) >= 12
    assert study.best_params["c"] == "good"
    assert study.best_params["n"] in (8, 12, 16)
    assert all(t.params["n"] % 4 == 0 for t in study.trials)


def test_dynamic_space_falls_back_to_independent_tpe() -> None:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", -5, 5)
        if trial.number % 2:
            return float(x**2 + trial.suggest_float("extra", 0, 1))
        return float(x**2)

    sampler = TPESampler(seed=0, n_startup_trials=4)
    study = _study(sampler)
    study.optimize(objective, n_trials=20)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    frozen = study._storage.get_trial(study.ask()._trial_id)
    assert set(sampler.infer_relative_search_space(study, frozen)) == {"x"}


def test_warn_independent_sampling(caplog: pytest.LogCaptureFixture) -> None:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", -5, 5)
        if trial.number % 2:
            x += trial.suggest_float("extra", 0, 1)
        return float(x**2)

    with pytest.warns(FutureWarning):
        sampler = TPESampler(seed=0, n_startup_trials=2, warn_independent_sampling=True)
    study = _study(sampler)
    study.optimize(objective, n_trials=2)
    parabola.logging.enable_propagation()
    try:
        with caplog.at_level(logging.WARNING, logger="parabola"):
            study.optimize(objective, n_trials=2)
    finally:
        parabola.logging.disable_propagation()
    assert any("sampled independently" in r.getMessage() for r in caplog.records)


def _conditional(trial: Any) -> float:
    kind = trial.suggest_categorical("kind", ["linear", "tree"])
    if kind == "linear":
        c = trial.suggest_float("c", 1e-3, 1e3, log=True)
        return float(abs(np.log10(c) - 1.0))
    depth = trial.suggest_int("depth", 1, 12)
    leaf = trial.suggest_float("leaf", 0.0, 1.0)
    return float(abs(depth - 7) / 4 + leaf)


def test_group_models_conditional_branches_jointly() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        grouped = TPESampler(seed=0, group=True, n_startup_trials=5)
    study = _study(grouped)
    study.optimize(_conditional, n_trials=40)
    frozen = study._storage.get_trial(study.ask()._trial_id)
    assert set(grouped.infer_relative_search_space(study, frozen)) == {
        "kind",
        "c",
        "depth",
        "leaf",
    }
    assert study.best_value < 0.5

    flat = TPESampler(seed=0, n_startup_trials=5)
    study = _study(flat)
    study.optimize(_conditional, n_trials=10)
    frozen = study._storage.get_trial(study.ask()._trial_id)
    assert set(flat.infer_relative_search_space(study, frozen)) == {"kind"}


def test_two_workers_with_constant_liar() -> None:
    sampler = TPESampler(seed=0, n_startup_trials=5)
    study = _study(sampler)
    study.optimize(_quadratic, n_trials=40, n_jobs=2)
    assert len(study.trials) == 40
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    assert study.best_value < 5.0


@pytest.mark.parametrize("constant_liar", [True, False])
def test_running_trials_are_lies(constant_liar: bool) -> None:
    sampler = TPESampler(seed=0, n_startup_trials=5, constant_liar=constant_liar)
    study = _study(sampler)
    study.optimize(_quadratic, n_trials=6)
    first = study.ask()
    first.suggest_float("x", -10, 10)
    second = study.ask()
    second.suggest_float("x", -10, 10)
    second.suggest_float("y", -10, 10)
    snapshot = sampler._states[study.study_name].snapshot
    assert snapshot is not None and snapshot.trial_number == second.number
    assert len(snapshot.running) == (1 if constant_liar else 0)
    published = study._storage.get_trial(second._trial_id).system_attrs
    assert (RELATIVE_PARAMS_KEY in published) is constant_liar
    # A sequential study keeps the sampler's bookkeeping out of its trials.
    assert RELATIVE_PARAMS_KEY not in study._storage.get_trial(first._trial_id).system_attrs


def test_multi_objective_improves_on_random() -> None:
    def objective(trial: Any) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        y = trial.suggest_float("y", 0, 1)
        return float(x**2 + y), float((x - 1) ** 2 + y)

    from parabola.samplers._tpe._split import hypervolume

    def hv(sampler: Any) -> float:
        study = _study(sampler, directions=["minimize", "minimize"])
        study.optimize(objective, n_trials=50)
        pts = np.asarray([t.values for t in study.best_trials])
        return hypervolume(pts, np.array([1.5, 2.0]))

    tpe = np.median([hv(TPESampler(seed=s)) for s in range(3)])
    rnd = np.median([hv(RandomSampler(seed=s)) for s in range(3)])
    assert tpe > rnd


def test_set_constraint_steers_to_the_feasible_region() -> None:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 0, 1)
        trial.set_constraint("x_at_least_half", 0.5 - x)
        return float(x)

    study = _study(TPESampler(seed=0))
    study.optimize(objective, n_trials=50)
    best = study.best_trial
    assert best.constraints["x_at_least_half"] <= 0
    assert 0.5 <= best.value < 0.6
    feasible_late = sum(t.params["x"] >= 0.5 for t in study.trials[-20:])
    assert feasible_late >= 8


def test_constraints_func_is_deprecated_and_recorded() -> None:
    with pytest.warns(FutureWarning, match="constraints_func"):
        sampler = TPESampler(seed=0, constraints_func=lambda t: [t.params["x"] - 1.0])
    study = _study(sampler)
    study.optimize(_quadratic, n_trials=12)
    for t in study.trials:
        assert t.constraints == {"0": pytest.approx(t.params["x"] - 1.0)}
    assert study.best_trial.params["x"] <= 1.0


def test_pruned_trials_feed_the_model() -> None:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", -5, 5)
        trial.report(x**2, 0)
        if x > 0:
            raise parabola.TrialPruned()
        return float(x**2)

    study = _study(TPESampler(seed=0, n_startup_trials=5), pruner=parabola.pruners.NopPruner())
    study.optimize(objective, n_trials=40)
    assert any(t.state == TrialState.PRUNED for t in study.trials)
    assert study.best_value < 0.5


def test_single_value_distributions_are_skipped() -> None:
    def objective(trial: Any) -> float:
        trial.suggest_float("fixed", 1.0, 1.0)
        trial.suggest_categorical("one", ["only"])
        return float(trial.suggest_float("x", -1, 1) ** 2)

    sampler = TPESampler(seed=0, n_startup_trials=3)
    study = _study(sampler)
    study.optimize(objective, n_trials=8)
    frozen = study._storage.get_trial(study.ask()._trial_id)
    assert set(sampler.infer_relative_search_space(study, frozen)) == {"x"}


def test_history_columns_are_keyed_by_kind_and_choices() -> None:
    from parabola.samplers._tpe._history import TrialHistory
    from parabola.trial import create_trial

    ab = CategoricalDistribution(["a", "b"])
    xyz = CategoricalDistribution(["x", "y", "z"])
    trials = [
        create_trial(
            value=1.0,
            params={"c": "b", "n": 3},
            distributions={"c": ab, "n": IntDistribution(0, 5)},
        ),
        create_trial(
            value=2.0,
            params={"c": "z", "n": 2.5},
            distributions={"c": xyz, "n": FloatDistribution(0, 5)},
        ),
    ]
    for number, t in enumerate(trials):
        t.number = number
    hist = TrialHistory(1)
    hist.update(trials)
    hist.update(trials)  # already decoded: no duplicates
    np.testing.assert_array_equal(hist.column("c", ab), [1.0, np.nan])
    np.testing.assert_array_equal(hist.column("c", xyz), [np.nan, 2.0])
    np.testing.assert_array_equal(hist.column("n", FloatDistribution(0, 9)), [3.0, 2.5])
    np.testing.assert_array_equal(hist.column("missing", ab), [np.nan, np.nan])


def test_two_studies_share_one_sampler() -> None:
    sampler = TPESampler(seed=0, n_startup_trials=3)
    a = _study(sampler)
    b = _study(sampler)
    a.optimize(_quadratic, n_trials=6)
    b.optimize(lambda t: float(t.suggest_int("k", 0, 9)), n_trials=6)
    a.optimize(_quadratic, n_trials=2)
    assert set(sampler._states) == {a.study_name, b.study_name}
    assert set(a.trials[-1].params) == {"x", "y"}


def test_distributions_round_trip_through_the_estimator() -> None:
    from parabola.samplers._tpe._parzen import SpaceLayout

    space = {
        "f": FloatDistribution(-2, 3),
        "fl": FloatDistribution(1e-4, 1, log=True),
        "fs": FloatDistribution(0, 1, step=0.1),
        "i": IntDistribution(-3, 9, step=3),
        "il": IntDistribution(1, 100, log=True),
        "c": CategoricalDistribution(["a", "b"]),
    }
    layout = SpaceLayout(space)
    rng = np.random.RandomState(0)
    unit = rng.uniform(size=(50, len(layout.num)))
    internal = layout.num_from_unit(unit)
    for k, j in enumerate(layout.num):
        dist = space[layout.names[j]]
        for v in internal[:, k]:
            assert dist._contains(float(v)), (layout.names[j], v)
    back = layout.num_from_unit(layout.num_to_unit(internal))
    np.testing.assert_allclose(back, internal, rtol=1e-12)


def test_sampler_pickles_and_keeps_its_seeded_stream() -> None:
    import pickle

    sampler = TPESampler(seed=5, n_startup_trials=3)
    study = _study(sampler)
    study.optimize(_quadratic, n_trials=6)
    clone = pickle.loads(pickle.dumps(sampler))
    assert clone._states == {}
    a = _study(TPESampler(seed=9, n_startup_trials=3))
    b = _study(pickle.loads(pickle.dumps(TPESampler(seed=9, n_startup_trials=3))))
    a.optimize(_quadratic, n_trials=8)
    b.optimize(_quadratic, n_trials=8)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
