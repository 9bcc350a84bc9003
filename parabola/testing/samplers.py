"""The sampler contract: pytest tests every :class:`~parabola.samplers.BaseSampler` must pass.

Subclass :class:`SamplerContract` in a test module (the class name must start with ``Test``)
and implement :meth:`SamplerContract.create_sampler`; pytest then runs every contract test
against that sampler. Class attributes declare what the sampler supports, and an unsupported
feature is tested for a clear refusal rather than skipped.

Example:
    .. code-block:: python

        from parabola.samplers import RandomSampler
        from parabola.testing.samplers import SamplerContract


        class TestRandomSampler(SamplerContract):
            def create_sampler(self, seed, search_space):
                return RandomSampler(seed=seed)
"""

from __future__ import annotations

import math
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from parabola.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from parabola.samplers._base import BaseSampler
from parabola.samplers._view import ForwardingStudyView, StudyView
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

if TYPE_CHECKING:
    from parabola.storages import BaseStorage
    from parabola.study import Study

__all__ = [
    "CATEGORICAL_SPACE",
    "FLOAT_SPACE",
    "INT_SPACE",
    "SamplerContract",
    "assert_value_in",
    "suggest",
]

SearchSpace = Mapping[str, BaseDistribution]

FLOAT_SPACE: dict[str, BaseDistribution] = {
    "f_plain": FloatDistribution(-3.5, 5.0),
    "f_log": FloatDistribution(1e-4, 10.0, log=True),
    "f_step": FloatDistribution(-1.0, 1.0, step=0.25),
    "f_single": FloatDistribution(2.0, 2.0),
}
INT_SPACE: dict[str, BaseDistribution] = {
    "i_plain": IntDistribution(-5, 7),
    "i_step": IntDistribution(0, 12, step=3),
    "i_log": IntDistribution(1, 128, log=True),
    "i_single": IntDistribution(3, 3),
}
CATEGORICAL_SPACE: dict[str, BaseDistribution] = {
    "c_str": CategoricalDistribution(("a", "b", "c")),
    # True == 1 in Python: the sampler must keep the two apart.
    "c_mixed": CategoricalDistribution((None, True, 1, 2.5, "x")),
    "c_single": CategoricalDistribution(("only",)),
}

# Warnings a sampler may legitimately emit on dynamic spaces; anything else is an error.
_FALLBACK_WARNING = r".*sampled independently.*"


def suggest(trial: Any, name: str, dist: BaseDistribution) -> Any:
    """Suggest ``name`` from ``dist`` through the public ``suggest_*`` API of ``trial``."""
    if isinstance(dist, FloatDistribution):
        return trial.suggest_float(name, dist.low, dist.high, log=dist.log, step=dist.step)
    if isinstance(dist, IntDistribution):
        return trial.suggest_int(name, dist.low, dist.high, log=dist.log, step=dist.step)
    assert isinstance(dist, CategoricalDistribution)
    return trial.suggest_categorical(name, list(dist.choices))


def assert_value_in(name: str, value: Any, dist: BaseDistribution) -> None:
    """Assert that ``value`` has the right type and lies in ``dist`` (bounds, step, choices)."""
    if isinstance(dist, CategoricalDistribution):
        assert any(type(c) is type(value) and c == value for c in dist.choices), (
            f"{name}={value!r} is not one of {dist.choices}"
        )
        return
    if isinstance(dist, FloatDistribution):
        assert isinstance(value, float), f"{name}={value!r} should be a float"
        assert math.isfinite(value), f"{name}={value!r} is not finite"
    else:
        assert isinstance(dist, IntDistribution)
        assert isinstance(value, int) and not isinstance(value, bool), (
            f"{name}={value!r} should be an int"
        )
    assert dist._contains(dist.to_internal_repr(value)), f"{name}={value!r} is outside {dist!r}"


def _discretize(space: SearchSpace) -> dict[str, BaseDistribution]:
    """The same space with a step on every float (for samplers of discrete spaces only)."""
    out: dict[str, BaseDistribution] = {}
    for name, dist in space.items():
        if isinstance(dist, FloatDistribution) and dist.step is None:
            low = dist.low if not dist.log else 0.0
            high = dist.high
            step = (high - low) / 8 if high > low else 1.0
            out[name] = FloatDistribution(low, high, step=step)
        else:
            out[name] = dist
    return out


