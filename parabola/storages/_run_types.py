"""Typed arguments of the tracking half of the storage contract.

* :class:`RunKey`: which run (``entity/project/run_id``), instead of three loose strings;
* :class:`RunUpdate`: the fields one update of a run sets, instead of ``**fields``;
* :class:`HistoryQuery`: which history rows (stream, step range, keys) a reader wants.

Example:
    >>> from parabola.storages import HistoryQuery, InMemoryStorage, RunKey, RunRecord
    >>> from parabola.storages import RunState, RunUpdate
    >>> from parabola.storages._base import utcnow
    >>> s, now = InMemoryStorage(), utcnow()
    >>> s.create_run(RunRecord("r1", "p", "e", "r1", RunState.RUNNING, now, now))
    >>> key = RunKey("e", "p", "r1")
    >>> key
    RunKey('e/p/r1')
    >>> s.update_run(key, RunUpdate(notes="hello"))
    >>> s.append_run_history(key, [{"_step": 0, "a": 1.0}, {"_step": 1, "a": 2.0}])
    >>> s.get_run(key).notes, s.get_run_history(key, HistoryQuery(min_step=1))
    ('hello', [{'_step': 1, 'a': 2.0}])
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Sequence
from typing import Any, Final

from parabola.storages._records import RunRecord, RunState, check_run_text

__all__ = ["UNSET", "HistoryQuery", "RunKey", "RunUpdate"]


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


#: A :class:`RunUpdate` field left at ``UNSET`` is not changed (``None`` is a value: it clears).
UNSET: Final = _Unset.UNSET


@dataclasses.dataclass(frozen=True, slots=True)
class RunKey:
    """The path of one run: ``run_id`` is unique within ``(entity, project)``.

    Raises:
        TypeError: a part that is not a string.
        ValueError: an empty part.
    """

    entity: str
    project: str
    run_id: str

    def __post_init__(self) -> None:
        for name in ("entity", "project", "run_id"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"RunKey {name} must be a str, not {type(value).__name__}.")
            if not value:
                raise ValueError(f"RunKey {name} must not be empty.")

    @classmethod
    def of(cls, record: RunRecord) -> RunKey:
        """The key of a stored run."""
        return cls(record.entity, record.project, record.run_id)

    @property
    def path(self) -> str:
        """``entity/project/run_id``, as error messages and the UI spell it."""
        return f"{self.entity}/{self.project}/{self.run_id}"

    def __repr__(self) -> str:
        return f"RunKey({self.path!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class RunUpdate:
    """The fields one update of a run sets; a field left at :data:`UNSET` stays as stored.

    Text fields are checked against :data:`~parabola.storages._records.RUN_TEXT_LIMITS` here,
    so a value no backend can store is refused before it reaches one.

    Example:
        >>> RunUpdate(notes="n", exit_code=None).fields()
        {'exit_code': None, 'notes': 'n'}
    """

    name: str | _Unset = UNSET
    state: RunState | _Unset = UNSET
    heartbeat_at: datetime.datetime | _Unset = UNSET
    finished_at: datetime.datetime | _Unset | None = UNSET
    exit_code: int | _Unset | None = UNSET
    config: dict[str, Any] | _Unset = UNSET
    summary: dict[str, Any] | _Unset = UNSET
    tags: list[str] | _Unset = UNSET
    notes: str | _Unset | None = UNSET
    group: str | _Unset | None = UNSET
    job_type: str | _Unset | None = UNSET
    study_name: str | _Unset | None = UNSET
    trial_number: int | _Unset | None = UNSET

    def __post_init__(self) -> None:
        if isinstance(self.state, str) and not isinstance(self.state, RunState):
            object.__setattr__(self, "state", RunState(self.state))
        check_run_text(self.fields())

    def fields(self) -> dict[str, Any]:
        """The fields this update sets, by :class:`RunRecord` field name."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not UNSET
        }

    def __bool__(self) -> bool:
        return bool(self.fields())

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.fields().items())
        return f"RunUpdate({inner})"


@dataclasses.dataclass(frozen=True, slots=True)
class HistoryQuery:
    """Which rows of a run's history to read.

    ``stream`` is ``"default"`` for ``log`` rows and ``"system"`` for system metrics;
    ``min_step``/``max_step`` are inclusive bounds (``None``: open); ``keys`` keeps only those
    keys (and ``_step``) of each row (``None``: every key).

    Raises:
        ValueError: an empty stream.
        TypeError: ``keys`` given as one string instead of a sequence of them.
    """

    stream: str = "default"
    min_step: int | None = None
    max_step: int | None = None
    keys: tuple[str, ...] | None = None

    def __init__(
        self,
        stream: str = "default",
        min_step: int | None = None,
        max_step: int | None = None,
        keys: Sequence[str] | None = None,
    ) -> None:
        if not isinstance(stream, str) or not stream:
            raise ValueError(f"HistoryQuery stream must be a non-empty str, not {stream!r}.")
        if isinstance(keys, str):
            raise TypeError("HistoryQuery keys must be a sequence of str, not one str.")
        object.__setattr__(self, "stream", stream)
        object.__setattr__(self, "min_step", min_step)
        object.__setattr__(self, "max_step", max_step)
        object.__setattr__(self, "keys", None if keys is None else tuple(keys))
