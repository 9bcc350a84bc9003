"""Experiment tracking with W&B's API over parabola's local store (no account, no helper process).

``import parabola as wandb`` gives ``wandb.init``, ``wandb.log``, ``wandb.Api``... The runs go to
the same store as studies (``$PARABOLA_STORAGE`` or ``sqlite:///parabola.db``).

Example:
    >>> import parabola as wandb
    >>> with wandb.init(project="demo", mode="disabled") as run:
    ...     run.log({"loss": 0.5})
"""

from __future__ import annotations

from parabola.tracking._api import Api, File, LoggedArtifact, PublicRun, Runs
from parabola.tracking._artifacts import Artifact
from parabola.tracking._config import Config, ConfigError
from parabola.tracking._init import (
    define_metric,
    finish,
    init,
    log,
    log_artifact,
    login,
    save,
)
from parabola.tracking._metrics import MetricDefinition
from parabola.tracking._run import Run
from parabola.tracking._settings import Settings
from parabola.tracking._study import TrackingCallback, log_study, trial_run
from parabola.tracking._summary import Summary

__all__ = [
    "Api",
    "Artifact",
    "Config",
    "ConfigError",
    "File",
    "LoggedArtifact",
    "MetricDefinition",
    "PublicRun",
    "Run",
    "Runs",
    "Settings",
    "Summary",
    "TrackingCallback",
    "define_metric",
    "finish",
    "init",
    "log",
    "log_artifact",
    "log_study",
    "login",
    "save",
    "trial_run",
]
