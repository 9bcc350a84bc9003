"""Where a run's page is in the local dashboard (``parabola ui``), as W&B's ``run.url``.

The dashboard's default address is ``http://127.0.0.1:8080``; ``PARABOLA_UI_URL`` names another
(``parabola ui --port 9000`` users set ``PARABOLA_UI_URL=http://127.0.0.1:9000``). The address is
given whether or not a dashboard is running, as W&B gives a URL whether or not a browser is open.
"""

from __future__ import annotations

import os
from urllib.parse import quote

__all__ = ["dashboard_url"]

DEFAULT_UI_URL = "http://127.0.0.1:8080"


def dashboard_url(entity: str, project: str, run_id: str | None = None) -> str:
    """The page of a project (``run_id=None``) or of one run.

    Example:
        >>> import os
        >>> os.environ.pop("PARABOLA_UI_URL", None) and None
        >>> dashboard_url("me", "demo", "abc123")
        'http://127.0.0.1:8080/runs/me/demo/abc123'
        >>> dashboard_url("me", "my project")
        'http://127.0.0.1:8080/projects/me/my%20project'
    """
    base = (os.environ.get("PARABOLA_UI_URL") or DEFAULT_UI_URL).strip().rstrip("/")
    e, p = quote(entity, safe=""), quote(project, safe="")
    if run_id is None:
        return f"{base}/projects/{e}/{p}"
    return f"{base}/runs/{e}/{p}/{quote(run_id, safe='')}"
