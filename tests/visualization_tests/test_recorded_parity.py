"""The differential cases against Optuna's figures recorded by ``make_visualization_fixtures.py``.

They run in CI, where Optuna (an anchor) is not installed;
``test_visualization_optuna_parity.py`` runs them live."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import viz_cases
import viz_scenarios
from viz_traces import summarize

import parabola.visualization as pv

pytest.importorskip("plotly")

_RECORDED = json.loads(
    (Path(__file__).parent / "fixtures" / "optuna_traces.json").read_text(encoding="utf-8")
)


def test_every_case_is_recorded() -> None:
    assert sorted(_RECORDED["cases"]) == sorted(c[0] for c in viz_cases.CASES)
    assert _RECORDED["optuna"].startswith("5.")


@pytest.mark.parametrize(
    ("case", "plot", "make", "kwargs"), viz_cases.CASES, ids=[c[0] for c in viz_cases.CASES]
)
def test_same_traces_as_recorded_optuna(
    case: str, plot: str, make: Any, kwargs: Any, recwarn: pytest.WarningsRecorder
) -> None:
    fig = getattr(pv, plot)(viz_scenarios.to_parabola(make()), **kwargs())
    # JSON round trip: the recording went through it too (tuples become lists).
    assert json.loads(json.dumps(summarize(fig))) == _RECORDED["cases"][case]
