"""The study page's figure panels: each one calls a ``parabola.visualization`` function.

The dashboard draws no plot of its own: a panel names the ``plot_*`` function, says which
studies it applies to and which keyword arguments it takes from the page, and the figure that
function builds goes to the browser as plotly JSON (``Plotly.react``). Functions are looked up
when a panel is drawn, so a function that is not in the installed ``parabola.visualization``
shows as "not available" with the reason, and appears by itself once it is.

Built-in panels go through :func:`register_panel`, the hook a third-party package uses.

**Point budget.** A figure as the page first gets it draws at most :data:`PAGE_POINTS` markers:
a browser draws each marker as an SVG element, and a figure of 10,000 markers is one
main-thread task of a second or more (the page freezes meanwhile). Marker-only scatter traces
above the budget keep an evenly spaced subsample of their points (plus each trace's lowest and
highest ``y``, so the best trial and any outlier stay in view); lines keep every point that
shapes them (points inside a flat run are dropped: the same line); contour traces are drawn as
heatmaps of the same grid (plotly.js traces contour levels on the main thread, 20 s and more
for a 5-parameter contour figure). The answer says so (``"points": {"shown", "total"}``,
``"notes"``) and the page shows it with a "show the full figure" control, which asks again
with ``points=all``.
"""

from __future__ import annotations

import base64
import importlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from parabola.study import Study

__all__ = [
    "MAX_PAGE_POINTS",
    "PAGE_POINTS",
    "FigureCache",
    "Panel",
    "BuiltFigure",
    "budget_markers",
    "build_figure",
    "figure_answer",
    "normalized_points",
    "panels",
    "register_panel",
]

# Markers one figure draws in its first view: about a tenth of a second of plotly.js's SVG
# drawing on a busy 2-core machine (10,000 markers: 0.6-1.0 s; 1,000: 0.11-0.3 s).
PAGE_POINTS = 1000
# The largest count a page may ask for (above it, ``points=all``): a bound on what one request
# builds and on the distinct spellings that take places in the figure cache.
MAX_PAGE_POINTS = 100_000


@dataclass(frozen=True)
class Panel:
    """A figure panel of the study page.

    Args:
        name: URL-safe identifier (``/api/studies/{id}/figures/{name}``).
        title: Heading shown above the figure.
        function: ``"module:attribute"`` of a function ``f(study, **kwargs) -> plotly Figure``.
        applies: Whether the panel is shown for a study with this many objectives.
        options: The query parameters it accepts (``params``: comma-separated list,
            ``target``: objective index, ``metric``: a logged metric name).

    Example:
        >>> p = Panel("history", "History", "parabola.visualization:plot_optimization_history")
        >>> p.applies(1), p.applies(2)
        (True, True)
    """

    name: str
    title: str
    function: str
    applies: Callable[[int], bool] = field(default=lambda n_objectives: True)
    options: tuple[str, ...] = ()


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    """Add (or replace, by name) a figure panel of the study page.

    Example:
        >>> register_panel(Panel("rank", "Rank", "parabola.visualization:plot_rank"))
        >>> "rank" in [p.name for p in panels()]
        True
    """
    if not panel.name.replace("_", "").isalnum():
        raise ValueError(f"Panel name must be letters, digits and '_', got {panel.name!r}.")
    _PANELS[panel.name] = panel


def panels() -> list[Panel]:
    """The registered panels, in registration order."""
    return list(_PANELS.values())


def _single(n: int) -> bool:
    return n == 1


def _multi(n: int) -> bool:
    return n > 1


