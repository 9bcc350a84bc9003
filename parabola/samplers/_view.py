"""Moved to :mod:`parabola._study_view` (used by samplers, pruners and study alike); this
module keeps the old import path working."""

from __future__ import annotations

from parabola._study_view import ForwardingStudyView, StudyView

__all__ = ["ForwardingStudyView", "StudyView"]
