"""``finite_values`` (what ``filter_nonfinite`` and ``plot_edf`` use): the trials with a finite
target and the targets as floats, the target called once per trial; the same trials, floats,
log lines and errors as converting each target with ``float()`` one at a time."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import parabola
import parabola.visualization as pv
from parabola.visualization._utils import filter_nonfinite, finite_values

pytest.importorskip("plotly")


def _trials(values: list[Any]) -> list[parabola.trial.FrozenTrial]:
    out = []
    for i, _ in enumerate(values):
        t = parabola.trial.create_trial(value=0.0)
        t.number = i
        out.append(t)
    return out


ODD = [1.5, float("nan"), 3, 2**70, -float("inf"), np.float64(0.25), True, float("inf"), -0.0]


@pytest.mark.parametrize("values", [ODD, [0.5, 1.0, 2.0], [1, 2, 3], [], [np.float32(1.5)]])
def test_same_as_float_one_at_a_time(values: list[Any], capsys: pytest.CaptureFixture[str]) -> None:
    trials = _trials(values)
    calls: list[int] = []

    def target(t: parabola.trial.FrozenTrial) -> Any:
        calls.append(t.number)
        return values[t.number]

    kept, floats = finite_values(trials, target)
    assert calls == list(range(len(values)))  # once per trial, in order
    expected = [(t, float(v)) for t, v in zip(trials, values, strict=True) if math.isfinite(v)]
    assert kept == [t for t, _ in expected]
    assert floats.dtype == np.float64
    assert floats.tolist() == [v for _, v in expected]
    err = capsys.readouterr().err
    for t, v in zip(trials, values, strict=True):
        assert (f"Trial {t.number} is omitted" in err) is (not math.isfinite(v))
    assert filter_nonfinite(trials, target) == kept


def test_the_objective_value_by_default() -> None:
    trials = _trials([0, 0])
    trials[0].values, trials[1].values = [2.5], [float("nan")]
    kept, floats = finite_values(trials)
    assert kept == [trials[0]]
    assert floats.tolist() == [2.5]


@pytest.mark.parametrize("bad", ["abc", None, [1.0]])
def test_a_target_that_is_not_a_number_warns_and_raises(bad: Any) -> None:
    trials = _trials([0, 0, 0])
    with (
        pytest.warns(UserWarning, match="Trial1's target value"),
        pytest.raises((TypeError, ValueError)),
    ):
        finite_values(trials, lambda t: bad if t.number == 1 else 1.0)


def test_an_int_beyond_float_range_raises_as_float_does() -> None:
    with pytest.raises(OverflowError):
        finite_values(_trials([0]), lambda t: 10**400)


def test_edf_calls_the_target_once_per_trial() -> None:
    study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=8)
    calls: list[int] = []

    def target(t: parabola.trial.FrozenTrial) -> float:
        calls.append(t.number)
        return float(t.params["x"])

    fig = pv.plot_edf(study, target=target, target_name="x")
    assert sorted(calls) == list(range(8))
    assert float(fig.data[0].y[-1]) == 1.0
