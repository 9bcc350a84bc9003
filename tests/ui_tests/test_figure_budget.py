"""The study page's first view of a big study: a point budget per figure, the full one on ask."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.testclient import TestClient

from parabola.storages import get_storage
from parabola.ui import create_app
from parabola.ui._figures import PAGE_POINTS, budget_markers, contours_as_heatmaps
from tests.ui_tests._big import big_study


def _array(v: Any) -> np.ndarray:
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.asarray(v)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, int]]:
    url, study_id = big_study(Path(tmp_path_factory.mktemp("big")) / "big.db")
    with TestClient(create_app(get_storage(url))) as client:
        yield client, study_id


def test_history_first_view_draws_the_budget_and_says_so(big: tuple[TestClient, int]) -> None:
    client, sid = big
    answer = client.get(f"/api/studies/{sid}/figures/history").json()
    assert answer["available"] is True
    shown, total = answer["points"]["shown"], answer["points"]["total"]
    assert total == 1500 and shown <= PAGE_POINTS + 2
    values, best = answer["figure"]["data"][:2]
    ys = _array(values["y"])
    assert len(ys) == shown and len(_array(values["x"])) == shown
    # The best trial (the lowest value) is among the points drawn; the best-value line keeps
    # only the points where it changes, and ends where the study does.
    best_x, best_y = _array(best["x"]), _array(best["y"])
    assert ys.min() == best_y.min()
    assert len(best_x) < 1500 and best_x[-1] == 1499
    assert np.all(np.diff(best_y) <= 0)


def test_points_all_gives_the_full_figure(big: tuple[TestClient, int]) -> None:
    client, sid = big
    answer = client.get(f"/api/studies/{sid}/figures/history", params={"points": "all"}).json()
    assert "points" not in answer and "notes" not in answer
    assert len(_array(answer["figure"]["data"][0]["y"])) == 1500
    assert len(_array(answer["figure"]["data"][1]["y"])) == 1500
    small = client.get(f"/api/studies/{sid}/figures/history", params={"points": "50"}).json()
    assert small["points"]["shown"] <= 52
    for bad in ("0", "-3", "lots", "100001", "9" * 5000, "+5", ""):
        r = client.get(f"/api/studies/{sid}/figures/history", params={"points": bad})
        assert r.status_code == 400, bad
        assert "points" in r.json()["error"], bad
    # One spelling per budget: the default asked for explicitly is the cached default figure.
    assert (
        client.get(f"/api/studies/{sid}/figures/history", params={"points": "1000"}).content
        == client.get(f"/api/studies/{sid}/figures/history").content
    )


def test_contour_first_view_is_drawn_as_heatmaps(big: tuple[TestClient, int]) -> None:
    client, sid = big
    answer = client.get(f"/api/studies/{sid}/figures/contour").json()
    types = {t["type"] for t in answer["figure"]["data"]}
    assert "contour" not in types and "heatmap" in types
    assert answer["notes"] == ["contours drawn as heatmaps"]
    full = client.get(f"/api/studies/{sid}/figures/contour", params={"points": "all"}).json()
    assert "contour" in {t["type"] for t in full["figure"]["data"]}


def test_budget_shares_points_between_traces_and_keeps_them_aligned() -> None:
    n = 3000
    fig = {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "x": np.arange(n),
                "y": np.sin(np.arange(n)),
                "text": [f"t{i}" for i in range(n)],
                "marker": {"color": np.arange(n) * 2.0, "colorscale": [[0, "red"], [1, "blue"]]},
            },
            {"type": "scatter", "mode": "markers", "x": np.arange(1000), "y": np.arange(1000.0)},
            {"type": "scatter", "mode": "lines", "x": np.arange(n), "y": np.arange(n)},
        ]
    }
    shown, total = budget_markers(fig, 400)
    assert total == 4000 and shown <= 404
    first = fig["data"][0]
    kept = first["x"]
    assert len(kept) in (300, 301, 302)
    assert first["text"] == [f"t{i}" for i in kept]
    assert np.array_equal(first["marker"]["color"], kept * 2.0)
    assert first["marker"]["colorscale"] == [[0, "red"], [1, "blue"]]
    assert int(np.argmax(np.sin(np.arange(n)))) in kept  # the extremes stay
    assert len(fig["data"][2]["x"]) == n  # lines are drawn whole


def test_budget_cuts_bars_and_keeps_the_longest() -> None:
    # The timeline's shape: horizontal bars, the duration on x, the trial number on y, each
    # bar's start in ``base`` and its hover text in ``text``.
    n = 5000
    durations = np.ones(n)
    durations[1234] = 50.0  # one long trial must stay visible
    fig = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": durations,
                "y": np.arange(n),
                "base": [f"2026-01-01 00:00:{i % 60:02d}" for i in range(n)],
                "text": [f"trial {i}" for i in range(n)],
                "marker": {"color": "#1f77b4"},
            }
        ]
    }
    shown, total = budget_markers(fig, 100)
    assert total == n and 100 <= shown <= 102
    bars = fig["data"][0]
    kept = bars["y"]
    assert 1234 in kept and bars["x"][list(kept).index(1234)] == 50.0
    assert bars["text"] == [f"trial {i}" for i in kept]
    assert bars["base"] == [f"2026-01-01 00:00:{i % 60:02d}" for i in kept]
    assert bars["marker"] == {"color": "#1f77b4"}


def test_timeline_first_view_draws_the_budget(big: tuple[TestClient, int]) -> None:
    client, sid = big
    answer = client.get(f"/api/studies/{sid}/figures/timeline").json()
    assert answer["available"] is True
    assert answer["points"]["total"] == 1500 and answer["points"]["shown"] <= PAGE_POINTS + 2
    bars = sum(len(_array(t["y"])) for t in answer["figure"]["data"] if t["type"] == "bar")
    assert bars == answer["points"]["shown"]
    full = client.get(f"/api/studies/{sid}/figures/timeline", params={"points": "all"}).json()
    assert sum(len(_array(t["y"])) for t in full["figure"]["data"] if t["type"] == "bar") == 1500


def test_contours_as_heatmaps_keeps_grid_and_colours() -> None:
    fig = {
        "data": [
            {
                "type": "contour",
                "x": [0, 1],
                "y": [0, 1],
                "z": [[1, 2], [3, 4]],
                "colorscale": "Blues",
                "contours": {"coloring": "heatmap"},
                "xaxis": "x2",
            },
            {"type": "scatter", "mode": "markers", "x": [0], "y": [0]},
        ]
    }
    assert contours_as_heatmaps(fig) == 1
    assert fig["data"][0] == {
        "type": "heatmap",
        "x": [0, 1],
        "y": [0, 1],
        "z": [[1, 2], [3, 4]],
        "xaxis": "x2",
        "colorscale": "Blues",
    }
    assert fig["data"][1]["type"] == "scatter"
