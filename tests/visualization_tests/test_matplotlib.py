"""The matplotlib twins draw the plotly figure's data on the axes its layout declares."""

from __future__ import annotations

import numpy as np
import pytest
import viz_scenarios

import parabola.visualization as pv

pytest.importorskip("plotly")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import parabola.visualization.matplotlib as pvm  # noqa: E402


@pytest.fixture
def study() -> pv.StudySnapshot:
    return viz_scenarios.to_parabola(viz_scenarios.single())


@pytest.fixture(autouse=True)
def _close() -> object:
    yield None
    plt.close("all")


def test_one_axes_or_a_grid_as_optuna_returns(study: pv.StudySnapshot) -> None:
    assert isinstance(pvm.plot_optimization_history(study), matplotlib.axes.Axes)
    grid = pvm.plot_contour(study, params=["lr", "n", "x"])
    assert isinstance(grid, np.ndarray)
    assert grid.shape == (3, 3)


def test_log_and_category_axes(study: pv.StudySnapshot) -> None:
    ax = pvm.plot_slice(study, params=["lr"])
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "lr"
    ax = pvm.plot_slice(study, params=["kind"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["'a'", "'b'", "'c'"]


def test_same_numbers_as_the_plotly_figure(study: pv.StudySnapshot) -> None:
    fig = pv.plot_optimization_history(study)
    ax = pvm.plot_optimization_history(study)
    best_line = ax.get_lines()[0]
    assert np.allclose(best_line.get_ydata(), fig.data[1].y)
    points = ax.collections[0].get_offsets()
    assert np.allclose(np.asarray(points)[:, 1], fig.data[0].y)
    assert ax.figure.get_suptitle() == "Optimization History Plot"
    assert ax.get_ylabel() == "Objective Value"


def test_missing_matplotlib_is_a_clear_import_error(
    monkeypatch: pytest.MonkeyPatch, study: pv.StudySnapshot
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'parabola\[plot\]'"):
        pvm.plot_edf(study)
