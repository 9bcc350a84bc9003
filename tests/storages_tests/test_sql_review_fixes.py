"""Regression tests for the review of the SQL store (param writes, encoding guards)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import parabola
from parabola.distributions import CategoricalDistribution, FloatDistribution
from parabola.storages import RDBStorage
from parabola.storages._sql._statements import _encode_steps
from parabola.trial import TrialState


def test_params_are_written_through_outside_optimize(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    study = parabola.create_study(storage=RDBStorage(url), study_name="s")
    trial = study.ask()
    x = trial.suggest_float("x", 0, 1)
    fresh = RDBStorage(url)
    assert fresh.get_trial(trial._trial_id).params == {"x": x}
    assert fresh.get_trial(trial._trial_id).state == TrialState.RUNNING


def test_optimize_buffers_params_only_without_heartbeats(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    parabola.logging.set_verbosity(parabola.logging.ERROR)
    seen: dict[str, dict[str, object]] = {}

    for name, interval in (("off", None), ("on", 60)):
        study = parabola.create_study(
            storage=RDBStorage(url, heartbeat_interval=interval), study_name=name
        )

        def objective(trial: parabola.Trial, name: str = name) -> float:
            trial.suggest_float("x", 0, 1)
            seen[name] = RDBStorage(url).get_trial(trial._trial_id).params
            return 0.0

        study.optimize(objective, n_trials=1)
        assert study.trials[0].params.keys() == {"x"}  # written by the tell in any case
    assert seen == {"off": {}, "on": {"x": pytest.approx(study.trials[0].params["x"])}}


def test_unencodable_choice_is_refused_naming_the_param(tmp_path: Path) -> None:
    storage = RDBStorage(f"sqlite:///{tmp_path / 'c.db'}")
    study = parabola.create_study(storage=storage)
    trial = study.ask()
    with pytest.warns(UserWarning, match="choices must be"):
        dist = CategoricalDistribution([object()])
    with pytest.raises(TypeError, match="'cfg'"):
        storage.set_trial_param(trial._trial_id, "cfg", 0.0, dist)
    assert storage.get_trial(trial._trial_id).params == {}
    storage.set_trial_param(trial._trial_id, "x", 0.5, FloatDistribution(0, 1))
    study.tell(trial, 1.0)
    assert RDBStorage(storage.url).get_trial(trial._trial_id).params == {"x": 0.5}


def test_encoder_refuses_steps_it_could_not_read_back() -> None:
    assert _encode_steps({0: 1, np.int64(2): np.float32(0.5)}) == {"0": 1.0, "2": 0.5}
    for bad in ({"a": 1.0}, {True: 1.0}, {1.5: 1.0}, {1: "x"}, {1: None}):
        with pytest.raises(ValueError, match="intermediate_values"):
            _encode_steps(bad)  # type: ignore[arg-type]
