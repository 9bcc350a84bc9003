"""The media half of the run page: logged images, tables, histograms, charts and alerts.

Media values are stored by content (``<artifact folder>/<sha256>``) and the history holds a
reference dict per logged key and step (``docs/tracking.md``, "Media and tables"). This module
only reads those references through :class:`parabola.Api`'s run (its history, files and
metadata) and opens a file only after :func:`stored_file` checked that it is one of the run's
files whose content lies in the artifact folder under its digest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from parabola.ui._json import clean

if TYPE_CHECKING:
    from parabola.tracking import PublicRun

__all__ = [
    "IMAGE_TYPES",
    "MAX_STEPS",
    "MAX_TABLE_BYTES",
    "MAX_TABLE_ROWS",
    "media_panels",
    "stored_file",
    "table_rows",
]

MAX_STEPS = 500  # references kept per key (the last ones): a slider over more is unusable
MAX_TABLE_ROWS = 1000  # rows a table answer may hold
MAX_TABLE_BYTES = 64 * 1024 * 1024  # a table file larger than this is not parsed
_SHA256 = re.compile("[0-9a-f]{64}")

# Served inline with their own content type. SVG is left out on purpose: opened directly it
# is a document that can hold script, so it only ever goes out as a download.
IMAGE_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
}


def stored_file(run: PublicRun, name: str) -> Path:
    """The stored content of the run's file ``name``, refusing anything else.

    Raises:
        ValueError: ``name`` has a ``..`` part, is absolute or holds a NUL byte.
        KeyError: The run saved no such file, or its content is not in the artifact folder.
    """
    if ".." in PurePosixPath(name).parts or ".." in Path(name).parts:
        raise ValueError(f"file: {name!r} is not a file name of this run.")
    if name.startswith(("/", "\\")) or "\x00" in name:
        raise ValueError(f"file: {name!r} is not a file name of this run.")
    entry = run.file(name)  # KeyError -> 404: only files the run saved are served
    # Contents are stored under their sha256 in the artifact folder; a digest that is not
    # 64 hex digits (a tampered record) could point anywhere, so it is never opened.
    path: Path = entry.path
    if not _SHA256.fullmatch(entry.sha256) or path.name != entry.sha256 or not path.is_file():
        raise KeyError(f"The content of {name!r} is not in the store's artifact folder.")
    return path


def _file_ref(ref: Mapping[str, Any]) -> dict[str, Any]:
    keep = ("path", "sha256", "size", "format", "width", "height", "caption", "nrows", "ncols")
    out = {k: ref[k] for k in keep if k in ref}
    if "columns" in ref:
        out["columns"] = [str(c) for c in ref["columns"]]
    return out


def _push(panel: dict[str, list[dict[str, Any]]], key: str, item: dict[str, Any]) -> None:
    items = panel.setdefault(key, [])
    items.append(item)
    if len(items) > MAX_STEPS:
        del items[0]


def _add(out: dict[str, Any], key: str, step: int, ref: Mapping[str, Any]) -> None:
    kind = ref.get("_type")
    if kind == "image-file" and isinstance(ref.get("path"), str):
        _push(out["images"], key, {"step": step, **_file_ref(ref)})
    elif kind == "images/separated" and isinstance(ref.get("items"), list):
        # A list of images under one key: one slider per position in the list.
        for i, item in enumerate(ref["items"]):
            if isinstance(item, Mapping) and item.get("_type") == "image-file":
                _push(out["images"], f"{key}[{i}]", {"step": step, **_file_ref(item)})
    elif kind == "table-file" and isinstance(ref.get("path"), str):
        _push(out["tables"], key, {"step": step, **_file_ref(ref)})
    elif kind == "histogram":
        values, bins = ref.get("values"), ref.get("bins")
        if isinstance(values, list) and isinstance(bins, list) and len(bins) == len(values) + 1:
            _push(out["histograms"], key, {"step": step, "values": values, "bins": bins})
    elif kind == "chart" and isinstance(ref.get("table"), Mapping):
        item = {
            "step": step,
            "spec": str(ref.get("vega_spec_name", "")),
            "fields": {str(k): str(v) for k, v in dict(ref.get("fields") or {}).items()},
            "string_fields": {
                str(k): str(v) for k, v in dict(ref.get("string_fields") or {}).items()
            },
            "table": _file_ref(ref["table"]),
        }
        _push(out["charts"], key, item)


def media_panels(run: PublicRun) -> dict[str, Any]:
    """Every media reference the run logged, by kind and key, in step order; and its alerts.

    Each key keeps its last :data:`MAX_STEPS` references. Alerts are ``run.alert`` records
    from the run's metadata.
    """
    out: dict[str, Any] = {"images": {}, "tables": {}, "histograms": {}, "charts": {}}
    for row in run.scan_history():
        step = row.get("_step")
        if not isinstance(step, int):
            continue
        for key, value in row.items():
            if isinstance(value, Mapping) and not key.startswith("_"):
                _add(out, key, step, value)
    alerts = run.metadata.get("alerts")
    listed = alerts if isinstance(alerts, list) else []
    out["alerts"] = [a for a in listed if isinstance(a, Mapping)]
    result: dict[str, Any] = clean(out)
    return result


def table_rows(run: PublicRun, name: str, rows: int) -> dict[str, Any]:
    """The first ``rows`` rows of the run's stored table ``name`` (a ``.table.json`` file).

    Raises:
        ValueError: ``name`` is not a table file, or the file is too large or not a table.
        KeyError: See :func:`stored_file`.
    """
    if not name.endswith(".table.json"):
        raise ValueError(f"path: {name!r} is not a table file (.table.json).")
    path = stored_file(run, name)
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        raise ValueError(f"path: the table is {size} bytes, over {MAX_TABLE_BYTES} shown here.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"path: {name!r} does not hold a table.") from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise ValueError(f"path: {name!r} does not hold a table.")
    body = data["data"]
    answer: dict[str, Any] = clean(
        {
            "columns": [str(c) for c in data.get("columns", [])],
            "data": body[:rows],
            "nrows": len(body),
            "truncated": len(body) > rows,
        }
    )
    return answer
