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


def test_deprecated_call_names_the_replacement_and_the_caller() -> None:
    from parabola._stability import deprecated_call

    @deprecated_call(since="3.0.0", removed="6.0.0", replacement="new_thing")
    def old_thing(x: int) -> int:
        return x + 1

    with pytest.warns(FutureWarning, match=r"old_thing has been deprecated in v3\.0\.0.*v6\.0"):
        assert old_thing(1) == 2
    with pytest.warns(FutureWarning, match="Use new_thing instead") as record:
        old_thing(2)
    assert record[0].filename == __file__  # points at the caller, not at parabola
    assert old_thing.__name__ == "old_thing"


def test_experimental_class_warns_on_construction() -> None:
    from parabola._stability import experimental_class

    @experimental_class("0.1.0")
    class Shiny:
        def __init__(self, n: int) -> None:
            self.n = n

    with pytest.warns(exceptions.ExperimentalWarning, match=r"Shiny is experimental .*v0\.1\.0"):
        assert Shiny(3).n == 3
