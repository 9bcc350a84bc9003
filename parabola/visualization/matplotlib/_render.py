"""Draw one of this package's plotly figures on matplotlib.

Each ``parabola.visualization.matplotlib.plot_*`` builds the plotly figure (one
implementation of every plot) and draws its traces here: scatter, bar, contour and 3-D
scatter, on the subplot grid, axis types (log, category, date), ranges and titles the figure
declares.
"""

from __future__ import annotations

import datetime
import importlib
import re
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["plt", "to_matplotlib"]

_MISSING = (
    "parabola.visualization.matplotlib needs matplotlib, which is not installed: "
    "pip install 'parabola[plot]' (or pip install matplotlib)."
)
_RGB = re.compile(r"rgba?\(([^)]*)\)")
_CMAPS = {"Blues": "Blues", "Reds": "Reds", "RdYlBu_r": "RdYlBu_r"}


def plt() -> ModuleType:
    """``matplotlib.pyplot``, or an ImportError saying which extra to install."""
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError as e:
        raise ImportError(_MISSING) from e


def _color(c: Any) -> Any:
    if isinstance(c, str):
        m = _RGB.fullmatch(c.strip())
        if m:
            parts = [float(x) for x in m.group(1).split(",")]
            rgb = tuple(p / 255.0 for p in parts[:3])
            return (*rgb, parts[3]) if len(parts) == 4 else rgb
        return c.lower()
    return c


def _cmap(scale: Any) -> Any:
    from matplotlib.colors import LinearSegmentedColormap

    if isinstance(scale, str):
        return _CMAPS.get(scale, "viridis")
    if scale is None:
        return "Blues"
    stops = [(float(p), _color(c)) for p, c in scale]
    return LinearSegmentedColormap.from_list("plotly", stops)


def _reversed(cmap: Any) -> Any:
    import matplotlib

    return (matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap).reversed()


def _text(t: Any) -> str:
    if t is None:
        return ""
    text = t if isinstance(t, str) else getattr(t, "text", None) or ""
    return re.sub(r"<[^>]+>", "", text.replace("<br>", "\n"))


def _axis_name(ref: str | None, kind: str) -> str:
    ref = ref or kind
    return f"{kind}axis{ref[1:]}"


def _values(a: Any) -> list[Any]:
    return [] if a is None else list(a)


def _category_positions(values: list[Any], order: list[str]) -> np.ndarray:
    for v in values:
        if v is not None and str(v) not in order:
            order.append(str(v))
    return np.array([np.nan if v is None else order.index(str(v)) for v in values], dtype=float)


def _is_dates(values: list[Any]) -> bool:
    return (
        bool(values)
        and isinstance(values[0], str)
        and bool(re.match(r"\d{4}-\d\d-\d\d", values[0]))
    )


