"""The exceptions parabola raises.

Every error parabola raises on purpose derives from :class:`ParabolaError`::

    ParabolaError
    ├── TrialPruned              raised by an objective to stop a trial early
    ├── DuplicatedStudyError     a study with that name already exists
    ├── StorageInternalError     the store failed in a way the caller cannot fix
    ├── UpdateFinishedTrialError a finished trial was changed
    ├── StoreVersionError        the store was written by a newer parabola
    └── CLIUsageError            a command-line call was malformed

``OptunaError`` is an alias of :class:`ParabolaError` so ``except optuna.exceptions.OptunaError``
keeps working after ``import parabola as optuna``. Bad arguments raise the built-in
``ValueError``/``TypeError`` with a message naming the argument and what is allowed.
"""

from __future__ import annotations

__all__ = [
    "CLIUsageError",
    "DuplicatedStudyError",
    "ExperimentalWarning",
    "OptunaError",
    "ParabolaError",
    "StorageInternalError",
    "StoreVersionError",
    "TrialPruned",
    "UpdateFinishedTrialError",
]


class ParabolaError(Exception):
    """Base class of every exception parabola raises on purpose."""


OptunaError = ParabolaError


class TrialPruned(ParabolaError):
    """Raise this from an objective to stop the current trial; it is recorded as PRUNED.

    Example:
        >>> import parabola
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0, 1)
        ...     trial.report(x, step=0)
        ...     if trial.should_prune():
        ...         raise parabola.TrialPruned()
        ...     return x
    """


class DuplicatedStudyError(ParabolaError):
    """A study with the requested name already exists in the storage.

    Pass ``load_if_exists=True`` to ``create_study`` to reuse it instead.

    Example:
        >>> import parabola
        >>> storage = parabola.storages.InMemoryStorage()
        >>> _ = parabola.create_study(study_name="s", storage=storage)
        >>> try:
        ...     parabola.create_study(study_name="s", storage=storage)
        ... except parabola.exceptions.DuplicatedStudyError:
        ...     study = parabola.create_study(study_name="s", storage=storage, load_if_exists=True)
        >>> study.study_name
        's'
    """


class StorageInternalError(ParabolaError):
    """The storage failed (I/O, database error); the message says which URL and what to try."""


class UpdateFinishedTrialError(ParabolaError, RuntimeError):
    """A trial that has already finished (COMPLETE, PRUNED or FAIL) was modified."""


class StoreVersionError(StorageInternalError):
    """The store's schema is newer than this parabola understands, or older and not upgraded."""


class CLIUsageError(ParabolaError):
    """A command-line call was malformed."""


class ExperimentalWarning(UserWarning):
    """Warns that an API is experimental and may change without a deprecation period."""
