"""``parabola.exceptions``: one error tree, reachable under Optuna's names."""

from __future__ import annotations

import pytest

import parabola as optuna
from parabola import exceptions


@pytest.mark.parametrize(
    "name",
    [
        "TrialPruned",
        "DuplicatedStudyError",
        "StorageInternalError",
        "UpdateFinishedTrialError",
        "StoreVersionError",
        "CLIUsageError",
    ],
)
def test_every_error_derives_from_the_base(name: str) -> None:
    cls = getattr(exceptions, name)
    assert issubclass(cls, exceptions.ParabolaError)
    # Optuna users catch optuna.exceptions.OptunaError.
    assert issubclass(cls, optuna.exceptions.OptunaError)


def test_optuna_aliases() -> None:
    assert exceptions.OptunaError is exceptions.ParabolaError
    assert optuna.TrialPruned is exceptions.TrialPruned
    assert issubclass(exceptions.UpdateFinishedTrialError, RuntimeError)
    assert issubclass(exceptions.StoreVersionError, exceptions.StorageInternalError)
    assert issubclass(exceptions.ExperimentalWarning, UserWarning)


def test_the_tree_in_the_docstring_lists_every_error() -> None:
    doc = exceptions.__doc__
    assert doc is not None
    errors = [
        n
        for n in exceptions.__all__
        if isinstance(getattr(exceptions, n), type)
        and issubclass(getattr(exceptions, n), exceptions.ParabolaError)
        and n not in ("OptunaError", "ParabolaError")
    ]
    for name in errors:
        assert name in doc, f"{name} is missing from the error tree in the module docstring"


def test_duplicated_study_error_is_raised_for_a_taken_name() -> None:
    storage = optuna.storages.InMemoryStorage()
    optuna.create_study(storage=storage, study_name="taken")
    with pytest.raises(optuna.exceptions.DuplicatedStudyError, match="taken"):
        optuna.create_study(storage=storage, study_name="taken")


def test_trial_pruned_carries_a_message() -> None:
    with pytest.raises(optuna.TrialPruned, match="early"):
        raise optuna.TrialPruned("early")
