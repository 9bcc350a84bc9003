"""The ``parabola`` command line: one click group, one module per command group.

Example::

    $ parabola db current
    $ parabola db upgrade --storage sqlite:///parabola.db
"""

from __future__ import annotations

import click as _click

from parabola.cli._db import db as _db
from parabola.cli._import import import_ as _import
from parabola.cli._run import run as _run
from parabola.cli._ui import ui as _ui

__all__ = ["main"]


@_click.group(context_settings={"help_option_names": ["-h", "--help"]})
@_click.version_option(package_name="parabola")
def main() -> None:
    """parabola: local-first hyperparameter optimisation and experiment tracking."""


main.add_command(_db)
main.add_command(_import)
main.add_command(_ui)
main.add_command(_run)
