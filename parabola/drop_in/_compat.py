"""Small W&B helpers that frameworks call through the switch (``wandb.termwarn``, ``wandb.util``,
``wandb.errors``...): each does what the real one does for a local run."""

from __future__ import annotations

import os
import re
import secrets
import string
import sys
from typing import Any

__all__ = [
    "CommError",
    "Error",
    "RunDisabled",
    "UsageError",
    "generate_id",
    "make_artifact_name_safe",
    "require",
    "set_entity",
    "set_project",
    "setup",
    "teardown",
    "termerror",
    "termlog",
    "termwarn",
]


class Error(Exception):
    """W&B's base error (``wandb.Error``, ``wandb.errors.Error``)."""


class CommError(Error):
    """W&B's communication error; parabola never raises it (there is no server)."""


class UsageError(Error):
    """W&B's usage error."""


class RunDisabled:
    """W&B's disabled-run type. parabola's disabled runs are ordinary ``Run`` objects (storing
    nothing), so nothing is an instance of this class; frameworks only test against it."""


def _term(prefix: str, string_: str, newline: bool) -> None:
    sys.stderr.write(f"parabola: {prefix}{string_}" + ("\n" if newline else ""))


def termlog(
    string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True
) -> None:
    """Print a line on stderr (``wandb.termlog``)."""
    _term("", string, newline)


def termwarn(string: str, newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    """Print a warning line on stderr (``wandb.termwarn``)."""
    _term("WARNING ", string, newline)


def termerror(string: str, newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    """Print an error line on stderr (``wandb.termerror``)."""
    _term("ERROR ", string, newline)


def require(requirement: str | None = None, experiment: str | None = None) -> None:
    """Accepted: W&B's feature flags (``wandb.require("service")``) have no meaning locally."""


def setup(settings: Any = None) -> None:
    """Accepted: there is no helper process to start."""


def teardown(exit_code: int | None = None) -> None:
    """Finish the current run, if any (``wandb.teardown``)."""
    import parabola

    if parabola.run is not None:
        parabola.finish(exit_code=exit_code)


def generate_id(length: int = 8) -> str:
    """A random run id of lowercase letters and digits (``wandb.util.generate_id``)."""
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def make_artifact_name_safe(name: str) -> str:
    """Replace characters an artifact name may not hold (``wandb.util``'s helper)."""
    cleaned = re.sub(r"[^a-zA-Z0-9_\-.]", "_", name)
    return cleaned[:128]


def set_entity(value: str, env: Any = None) -> None:
    """Set the default entity for ``init`` (``wandb.env.set_entity``)."""
    os.environ["WANDB_ENTITY"] = value


def set_project(value: str, env: Any = None) -> None:
    """Set the default project for ``init`` (``wandb.env.set_project``)."""
    os.environ["WANDB_PROJECT"] = value
