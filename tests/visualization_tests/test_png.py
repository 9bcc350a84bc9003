"""Every figure renders to a PNG: plotly's through kaleido and the headless Chromium, and the
matplotlib twins through matplotlib's Agg backend."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest
from gallery import CHROMIUM, FIGURES, write_pngs

import parabola.visualization.matplotlib as pvm

pytest.importorskip("plotly")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(
    importlib.util.find_spec("kaleido") is None or not os.path.exists(CHROMIUM),
    reason="kaleido or /usr/bin/chromium is not installed",
)
def test_every_plotly_figure_renders_to_png(tmp_path: Path) -> None:
    paths = write_pngs(tmp_path)
    assert len(paths) == len(FIGURES)
    for p in paths:
        data = p.read_bytes()
        assert data.startswith(PNG_MAGIC), p
        assert len(data) > 10_000, p  # a blank 900 x 600 canvas is about 4 kB


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_matplotlib_figure_renders_to_png(name: str, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    axes = FIGURES[name](pvm)
    ax = axes.flat[0] if isinstance(axes, np.ndarray) else axes
    assert isinstance(ax, matplotlib.axes.Axes)
    path = tmp_path / f"{name}.png"
    ax.figure.savefig(path)
    plt.close(ax.figure)
    assert path.read_bytes().startswith(PNG_MAGIC)
    assert path.stat().st_size > 5_000
