"""``python -m parabola``: the ``parabola`` command line (``python -m parabola run script.py``)."""

from __future__ import annotations

from parabola.cli import main

if __name__ == "__main__":
    main(prog_name="parabola")
