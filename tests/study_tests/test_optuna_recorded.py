"""Parabola against Optuna 5.0's recorded behaviour (``optuna_expectations.json``), in CI.

The expectations come from real Optuna runs of the scenarios in ``parity_scenarios.py``
(``scripts/record_optuna_expectations.py``); ``test_optuna_parity.py`` re-checks them against
the installed Optuna under ``make test-anchors``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import parabola
from tests.study_tests.parity_scenarios import SCENARIOS, normalise

RECORDED = json.loads((Path(__file__).parent / "optuna_expectations.json").read_text())


def test_every_scenario_is_recorded() -> None:
    assert RECORDED["optuna"] == "5.0.0"
    assert sorted(RECORDED["scenarios"]) == sorted(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_parabola_matches_recorded_optuna(name: str) -> None:
    with warnings.catch_warnings():
        # The scenarios record the warnings they care about themselves.
        warnings.simplefilter("ignore")
        got = normalise(SCENARIOS[name](parabola))
    assert got == RECORDED["scenarios"][name]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_recording_is_what_the_installed_optuna_does(name: str) -> None:
    # make test-anchors: the recorded file must still be Optuna's behaviour (not a guess).
    optuna = pytest.importorskip("optuna")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert normalise(SCENARIOS[name](optuna)) == RECORDED["scenarios"][name]
