"""``StudyDirection``: whether an objective is minimised or maximised.

It lives outside ``parabola.study`` because storages, samplers and studies all need it and the
study package depends on them (layers point one way).
"""

from __future__ import annotations

import enum

__all__ = ["StudyDirection"]


class StudyDirection(enum.IntEnum):
    """Direction of one objective: ``MINIMIZE`` or ``MAXIMIZE`` (``NOT_SET`` before creation)."""

    NOT_SET = 0
    MINIMIZE = 1
    MAXIMIZE = 2

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return f"StudyDirection.{self.name}"
