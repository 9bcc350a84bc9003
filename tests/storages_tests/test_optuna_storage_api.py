"""Optuna 5.0's public ``BaseStorage`` methods on every backend: in memory, SQLite, PostgreSQL.

``get_trial_params``, ``get_trial_user_attrs`` and ``get_trial_system_attrs`` are concrete
defaults on ``BaseStorage``; ``_create_trials`` is the importer's bulk path (one transaction on
SQL stores). The method list itself is checked against the installed Optuna when there is one.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

import parabola
from parabola.distributions import CategoricalDistribution, IntDistribution
from parabola.storages import BaseStorage, InMemoryStorage, RDBStorage
from parabola.trial import TrialState


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseStorage]:
    if request.param == "memory":
        yield InMemoryStorage()
    elif request.param == "sqlite":
        store = RDBStorage(f"sqlite:///{tmp_path / 'api.db'}")
        yield store
        store.close()
    else:
        url = request.getfixturevalue("pg_clean")
        store = RDBStorage(url)
        yield store
        store.close()


def test_trial_getters(storage: BaseStorage) -> None:
    study = parabola.create_study(storage=storage)
    trial = study.ask()
    trial.suggest_int("n", 0, 10)
    trial.suggest_categorical("c", ["a", None])
    trial.set_user_attr("u", [1, 2])
    tid = trial._trial_id
    storage.set_trial_system_attr(tid, "s", {"k": 1})
    params = storage.get_trial_params(tid)
    assert params == trial.params and set(params) == {"n", "c"}
    assert isinstance(params["n"], int)
    assert storage.get_trial_user_attrs(tid) == {"u": [1, 2]}
    assert storage.get_trial_system_attrs(tid) == {"s": {"k": 1}}
    # Copies: changing them changes nothing stored.
    storage.get_trial_user_attrs(tid)["u"] = "changed"
    assert storage.get_trial_user_attrs(tid) == {"u": [1, 2]}
    with pytest.raises(KeyError):
        storage.get_trial_params(10_000)


def test_bulk_create_trials(storage: BaseStorage) -> None:
    study = parabola.create_study(storage=storage)
    dists = {"n": IntDistribution(0, 9), "c": CategoricalDistribution(["a", "b"])}
    templates = [
        parabola.create_trial(params={"n": i, "c": "ab"[i % 2]}, distributions=dists, value=i)
        for i in range(5)
    ]
    templates.append(parabola.create_trial(state=TrialState.RUNNING))
    ids = storage._create_trials(study._study_id, templates)
    assert len(set(ids)) == 6
    trials = study.get_trials()
    assert [t.number for t in trials] == list(range(6))
    assert [t.params for t in trials[:5]] == [t.params for t in templates[:5]]
    assert trials[-1].state == TrialState.RUNNING
    # The store keeps working as usual afterwards.
    study.optimize(lambda t: t.suggest_int("n", 0, 9), n_trials=2)
    assert len(study.trials) == 8
    with pytest.raises(ValueError):  # a distribution incompatible with the study's
        bad = parabola.create_trial(
            params={"n": 0.5},
            distributions={"n": parabola.distributions.FloatDistribution(0, 1)},
            value=0.0,
        )
        storage._create_trials(study._study_id, [bad])


def test_every_public_optuna_storage_method_exists() -> None:
    optuna = pytest.importorskip("optuna")
    theirs = {n for n, _ in inspect.getmembers(optuna.storages.BaseStorage, inspect.isfunction)}
    missing = sorted(n for n in theirs if not n.startswith("_") and not hasattr(BaseStorage, n))
    assert missing == []
    rdb = {n for n, _ in inspect.getmembers(optuna.storages.RDBStorage, inspect.isfunction)}
    missing_rdb = sorted(n for n in rdb if not n.startswith("_") and not hasattr(RDBStorage, n))
    assert missing_rdb == []
