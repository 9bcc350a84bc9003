"""``python -m parabola.cli``: the same as the ``parabola`` console script."""

from __future__ import annotations

from parabola.cli import main

if __name__ == "__main__":
    main()
