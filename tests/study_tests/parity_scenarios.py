"""Scenarios run on Optuna 5.0 and on parabola; each returns what a script would observe.

``scripts/record_optuna_expectations.py`` runs every scenario on the real Optuna and writes the
results to ``optuna_expectations.json``; ``test_optuna_recorded.py`` compares parabola with
that file in CI (where Optuna is not installed), and ``test_optuna_parity.py`` compares the two
libraries live under ``make test-anchors``. A scenario takes the library module (``optuna`` or
``parabola``) and returns plain JSON data: no random values, only what must be equal.
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
import types
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

SCENARIOS: dict[str, Callable[[types.ModuleType], Any]] = {}


def scenario(func: Callable[[types.ModuleType], Any]) -> Callable[[types.ModuleType], Any]:
    SCENARIOS[func.__name__] = func
    return func


def _quiet(m: types.ModuleType) -> None:
    m.logging.set_verbosity(m.logging.ERROR)


def _study(m: types.ModuleType, **kwargs: Any) -> Any:
    _quiet(m)
    return m.create_study(storage=m.storages.InMemoryStorage(), **kwargs)


def _error(call: Callable[[], Any]) -> list[str]:
    try:
        call()
    except Exception as e:
        return [type(e).__name__, str(e)]
    return ["no error", ""]


def _caught(call: Callable[[], Any]) -> list[list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [[w.category.__name__, str(w.message)] for w in caught]


# Custom samplers -------------------------------------------------------------------------
def _recording_sampler(m: types.ModuleType, log: list[Any]) -> Any:
    dists = m.distributions

    class Recording(m.samplers.BaseSampler):  # type: ignore[name-defined,misc]
        def infer_relative_search_space(self, study: Any, trial: Any) -> dict[str, Any]:
            log.append(["infer", trial.number])
            if trial.number == 0:
                return {}
            return {
                "c": dists.CategoricalDistribution(["foo", "baz", None]),
                "n": dists.IntDistribution(0, 10),
                "x": dists.FloatDistribution(0, 1),
            }

        def sample_relative(self, study: Any, trial: Any, search_space: Any) -> dict[str, Any]:
            log.append(["relative", trial.number, sorted(search_space)])
            # What a sampler sees of earlier trials: external values with their types.
            for t in study.get_trials(deepcopy=False, states=(m.trial.TrialState.COMPLETE,)):
                log.append(
                    ["sees", t.number, {k: [v, type(v).__name__] for k, v in t.params.items()}]
                )
            if not search_space:
                return {}
            return {"c": "baz", "n": 4, "x": 0.25}

        def sample_independent(self, study: Any, trial: Any, name: str, dist: Any) -> Any:
            log.append(["independent", trial.number, name])
            if isinstance(dist, dists.CategoricalDistribution):
                return dist.choices[-1]
            return dist.low

        def before_trial(self, study: Any, trial: Any) -> None:
            log.append(["before", trial.number])

        def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
            log.append(["after", trial.number, state.name, values])

    return Recording()


@scenario
def custom_sampler_gets_and_returns_external_values(m: types.ModuleType) -> Any:
    log: list[Any] = []
    study = _study(m, sampler=_recording_sampler(m, log))

    def objective(trial: Any) -> float:
        c = trial.suggest_categorical("c", ["foo", "baz", None])
        n = trial.suggest_int("n", 0, 10)
        x = trial.suggest_float("x", 0, 1)
        trial.suggest_float("fixed", 1, 1)  # single-valued: no sampler call
        trial.set_user_attr("got", [c, n, x, type(n).__name__])
        return x + n

    study.optimize(objective, n_trials=3)
    study.optimize(lambda t: 1.0, n_trials=1)  # suggests nothing: no relative call
    return log, [t.user_attrs for t in study.trials], [t.params for t in study.trials]


@scenario
def relative_param_outside_the_relative_space_is_refused(m: types.ModuleType) -> Any:
    class Bad(m.samplers.RandomSampler):  # type: ignore[name-defined,misc]
        def infer_relative_search_space(self, study: Any, trial: Any) -> dict[str, Any]:
            return {}

        def sample_relative(self, study: Any, trial: Any, search_space: Any) -> dict[str, Any]:
            return {"x": 0.5}

    study = _study(m, sampler=Bad(seed=0))
    trial = study.ask()
    return _error(lambda: trial.suggest_float("x", 0, 1))


# Storage API -----------------------------------------------------------------------------
@scenario
def storage_trial_getters(m: types.ModuleType) -> Any:
    study = _study(m)
    study.enqueue_trial({"n": 6, "c": "b"})
    trial = study.ask()
    trial.suggest_int("n", 0, 10)
    trial.suggest_categorical("c", ["a", "b"])
    trial.set_user_attr("u", {"k": [1, 2]})
    study._storage.set_trial_system_attr(trial._trial_id, "s", 3)
    storage = study._storage
    tid = trial._trial_id
    return [
        sorted(storage.get_trial_params(tid).items()),
        storage.get_trial_user_attrs(tid),
        storage.get_trial_system_attrs(tid),
        storage.get_trial_number_from_id(tid),
        storage.get_trial_param(tid, "c"),
        storage.get_n_trials(study._study_id),
    ]


@scenario
def rdb_storage_callbacks(m: types.ModuleType) -> Any:
    from collections.abc import Callable as _C  # noqa: F401 - keeps the scenario self-contained

    path = os.path.join(tempfile.mkdtemp(), f"{m.__name__}.db")

    def callback(study: Any, trial: Any) -> None: ...

    out: list[Any] = []
    storage = m.storages.RDBStorage(
        f"sqlite:///{path}", heartbeat_interval=60, heartbeat_stale_trial_callback=callback
    )
    out.append(storage.get_heartbeat_stale_trial_callback() is callback)
    out.append(storage.get_failed_trial_callback() is callback)
    storage.engine.dispose()
    out.append(
        _caught(
            lambda: m.storages.RDBStorage(
                f"sqlite:///{path}", heartbeat_interval=60, failed_trial_callback=callback
            ).engine.dispose()
        )[-1][0]
    )
    out.append(
        _error(
            lambda: m.storages.RDBStorage(
                f"sqlite:///{path}",
                heartbeat_interval=60,
                failed_trial_callback=callback,
                heartbeat_stale_trial_callback=callback,
            )
        )
    )
    return out


# Constraints -----------------------------------------------------------------------------
@scenario
def constraints_storage_format_and_access(m: types.ModuleType) -> Any:
    study = _study(m)
    trial = study.ask()
    trial.set_constraint("a", 1)
    trial.set_constraint("b", -0.5)
    out: list[Any] = [_error(lambda: trial.set_constraint("c", math.nan))]
    study.tell(trial, 1.0)
    frozen = study.trials[0]
    out += [frozen.system_attrs, frozen.constraints]
    created = m.create_trial(value=1.0, constraints={"k": 2.0})
    out += [created.system_attrs, created.constraints]
    old = m.create_trial(value=1.0, system_attrs={"constraints": [0.5, -1.0]})
    out.append(old.constraints)
    fixed = m.trial.FixedTrial({})
    fixed.set_constraint("f", 3)
    out.append(fixed.constraints)
    out.append(_error(lambda: m.create_trial(value=1.0, constraints={"k": math.nan})))
    return out


# Warnings --------------------------------------------------------------------------------
@scenario
def warning_for_a_resuggested_parameter_with_another_range(m: types.ModuleType) -> Any:
    trial = _study(m).ask()
    trial.suggest_float("x", 0, 1)
    trial.suggest_int("n", 0, 5)
    return _caught(
        lambda: (
            trial.suggest_float("x", 0, 2),
            trial.suggest_int("n", 0, 9),
            trial.suggest_float("x", 0, 1),  # the same range again: silent
        )
    )


@scenario
def deprecated_suggest_aliases_warn(m: types.ModuleType) -> Any:
    trial = _study(m).ask()
    # The first two sentences: Optuna then links its release notes, parabola names the
    # replacement (docs/optuna-differences.md).
    return [
        [c, ". ".join(msg.split(". ")[:2]).rstrip(".")]
        for c, msg in _caught(
            lambda: (
                trial.suggest_uniform("a", 0, 1),
                trial.suggest_loguniform("b", 1, 2),
                trial.suggest_discrete_uniform("c", 0, 1, 0.5),
            )
        )
    ]


@scenario
def experimental_and_deprecated_labels(m: types.ModuleType) -> Any:
    out = []
    for call in (
        lambda: _study(m, directions=["minimize", "maximize"]).set_metric_names(["a", "b"]),
        lambda: m.samplers.QMCSampler(),
        lambda: m.samplers.BruteForceSampler(),
        lambda: m.samplers.PartialFixedSampler({}, m.samplers.RandomSampler()),
        lambda: m.pruners.WilcoxonPruner(),
        lambda: m.pruners.PatientPruner(None, 1),
        lambda: m.samplers.TPESampler(multivariate=True, group=True),
        lambda: m.samplers.TPESampler(constraints_func=lambda t: [0.0]),
        lambda: m.distributions.UniformDistribution(0, 1),
        lambda: m.distributions.IntLogUniformDistribution(1, 2),
    ):
        out.append([c for c, _ in _caught(call)])
    return out


@scenario
def progress_bar_warnings(m: types.ModuleType) -> Any:
    import contextlib
    import io

    out = []
    for kwargs in (
        {"timeout": 0.05, "n_jobs": 2},
        {"n_trials": None, "timeout": None},
    ):
        study = _study(m)

        def stop(study: Any, trial: Any) -> None:
            study.stop()  # the second case would otherwise run forever

        with contextlib.redirect_stderr(io.StringIO()):
            out.append(
                _caught(
                    lambda study=study, kwargs=kwargs: study.optimize(
                        lambda t: 1.0, show_progress_bar=True, callbacks=[stop], **kwargs
                    )
                )
            )
    return out


# Study behaviour -------------------------------------------------------------------------
@scenario
def stop_outside_optimize_raises(m: types.ModuleType) -> Any:
    study = _study(m)
    outside = _error(study.stop)

    def objective(trial: Any) -> float:
        if trial.number == 2:
            trial.study.stop()
        return 1.0

    study.optimize(objective, n_trials=10)
    return outside, len(study.trials)


@scenario
def nested_optimize_is_refused(m: types.ModuleType) -> Any:
    study = _study(m)
    errors: list[Any] = []

    def objective(trial: Any) -> float:
        errors.append(_error(lambda: study.optimize(lambda t: 1.0, n_trials=1)))
        return 1.0

    study.optimize(objective, n_trials=1)
    return errors, [t.state.name for t in study.trials]


@scenario
def two_threads_optimize_one_study(m: types.ModuleType) -> Any:
    study = _study(m)
    barrier = threading.Barrier(2, timeout=30)

    def objective(trial: Any) -> float:
        if trial.number < 2:
            barrier.wait()  # both optimize calls are running at once
        return trial.suggest_float("x", 0, 1)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(study.optimize, objective, n_trials=4) for _ in range(2)]
        errors = [f.exception() is None for f in futures]
    return errors, sorted(t.number for t in study.trials), {t.state.name for t in study.trials}


@scenario
def n_jobs_reseeds_the_sampler(m: types.ModuleType) -> Any:
    calls: list[str] = []

    class Counting(m.samplers.RandomSampler):  # type: ignore[name-defined,misc]
        def reseed_rng(self) -> None:
            calls.append("reseed")
            super().reseed_rng()

    study = _study(m, sampler=Counting(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    sequential = len(calls)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3, n_jobs=2)
    return sequential, len(calls)


@scenario
def invalid_tells(m: types.ModuleType) -> Any:
    TS = m.trial.TrialState
    out = []
    for kwargs in (
        {"values": 1.0, "state": TS.RUNNING},
        {"values": 1.0, "state": TS.WAITING},
        {"values": 1.0, "state": TS.FAIL},
        {"values": 1.0, "state": TS.PRUNED},
        {"values": None, "state": None},
        {"values": [1.0, 2.0]},
        {"values": math.nan},
        {"values": "abc"},
    ):
        study = _study(m)
        trial = study.ask()
        try:
            told = study.tell(trial, **kwargs)
            out.append(["ok", told.state.name])
        except Exception as e:
            out.append([type(e).__name__])
    study = _study(m)
    for bad in (99, "x", 1.5, None):
        out.append(_error(lambda bad=bad: study.tell(bad, 1.0))[0])  # type: ignore[misc]
    return out


# Smaller mismatches ----------------------------------------------------------------------
@scenario
def report_with_an_integral_float_step(m: types.ModuleType) -> Any:
    trial = _study(m).ask()
    trial.report(0.5, 1.0)
    trial.report(0.25, 2)
    return sorted(trial.study.trials[0].intermediate_values.items())


@scenario
def float_distribution_with_infinite_bounds(m: types.ModuleType) -> Any:
    d = m.distributions.FloatDistribution(-math.inf, math.inf)
    study = _study(m)
    study.add_trial(m.create_trial(params={"x": 5.0}, distributions={"x": d}, value=1.0))
    half = m.distributions.FloatDistribution(1.0, math.inf, log=True)
    return repr(d), d.single(), study.trials[0].params, repr(half), d._contains(1e300)


@scenario
def short_distribution_json(m: types.ModuleType) -> Any:
    parse = m.distributions.json_to_distribution
    return [
        repr(parse(s))
        for s in (
            '{"type": "int", "low": 0, "high": 5}',
            '{"type": "int", "low": 1, "high": 64, "log": true}',
            '{"type": "float", "low": 0, "high": 1, "step": 0.5}',
            '{"type": "float", "low": 0.001, "high": 1, "log": true}',
            '{"type": "categorical", "choices": ["a", 1, null]}',
        )
    ]


@scenario
def intersection_search_space_of_a_trial_list(m: types.ModuleType) -> Any:
    study = _study(m)

    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 0, 1)
        if trial.number % 2:
            trial.suggest_int("n", 0, 3)
        return x

    study.optimize(objective, n_trials=4)
    only_odd = [t for t in study.trials if t.number % 2]
    space = m.search_space.intersection_search_space
    return [sorted(space(study.trials)), sorted(space(only_odd)), sorted(space([]))]


@scenario
def brute_force_detects_a_changed_search_space(m: types.ModuleType) -> Any:
    study = _study(m, sampler=m.samplers.BruteForceSampler(seed=0))
    study.optimize(lambda t: t.suggest_int("x", 0, 2), n_trials=2)
    changed = _error(lambda: study.optimize(lambda t: t.suggest_int("x", 0, 5), n_trials=2))[0]
    # A branch that only later goes on (conditional parameters) is not a change.
    study = _study(m, sampler=m.samplers.BruteForceSampler(seed=0))
    study.optimize(lambda t: t.suggest_int("x", 0, 1) * 0 + 1.0, n_trials=1)
    grown = _error(
        lambda: study.optimize(
            lambda t: t.suggest_int("x", 0, 1) + t.suggest_int("y", 0, 1), n_trials=1
        )
    )[0]
    return changed, grown


@scenario
def tpe_hyperopt_parameters(m: types.ModuleType) -> Any:
    tpe = m.samplers.TPESampler
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        params = tpe.hyperopt_parameters()
        tpe(**params)
    gamma, weights = params.pop("gamma"), params.pop("weights")
    return (
        sorted(params.items()),
        [gamma(n) for n in (1, 16, 100, 10_000, 100_000)],
        [list(weights(n)) for n in (0, 3, 27)],
        [w.category.__name__ for w in caught],
    )


@scenario
def qmc_maps_integers_evenly(m: types.ModuleType) -> Any:
    sampler = m.samplers.QMCSampler(qmc_type="sobol", scramble=False)
    study = _study(m, sampler=sampler)
    study.optimize(
        lambda t: (
            t.suggest_int("n", 0, 3)
            + t.suggest_int("k", 0, 10, step=5)
            + t.suggest_float("f", 0, 1, step=0.5)
            + t.suggest_int("g", 1, 100, log=True)
            + t.suggest_float("u", -1, 1)
        ),
        n_trials=16,
    )
    return [t.params for t in study.trials[1:]]  # trial 0 is sampled independently


def normalise(result: Any) -> Any:
    """``result`` as it reads back from JSON (tuples become lists, NaN/inf become strings)."""
    import json

    def fix(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return repr(value)
        if isinstance(value, dict):
            return {str(k): fix(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set)):
            items = sorted(value, key=repr) if isinstance(value, set) else value
            return [fix(v) for v in items]
        return value

    return json.loads(json.dumps(fix(result)))
