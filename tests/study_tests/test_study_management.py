"""Creating, loading, copying, listing and deleting studies; directions and user attributes."""

from __future__ import annotations

import pytest

import parabola as optuna
from parabola.exceptions import DuplicatedStudyError
from parabola.study import StudyDirection
from parabola.trial import TrialState


def quadratic(trial: optuna.Trial) -> float:
    return trial.suggest_float("x", -10, 10) ** 2 + 1


def test_direction_and_directions() -> None:
    storage = optuna.storages.InMemoryStorage()
    assert optuna.create_study(storage=storage).direction == StudyDirection.MINIMIZE
    study = optuna.create_study(storage=storage, direction="maximize")
    assert study.direction == StudyDirection.MAXIMIZE
    assert study.directions == [StudyDirection.MAXIMIZE]
    study = optuna.create_study(storage=storage, direction=StudyDirection.MINIMIZE)
    assert study.directions == [StudyDirection.MINIMIZE]
    multi = optuna.create_study(storage=storage, directions=["minimize", "maximize"])
    assert multi.directions == [StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE]
    with pytest.raises(RuntimeError, match=r"Use study.directions"):
        _ = multi.direction


def test_maximize_picks_the_largest() -> None:
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage(), direction="maximize")
    study.optimize(quadratic, n_trials=10)
    assert study.best_value == max(t.value for t in study.trials)  # type: ignore[type-var]


def test_duplicate_name_and_load_if_exists() -> None:
    storage = optuna.storages.InMemoryStorage()
    study = optuna.create_study(storage=storage, study_name="s")
    study.optimize(quadratic, n_trials=2)
    with pytest.raises(DuplicatedStudyError):
        optuna.create_study(storage=storage, study_name="s")
    again = optuna.create_study(storage=storage, study_name="s", load_if_exists=True)
    assert len(again.trials) == 2
    again.optimize(quadratic, n_trials=1)
    assert len(study.trials) == 3
    with pytest.raises(ValueError, match=r"exists with directions \['MINIMIZE'\]"):
        optuna.create_study(
            storage=storage, study_name="s", load_if_exists=True, direction="maximize"
        )


def test_load_if_exists_with_default_direction_takes_the_stored_one() -> None:
    storage = optuna.storages.InMemoryStorage()
    optuna.create_study(storage=storage, study_name="m", direction="maximize")
    # As in Optuna: no direction given, the stored study is loaded as it is.
    loaded = optuna.create_study(storage=storage, study_name="m", load_if_exists=True)
    assert loaded.direction == StudyDirection.MAXIMIZE


def test_creation_and_loading_log_lines(capsys: pytest.CaptureFixture[str]) -> None:
    storage = optuna.storages.InMemoryStorage()
    optuna.create_study(storage=storage, study_name="x", load_if_exists=True)
    optuna.create_study(storage=storage, study_name="x", load_if_exists=True)
    err = capsys.readouterr().err
    assert err.count("A new study created in memory with name: x") == 1
    assert "Using an existing study with study_name='x' instead of creating a new one." in err


def test_load_study() -> None:
    storage = optuna.storages.InMemoryStorage()
    created = optuna.create_study(storage=storage, study_name="only", direction="maximize")
    created.optimize(quadratic, n_trials=3)
    loaded = optuna.load_study(study_name="only", storage=storage)
    assert loaded.direction == StudyDirection.MAXIMIZE
    assert loaded.trials == created.trials
    # With study_name=None, the only study in the storage is loaded.
    assert optuna.load_study(study_name=None, storage=storage).study_name == "only"
    optuna.create_study(storage=storage)
    with pytest.raises(ValueError, match="storage holds 2 studies"):
        optuna.load_study(study_name=None, storage=storage)
    with pytest.raises(KeyError, match="missing"):
        optuna.load_study(study_name="missing", storage=storage)


