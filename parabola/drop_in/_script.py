"""Running a script or module under the switch: what ``parabola run`` does."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from parabola.drop_in._switch import activate

__all__ = ["run_module", "run_script"]


def run_script(path: str | os.PathLike[str], args: Sequence[str] = ()) -> None:
    """Run ``path`` as ``__main__`` with ``sys.argv = [path, *args]``, the switch on.

    The script's folder goes first on ``sys.path``, as ``python script.py`` does. A
    ``SystemExit`` from the script propagates (the caller turns it into the exit code).

    Raises:
        FileNotFoundError: ``path`` is not a file.
    """
    script = os.fspath(path)
    if not os.path.isfile(script):
        raise FileNotFoundError(f"parabola run: no such script {script!r}.")
    import runpy  # here, not at the top: importing the switch must stay cheap

    activate()
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")


def run_module(module: str, args: Sequence[str] = ()) -> None:
    """Run ``module`` as ``python -m module`` does, the switch on."""
    import runpy

    activate()
    sys.argv = [module, *args]
    sys.path.insert(0, os.getcwd())
    runpy.run_module(module, run_name="__main__", alter_sys=True)
