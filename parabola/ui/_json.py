"""JSON for the browser: NaN and infinities become ``null``, datetimes ISO strings.

``json.dumps`` would write ``NaN``, which no browser's ``JSON.parse`` accepts; a failed trial's
value or a diverged loss must not break a page.
"""

from __future__ import annotations

import datetime
import json
import math
from typing import Any

__all__ = ["clean", "dumps"]


def clean(value: Any) -> Any:
    """``value`` with non-finite floats replaced by ``None`` and odd types made JSON-able."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return clean(value.tolist())
    if hasattr(value, "value") and isinstance(getattr(value, "name", None), str):
        return clean(value.value)  # enums
    return str(value)


def dumps(value: Any, *, cleaned: bool = False) -> bytes:
    """Compact UTF-8 JSON of ``value`` (``cleaned``: already passed through :func:`clean`)."""
    data = value if cleaned else clean(value)
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
