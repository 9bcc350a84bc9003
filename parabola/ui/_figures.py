"""The study page's figure panels: each one calls a ``parabola.visualization`` function.

The dashboard draws no plot of its own: a panel names the ``plot_*`` function, says which
studies it applies to and which keyword arguments it takes from the page, and the figure that
function builds goes to the browser as plotly JSON (``Plotly.react``). Functions are looked up
when a panel is drawn, so a function that is not in the installed ``parabola.visualization``
shows as "not available" with the reason, and appears by itself once it is.

Built-in panels go through :func:`register_panel`, the hook a third-party package uses.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parabola.study import Study

__all__ = ["FigureCache", "Panel", "build_figure", "figure_answer", "panels", "register_panel"]


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
# first and the WebGL parallel coordinate (slow in software rendering) further down.
for _panel in (
    Panel("history", "Optimization history", _V + "plot_optimization_history", options=("target",)),
    Panel("slice", "Slice", _V + "plot_slice", options=("params", "target")),
    Panel("importance", "Parameter importance", _V + "plot_param_importances"),
    Panel("intermediate", "Intermediate values", _V + "plot_intermediate_values"),
    Panel("pareto", "Pareto front", _V + "plot_pareto_front", applies=_multi),
    Panel("hypervolume", "Hypervolume history", _V + "plot_hypervolume_history", applies=_multi),
    Panel("edf", "Empirical distribution (EDF)", _V + "plot_edf", options=("target",)),
    Panel("rank", "Rank", _V + "plot_rank", options=("params", "target")),
    Panel("contour", "Contour", _V + "plot_contour", options=("params", "target")),
    Panel("timeline", "Timeline", _V + "plot_timeline"),
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


def figure_answer(study: Study, panel_name: str, options: Mapping[str, str]) -> bytes:
    """The JSON answer of ``/figures/{name}``: ``{"available": true, "figure": ...}`` or
    ``{"available": false, "reason": ...}`` (``KeyError``/``ValueError`` for a bad request)."""
    figure, reason = build_figure(study, panel_name, options)
    if figure is None:
        return json.dumps({"available": False, "reason": reason}).encode()
    return b'{"available":true,"figure":' + figure + b"}"


def build_figure(
    study: Study, panel_name: str, options: Mapping[str, str]
) -> tuple[bytes | None, str | None]:
    """``(figure JSON, None)``, or ``(None, reason)`` when the panel cannot be drawn."""
    panel = _PANELS.get(panel_name)
    if panel is None:
        raise KeyError(f"No figure panel {panel_name!r}.")
    fn = resolve(panel)
    if isinstance(fn, str):
        return None, fn
    try:
        from parabola.visualization import StudySnapshot
    except ImportError as e:
        return None, f"not available: parabola.visualization cannot be imported ({e})"
    if not panel.applies(len(study.directions)):
        return None, f"not available: {panel.title} needs a multi-objective study"
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
        return None, f"not available: {e}"
    return figure.to_json().encode(), None
