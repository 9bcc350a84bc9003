"""``plot_pareto_front`` computes the trial numbers and hover texts of every feasible trial at
once and splits them between the front and the rest: each trace must still hold, point for
point, the number and the text of its own trial, whatever ``targets`` plots, with or without
the dominated trials, and for trials whose texts take the batch or the one-trial path."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import parabola
from parabola.visualization import StudySnapshot, plot_pareto_front
from parabola.visualization._hovertext import hovertext

pytest.importorskip("plotly")

D = parabola.distributions


def _snapshot(odd: bool) -> StudySnapshot:
    rng = np.random.default_rng(3)
    trials = []
    for i in range(60):
        a, b = float(rng.uniform(0, 1)), float(rng.uniform(0, 1))
        params: dict[str, Any] = {"a": a, "b": b}
        dists: dict[str, Any] = {"a": D.FloatDistribution(0, 1), "b": D.FloatDistribution(0, 1)}
        attrs: dict[str, Any] = {}
        if odd and i % 7 == 3:
            attrs = {"note": [i, "x"]}  # user attributes: the one-trial path
        if odd and i % 11 == 5:
            params = {"b": b, "a": a}  # another parameter order: another layout
            dists = {"b": dists["b"], "a": dists["a"]}
        t = parabola.trial.create_trial(
            params=params, distributions=dists, values=[a, (1 - a) ** 2 + b], user_attrs=attrs
        )
        t.number = 100 + 2 * i  # numbers that are not the positions
        trials.append(t)
    return StudySnapshot(trials, directions=["minimize", "maximize"])


def _points(fig: Any) -> list[tuple[str, list[int], list[str]]]:
    out = []
    for trace in fig.data:
        numbers = [int(n) for n in trace.marker.color]
        out.append((trace.hovertemplate, numbers, list(trace.text)))
    return out


@pytest.mark.parametrize("odd", [False, True])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"include_dominated_trials": False},
        {"targets": lambda t: (t.values[1], t.values[0])},  # other points, the same texts
    ],
)
def test_each_point_holds_its_own_trial(odd: bool, kwargs: dict[str, Any]) -> None:
    snapshot = _snapshot(odd)
    by_number = {t.number: t for t in snapshot.get_trials(deepcopy=False)}
    traces = _points(plot_pareto_front(snapshot, **kwargs))
    assert len(traces) == 2
    seen = []
    for template, numbers, texts in traces:
        assert len(numbers) == len(texts)
        assert texts == [hovertext(by_number[n]) for n in numbers], template
        seen += numbers
    drawn = set(by_number) if "include_dominated_trials" not in kwargs else set(traces[1][1])
    assert sorted(seen) == sorted(drawn)
    assert traces[1][1]  # a front is drawn
