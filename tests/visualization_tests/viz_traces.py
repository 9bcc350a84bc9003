"""What the differential tests compare of a figure: each trace's data and the layout's titles,
axis types and ranges, as plain JSON-able values (numbers rounded to 9 significant digits)."""

from __future__ import annotations

import base64
import re
from typing import Any

import numpy as np

_TRACE_KEYS = (
    "type",
    "name",
    "mode",
    "x",
    "y",
    "z",
    "base",
    "orientation",
    "text",
    "customdata",
    "showlegend",
    "hovertemplate",
    "xaxis",
    "yaxis",
    "reversescale",
    "connectgaps",
)
_MARKER_KEYS = ("color", "colorscale", "cmin", "cmax", "showscale", "reversescale")
_AXIS_KEYS = ("type", "range", "title", "categoryarray", "tickvals", "ticktext")


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return _plain(v.tolist())
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict) and "bdata" in v and "dtype" in v:
        # plotly's typed-array encoding of numpy data: compare the numbers, not the encoding.
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        if "shape" in v:
            arr = arr.reshape([int(s) for s in str(v["shape"]).split(",")])
        return _plain(arr)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return float(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if f != f else float(f"{f:.9g}")
    if isinstance(v, str):
        # Numbers inside hover text: to 9 significant digits as well (importances differ
        # from Optuna's in the 16th digit).
        return _FLOAT.sub(lambda m: f"{float(m.group(0)):.9g}", v)
    return v


_FLOAT = re.compile(r"-?\d+\.\d{10,}(e-?\d+)?")


def summarize(fig: Any) -> dict[str, Any]:
    """The compared parts of a plotly figure."""
    doc = fig.to_plotly_json()
    traces = []
    for tr in doc["data"]:
        out = {k: _plain(tr[k]) for k in _TRACE_KEYS if k in tr}
        marker = tr.get("marker") or {}
        out["marker"] = {k: _plain(marker[k]) for k in _MARKER_KEYS if k in marker}
        if "line" in tr and isinstance(tr["line"], dict):
            out["line"] = _plain({k: tr["line"][k] for k in ("color", "dash") if k in tr["line"]})
        if tr.get("error_y"):
            out["error_y"] = _plain(tr["error_y"].get("array"))
        traces.append(out)
    layout = doc["layout"]
    title = layout.get("title")
    axes = {}
    for key in sorted(layout):
        if key.startswith(("xaxis", "yaxis")) or key == "scene":
            spec = layout[key]
            axes[key] = {k: _plain(spec[k]) for k in _AXIS_KEYS if k in spec}
            if "title" in axes[key] and isinstance(axes[key]["title"], dict):
                axes[key]["title"] = axes[key]["title"].get("text")
            if key == "scene":
                axes[key] = _plain(
                    {
                        k: spec[k].get("title", {}).get("text")
                        for k in ("xaxis", "yaxis", "zaxis")
                        if k in spec
                    }
                )
    return {
        "title": title.get("text") if isinstance(title, dict) else title,
        "traces": traces,
        "axes": axes,
        "annotations": _plain(
            [{k: a.get(k) for k in ("x", "y", "text")} for a in layout.get("annotations", [])]
        ),
    }
