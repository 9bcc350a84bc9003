"""Every plot builds its figure without plotly's validation (``_figure.figure``): the figure must
be exactly the one a validated build gives, or the browser would get a different picture (a
``title`` string where plotly.js 3 wants ``{"text": ...}``, a colour scale name it does not
expand...). Each figure is rebuilt through plotly's validating constructor and the JSON both
send is compared."""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import viz_cases
import viz_scenarios

import parabola.visualization as pv

go = pytest.importorskip("plotly.graph_objects")


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    # The plots' "target_name is the default" and experimental warnings: not what is tested.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _canon(v: Any) -> Any:
    """Parsed JSON with NaN made comparable (``nan != nan``)."""
    if isinstance(v, dict):
        return {k: _canon(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_canon(x) for x in v]
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    return v


def _assert_same_as_validated(fig: Any) -> None:
    assert type(fig) is go.Figure
    validated = go.Figure(fig.to_dict())  # plotly validates and coerces every property here
    assert _canon(json.loads(fig.to_json())) == _canon(json.loads(validated.to_json()))
    assert fig.to_plotly_json().keys() == validated.to_plotly_json().keys()


@pytest.mark.parametrize(
    ("case", "plot", "make", "kwargs"), viz_cases.CASES, ids=[c[0] for c in viz_cases.CASES]
)
def test_figure_equals_its_validated_build(case: str, plot: str, make: Any, kwargs: Any) -> None:
    fig = getattr(pv, plot)(viz_scenarios.to_parabola(make()), **kwargs())
    _assert_same_as_validated(fig)


@pytest.mark.slow
@pytest.mark.parametrize(
    "plot",
    [
        "plot_optimization_history",
        "plot_intermediate_values",
        "plot_parallel_coordinate",
        "plot_contour",
        "plot_slice",
        "plot_edf",
        "plot_rank",
        "plot_timeline",
    ],
)
def test_subsampled_figures_equal_their_validated_build(plot: str) -> None:
    # 2,500 trials: past the budgets, where the plots aggregate, subsample and retitle.
    fig = getattr(pv, plot)(viz_scenarios.to_parabola(viz_scenarios.single(n=2500)))
    _assert_same_as_validated(fig)


def test_run_history_equals_its_validated_build() -> None:
    runs = [pv.RunHistory("a", {"_step": [0, 1, 2], "loss": [3.0, 2.0, 1.5], "acc": [0, 1, 1]})]
    _assert_same_as_validated(pv.plot_run_history(runs, "loss"))
    _assert_same_as_validated(pv.plot_run_history(runs, ["loss", "acc"], x_axis="loss"))


def test_the_comparison_catches_a_shorthand() -> None:
    # A title given as a bare string is what validation rewrites: the check must see it.
    fig = go.Figure(data=[], layout={"title": "T"}, _validate=False)
    with pytest.raises(AssertionError):
        _assert_same_as_validated(fig)


@pytest.mark.parametrize("plot", ["plot_edf", "plot_parallel_coordinate", "plot_timeline"])
def test_later_edits_are_validated(plot: str) -> None:
    fig = getattr(pv, plot)(viz_scenarios.to_parabola(viz_scenarios.single()))
    fig.update_layout(title="mine", xaxis_title="x")
    assert fig.layout.title.text == "mine"
    assert fig.to_plotly_json()["layout"]["title"] == {"text": "mine"}
    assert fig.to_plotly_json()["layout"]["xaxis"]["title"]["text"] == "x"
    fig.update_traces(name="renamed")
    assert {t.name for t in fig.data} == {"renamed"}
    fig.add_trace({"type": "scatter", "x": [1], "y": [2], "name": "added"})
    assert fig.data[-1].name == "added"
    with pytest.raises(ValueError, match="nosuchproperty"):
        fig.update_layout(nosuchproperty=1)
    with pytest.raises(ValueError, match="nosuchproperty"):
        fig.update_traces(nosuchproperty=1)
    with pytest.raises(ValueError):
        fig.update_layout(title_font_size="big")