def test_get_all_study_names_and_summaries() -> None:
    storage = optuna.storages.InMemoryStorage()
    assert optuna.get_all_study_names(storage=storage) == []
    a = optuna.create_study(storage=storage, study_name="a")
    a.optimize(quadratic, n_trials=3)
    a.set_user_attr("owner", "me")
    optuna.create_study(storage=storage, study_name="b", directions=["minimize", "maximize"])
    assert optuna.get_all_study_names(storage=storage) == ["a", "b"]

    summaries = optuna.get_all_study_summaries(storage=storage)
    assert [s.study_name for s in summaries] == ["a", "b"]
    sa, sb = summaries
    assert sa.n_trials == 3
    assert sa.direction == StudyDirection.MINIMIZE
    assert sa.best_trial is not None
    assert sa.best_trial.value == a.best_value
    assert sa.user_attrs == {"owner": "me"}
    assert sa.datetime_start == a.trials[0].datetime_start
    assert sb.n_trials == 0
    assert sb.best_trial is None
    assert sb.datetime_start is None
    assert sb.directions == [StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE]
    with pytest.raises(RuntimeError, match="several directions"):
        _ = sb.direction
    no_best = optuna.get_all_study_summaries(storage=storage, include_best_trial=False)
    assert no_best[0].best_trial is None


def test_delete_study() -> None:
    storage = optuna.storages.InMemoryStorage()
    optuna.create_study(storage=storage, study_name="gone").optimize(quadratic, n_trials=2)
    optuna.delete_study(study_name="gone", storage=storage)
    assert optuna.get_all_study_names(storage=storage) == []
    with pytest.raises(KeyError, match="gone"):
        optuna.delete_study(study_name="gone", storage=storage)
    # The name can be reused afterwards.
    assert optuna.create_study(storage=storage, study_name="gone").trials == []


def test_copy_study_between_storages() -> None:
    source_storage = optuna.storages.InMemoryStorage()
    target_storage = optuna.storages.InMemoryStorage()
    source = optuna.create_study(storage=source_storage, study_name="src", direction="maximize")
    source.set_user_attr("k", [1, 2])
    source.optimize(quadratic, n_trials=4)
    source.enqueue_trial({"x": 1.0})

    optuna.copy_study(from_study_name="src", from_storage=source_storage, to_storage=target_storage)
    copied = optuna.load_study(study_name="src", storage=target_storage)
    assert copied.direction == StudyDirection.MAXIMIZE
    assert copied.user_attrs == {"k": [1, 2]}
    assert [(t.number, t.params, t.value, t.state) for t in copied.trials] == [
        (t.number, t.params, t.value, t.state) for t in source.trials
    ]
    assert copied.trials[-1].state == TrialState.WAITING

    optuna.copy_study(
        from_study_name="src",
        from_storage=source_storage,
        to_storage=source_storage,
        to_study_name="src-copy",
    )
    assert optuna.get_all_study_names(storage=source_storage) == ["src", "src-copy"]
    with pytest.raises(DuplicatedStudyError):
        optuna.copy_study(
            from_study_name="src", from_storage=source_storage, to_storage=target_storage
        )


def test_study_user_attrs() -> None:
    storage = optuna.storages.InMemoryStorage()
    study = optuna.create_study(storage=storage, study_name="u")
    assert study.user_attrs == {}
    study.set_user_attr("dataset", "MNIST")
    study.set_user_attr("layers", [1, 2, {"a": None}])
    study.set_user_attr("dataset", "CIFAR")
    assert study.user_attrs == {"dataset": "CIFAR", "layers": [1, 2, {"a": None}]}
    assert optuna.load_study(study_name="u", storage=storage).user_attrs == study.user_attrs


def test_trial_user_attrs_in_optimize() -> None:
    def objective(trial: optuna.Trial) -> float:
        trial.set_user_attr("double", trial.number * 2)
        assert trial.user_attrs == {"double": trial.number * 2}
        return quadratic(trial)

    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    study.optimize(objective, n_trials=3)
    assert [t.user_attrs for t in study.trials] == [{"double": 0}, {"double": 2}, {"double": 4}]
    assert study.best_trial.user_attrs["double"] == study.best_trial.number * 2


def test_get_trials_states_and_deepcopy() -> None:
    def objective(trial: optuna.Trial) -> float:
        if trial.number == 1:
            raise optuna.TrialPruned()
        return quadratic(trial)

    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    study.optimize(objective, n_trials=3)
    assert [t.number for t in study.get_trials(states=(TrialState.COMPLETE,))] == [0, 2]
    assert [t.number for t in study.get_trials(states=(TrialState.PRUNED,))] == [1]
    copy_ = study.get_trials(deepcopy=True)[0]
    copy_.user_attrs["mutated"] = True
    assert "mutated" not in study.trials[0].user_attrs


def test_study_is_exported_at_the_top_level() -> None:
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    assert isinstance(study, optuna.Study)
    assert isinstance(study.ask(), optuna.Trial)
    assert repr(study).startswith("Study(study_name='no-name-")
