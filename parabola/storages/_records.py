"""Plain records the storage contract exchanges: study summaries and tracking runs."""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import Any

from parabola._study_direction import StudyDirection

__all__ = ["FrozenStudy", "RunRecord", "RunState"]


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
