"""TPESampler against the shared sampler contract (parabola.testing.samplers)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from parabola.distributions import BaseDistribution
from parabola.samplers import BaseSampler, TPESampler
from parabola.testing.samplers import SamplerContract

pytestmark = pytest.mark.filterwarnings("ignore::parabola.exceptions.ExperimentalWarning")


class TestTPESampler(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        # Few startup trials so that the contract's short studies exercise TPE itself.
        return TPESampler(seed=seed, n_startup_trials=4)


class TestTPESamplerUnivariate(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        return TPESampler(seed=seed, n_startup_trials=4, multivariate=False)


class TestTPESamplerGroup(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        return TPESampler(seed=seed, n_startup_trials=4, group=True)
