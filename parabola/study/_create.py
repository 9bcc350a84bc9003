"""Creating, loading, copying, listing and deleting studies."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from typing import Any

from parabola._study_direction import StudyDirection
from parabola.exceptions import DuplicatedStudyError
from parabola.logging import get_logger
from parabola.pruners._base import BasePruner
from parabola.samplers._base import BaseSampler
from parabola.storages._base import BaseStorage
from parabola.storages._factory import get_storage
from parabola.study._study import Study
from parabola.trial._frozen import FrozenTrial

__all__ = [
    "StudySummary",
    "copy_study",
    "create_study",
    "delete_study",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
]

_logger = get_logger(__name__)


def _parse_direction(direction: str | StudyDirection, argument: str) -> StudyDirection:
    if isinstance(direction, StudyDirection) and direction != StudyDirection.NOT_SET:
        return direction
    if isinstance(direction, str) and direction.lower() in ("minimize", "maximize"):
        return (
            StudyDirection.MINIMIZE if direction.lower() == "minimize" else StudyDirection.MAXIMIZE
        )
    raise ValueError(
        f"{argument} must be 'minimize' or 'maximize' (or a StudyDirection), got {direction!r}."
    )


def create_study(
    *,
    storage: str | BaseStorage | None = None,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
    study_name: str | None = None,
    direction: str | StudyDirection | None = None,
    load_if_exists: bool = False,
    directions: Sequence[str | StudyDirection] | None = None,
) -> Study:
    """Create a new study, persisted to ``./parabola.db`` unless another storage is given.

    Args:
        storage: A URL (``"sqlite:///my.db"``, ``"postgresql://user@host/db"``), a
            :class:`~parabola.storages.BaseStorage`, or ``None`` for the default store
            (``$PARABOLA_STORAGE`` or ``sqlite:///parabola.db``).
        sampler: Defaults to ``AutoSampler()``, which picks GP, CMA-ES or TPE as the study
            grows and records its choice in the study's system attributes (see
            :mod:`parabola.samplers` and ``docs/samplers.md``).
        pruner: Defaults to ``MedianPruner()``.
        study_name: Unique name; generated when omitted.
        direction: ``"minimize"`` (default) or ``"maximize"``.
        load_if_exists: Load the study if ``study_name`` already exists instead of raising
            :class:`~parabola.exceptions.DuplicatedStudyError`.
        directions: One direction per objective, for multi-objective studies.

    Example:
        >>> import parabola
        >>> study = parabola.create_study(direction="maximize",
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> study.direction
        StudyDirection.MAXIMIZE
    """
    if direction is not None and directions is not None:
        raise ValueError("Specify only one of direction and directions.")
    if directions is not None:
        if isinstance(directions, str) or len(directions) == 0:
            raise ValueError(
                f"directions must be a non-empty list of 'minimize'/'maximize', got {directions!r}."
            )
        parsed = [_parse_direction(d, "directions") for d in directions]
    else:
        parsed = [_parse_direction("minimize" if direction is None else direction, "direction")]
    if study_name is not None and not isinstance(study_name, str):
        raise TypeError(f"study_name must be a str or None, got {study_name!r}.")
    if study_name is not None:
        _check_study_name(study_name)

    resolved = get_storage(storage)
    created = True
    try:
        study_id = resolved.create_new_study(parsed, study_name)
    except DuplicatedStudyError:
        if not load_if_exists:
            raise
        assert study_name is not None
        created = False
        # Optuna 5's wording.
        _logger.info(f"Using an existing study with {study_name=} instead of creating a new one.")
        study_id = resolved.get_study_id_from_name(study_name)
    name = resolved.get_study_name_from_id(study_id)
    study = Study(study_name=name, storage=resolved, sampler=sampler, pruner=pruner)
    # Loading with the default direction (none given) takes the stored one, as Optuna does; an
    # explicit direction that contradicts the stored study is almost surely a mistake.
    explicit = direction is not None or directions is not None
    if explicit and study.directions != parsed:
        raise ValueError(
            f"Study '{name}' exists with directions {[d.name for d in study.directions]}, "
            f"not {[d.name for d in parsed]}; pass the same direction(s) or none to load it."
        )
    if created:
        where = "in memory" if type(resolved).__name__ == "InMemoryStorage" else "in RDB"
        _logger.info(f"A new study created {where} with name: {name}")
    return study


def load_study(
    *,
    study_name: str | None,
    storage: str | BaseStorage | None = None,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
) -> Study:
    """Load an existing study by name. With ``study_name=None``, load the only study in the store.

    Raises:
        KeyError: naming the study if it does not exist.
        ValueError: if ``study_name`` is ``None`` and the store holds zero or several studies.

    Example:
        >>> import parabola
        >>> storage = parabola.storages.InMemoryStorage()
        >>> parabola.create_study(study_name="lr", storage=storage).optimize(
        ...     lambda t: t.suggest_float("lr", 1e-4, 1e-1, log=True), n_trials=3)
        >>> len(parabola.load_study(study_name="lr", storage=storage).trials)
        3
    """
    resolved = get_storage(storage)
    if study_name is None:
        names = [s.study_name for s in resolved.get_all_studies()]
        if len(names) != 1:
            raise ValueError(
                f"study_name is None but the storage holds {len(names)} studies; pass one of "
                f"{names[:10]}."
            )
        study_name = names[0]
    return Study(study_name=study_name, storage=resolved, sampler=sampler, pruner=pruner)


def delete_study(*, study_name: str, storage: str | BaseStorage | None = None) -> None:
    """Delete a study and its trials.

    Raises:
        KeyError: naming the study if it does not exist.

    Example:
        >>> import parabola
        >>> storage = parabola.storages.InMemoryStorage()
        >>> _ = parabola.create_study(study_name="old", storage=storage)
        >>> parabola.delete_study(study_name="old", storage=storage)
        >>> parabola.get_all_study_names(storage=storage)
        []
    """
    resolved = get_storage(storage)
    resolved.delete_study(resolved.get_study_id_from_name(study_name))


# The SQL schema's study_name column is VARCHAR(512) (as in Optuna); one limit for every store.
_MAX_STUDY_NAME = 512


def _check_study_name(study_name: str) -> None:
    if len(study_name) > _MAX_STUDY_NAME:
        raise ValueError(
            f"study_name must be at most {_MAX_STUDY_NAME} characters; got {len(study_name)} "
            f"({study_name[:40]!r}...)."
        )
    if "\x00" in study_name:
        raise ValueError(f"study_name must not contain NUL characters; got {study_name!r}.")


def copy_study(
    *,
    from_study_name: str,
    from_storage: str | BaseStorage | None,
    to_storage: str | BaseStorage | None,
    to_study_name: str | None = None,
) -> None:
    """Copy a study with its attributes and trials into another storage (or under a new name).

    Raises:
        DuplicatedStudyError: if the target storage already holds a study of that name.

    Example:
        >>> import parabola
        >>> memory = parabola.storages.InMemoryStorage()
        >>> parabola.create_study(study_name="s", storage=memory).optimize(
        ...     lambda t: t.suggest_float("x", 0, 1), n_trials=2)
        >>> parabola.copy_study(from_study_name="s", from_storage=memory, to_storage=memory,
        ...                     to_study_name="s-copy")
        >>> len(parabola.load_study(study_name="s-copy", storage=memory).trials)
        2
    """
    source = load_study(study_name=from_study_name, storage=from_storage)
    target = create_study(
        study_name=to_study_name or from_study_name,
        storage=to_storage,
        directions=source.directions,
        load_if_exists=False,
    )
    try:
        for key, value in source._storage.get_study_system_attrs(source._study_id).items():
            target._storage.set_study_system_attr(target._study_id, key, value)
        for key, value in source.user_attrs.items():
            target.set_user_attr(key, value)
        target.add_trials(source.get_trials(deepcopy=False))
    except BaseException:
        # All or nothing: a partial copy would block a retry with DuplicatedStudyError.
        try:
            target._storage.delete_study(target._study_id)
        except Exception:  # keep the original error; the cleanup is best effort
            _logger.warning(
                f"copy_study could not remove the partial study {target.study_name!r}; "
                "delete it before retrying.",
                exc_info=True,
            )
        raise


def get_all_study_names(storage: str | BaseStorage | None = None) -> list[str]:
    """Names of every study in the storage, in creation order.

    Example:
        >>> import parabola
        >>> storage = parabola.storages.InMemoryStorage()
        >>> _ = parabola.create_study(study_name="a", storage=storage)
        >>> _ = parabola.create_study(study_name="b", storage=storage)
        >>> parabola.get_all_study_names(storage=storage)
        ['a', 'b']
    """
    return [s.study_name for s in get_storage(storage).get_all_studies()]


@dataclasses.dataclass
class StudySummary:
    """What ``get_all_study_summaries`` reports for one study."""

    study_name: str
    directions: list[StudyDirection]
    best_trial: FrozenTrial | None
    user_attrs: dict[str, Any]
    system_attrs: dict[str, Any]
    n_trials: int
    datetime_start: datetime.datetime | None
    study_id: int

    @property
    def direction(self) -> StudyDirection:
        if len(self.directions) > 1:
            raise RuntimeError("This study has several directions; use directions.")
        return self.directions[0]


def get_all_study_summaries(
    storage: str | BaseStorage | None = None, include_best_trial: bool = True
) -> list[StudySummary]:
    """A :class:`StudySummary` per study: name, directions, best trial, trial count, start.

    Example:
        >>> import parabola
        >>> storage = parabola.storages.InMemoryStorage()
        >>> parabola.create_study(study_name="a", storage=storage).optimize(
        ...     lambda t: t.suggest_float("x", 0, 1), n_trials=4)
        >>> [(s.study_name, s.n_trials) for s in parabola.get_all_study_summaries(storage)]
        [('a', 4)]
    """
    resolved = get_storage(storage)
    out = []
    for s in resolved.get_all_studies():
        trials = resolved.get_all_trials(s.study_id, deepcopy=False)
        best = None
        if include_best_trial and len(s.directions) == 1:
            try:
                best = resolved.get_best_trial(s.study_id)
            except ValueError:
                best = None
        starts = [t.datetime_start for t in trials if t.datetime_start is not None]
        out.append(
            StudySummary(
                study_name=s.study_name,
                directions=s.directions,
                best_trial=best,
                user_attrs=s.user_attrs,
                system_attrs=s.system_attrs,
                n_trials=len(trials),
                datetime_start=min(starts) if starts else None,
                study_id=s.study_id,
            )
        )
    return out