def _draw(ax: Any, tr: Any, cats: dict[str, list[str]], layout: Any) -> None:
    import matplotlib.dates as mdates

    xs: Any
    ys: Any

    kind = tr.type
    if kind == "contour":
        x: Any = np.asarray(_values(tr.x), dtype=object)
        y: Any = np.asarray(_values(tr.y), dtype=object)
        if tr.z is None or len(x) == 0:
            return
        z = np.asarray(tr.z, dtype=float)
        xs = _category_positions(list(x), cats["x"]) if not _numeric(x) else x.astype(float)
        ys = _category_positions(list(y), cats["y"]) if not _numeric(y) else y.astype(float)
        z = _fill_gaps(xs, ys, z)
        cmap = _cmap(tr.colorscale)
        if tr.reversescale:
            cmap = _reversed(cmap)
        cs = ax.contourf(xs, ys, z, levels=15, cmap=cmap)
        if tr.showscale is not False:
            bar = ax.figure.colorbar(cs, ax=ax)
            bar.set_label(_text(tr.colorbar.title) if tr.colorbar else "")
        return
    if kind == "bar":
        xs = np.asarray(_values(tr.x), dtype=float)
        ys = _values(tr.y)
        color = _color(tr.marker.color) if tr.marker and tr.marker.color else None
        if tr.orientation == "h":
            pos = _category_positions(ys, cats["y"]) if not _numeric(ys) else np.asarray(ys, float)
            base = _values(tr.base)
            if base and _is_dates(base):
                starts = [datetime.datetime.fromisoformat(b) for b in base]
                left = mdates.date2num(starts)  # type: ignore[no-untyped-call]
                ax.barh(pos, xs / 86_400_000.0, left=left, color=color, label=tr.name)
                ax.xaxis_date()
            else:
                ax.barh(pos, xs, color=color, label=tr.name)
                for p, v, lab in zip(pos, xs, _values(tr.text), strict=False):
                    ax.text(v, p, f" {lab}", va="center", fontsize=8)
        else:
            ax.bar(ys, xs, color=color, label=tr.name)
        return
    if kind == "scatter3d":
        return  # drawn by _draw_3d on a 3-D axes
    x = _values(tr.x)
    y = _values(tr.y)
    if not x or all(v is None for v in x):
        if tr.marker is not None and tr.marker.showscale and tr.marker.colorscale is not None:
            _colorbar_only(ax, tr)
        return
    xs = np.asarray(_category_positions(x, cats["x"]) if not _numeric(x) else x, dtype=float)
    ys = np.asarray(_category_positions(y, cats["y"]) if not _numeric(y) else y, dtype=float)
    mode = tr.mode or "lines+markers"
    marker = tr.marker
    mcolor = marker.color if marker is not None else None
    line_color = _color(tr.line.color) if tr.line is not None and tr.line.color else None
    alpha = tr.opacity if tr.opacity is not None else 1.0
    if "lines" in mode:
        dash = "--" if tr.line is not None and tr.line.dash == "dot" else "-"
        ax.plot(
            xs,
            ys,
            color=line_color or (_color(mcolor) if isinstance(mcolor, str) else None),
            linestyle=dash,
            alpha=alpha,
            linewidth=1.2,
            label=tr.name if tr.showlegend else None,
            marker="o" if "markers" in mode else None,
            markersize=3,
        )
    if "markers" in mode and "lines" not in mode:
        kwargs: dict[str, Any] = {"s": 18, "alpha": alpha, "edgecolors": "grey", "linewidths": 0.5}
        if mcolor is not None and not isinstance(mcolor, str) and len(mcolor) == len(xs):
            arr = list(mcolor)
            if isinstance(arr[0], str):
                kwargs["c"] = [_color(c) for c in arr]
            else:
                kwargs["c"] = np.asarray(arr, dtype=float)
                kwargs["cmap"] = _cmap(marker.colorscale)
        elif isinstance(mcolor, str):
            kwargs["c"] = _color(mcolor)
        sc = ax.scatter(
            xs, ys, label=tr.name if tr.showlegend is not False and tr.name else None, **kwargs
        )
        if "cmap" in kwargs and marker.showscale is not False and marker.colorbar is not None:
            bar = ax.figure.colorbar(sc, ax=ax)
            bar.set_label(_text(marker.colorbar.title))
        if tr.error_y is not None and tr.error_y.array is not None:
            ax.errorbar(
                xs, ys, yerr=np.asarray(tr.error_y.array, dtype=float), fmt="none", ecolor="grey"
            )


def _colorbar_only(ax: Any, tr: Any) -> None:
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    m = tr.marker
    lo = m.cmin if m.cmin is not None else 0.0
    hi = m.cmax if m.cmax is not None else 1.0
    cmap = _cmap(m.colorscale)
    if m.reversescale:
        cmap = _reversed(cmap)
    sm = ScalarMappable(norm=Normalize(lo, hi), cmap=cmap)
    bar = ax.figure.colorbar(sm, ax=ax)
    if m.colorbar is not None:
        bar.set_label(_text(m.colorbar.title))
        if m.colorbar.tickvals is not None and m.colorbar.ticktext is not None:
            bar.set_ticks(list(m.colorbar.tickvals), labels=list(m.colorbar.ticktext))