class _ThroughView(BaseSampler):
    """Forward every hook to ``inner`` with a :class:`ForwardingStudyView` of the study."""

    def __init__(self, inner: BaseSampler) -> None:
        self.inner = inner

    def infer_relative_search_space(
        self, study: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return self.inner.infer_relative_search_space(ForwardingStudyView(study), trial)

    def sample_relative(
        self, study: StudyView, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self.inner.sample_relative(ForwardingStudyView(study), trial, search_space)

    def sample_independent(
        self,
        study: StudyView,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self.inner.sample_independent(
            ForwardingStudyView(study), trial, param_name, param_distribution
        )

    def before_trial(self, study: StudyView, trial: FrozenTrial) -> None:
        self.inner.before_trial(ForwardingStudyView(study), trial)

    def after_trial(
        self,
        study: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self.inner.after_trial(ForwardingStudyView(study), trial, state, values)

    def reseed_rng(self) -> None:
        self.inner.reseed_rng()


class SamplerContract:
    """Contract tests for a sampler; subclass it as ``Test<Something>``.

    Attributes:
        multi_objective: ``True`` if the sampler supports several objectives; ``False`` if it
            must refuse them with a ``ValueError`` that says "multi-objective".
        discrete_only: ``True`` if the sampler only supports discrete spaces (floats need a
            ``step``); a continuous float must then raise a ``ValueError``.
        dynamic_ranges: ``True`` if ranges may change between trials; ``False`` if such a change
            must raise a ``ValueError``.
        n_trials: Trials per study in each test; keep it small, the suite runs for every sampler.
    """

    multi_objective: ClassVar[bool] = True
    discrete_only: ClassVar[bool] = False
    dynamic_ranges: ClassVar[bool] = True
    n_trials: ClassVar[int] = 12

    def create_sampler(self, seed: int | None, search_space: SearchSpace) -> BaseSampler:
        """Return a fresh sampler; ``search_space`` lists every parameter the test suggests.

        Most samplers ignore ``search_space``; a sampler that needs one up front (a grid) builds
        it from there. Ranges are the narrowest a test uses.
        """
        raise NotImplementedError

    def create_storage(self) -> BaseStorage | str:
        """Return the storage (or URL) for each test's study; override to use SQLite, say."""
        from parabola.storages import InMemoryStorage

        return InMemoryStorage()

    # Helpers -----------------------------------------------------------------------------
    def _space(self, space: SearchSpace) -> dict[str, BaseDistribution]:
        return _discretize(space) if self.discrete_only else dict(space)

    def _study(
        self,
        sampler: BaseSampler,
        directions: Sequence[str] = ("minimize",),
    ) -> Study:
        from parabola.study import create_study

        return create_study(
            storage=self.create_storage(), sampler=sampler, directions=list(directions)
        )

    def _objective(self, space: SearchSpace, n_values: int = 1) -> Callable[[Any], Any]:
        def objective(trial: Any) -> Any:
            total = 0.0
            for name, dist in space.items():
                value = suggest(trial, name, dist)
                assert_value_in(name, value, dist)
                # Deterministic across processes, unlike hash() of a str.
                total += zlib.crc32(repr(value).encode()) % 7
            return total if n_values == 1 else tuple(total * (i + 1) for i in range(n_values))

        return objective

    def _run(self, space: SearchSpace, seed: int | None = 0, n_jobs: int = 1) -> list[FrozenTrial]:
        study = self._study(self.create_sampler(seed, space))
        study.optimize(self._objective(space), n_trials=self.n_trials, n_jobs=n_jobs)
        return self._check_trials(study.trials, space)

    def _check_trials(self, trials: list[FrozenTrial], space: SearchSpace) -> list[FrozenTrial]:
        assert trials, "no trial ran"
        for t in trials:
            assert t.state == TrialState.COMPLETE, f"trial {t.number} is {t.state.name}"
            for name, value in t.params.items():
                assert_value_in(name, value, space[name])
        return trials

    # Values stay in their distribution --------------------------------------------------
    def test_float_params_within_bounds(self) -> None:
        self._run(self._space(FLOAT_SPACE))

    def test_int_params_within_bounds(self) -> None:
        self._run(INT_SPACE)

    def test_categorical_params_within_choices(self) -> None:
        trials = self._run(CATEGORICAL_SPACE)
        assert all(t.params["c_single"] == "only" for t in trials)

    def test_mixed_params_within_bounds(self) -> None:
        self._run(self._space({**FLOAT_SPACE, **INT_SPACE, **CATEGORICAL_SPACE}))

    def test_continuous_float_refused_or_sampled(self) -> None:
        space = {"x": FloatDistribution(0.0, 1.0)}
        study = self._study(self.create_sampler(0, space))
        if self.discrete_only:
            with pytest.raises(ValueError, match="'x'"):
                study.optimize(self._objective(space), n_trials=1)
        else:
            study.optimize(self._objective(space), n_trials=3)
            self._check_trials(study.trials, space)

    # Search spaces that change ------------------------------------------------------------
    def test_conditional_search_space(self) -> None:
        branch_b = self._space({"b_x": FloatDistribution(0.0, 1.0)})["b_x"]
        space: dict[str, BaseDistribution] = {
            "kind": CategoricalDistribution(("a", "b", "c")),
            "a_n": IntDistribution(0, 4),
            "b_x": branch_b,
            "b_c": CategoricalDistribution(("p", "q")),
        }

        def objective(trial: Any) -> float:
            kind = suggest(trial, "kind", space["kind"])
            if kind == "a":
                return float(suggest(trial, "a_n", space["a_n"]))
            if kind == "b":
                x = suggest(trial, "b_x", space["b_x"])
                return float(x) + float(suggest(trial, "b_c", space["b_c"]) == "p")
            return -1.0

        study = self._study(self.create_sampler(0, space))
        with _allow_fallback_warnings():
            study.optimize(objective, n_trials=self.n_trials)
        trials = self._check_trials(study.trials, space)
        for t in trials:
            expected = {"a": {"kind", "a_n"}, "b": {"kind", "b_x", "b_c"}, "c": {"kind"}}
            assert set(t.params) == expected[t.params["kind"]]

    def test_dynamic_ranges(self) -> None:
        # Ranges grow with trial.number % 3; the narrowest ones are handed to create_sampler.
        narrow = self._space({"d_float": FloatDistribution(-1.0, 1.0)})
        narrow["d_int"] = IntDistribution(0, 5)
        step = narrow["d_float"].step  # type: ignore[attr-defined]

        def objective(trial: Any) -> float:
            k = trial.number % 3
            x = trial.suggest_float("d_float", -1.0 - k, 1.0 + k, step=step)
            n = trial.suggest_int("d_int", 0, 5 + k)
            assert -1.0 - k <= x <= 1.0 + k and 0 <= n <= 5 + k
            return float(x + n)

        study = self._study(self.create_sampler(0, narrow))
        if not self.dynamic_ranges:
            with pytest.raises(ValueError, match="d_"), _allow_fallback_warnings():
                study.optimize(objective, n_trials=self.n_trials)
            return
        with _allow_fallback_warnings():
            study.optimize(objective, n_trials=self.n_trials)
        assert all(t.state == TrialState.COMPLETE for t in study.trials)

    # Reproducibility and threads ----------------------------------------------------------
    def test_reproducible_with_seed(self) -> None:
        space = self._space({**FLOAT_SPACE, **INT_SPACE, **CATEGORICAL_SPACE})
        first = [t.params for t in self._run(space, seed=7)]
        second = [t.params for t in self._run(space, seed=7)]
        assert first == second

    def test_two_threads(self) -> None:
        space = self._space({**FLOAT_SPACE, **INT_SPACE, **CATEGORICAL_SPACE})
        trials = self._run(space, n_jobs=2)
        assert 1 <= len(trials) <= self.n_trials

    def test_reseed_rng(self) -> None:
        space = self._space({**FLOAT_SPACE, **INT_SPACE})
        sampler = self.create_sampler(0, space)
        sampler.reseed_rng()
        study = self._study(sampler)
        study.optimize(self._objective(space), n_trials=self.n_trials)
        self._check_trials(study.trials, space)

    # Other ways of driving a study --------------------------------------------------------
    def test_multi_objective(self) -> None:
        space = self._space({"x": FloatDistribution(-1.0, 1.0), "n": IntDistribution(0, 9)})
        study = self._study(self.create_sampler(0, space), directions=("minimize", "maximize"))
        if not self.multi_objective:
            with pytest.raises(ValueError, match="multi-objective"):
                study.optimize(self._objective(space, n_values=2), n_trials=self.n_trials)
            return
        study.optimize(self._objective(space, n_values=2), n_trials=self.n_trials)
        self._check_trials(study.trials, space)
        assert study.best_trials

    def test_ask_and_tell(self) -> None:
        space = self._space({**FLOAT_SPACE, **INT_SPACE, **CATEGORICAL_SPACE})
        study = self._study(self.create_sampler(0, space))
        objective = self._objective(space)
        for i in range(self.n_trials):
            # Odd trials are sampled by ask itself, through fixed_distributions.
            trial = study.ask(fixed_distributions=space) if i % 2 else study.ask()
            study.tell(trial, objective(trial))
        self._check_trials(study.trials, space)

    def test_uses_only_the_study_view(self) -> None:
        # The sampler sees a view with exactly the StudyView members: no storage, no Study.
        space = self._space({**FLOAT_SPACE, **INT_SPACE, **CATEGORICAL_SPACE})
        sampler = _ThroughView(self.create_sampler(0, space))
        assert isinstance(ForwardingStudyView(self._study(sampler)), StudyView)
        study = self._study(sampler)
        study.optimize(self._objective(space), n_trials=self.n_trials)
        self._check_trials(study.trials, space)


@contextmanager
def _allow_fallback_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_FALLBACK_WARNING, category=UserWarning)
        yield
