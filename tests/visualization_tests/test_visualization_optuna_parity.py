"""Differential tests: each plot on the same trials in Optuna 5.0 and in parabola gives the same
traces (data, axis types and ranges, titles). Needs the anchors (``make test-anchors``)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import viz_cases
import viz_scenarios
from viz_traces import summarize

import parabola.visualization as pv

optuna = pytest.importorskip("optuna")


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    # Optuna's ExperimentalWarning and "target_name is the default" warnings: not compared here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        yield


def _figures(plot: str, scenario: dict[str, Any], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    ours = getattr(pv, plot)(viz_scenarios.to_parabola(scenario), **kwargs)
    theirs = getattr(optuna.visualization, plot)(viz_scenarios.to_optuna(scenario), **kwargs)
    return summarize(ours), summarize(theirs)


@pytest.mark.parametrize(
    ("case", "plot", "make", "kwargs"), viz_cases.CASES, ids=[c[0] for c in viz_cases.CASES]
)
def test_same_traces_as_optuna(case: str, plot: str, make: Any, kwargs: Any) -> None:
    ours, theirs = _figures(plot, make(), kwargs())
    assert ours == theirs


def test_a_real_study_gives_the_snapshot_figure() -> None:
    scenario = viz_scenarios.single()
    study = viz_scenarios.to_parabola_study(scenario)
    assert summarize(pv.plot_slice(study)) == summarize(
        optuna.visualization.plot_slice(viz_scenarios.to_optuna(scenario))
    )


def test_several_studies_and_error_bars() -> None:
    scenarios = [viz_scenarios.single(seed=s) for s in range(3)]
    for kwargs in ({}, {"error_bar": True}):
        ours = pv.plot_optimization_history(
            [viz_scenarios.to_parabola(s, f"s{i}") for i, s in enumerate(scenarios)], **kwargs
        )
        theirs = optuna.visualization.plot_optimization_history(
            [viz_scenarios.to_optuna(s, f"s{i}") for i, s in enumerate(scenarios)], **kwargs
        )
        assert summarize(ours) == summarize(theirs)
    ours = pv.plot_edf([viz_scenarios.to_parabola(s, f"s{i}") for i, s in enumerate(scenarios)])
    theirs = optuna.visualization.plot_edf(
        [viz_scenarios.to_optuna(s, f"s{i}") for i, s in enumerate(scenarios)]
    )
    assert summarize(ours) == summarize(theirs)
