"""The colour scales the plots spell out are plotly's named ones (what Optuna passes by name)."""

from __future__ import annotations

import pytest

from parabola.visualization import _pareto_front, _utils

colors = pytest.importorskip("plotly.colors")


@pytest.mark.parametrize("name", ["Blues", "Reds"])
def test_pareto_scales_are_plotlys(name: str) -> None:
    assert _pareto_front._scale(name) == [list(p) for p in colors.get_colorscale(name)]


def test_the_trial_number_scale_is_blues() -> None:
    assert [list(p) for p in colors.get_colorscale("Blues")] == _utils.COLOR_SCALE_PAIRS