_V = "parabola.visualization:"
# Order matters: panels are drawn as they scroll into view, so the cheap, most-read ones come
# first and the slowest to draw (timeline's bar per trial, contour's 20 subplots, the parallel
# coordinate's line per trial) further down.
for _panel in (
    Panel("history", "Optimization history", _V + "plot_optimization_history", options=("target",)),
    Panel("slice", "Slice", _V + "plot_slice", options=("params", "target")),
    Panel("importance", "Parameter importance", _V + "plot_param_importances"),
    Panel("intermediate", "Intermediate values", _V + "plot_intermediate_values"),
    Panel("pareto", "Pareto front", _V + "plot_pareto_front", applies=_multi),
    Panel("hypervolume", "Hypervolume history", _V + "plot_hypervolume_history", applies=_multi),
    Panel("edf", "Empirical distribution (EDF)", _V + "plot_edf", options=("target",)),
    Panel("rank", "Rank", _V + "plot_rank", options=("params", "target")),
    Panel("timeline", "Timeline", _V + "plot_timeline"),
    Panel("contour", "Contour", _V + "plot_contour", options=("params", "target")),
    Panel("parallel", "Parallel coordinate", _V + "plot_parallel_coordinate", options=("params",)),
):
    register_panel(_panel)


def resolve(panel: Panel) -> Callable[..., Any] | str:
    """The panel's function, or why it is not available (a sentence for the page)."""
    module_name, _, attr = panel.function.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        return f"not available: {module_name} cannot be imported ({e.name or e})"
    fn = getattr(module, attr, None)
    if fn is None:
        return f"not available: {module_name} has no {attr} yet"
    return fn  # type: ignore[no-any-return]


def _reference_point(study: Any) -> list[float]:
    """A hypervolume reference point: 10% beyond the worst value seen on each objective."""
    from parabola.study import StudyDirection
    from parabola.trial import TrialState

    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    point = []
    for i, d in enumerate(study.directions):
        vals = [t.values[i] for t in trials if t.values is not None]
        if not vals:
            raise ValueError("no complete trial yet")
        worst = max(vals) if d == StudyDirection.MINIMIZE else min(vals)
        span = (max(vals) - min(vals)) or 1.0
        point.append(worst + 0.1 * span if d == StudyDirection.MINIMIZE else worst - 0.1 * span)
    return point


def _kwargs(panel: Panel, source: Any, options: Mapping[str, str]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(panel.options))
    if unknown:
        raise ValueError(f"Panel {panel.name!r} takes no option {unknown[0]!r}.")
    kw: dict[str, Any] = {}
    if options.get("params"):
        kw["params"] = [p for p in options["params"].split(",") if p]
    n_obj = len(source.directions)
    if "target" in options:
        try:
            index = int(options["target"])
        except ValueError:
            raise ValueError(
                f"target: expected an objective index, got {options['target']!r}."
            ) from None
        if not 0 <= index < n_obj:
            raise ValueError(f"target: expected 0..{n_obj - 1}, got {index}.")
        if n_obj > 1:
            kw["target"] = lambda t, i=index: t.values[i]
            kw["target_name"] = f"Objective {index}"
    elif n_obj > 1 and "target" in panel.options:
        kw["target"] = lambda t: t.values[0]
        kw["target_name"] = "Objective 0"
    if panel.name == "hypervolume":
        kw["reference_point"] = _reference_point(source)
    return kw


