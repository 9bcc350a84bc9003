"""``_figure.figure`` copies a prototype trace instead of running plotly's trace constructor once
per trace: the figure must be the one plotly builds, byte for byte,
its traces must be independent objects, and anything unexpected must fall back to plotly."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest

from parabola.visualization import _figure

go = pytest.importorskip("plotly.graph_objects")

N = 40


def _traces() -> list[dict[str, Any]]:
    shared_marker = {"maxdisplayed": 10}  # one dict in every trace, as plot_intermediate_values
    out: list[dict[str, Any]] = []
    for i in range(N):
        out.append(
            {
                "type": "scatter",
                "x": [0, 1, 2],
                "y": [float(i), 0.5, float("nan")],
                "mode": "lines+markers",
                "marker": shared_marker if i % 3 else {**shared_marker, "color": "#CCCCCC"},
                "name": f"Trial{i}",
            }
        )
    # A second kind (other keys, other type, numpy data) in the middle.
    out.insert(5, {"type": "bar", "x": np.arange(3.0), "y": np.array([1, 2, 3]), "name": "b"})
    out.insert(9, {"type": "scatter", "x": (1, 2), "y": [[1], [2]], "line": {"width": 1}})
    # The same keys as the scatter traces, another type: another kind.
    out.insert(12, {**out[0], "type": "scattergl", "marker": {"color": "red"}, "name": "gl"})
    return out


_LAYOUT = {"title": {"text": "T"}, "xaxis": {"title": {"text": "Step"}}, "showlegend": False}


def _plotly_built(traces: list[dict[str, Any]]) -> Any:
    fig = go.Figure(data=traces, layout=_LAYOUT, _validate=False)
    fig._validate = True
    fig.layout._validate = True
    for t in fig.data:
        t._validate = True
    return fig


def test_same_json_and_objects_as_plotly() -> None:
    fig, ref = _figure.figure(go, _traces(), _LAYOUT), _plotly_built(_traces())
    assert type(fig) is go.Figure
    assert fig.to_json() == ref.to_json()  # the same bytes: key order included
    assert len(fig.data) == len(ref.data) == N + 3
    for mine, theirs in zip(fig.data, ref.data, strict=True):
        assert type(mine) is type(theirs)
        assert mine.__dict__.keys() == theirs.__dict__.keys()
        for name, value in mine.__dict__.items():
            if name == "_parent":
                assert value is fig
            else:
                assert value == theirs.__dict__[name], name
    assert fig.data[7].name == "Trial6"
    assert fig.data[7].marker.maxdisplayed == 10
    assert list(fig.data[5].x) == [0.0, 1.0, 2.0]
    assert type(fig.data[12]) is go.Scattergl


def test_the_fast_path_is_taken() -> None:
    fig = go.Figure(data=[], layout={}, _validate=False)
    assert _figure._add_traces(fig, _traces())
    assert len(fig.data) == N + 3


def test_traces_are_independent_of_each_other_and_of_the_input() -> None:
    traces = _traces()
    fig = _figure.figure(go, traces, _LAYOUT)
    fig.data[1].marker.color = "red"  # trace 1 shares its marker dict with 2, 4... in the input
    fig.data[1].x = [5, 6, 7]
    assert fig.data[2].marker.color is None
    assert traces[1]["marker"] == {"maxdisplayed": 10}
    assert traces[1]["x"] == [0, 1, 2]
    traces[2]["y"][0] = 99.0
    assert fig.data[2].y[0] == 2.0
    traces[5]["x"][0] = 42.0  # numpy data: copied, as plotly's deepcopy does
    assert fig.data[5].x[0] == 0.0


def test_edits_after_the_fast_path_are_plotly_edits() -> None:
    # The same edits on the fast figure and on plotly's own give the same figures.
    fig, ref = _figure.figure(go, _traces(), _LAYOUT), _plotly_built(_traces())
    for f in (fig, ref):
        f.update_traces(line_width=3, selector={"type": "scatter"})
        f.data[1].marker.color = "red"
        f.add_trace({"type": "scatter", "x": [1], "y": [2], "name": "added"})
        f.data = f.data[::-1]
    assert fig.to_json() == ref.to_json()
    assert fig.data[0].name == "added"
    assert fig.data[-2].marker.color == "red"
    assert [t._trace_ind for t in fig.data] == list(range(len(fig.data)))
    with pytest.raises(ValueError, match="nosuchproperty"):
        fig.update_traces(nosuchproperty=1)
    with pytest.raises(ValueError):
        fig.data[0].mode = "not a mode"
    for make in (go.Figure, copy.deepcopy, lambda f: pickle.loads(pickle.dumps(f))):
        assert make(fig).to_json() == make(ref).to_json()


@pytest.mark.parametrize("n", [0, 1, 3])
def test_few_traces(n: int) -> None:
    few = _traces()[:n]
    assert _figure.figure(go, few, _LAYOUT).to_json() == _plotly_built(few).to_json()


def test_what_plotly_converts_falls_back_to_plotly() -> None:
    # A graph object as a value: plotly stores its JSON, not the object, so no prototype.
    traces = _traces()
    traces[20]["marker"] = go.scatter.Marker(color="blue")
    fig = go.Figure(data=[], layout={}, _validate=False)
    assert not _figure._add_traces(fig, traces)
    assert fig.data == ()
    assert _figure.figure(go, traces, _LAYOUT).to_json() == _plotly_built(traces).to_json()


def test_a_trace_without_type_falls_back_to_plotly() -> None:
    traces = _traces()
    for t in traces:
        t.pop("type")
    assert _figure.figure(go, traces, _LAYOUT).to_json() == _plotly_built(traces).to_json()


def test_a_property_given_as_none_is_left_out_as_plotly_does() -> None:
    traces = _traces()
    for i, t in enumerate(traces):
        t["text"] = None if i % 2 else "t"
    fig = go.Figure(data=[], layout={}, _validate=False)
    assert _figure._add_traces(fig, copy.deepcopy(traces))  # not plotly's fallback
    fig = _figure.figure(go, traces, _LAYOUT)
    assert fig.to_json() == _plotly_built(traces).to_json()
    assert "text" not in fig.to_plotly_json()["data"][1]


def test_an_unknown_trace_type_is_plotly_s_error() -> None:
    traces = _traces()
    traces[3] = {"type": "nosuchtrace", "x": [1]}
    with pytest.raises(ValueError, match="nosuchtrace"):
        _figure.figure(go, traces, _LAYOUT)


def test_an_empty_array_is_the_same_json_without_the_encoder_fallback() -> None:
    traces = [
        {"type": "scatter", "x": np.array([], dtype=np.int64), "y": np.array([]), "name": "e"},
        {"type": "scatter", "x": np.arange(3), "y": np.array([1.0, 2.0, 3.0]), "name": "f"},
    ]
    fig = _figure.figure(go, traces, _LAYOUT)
    assert fig.to_json() == _plotly_built(traces).to_json()
    assert len(fig.data[0].x) == 0
    assert list(fig.data[1].x) == [0, 1, 2]


@pytest.mark.parametrize("default", ["plotly", "plotly_dark", "plotly+presentation", None])
def test_the_default_template_is_plotly_s(default: str | None) -> None:
    # The template is copied in directly, not assigned through plotly: the same figure for
    # whatever default the user set, None included.
    pio = pytest.importorskip("plotly.io")
    before = pio.templates.default
    pio.templates.default = default
    try:
        fig, ref = _figure.figure(go, _traces(), _LAYOUT), _plotly_built(_traces())
        assert fig.to_json() == ref.to_json()
        assert [*fig.to_plotly_json()["layout"]] == [*ref.to_plotly_json()["layout"]]
        assert fig.layout.template == ref.layout.template
    finally:
        pio.templates.default = before


def test_a_figure_s_template_is_its_own() -> None:
    pio = pytest.importorskip("plotly.io")
    fig = _figure.figure(go, _traces(), _LAYOUT)
    fig.layout.template.layout.font.size = 31  # an edit of this figure's copy only
    assert fig.layout.template.layout.font.size == 31
    assert _figure.figure(go, _traces(), _LAYOUT).layout.template.layout.font.size is None
    assert pio.templates[pio.templates.default].layout.font.size is None


def test_a_template_in_the_layout_is_left_to_plotly() -> None:
    layout = {**_LAYOUT, "template": {"layout": {"font": {"size": 9}}}}
    fig = _figure.figure(go, _traces(), layout)
    ref = go.Figure(data=_traces(), layout=layout, _validate=False)
    assert fig.to_json() == ref.to_json()
    assert fig.layout.template.layout.font.size == 9


def test_the_template_is_copied_in_without_plotly_s_assignment() -> None:
    # Layout keys that plotly's constructor orders after "template" (xaxis, yaxis): the
    # template still goes last, as plotly's own assignment puts it, and no second figure is
    # built (the fallback).
    built: list[Any] = []

    class Counting:
        def Figure(self, *args: Any, **kwargs: Any) -> Any:  # plotly's name
            built.append(kwargs)
            return go.Figure(*args, **kwargs)

    layout = {"title": {"text": "T"}, "xaxis": {"title": {"text": "x"}}, "yaxis": {}}
    fig = _figure.figure(Counting(), _traces(), layout)
    ref = go.Figure(data=_traces(), layout=layout, _validate=False)
    assert len(built) == 1
    assert [*fig.to_plotly_json()["layout"]] == [*ref.to_plotly_json()["layout"]]
    assert [*fig.to_plotly_json()["layout"]][-1] == "template"
    assert fig.to_json() == ref.to_json()