def _numeric(values: Any) -> bool:
    return all(
        v is None or (isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
        for v in values
    )


def _fill_gaps(xs: np.ndarray, ys: np.ndarray, z: np.ndarray) -> np.ndarray:
    """plotly's ``connectgaps``: fill the empty grid cells (nearest known cell, then linear)."""
    from scipy.interpolate import griddata

    known = ~np.isnan(z)
    if known.all() or not known.any():
        return np.asarray(np.nan_to_num(z), dtype=float)
    gx, gy = np.meshgrid(xs, ys)
    pts = np.column_stack([gx[known], gy[known]])
    filled = griddata(pts, z[known], (gx, gy), method="nearest")
    return np.asarray(filled, dtype=float)


def _draw_3d(fig: Any, traces: list[Any], layout: Any) -> Any:
    ax = fig.add_subplot(projection="3d")
    for tr in traces:
        x = np.asarray(_values(tr.x), dtype=float)
        if not len(x):
            continue
        c = tr.marker.color if tr.marker is not None else None
        kwargs: dict[str, Any] = {}
        if c is not None and not isinstance(c, str):
            kwargs = {"c": np.asarray(list(c), dtype=float), "cmap": _cmap(tr.marker.colorscale)}
        elif isinstance(c, str):
            kwargs = {"c": _color(c)}
        ax.scatter(x, np.asarray(_values(tr.y), float), np.asarray(_values(tr.z), float), **kwargs)
    scene = layout.scene
    ax.set_xlabel(_text(scene.xaxis.title))
    ax.set_ylabel(_text(scene.yaxis.title))
    ax.set_zlabel(_text(scene.zaxis.title))
    ax.set_title(_text(layout.title))
    return ax


def _style_axis(ax: Any, which: str, spec: Any, cats: list[str]) -> None:
    if spec is None:
        return
    set_label = ax.set_xlabel if which == "x" else ax.set_ylabel
    set_lim = ax.set_xlim if which == "x" else ax.set_ylim
    set_scale = ax.set_xscale if which == "x" else ax.set_yscale
    if spec.title is not None and spec.title.text:
        set_label(_text(spec.title.text))
    if spec.type == "log":
        set_scale("log")
        if spec.range is not None:
            set_lim(10 ** float(spec.range[0]), 10 ** float(spec.range[1]))
    elif spec.type == "date":
        pass
    elif spec.range is not None and all(r is not None for r in spec.range):
        set_lim(float(spec.range[0]), float(spec.range[1]))
    if cats:
        ticks = ax.set_xticks if which == "x" else ax.set_yticks
        ticks(range(len(cats)), labels=cats)
    if spec.tickmode == "array" and spec.tickvals is not None:
        ticks = ax.set_xticks if which == "x" else ax.set_yticks
        ticks(list(spec.tickvals), labels=[str(t) for t in (spec.ticktext or spec.tickvals)])
    if spec.visible is False:
        (ax.get_xaxis() if which == "x" else ax.get_yaxis()).set_visible(False)


def to_matplotlib(figure: Any) -> Any:
    """The figure drawn on matplotlib: one ``Axes``, or a 2-D ``numpy`` array of them for a
    grid of subplots (as Optuna's matplotlib plots return)."""
    pyplot = plt()
    layout = figure.layout
    traces = list(figure.data)
    title = _text(layout.title.text) if layout.title is not None else ""
    if any(tr.type == "scatter3d" for tr in traces):
        fig = pyplot.figure(figsize=(8, 6))
        return _draw_3d(fig, traces, layout)
    refs: dict[tuple[str, str], list[Any]] = {}
    for tr in traces:
        key = (
            _axis_name(getattr(tr, "xaxis", None), "x"),
            _axis_name(getattr(tr, "yaxis", None), "y"),
        )
        refs.setdefault(key, []).append(tr)
    if not refs:
        refs[("xaxis", "yaxis")] = []
    domains = {}
    for xa, ya in refs:
        xd = getattr(layout, xa).domain if getattr(layout, xa, None) is not None else None
        yd = getattr(layout, ya).domain if getattr(layout, ya, None) is not None else None
        domains[(xa, ya)] = (tuple(xd) if xd else (0.0, 1.0), tuple(yd) if yd else (0.0, 1.0))
    cols = sorted({d[0] for d in domains.values()})
    rows = sorted({d[1] for d in domains.values()}, reverse=True)
    width = max(6.4, 3.0 * len(cols))
    height = max(4.8, 2.6 * len(rows)) if len(rows) > 1 else 4.8
    fig, axes = pyplot.subplots(len(rows), len(cols), figsize=(width, height), squeeze=False)
    fig.suptitle(title)
    for key, group in refs.items():
        xd, yd = domains[key]
        ax = axes[rows.index(yd), cols.index(xd)]
        cats: dict[str, list[str]] = {"x": [], "y": []}
        for which in ("x", "y"):
            spec = getattr(layout, key[0] if which == "x" else key[1], None)
            if spec is not None and spec.categoryarray is not None:
                cats[which] = [str(c) for c in spec.categoryarray]
        for tr in group:
            _draw(ax, tr, cats, layout)
        _style_axis(ax, "x", getattr(layout, key[0], None), cats["x"])
        _style_axis(ax, "y", getattr(layout, key[1], None), cats["y"])
        if (
            any(tr.name and tr.showlegend is not False and tr.type != "contour" for tr in group)
            and (layout.showlegend is not False)
            and len(group) > 1
        ):
            handles, _labels = ax.get_legend_handles_labels()
            if handles:
                ax.legend(fontsize=8)
    for ann in layout.annotations or ():
        ax0 = axes[0, 0]
        ax0.text(ann.x, ann.y, f"{ann.text} ", ha="right", va="center", fontsize=7, color="#555")
    if axes.size == 1:
        return axes[0, 0]
    return axes
