"""Every sampler of this package against the shared contract in parabola.testing.samplers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from parabola.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    IntDistribution,
    from_unit,
)
from parabola.samplers import (
    BaseSampler,
    BruteForceSampler,
    GridSampler,
    PartialFixedSampler,
    QMCSampler,
    RandomSampler,
)
from parabola.storages import BaseStorage
from parabola.testing.samplers import SamplerContract

pytestmark = pytest.mark.filterwarnings("ignore::parabola.exceptions.ExperimentalWarning")


def _grid_for(search_space: Mapping[str, BaseDistribution]) -> dict[str, list[Any]]:
    """Three values per numeric parameter (ends and an inner point), every choice otherwise."""
    grid: dict[str, list[Any]] = {}
    for name, dist in search_space.items():
        if isinstance(dist, CategoricalDistribution):
            grid[name] = list(dist.choices)
            continue
        values = sorted({float(v) for v in from_unit(dist, np.array([0.0, 0.37, 1.0]))})
        grid[name] = [int(v) for v in values] if isinstance(dist, IntDistribution) else values
    return grid


class TestRandomSampler(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        return RandomSampler(seed=seed)


class TestGridSampler(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        return GridSampler(_grid_for(search_space), seed=seed)


class TestQMCSamplerSobol(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        return QMCSampler(qmc_type="sobol", scramble=True, seed=seed)


class TestQMCSamplerHalton(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        return QMCSampler(qmc_type="halton", seed=seed)


class TestPartialFixedSampler(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        # Pin the first parameter of each test to an admissible value.
        name, dist = next(iter(search_space.items()))
        if isinstance(dist, CategoricalDistribution):
            fixed: Any = dist.choices[-1]
        else:
            fixed = dist.to_external_repr(from_unit(dist, 0.5))
        return PartialFixedSampler({name: fixed}, RandomSampler(seed=seed))


class TestBruteForceSampler(SamplerContract):
    discrete_only = True
    dynamic_ranges = False

    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        return BruteForceSampler(seed=seed)


class _OnSQLite:
    """Run the contract over a SQLite file (conftest runs each test in its own tmp directory)."""

    def create_storage(self) -> BaseStorage | str:
        return "sqlite:///contract.db"


class TestGridSamplerOnSQLite(_OnSQLite, TestGridSampler):
    pass


class TestQMCSamplerOnSQLite(_OnSQLite, TestQMCSamplerSobol):
    pass


class TestBruteForceSamplerOnSQLite(_OnSQLite, TestBruteForceSampler):
    pass
