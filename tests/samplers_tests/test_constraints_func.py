"""``constraints_func`` on the samplers that take it: stored on the trial, NaN refused by name."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import pytest

import parabola
from parabola.samplers import BaseSampler, GPSampler, NSGAIISampler, TPESampler
from parabola.storages import InMemoryStorage
from parabola.trial import FrozenTrial, TrialState

SAMPLERS = {"TPESampler": TPESampler, "GPSampler": GPSampler, "NSGAIISampler": NSGAIISampler}


def _study(name: str, constraints: Callable[[FrozenTrial], list[float]]) -> parabola.Study:
    with warnings.catch_warnings():
        # Optuna 5.0 deprecates constraints_func on some samplers (Trial.set_constraint is the
        # new way); it still works, and that is what is tested here.
        warnings.simplefilter("ignore", FutureWarning)
        sampler: BaseSampler = SAMPLERS[name](constraints_func=constraints, seed=0)
    return parabola.create_study(storage=InMemoryStorage(), sampler=sampler)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_constraints_are_stored_on_complete_and_pruned_trials_only(name: str) -> None:
    def constraints(trial: FrozenTrial) -> list[float]:
        return [trial.params["x"] - 0.5, -1.0]

    study = _study(name, constraints)
    for i, state in enumerate([TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL]):
        trial = study.ask()
        x = trial.suggest_float("x", 0.0, 1.0)
        study.tell(trial, float(i) if state == TrialState.COMPLETE else None, state=state)
        stored = study.trials[-1].system_attrs.get("constraints")
        if state == TrialState.FAIL:
            assert stored is None
        else:
            assert stored == {"0": x - 0.5, "1": -1.0}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_a_nan_constraint_is_refused_naming_the_sampler(name: str) -> None:
    study = _study(name, lambda t: [math.nan])
    trial = study.ask()
    trial.suggest_float("x", 0.0, 1.0)
    with pytest.raises(ValueError, match=rf"{name}\(constraints_func=...\): returned a NaN"):
        study.tell(trial, 1.0)
