"""Experiment tracking with W&B's API over parabola's local store (no account, no helper process).

``import parabola as wandb`` gives ``wandb.init``, ``wandb.log``, ``wandb.Api``... The runs go to
the same store as studies (``$PARABOLA_STORAGE`` or ``sqlite:///parabola.db``).

Each public name is imported on first use (PEP 562): a script that only calls ``init``, ``log``
and ``finish`` never loads the read API (``Api``), artifacts or the study integration, and what
they import (pandas, hashing, temporary files...).

Example:
    >>> import parabola as wandb
    >>> with wandb.init(project="demo", mode="disabled") as run:
    ...     run.log({"loss": 0.5})
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parabola.tracking._api import Api as Api
    from parabola.tracking._api import File as File
    from parabola.tracking._api import LoggedArtifact as LoggedArtifact
    from parabola.tracking._api import PublicRun as PublicRun
    from parabola.tracking._api import Runs as Runs
    from parabola.tracking._artifacts import Artifact as Artifact
    from parabola.tracking._config import Config as Config
    from parabola.tracking._config import ConfigError as ConfigError
    from parabola.tracking._init import define_metric as define_metric
    from parabola.tracking._init import finish as finish
    from parabola.tracking._init import init as init
    from parabola.tracking._init import log as log
    from parabola.tracking._init import log_artifact as log_artifact
    from parabola.tracking._init import login as login
    from parabola.tracking._init import save as save
    from parabola.tracking._metrics import MetricDefinition as MetricDefinition
    from parabola.tracking._run import Run as Run
    from parabola.tracking._settings import Settings as Settings
    from parabola.tracking._study import TrackingCallback as TrackingCallback
    from parabola.tracking._study import log_study as log_study
    from parabola.tracking._study import trial_run as trial_run
    from parabola.tracking._summary import Summary as Summary

# public name -> the private module that defines it.
_LAZY = {
    "Api": "parabola.tracking._api",
    "Artifact": "parabola.tracking._artifacts",
    "Config": "parabola.tracking._config",
    "ConfigError": "parabola.tracking._config",
    "File": "parabola.tracking._api",
    "LoggedArtifact": "parabola.tracking._api",
    "MetricDefinition": "parabola.tracking._metrics",
    "PublicRun": "parabola.tracking._api",
    "Run": "parabola.tracking._run",
    "Runs": "parabola.tracking._api",
    "Settings": "parabola.tracking._settings",
    "Summary": "parabola.tracking._summary",
    "TrackingCallback": "parabola.tracking._study",
    "define_metric": "parabola.tracking._init",
    "finish": "parabola.tracking._init",
    "init": "parabola.tracking._init",
    "log": "parabola.tracking._init",
    "log_artifact": "parabola.tracking._init",
    "log_study": "parabola.tracking._study",
    "login": "parabola.tracking._init",
    "save": "parabola.tracking._init",
    "trial_run": "parabola.tracking._study",
}

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


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'parabola.tracking' has no attribute '{name}'")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