class FigureCache:
    """Built figures' JSON by (study, trials token, panel, options): a poll with no change
    redraws nothing, and a figure being built (by a request or the background thread of
    :mod:`parabola.ui._precompute`) is waited for instead of built a second time."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._data: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._building: dict[tuple[Any, ...], threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: bytes) -> None:
        with self._lock:
            self._data[key] = value
            while len(self._data) > self._size:
                self._data.popitem(last=False)

    def get_or_build(self, key: tuple[Any, ...], build: Callable[[], bytes]) -> bytes:
        """The cached value of ``key``, or ``build()``'s (once, however many ask at a time).

        An error of ``build`` reaches the caller that ran it and is not cached; a caller that
        was waiting then builds for itself (and meets the same error).
        """
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
                return value
            event = self._building.get(key)
            owner = event is None
            if event is None:
                event = self._building[key] = threading.Event()
        if not owner:
            event.wait()
            value = self.get(key)
            return value if value is not None else self.get_or_build(key, build)
        try:
            value = build()
            self.put(key, value)
            return value
        finally:
            with self._lock:
                self._building.pop(key, None)
            event.set()


def _typed(node: Any, np: Any) -> Any:
    """A plotly typed array (``{"dtype", "bdata"}``, as figures hold numpy data) as numpy,
    or ``None`` for anything else."""
    if isinstance(node, dict) and set(node) == {"dtype", "bdata"}:
        return np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
    return None


def _length(node: Any, np: Any) -> int | None:
    typed = _typed(node, np)
    if typed is not None:
        return len(typed)
    if isinstance(node, list | tuple) or (isinstance(node, np.ndarray) and node.ndim == 1):
        return len(node)
    return None


def _marker_trace(trace: Mapping[str, Any], np: Any) -> int:
    """How many points a trace draws one by one: a marker-only scatter trace's markers or a
    bar trace's bars (the timeline draws a bar per trial); 0 for any other trace."""
    kind = trace.get("type", "scatter")
    if kind in ("scatter", "scattergl"):
        mode = str(trace.get("mode") or "")
        if "markers" not in mode or "lines" in mode:
            return 0
    elif kind != "bar":
        return 0
    n = [_length(trace.get(k), np) for k in ("x", "y")]
    return max([m for m in n if m is not None], default=0)


def _take(node: Any, n: int, idx: Any, np: Any) -> Any:
    """``node`` with every 1-D per-point array of length ``n`` (x, y, text, customdata,
    marker.color, marker.line.width, ...) cut down to ``idx``, nested dicts walked."""
    typed = _typed(node, np)
    if typed is not None:
        return typed[idx] if len(typed) == n else typed
    if isinstance(node, dict):
        return {
            k: v if k in ("colorscale", "dimensions") else _take(v, n, idx, np)
            for k, v in node.items()
        }
    if isinstance(node, list | tuple) and len(node) == n:
        return [node[i] for i in idx]
    if isinstance(node, np.ndarray) and node.ndim == 1 and len(node) == n:
        return node[idx]
    return node


def _keep(trace: Mapping[str, Any], n: int, k: int, np: Any) -> Any:
    """Sorted indices of the ``k`` (or ``k`` + 2) points of a trace of ``n`` that are kept:
    evenly spaced, plus the lowest and highest value (the longest and shortest bar)."""
    idx = np.unique(np.linspace(0, n - 1, k).round().astype(np.int64))
    # The value axis: a horizontal bar's length is its x (the timeline's duration).
    axis = "x" if trace.get("type") == "bar" and trace.get("orientation") == "h" else "y"
    y = _typed(trace.get(axis), np)
    try:
        y = np.asarray(trace.get(axis) if y is None else y, dtype=float)
    except (TypeError, ValueError):  # categorical y: no extremes to keep
        return idx
    if y.shape == (n,) and np.isfinite(y).any():
        extremes = [int(np.nanargmin(y)), int(np.nanargmax(y))]
        idx = np.unique(np.concatenate([idx, np.array(extremes, dtype=np.int64)]))
    return idx


