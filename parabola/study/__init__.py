"""Studies: create, load, copy and delete them; optimize, ask and tell."""

from __future__ import annotations

from parabola._study_direction import StudyDirection
from parabola.study._callbacks import MaxTrialsCallback
from parabola.study._create import (
    StudySummary,
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    get_all_study_summaries,
    load_study,
)
from parabola.study._study import ObjectiveFuncType, Study

__all__ = [
    "MaxTrialsCallback",
    "ObjectiveFuncType",
    "Study",
    "StudyDirection",
    "StudySummary",
    "copy_study",
    "create_study",
    "delete_study",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
]
