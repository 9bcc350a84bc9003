"""The sampler contract itself: it must fail for samplers that break it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from parabola.distributions import BaseDistribution, FloatDistribution, IntDistribution
from parabola.samplers import BaseSampler, RandomSampler
from parabola.testing.samplers import SamplerContract
from parabola.trial import FrozenTrial


class _OutOfBounds(RandomSampler):
    def sample_independent(
        self, study: Any, trial: FrozenTrial, name: str, dist: BaseDistribution
    ) -> Any:
        value = super().sample_independent(study, trial, name, dist)
        if isinstance(dist, (FloatDistribution, IntDistribution)):
            return dist.high + (dist.step or 1)
        return value


class _OffTheStep(RandomSampler):
    def sample_independent(
        self, study: Any, trial: FrozenTrial, name: str, dist: BaseDistribution
    ) -> Any:
        if isinstance(dist, FloatDistribution) and dist.step is not None:
            return dist.low + dist.step / 3
        return super().sample_independent(study, trial, name, dist)


class _Unseeded(RandomSampler):
    def __init__(self, seed: int | None = None) -> None:
        super().__init__(seed=None)


class _ReachesIntoTheStorage(RandomSampler):
    def sample_independent(
        self, study: Any, trial: FrozenTrial, name: str, dist: BaseDistribution
    ) -> Any:
        study._storage.get_trial(trial._trial_id)
        return super().sample_independent(study, trial, name, dist)


def _contract(sampler_cls: type[RandomSampler], **attrs: Any) -> SamplerContract:
    class Contract(SamplerContract):
        def create_sampler(
            self, seed: int | None, search_space: Mapping[str, BaseDistribution]
        ) -> BaseSampler:
            return sampler_cls(seed=seed)

    for key, value in attrs.items():
        setattr(Contract, key, value)
    return Contract()


@pytest.mark.parametrize(
    ("sampler_cls", "test_name"),
    [
        (_OutOfBounds, "test_float_params_within_bounds"),
        (_OutOfBounds, "test_int_params_within_bounds"),
        (_OffTheStep, "test_float_params_within_bounds"),
        (_Unseeded, "test_reproducible_with_seed"),
    ],
)
def test_contract_rejects_a_broken_sampler(
    sampler_cls: type[RandomSampler], test_name: str
) -> None:
    with pytest.raises(AssertionError):
        for _ in range(3):  # random failures: give the broken value a few chances to show
            getattr(_contract(sampler_cls), test_name)()


def test_contract_rejects_a_sampler_that_reaches_past_the_view() -> None:
    contract = _contract(_ReachesIntoTheStorage)
    contract.test_float_params_within_bounds()  # a real Study has a storage ...
    with pytest.raises(AttributeError, match="_storage"):
        contract.test_uses_only_the_study_view()  # ... the view does not


def test_contract_rejects_wrong_support_claims() -> None:
    # RandomSampler samples continuous floats and multi-objective studies: claiming it refuses
    # them must fail.
    with pytest.raises(pytest.fail.Exception):
        _contract(RandomSampler, discrete_only=True).test_continuous_float_refused_or_sampled()
    with pytest.raises(pytest.fail.Exception):
        _contract(RandomSampler, multi_objective=False).test_multi_objective()
    with pytest.raises(pytest.fail.Exception):
        _contract(RandomSampler, dynamic_ranges=False).test_dynamic_ranges()


def test_random_sampler_passes_as_a_control() -> None:
    contract = _contract(RandomSampler)
    contract.test_mixed_params_within_bounds()
    contract.test_uses_only_the_study_view()
