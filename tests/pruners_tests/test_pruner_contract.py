"""Every pruner of parabola.pruners against the shared contract in parabola.testing.pruners."""

from __future__ import annotations

import pytest

from parabola.pruners import (
    BasePruner,
    HyperbandPruner,
    MedianPruner,
    NopPruner,
    PatientPruner,
    PercentilePruner,
    SuccessiveHalvingPruner,
    ThresholdPruner,
    WilcoxonPruner,
)
from parabola.testing.pruners import PrunerContract

pytestmark = [
    pytest.mark.filterwarnings("ignore::parabola.exceptions.ExperimentalWarning"),
    # Wilcoxon warns on NaN intermediate values by design.
    pytest.mark.filterwarnings("ignore:.*WilcoxonPruner will not prune:UserWarning"),
]


class TestNopPruner(PrunerContract):
    def create_pruner(self) -> BasePruner:
        return NopPruner()


class TestMedianPruner(PrunerContract):
    def create_pruner(self) -> BasePruner:
        return MedianPruner(n_startup_trials=2)


class TestPercentilePruner(PrunerContract):
    def create_pruner(self) -> BasePruner:
        return PercentilePruner(25.0, n_startup_trials=2, n_warmup_steps=1, interval_steps=2)


class TestSuccessiveHalvingPruner(PrunerContract):
    def create_pruner(self) -> BasePruner:
        return SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)


class TestSuccessiveHalvingPrunerAuto(PrunerContract):
    def create_pruner(self) -> BasePruner:
        return SuccessiveHalvingPruner()


class TestHyperbandPruner(PrunerContract):
    def create_pruner(self) -> BasePruner:
        return HyperbandPruner(min_resource=1, max_resource=12, reduction_factor=2)


class TestHyperbandPrunerAuto(PrunerContract):
    def create_pruner(self) -> BasePruner:
        return HyperbandPruner()


class TestThresholdPruner(PrunerContract):
    def create_pruner(self) -> BasePruner:
        return ThresholdPruner(upper=1.5)


class TestPatientPruner(PrunerContract):
    def create_pruner(self) -> BasePruner:
        return PatientPruner(MedianPruner(n_startup_trials=2), patience=1)


class TestWilcoxonPruner(PrunerContract):
    def create_pruner(self) -> BasePruner:
        return WilcoxonPruner(p_threshold=0.2)
