"""The dashboard: ``parabola ui``, one local web page over the store's studies and runs.

``parabola ui [STORAGE]`` serves it on http://127.0.0.1:8080/; from Python, :func:`serve`
blocks and :func:`run_server` starts it in a background thread (notebooks); :func:`create_app`
is the ASGI app itself. It needs the ``ui`` extra (``pip install 'parabola[ui]'``: Starlette,
uvicorn, Jinja2, plotly); nothing is fetched at run time (plotly.js comes from the installed
``plotly`` package). Study figures are those of :mod:`parabola.visualization`; figure panels
are registered with :func:`register_panel`. See ``docs/dashboard.md``.

Example:
    >>> from parabola.storages import InMemoryStorage
    >>> from starlette.testclient import TestClient
    >>> TestClient(create_app(InMemoryStorage())).get("/").status_code
    200
"""

from __future__ import annotations

import importlib.util as _util

for _dependency in ("starlette", "uvicorn", "jinja2"):
    if _util.find_spec(_dependency) is None:
        raise ModuleNotFoundError(
            f"parabola.ui needs {_dependency!r}, from the 'ui' extra: pip install 'parabola[ui]'",
            name=_dependency,
        )

from parabola.ui._app import create_app  # noqa: E402
from parabola.ui._figures import Panel, register_panel  # noqa: E402
from parabola.ui._serve import DashboardServer, run_server, serve  # noqa: E402

__all__ = ["DashboardServer", "Panel", "create_app", "register_panel", "run_server", "serve"]
