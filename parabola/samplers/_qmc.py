"""``QMCSampler``: quasi-Monte Carlo (Sobol or Halton) sampling through ``scipy.stats.qmc``."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from parabola._stability import experimental_class
from parabola.distributions import BaseDistribution, from_unit
from parabola.logging import get_logger
from parabola.samplers._base import BaseSampler, _warn_independent_sampling
from parabola.samplers._random import RandomSampler
from parabola.samplers._view import StudyView
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["QMCSampler"]

_logger = get_logger(__name__)

_QMC_TYPES = ("sobol", "halton")
_SUGGESTED_STATES = (TrialState.COMPLETE, TrialState.PRUNED)
_SAMPLE_ID_PREFIX = "qmc:"  # trial system attr: "qmc:<sequence hash>" -> index in the sequence
# One lock for every instance: scipy's Sobol engine shares state between threads, and taking the
# next sequence index must be atomic even when several samplers drive one study.
_lock = threading.Lock()


@experimental_class("3.0.0")
class QMCSampler(BaseSampler):
    """Sample the search space with a low-discrepancy Sobol or Halton sequence.

    The search space is that of the first finished (COMPLETE or PRUNED) trial, so the first
    trial is sampled by ``independent_sampler``; later trials take successive points of the
    sequence, each dimension mapped onto its distribution with
    :func:`parabola.distributions.from_unit` (log scale, step grid and categorical slices
    included). Parameters outside that space are sampled by ``independent_sampler``.

    Note:
        Optuna keeps the index of the next point in a study system attribute, which samplers
        cannot reach here (they see only :class:`~parabola.samplers.StudyView`). Instead, each
        trial sampled from the sequence records its index in the trial system attribute
        ``qmc:<id of the sequence>``, and the next index is one more than the largest recorded.
        A module-wide lock makes this exact for threads of one process and for a study resumed
        with a new sampler; separate processes sharing a storage may occasionally draw the same
        index, as in Optuna.

    Args:
        qmc_type: ``"sobol"`` or ``"halton"``.
        scramble: Scramble the sequence (randomised QMC); then ``seed`` selects the sequence.
        seed: Seed for the scrambling and for the default independent sampler. With
            ``scramble=True`` every worker of a distributed study must use the same seed.
        independent_sampler: Sampler for the first trial and for parameters outside the search
            space; default ``RandomSampler(seed=seed)``.
        warn_asynchronous_seeding: Log a warning when ``scramble=True`` and ``seed=None``.
        warn_independent_sampling: Warn when a parameter falls back to ``independent_sampler``
            after the first trial.

    Raises:
        ValueError: if ``qmc_type`` is not ``"sobol"`` or ``"halton"``.

    Example:
        >>> import warnings, parabola
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", parabola.exceptions.ExperimentalWarning)
        ...     sampler = parabola.samplers.QMCSampler(qmc_type="halton", seed=0)
        >>> study = parabola.create_study(sampler=sampler,
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=8)
        >>> [t.params["x"] for t in study.trials[1:4]]
        [-1.0, 0.0, -0.5]
    """

    def __init__(
        self,
        *,
        qmc_type: str = "sobol",
        scramble: bool = False,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        warn_asynchronous_seeding: bool = True,
        warn_independent_sampling: bool = True,
    ) -> None:
        if qmc_type not in _QMC_TYPES:
            raise ValueError(
                f"QMCSampler(qmc_type=...): expected one of {list(_QMC_TYPES)}, got {qmc_type!r}."
            )
        if independent_sampler is not None and not isinstance(independent_sampler, BaseSampler):
            raise TypeError(
                "QMCSampler(independent_sampler=...): expected a BaseSampler or None, got "
                f"{independent_sampler!r}."
            )
        self._qmc_type = qmc_type
        self._scramble = bool(scramble)
        # A fixed seed even when none is given: every trial rebuilds the engine and must get
        # the same sequence.
        self._seed = int(np.random.PCG64().random_raw()) if seed is None else int(seed)
        self._independent_sampler = independent_sampler or RandomSampler(seed=seed)
        self._warn_independent_sampling = warn_independent_sampling
        if seed is None and scramble and warn_asynchronous_seeding:
            _logger.warning(
                "No seed is provided for QMCSampler and the seed is set randomly. If you run "
                "several QMCSamplers in parallel or distributed, give them all the same seed so "
                "their samples come from the same QMC sequence."
            )

    def reseed_rng(self) -> None:
        # The sequence seed must stay shared by all workers: only the fallback is reseeded.
        self._independent_sampler.reseed_rng()

    def infer_relative_search_space(
        self, study: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        finished = study.get_trials(deepcopy=False, states=_SUGGESTED_STATES)
        if finished:
            first = min(finished, key=lambda t: t.number)
            return dict(first.distributions)
        # Nothing finished yet (parallel start): use what the running trials have suggested.
        space: dict[str, BaseDistribution] = {}
        common: set[str] | None = None
        for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            space.update(t.distributions)
            if common is None:
                common = set(t.distributions)
            elif t.distributions:
                common &= set(t.distributions)
        if common is not None and common != set(space):
            _logger.warning(
                "QMCSampler assumes that the search space has no conditional parameters; make "
                "sure every trial suggests the same parameters."
            )
        return space

    def sample_relative(
        self, study: StudyView, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        point = self._next_point(study, trial, search_space)
        return {
            name: dist.to_external_repr(float(from_unit(dist, u)))
            for (name, dist), u in zip(search_space.items(), point, strict=True)
        }

    def sample_independent(
        self,
        study: StudyView,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if self._warn_independent_sampling and study.get_trials(
            deepcopy=False, states=_SUGGESTED_STATES
        ):
            _warn_independent_sampling(
                "QMCSampler",
                param_name,
                trial,
                self._independent_sampler.__class__.__name__,
            )
        return self._independent_sampler.sample_independent(
            study, trial, param_name, param_distribution
        )

    def before_trial(self, study: StudyView, trial: FrozenTrial) -> None:
        self._independent_sampler.before_trial(study, trial)

    def after_trial(
        self,
        study: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._independent_sampler.after_trial(study, trial, state, values)

    def _sequence_key(self, search_space: dict[str, BaseDistribution]) -> str:
        spec: dict[str, Any] = {
            "qmc_type": self._qmc_type,
            "search_space": {name: str(d) for name, d in sorted(search_space.items())},
            "scramble": self._scramble,
        }
        if self._scramble:
            spec["seed"] = self._seed  # unscrambled sequences do not depend on the seed
        digest = hashlib.sha256(json.dumps(spec).encode()).hexdigest()
        return _SAMPLE_ID_PREFIX + digest

    def _next_point(
        self, study: StudyView, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> np.ndarray[Any, np.dtype[np.float64]]:
        from scipy.stats import qmc  # slow to import: only when first needed

        key = self._sequence_key(search_space)
        with _lock:
            trials = study.get_trials(deepcopy=False)
            taken = [t.system_attrs[key] for t in trials if key in t.system_attrs]
            sample_id = max(taken, default=-1) + 1
            study.set_trial_system_attr(trial, key, sample_id)
            d = len(search_space)
            # ``seed=`` (not ``rng=``) gives the same sequence as Optuna for the same seed.
            if self._qmc_type == "sobol":
                engine = qmc.Sobol(d, scramble=self._scramble, seed=self._seed)
            else:
                engine = qmc.Halton(d, scramble=self._scramble, seed=self._seed)
            if sample_id > 0:  # Sobol rejects fast_forward(0)
                engine.fast_forward(sample_id)
            point: np.ndarray[Any, np.dtype[np.float64]] = engine.random(1)[0]
        return point
