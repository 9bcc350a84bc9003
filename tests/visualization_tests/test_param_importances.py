"""plot_param_importances passes evaluator, params and target through to
parabola.importance.get_param_importances, and draws one bar group per objective."""

from __future__ import annotations

from typing import Any

import pytest
import viz_scenarios

import parabola.visualization as pv
from parabola.importance import BaseImportanceEvaluator

pytest.importorskip("plotly")


class _Fixed(BaseImportanceEvaluator):
    """Importances given in advance; records what it was asked."""

    def __init__(self, importances: dict[str, float]) -> None:
        self.importances = importances
        self.calls: list[tuple[list[str] | None, float | None]] = []

    def evaluate(
        self, study: Any, params: list[str] | None = None, *, target: Any = None
    ) -> dict[str, float]:
        first = study.get_trials(deepcopy=False, states=None)[0]
        self.calls.append((params, None if target is None else target(first)))
        names = params or list(self.importances)
        return {n: self.importances[n] for n in names}


def test_bars_come_from_the_evaluator_largest_on_top() -> None:
    study = viz_scenarios.to_parabola(viz_scenarios.single())
    ev = _Fixed({"x": 6.0, "lr": 3.0, "n": 1.0, "kind": 0.0})
    fig = pv.plot_param_importances(study, evaluator=ev, params=["x", "lr", "n", "kind"])
    bar = fig.data[0]
    assert list(bar.y) == ["kind", "n", "lr", "x"]
    assert [round(v, 3) for v in bar.x] == [0.0, 0.1, 0.3, 0.6]
    assert list(bar.text) == ["<0.01", "0.10", "0.30", "0.60"]
    assert bar.hovertemplate[-1] == "x (FloatDistribution): 0.6<extra></extra>"
    assert ev.calls == [(["x", "lr", "n", "kind"], None)]


def test_one_bar_group_per_objective_with_their_targets() -> None:
    scenario = viz_scenarios.multi()
    snap = pv.StudySnapshot(
        viz_scenarios.to_parabola(scenario).get_trials(),
        directions=scenario["directions"],
        metric_names=["error", "cost"],
    )
    ev = _Fixed({"a": 1.0, "b": 1.0})
    fig = pv.plot_param_importances(snap, evaluator=ev)
    assert [bar.name for bar in fig.data] == ["error", "cost"]
    first = next(t for t in snap.get_trials() if t.values is not None)
    assert [c[1] for c in ev.calls] == [first.values[0], first.values[1]]
    fig = pv.plot_param_importances(
        snap, evaluator=ev, target=lambda t: t.values[1], target_name="c"
    )
    assert [bar.name for bar in fig.data] == ["c"]
