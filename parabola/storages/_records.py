"""Plain records the storage contract exchanges: study summaries and tracking runs."""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import Any

from parabola._study_direction import StudyDirection

__all__ = ["RUN_TEXT_LIMITS", "FrozenStudy", "RunRecord", "RunState", "check_run_text"]


@dataclasses.dataclass
class FrozenStudy:
    """A study as stored: id, name, directions and attributes (no trials)."""

    study_id: int
    study_name: str
    directions: list[StudyDirection]
    user_attrs: dict[str, Any]
    system_attrs: dict[str, Any]

    @property
    def direction(self) -> StudyDirection:
        if len(self.directions) > 1:
            raise RuntimeError("This study has several directions; use directions.")
        return self.directions[0]


class RunState(str, enum.Enum):
    """Lifecycle of a tracking run, with W&B's names."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CRASHED = "crashed"


@dataclasses.dataclass
class RunRecord:
    """A tracking run as stored (the tracking half of the store).

    ``run_id`` is unique within ``(entity, project)``; ``summary`` and ``config`` are JSON objects.
    ``study_name``/``trial_number`` link a run to the optimisation half when it was created from a
    study or trial (``None`` otherwise). ``heartbeat_at`` is refreshed by a live run; a RUNNING run
    whose heartbeat is stale is reported as CRASHED by readers.
    """

    run_id: str
    project: str
    entity: str
    name: str
    state: RunState
    created_at: datetime.datetime
    heartbeat_at: datetime.datetime
    finished_at: datetime.datetime | None = None
    exit_code: int | None = None
    config: dict[str, Any] = dataclasses.field(default_factory=dict)
    summary: dict[str, Any] = dataclasses.field(default_factory=dict)
    tags: list[str] = dataclasses.field(default_factory=list)
    notes: str | None = None
    group: str | None = None
    job_type: str | None = None
    study_name: str | None = None
    trial_number: int | None = None


# The longest value each text field of a run may hold, in characters: the SQL column sizes,
# enforced by every store (SQLite would accept longer, PostgreSQL would not) so that a run
# that fits one backend fits them all. ``None``: unlimited length.
RUN_TEXT_LIMITS: dict[str, int | None] = {
    "run_id": 256,
    "project": 256,
    "entity": 256,
    "name": 512,
    "group": 512,
    "job_type": 512,
    "study_name": 512,
    "notes": None,
}


def check_run_text(fields: dict[str, Any]) -> None:
    """Refuse, naming the field and the limit, a run text field no backend can store.

    Raises:
        ValueError: a value longer than :data:`RUN_TEXT_LIMITS` allows, or one holding a NUL
            character (PostgreSQL's text types cannot store it).

    Example:
        >>> check_run_text({"project": "p" * 257})
        Traceback (most recent call last):
        ...
        ValueError: run project is 257 characters long; the limit is 256.
    """
    for name, limit in RUN_TEXT_LIMITS.items():
        value = fields.get(name)
        if not isinstance(value, str):
            continue
        if limit is not None and len(value) > limit:
            raise ValueError(f"run {name} is {len(value)} characters long; the limit is {limit}.")
        if "\x00" in value:
            raise ValueError(
                f"run {name} contains a NUL character (\\x00), which stores cannot hold; remove it."
            )
