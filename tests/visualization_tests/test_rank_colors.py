"""``plot_rank`` colours its points without plotly's per-point ``sample_colorscale`` loop: the
colours must be the ones that loop (Optuna's way) gives."""

from __future__ import annotations

import numpy as np
import pytest

from parabola.visualization._rank import _CMAP, _colors

colors = pytest.importorskip("plotly.colors")


def test_rank_colors_are_plotlys() -> None:
    scale = [float(p) for p, _ in colors.get_colorscale(_CMAP)]
    rng = np.random.default_rng(0)
    points = np.concatenate(
        [
            rng.random(5000),
            np.linspace(0, 1, 1001),  # the rank plot's own values: i / (n - 1)
            np.array([0.0, 1.0, *scale]),
            np.nextafter(np.array(scale), 2.0)[:-1],
            np.nextafter(np.array(scale), -1.0)[1:],
        ]
    )
    expected = np.array(
        [colors.unlabel_rgb(c) for c in colors.sample_colorscale(_CMAP, points.tolist())]
    )
    assert np.array_equal(_colors(points), expected)