def budget_markers(figure: dict[str, Any], budget: int) -> tuple[int, int]:
    """Cut ``figure``'s (a ``to_plotly_json()`` dict) marker-only scatter traces and bar
    traces, in place, to about ``budget`` markers (or bars) in all; ``(markers shown, markers
    there were)``. plotly.js draws each as its own SVG element: the timeline of 10,000 trials
    (a bar each) took 1.4-1.8 s to draw, 1,000 markers about 0.2 s.

    Each trace keeps its share of the budget (in proportion to its size, at least 1), evenly
    spaced over its points, plus its lowest and highest ``y``; the same points of every
    per-point array are kept, so hover text and colours stay with their points.

    Example:
        >>> import numpy as np
        >>> fig = {"data": [{"type": "scatter", "mode": "markers", "x": np.arange(10),
        ...                  "y": np.arange(10.0)[::-1], "marker": {"color": list("abcdefghij")}},
        ...                 {"type": "scatter", "mode": "lines", "x": np.arange(10)}]}
        >>> budget_markers(fig, 4)
        (4, 10)
        >>> fig["data"][0]["x"].tolist(), fig["data"][0]["marker"]["color"]
        ([0, 3, 6, 9], ['a', 'd', 'g', 'j'])
        >>> len(fig["data"][1]["x"])  # lines are kept whole
        10
    """
    import numpy as np

    sizes = [_marker_trace(t, np) for t in figure.get("data", [])]
    total = sum(sizes)
    if total <= budget:
        return total, total
    shown = 0
    for i, n in enumerate(sizes):
        if not n:
            continue
        k = max(1, budget * n // total)
        if k >= n:
            shown += n
            continue
        trace = figure["data"][i]
        idx = _keep(trace, n, k, np)
        figure["data"][i] = _take(trace, n, idx, np)
        shown += len(idx)
    return shown, total


def thin_flat_lines(figure: dict[str, Any]) -> int:
    """Drop, in place, the points inside runs of equal ``y`` of line-only scatter traces
    (a best-value-so-far line of 10,000 trials has a few dozen steps); the line drawn is the
    same. Returns how many points were dropped.

    Example:
        >>> import numpy as np
        >>> fig = {"data": [{"type": "scatter", "mode": "lines", "x": np.arange(6),
        ...                  "y": np.array([3.0, 2, 2, 2, 1, 1])}]}
        >>> thin_flat_lines(fig), fig["data"][0]["x"].tolist()
        (1, [0, 1, 3, 4, 5])
    """
    import numpy as np

    dropped = 0
    for i, trace in enumerate(figure.get("data", [])):
        if trace.get("type", "scatter") not in ("scatter", "scattergl"):
            continue
        if str(trace.get("mode") or "") != "lines":
            continue
        if (trace.get("line") or {}).get("shape") == "spline":
            continue  # a spline's curve depends on every point
        y = _typed(trace.get("y"), np)
        y = np.asarray(trace.get("y") if y is None else y)
        n = len(y) if y.ndim == 1 else 0
        if n < 3 or y.dtype.kind not in "fiu":
            continue
        inside = np.zeros(n, dtype=bool)
        inside[1:-1] = (y[1:-1] == y[:-2]) & (y[1:-1] == y[2:])  # NaN never equals: kept
        if inside.any():
            figure["data"][i] = _take(trace, n, np.flatnonzero(~inside), np)
            dropped += int(inside.sum())
    return dropped


# A contour trace's attributes a heatmap of the same grid keeps.
_HEATMAP_KEYS = (
    "x",
    "y",
    "z",
    "xaxis",
    "yaxis",
    "colorscale",
    "reversescale",
    "showscale",
    "colorbar",
    "zmin",
    "zmax",
    "zauto",
    "connectgaps",
    "hoverinfo",
    "name",
    "showlegend",
    "visible",
)


def contours_as_heatmaps(figure: dict[str, Any]) -> int:
    """Draw, in place, contour traces as heatmaps of the same grid and colours; how many.

    plotly.js traces a contour's levels on the main thread: the contour figure of a
    5-parameter study (20 contours of 100 x 100) is one task of over 20 s on a busy 2-core
    machine, its heatmaps about 1 s. The first view shows the heatmaps and says so.

    Example:
        >>> fig = {"data": [{"type": "contour", "z": [[1, 2], [3, 4]], "line": {"smoothing": 1}}]}
        >>> contours_as_heatmaps(fig), fig["data"][0]
        (1, {'type': 'heatmap', 'z': [[1, 2], [3, 4]]})
    """
    count = 0
    for i, trace in enumerate(figure.get("data", [])):
        if trace.get("type") == "contour":
            kept = {k: trace[k] for k in _HEATMAP_KEYS if k in trace}
            figure["data"][i] = {"type": "heatmap", **kept}
            count += 1
    return count


def _budget(options: Mapping[str, str]) -> int | None:
    """The page's ``points`` option: markers a figure draws (``None``: all of them)."""
    value = options.get("points")
    if value is None:
        return PAGE_POINTS
    if value == "all":
        return None
    points = int(value) if value.isdigit() and len(value) <= 6 else 0
    if not 1 <= points <= MAX_PAGE_POINTS:
        raise ValueError(
            f"points: expected 'all' or a count from 1 to {MAX_PAGE_POINTS}, got {value!r}."
        )
    return points


def normalized_points(options: dict[str, str]) -> None:
    """Check the ``points`` option and write it in one spelling (the default left out), so
    equal requests share one cached figure and a bad one is refused before any work.

    Raises:
        ValueError: naming ``points`` and the allowed values.
    """
    budget = _budget(options)
    if budget == PAGE_POINTS:
        options.pop("points", None)
    else:
        options["points"] = "all" if budget is None else str(budget)


def figure_answer(study: Study, panel_name: str, options: Mapping[str, str]) -> bytes:
    """The JSON answer of ``/figures/{name}``: ``{"available": true, "figure": ...}`` (with
    ``"points": {"shown": ..., "total": ...}`` when the figure was cut to the point budget) or
    ``{"available": false, "reason": ...}`` (``KeyError``/``ValueError`` for a bad request)."""
    built = build_figure(study, panel_name, options)
    if built.figure is None:
        return json.dumps({"available": False, "reason": built.reason}).encode()
    extra = b""
    if built.points is not None:
        shown, total = built.points
        extra += b',"points":' + json.dumps({"shown": shown, "total": total}).encode()
    if built.notes:
        extra += b',"notes":' + json.dumps(list(built.notes)).encode()
    return b'{"available":true,"figure":' + built.figure + extra + b"}"


class BuiltFigure(NamedTuple):
    """What :func:`build_figure` gives: the figure's JSON or why there is none,
    ``(markers shown, markers there were)`` when the figure was cut to the point budget, and
    what else its first view draws otherwise than the full figure (``notes``)."""

    figure: bytes | None
    reason: str | None = None
    points: tuple[int, int] | None = None
    notes: tuple[str, ...] = ()


def build_figure(study: Study, panel_name: str, options: Mapping[str, str]) -> BuiltFigure:
    """The panel's figure for ``study`` (its reason when the panel cannot be drawn).

    ``options`` are the panel's (:attr:`Panel.options`) plus ``points``: ``"all"``, or the
    markers the figure may draw (default :data:`PAGE_POINTS`, see :func:`budget_markers`).
    """
    options = dict(options)
    budget = _budget(options)
    options.pop("points", None)
    panel = _PANELS.get(panel_name)
    if panel is None:
        raise KeyError(f"No figure panel {panel_name!r}.")
    fn = resolve(panel)
    if isinstance(fn, str):
        return BuiltFigure(None, fn)
    try:
        from parabola.visualization import StudySnapshot
    except ImportError as e:
        return BuiltFigure(None, f"not available: parabola.visualization cannot be imported ({e})")
    if not panel.applies(len(study.directions)):
        return BuiltFigure(None, f"not available: {panel.title} needs a multi-objective study")
    source = StudySnapshot(
        study.get_trials(deepcopy=False),
        directions=study.directions,
        study_name=study.study_name,
        metric_names=study.metric_names,
    )
    kw = _kwargs(panel, source, options)
    try:
        figure = fn(source, **kw)
    except (ValueError, TypeError, RuntimeError, ImportError) as e:
        return BuiltFigure(None, f"not available: {e}")
    if budget is None:
        return BuiltFigure(figure.to_json().encode())
    data = figure.to_plotly_json()
    shown, total = budget_markers(data, budget)
    thinned = thin_flat_lines(data)
    notes = []
    if contours_as_heatmaps(data):
        notes.append("contours drawn as heatmaps")
    if shown == total and not thinned and not notes:
        return BuiltFigure(figure.to_json().encode())
    import plotly.io

    body = plotly.io.to_json(data, validate=False).encode()
    return BuiltFigure(body, points=(shown, total) if shown < total else None, notes=tuple(notes))
