"""``TPESampler``: Tree-structured Parzen Estimator, Optuna 5.0 semantics, vectorised."""

from __future__ import annotations

import bisect
import functools
import math
import threading
import warnings
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from parabola._study_direction import StudyDirection
from parabola._system_attrs import TPE_RELATIVE_PARAMS
from parabola.distributions import BaseDistribution
from parabola.exceptions import ExperimentalWarning
from parabola.samplers._base import BaseSampler, _warn_independent_sampling
from parabola.samplers._constraints_func import record_constraints
from parabola.samplers._random import RandomSampler
from parabola.samplers._tpe import _split
from parabola.samplers._tpe._group import GroupDecomposedSearchSpace
from parabola.samplers._tpe._history import TrialHistory, column_key
from parabola.samplers._tpe._parzen import ParzenEstimator, ParzenParameters
from parabola.samplers._tpe._space_cache import SpaceCache
from parabola.samplers._view import ForwardingStudyView, StudyView
from parabola.search_space import IntersectionSearchSpace
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["TPESampler", "default_gamma", "default_weights", "hyperopt_default_gamma"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
RELATIVE_PARAMS_KEY = TPE_RELATIVE_PARAMS
_MAX_SPACE_CACHES = 64


def default_gamma(x: int) -> int:
    """Optuna's default number of "good" trials: 10% of ``x``, at most 25."""
    return min(math.ceil(0.1 * x), 25)


def default_gamma_multiobjective(x: int) -> int:
    """Default for several objectives: 10% of ``x`` without a cap."""
    return math.ceil(0.1 * x)


def hyperopt_default_gamma(x: int) -> int:
    """Hyperopt's choice: ``ceil(0.25 * sqrt(x))``, at most 25."""
    return min(math.ceil(0.25 * math.sqrt(x)), 25)


def default_weights(x: int) -> _Array:
    """Optuna's observation weights: 1 for the newest 25, a linear ramp for older ones."""
    if x == 0:
        return np.asarray([])
    if x < 25:
        return np.ones(x)
    return np.concatenate([np.linspace(1.0 / x, 1.0, num=x - 25), np.ones(25)])


@functools.lru_cache(maxsize=8)
def _cached_default_weights(n: int) -> _Array:
    w = default_weights(n)
    w.setflags(write=False)
    return w


def _deprecated_arg(name: str, value: Any, default: Any) -> Any:
    if value is None:
        return default
    warnings.warn(
        f"TPESampler({name}=...) has been deprecated in Optuna 4.x and will be removed in "
        "Optuna v6.0.0 (Optuna's version numbers); parabola accepts it for compatibility.",
        FutureWarning,
        stacklevel=3,
    )
    return value


@dataclass
class _Snapshot:
    """What one trial's sampling needs, computed once per trial."""

    trial_number: int
    n_finished: int
    numbers: np.ndarray[Any, np.dtype[np.int64]]
    below: np.ndarray[Any, np.dtype[np.bool_]]
    order: np.ndarray[Any, np.dtype[np.int64]]  # rows sorted by trial number
    running: list[dict[str, tuple[Any, float]]]


class _StudyState:
    def __init__(self, n_objectives: int) -> None:
        self.history = TrialHistory(n_objectives)
        self.intersection = IntersectionSearchSpace(include_pruned=True)
        self.groups = GroupDecomposedSearchSpace(include_pruned=True)
        self.watermark = 0  # every trial numbered below it is final and decoded
        self.space: dict[str, BaseDistribution] = {}
        self.group_space: list[dict[str, BaseDistribution]] = []
        self.snapshot: _Snapshot | None = None
        self.caches: dict[tuple[tuple[str, str], ...], SpaceCache] = {}

    def space_cache(self, space: dict[str, BaseDistribution]) -> SpaceCache:
        if self.caches:
            # The relative space rarely changes: compare with the latest before hashing.
            last = next(reversed(self.caches.values()))
            if last.space == space and list(last.space) == list(space):
                return last
        # Keyed by repr, not by the distributions: categorical choices may be unhashable JSON
        # values (lists, dicts), and repr tells 1, 1.0 and True apart as __eq__ does.
        key = tuple((name, repr(d)) for name, d in space.items())
        cache = self.caches.pop(key, None)
        if cache is None:
            cache = SpaceCache(space)
        # Most recently used last; a dynamic study may visit many spaces: keep memory bounded.
        self.caches[key] = cache
        while len(self.caches) > _MAX_SPACE_CACHES:
            del self.caches[next(iter(self.caches))]
        return cache


class TPESampler(BaseSampler):
    """Sampler using the Tree-structured Parzen Estimator (TPE), as Optuna 5.0 does.

    For each trial it splits past trials into the best ``gamma(n)`` ("below") and the rest
    ("above"), fits a Parzen estimator to each, draws ``n_ei_candidates`` points from the
    below estimator and keeps the one with the largest likelihood ratio ``l(x) / g(x)``.

    Finished trials are decoded once into numpy columns per study, and candidates are scored
    against every kernel with matrix operations, so the cost per trial stays low as the study
    grows.

    Semantics follow Optuna 5.0: PRUNED trials count (deepest step, then best last value)
    after COMPLETE ones, infeasible trials (``Trial.set_constraint`` values ``> 0``) come last
    ordered by total violation; several objectives are split by non-domination rank with a
    greedy hypervolume tie-break (MOTPE) and use uniform weights for the good set. With
    ``constant_liar`` running trials join the "above" set with the parameters they have (a
    trial's joint sample is published as the system attribute ``tpe:relative_params`` when
    other trials are running, so a sequential study stays free of it). Parameters outside the
    joint space (dynamic spaces) are sampled by univariate TPE. Unlike Optuna 5.0, which
    ignores it, ``consider_prior=False`` does drop the prior kernel.

    Args:
        consider_prior: Add a wide prior kernel to each estimator (deprecated knob).
        prior_weight: Weight of the prior kernel, ``>= 0`` (deprecated knob).
        consider_magic_clip: Floor bandwidths at ``range / min(100, n + 2)`` (deprecated knob).
        consider_endpoints: Let the outermost kernels widen up to the bounds (deprecated knob).
        n_startup_trials: Finished trials sampled at random before TPE starts.
        n_ei_candidates: Candidates scored per parameter group and trial.
        gamma: ``n -> n_below`` (default :func:`default_gamma`; ``ceil(0.1 n)`` for several
            objectives) (deprecated knob).
        weights: ``n -> weights`` of the observations ordered by trial number (default
            :func:`default_weights`) (deprecated knob).
        seed: Seed of the random number generator.
        multivariate: Model the parameters jointly. ``None`` (default): ``True`` for one
            objective, ``False`` for several.
        group: Model groups of co-occurring parameters jointly (conditional search spaces);
            needs ``multivariate`` (experimental).
        warn_independent_sampling: Warn when a parameter falls back to independent sampling
            (deprecated knob).
        constant_liar: Treat running trials as bad observations so parallel workers spread out.
        constraints_func: ``FrozenTrial -> sequence of floats``, ``> 0`` meaning violated
            (deprecated: use ``Trial.set_constraint``).

    Example:
        >>> import parabola
        >>> sampler = parabola.samplers.TPESampler(seed=0)
        >>> study = parabola.create_study(sampler=sampler,
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: (t.suggest_float("x", -10, 10) - 2) ** 2, n_trials=40)
        >>> study.best_value < 1.0
        True
    """

    def __init__(
        self,
        *,
        consider_prior: bool | None = None,
        prior_weight: float | None = None,
        consider_magic_clip: bool | None = None,
        consider_endpoints: bool | None = None,
        n_startup_trials: int = 10,
        n_ei_candidates: int = 24,
        gamma: Callable[[int], int] | None = None,
        weights: Callable[[int], Any] | None = None,
        seed: int | None = None,
        multivariate: bool | None = None,
        group: bool = False,
        warn_independent_sampling: bool | None = None,
        constant_liar: bool = True,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    ) -> None:
        consider_prior = _deprecated_arg("consider_prior", consider_prior, True)
        prior_weight = _deprecated_arg("prior_weight", prior_weight, 1.0)
        consider_magic_clip = _deprecated_arg("consider_magic_clip", consider_magic_clip, True)
        consider_endpoints = _deprecated_arg("consider_endpoints", consider_endpoints, False)
        gamma = _deprecated_arg("gamma", gamma, None)
        weights = _deprecated_arg("weights", weights, default_weights)
        warn_independent_sampling = _deprecated_arg(
            "warn_independent_sampling", warn_independent_sampling, False
        )
        _check_int("n_startup_trials", n_startup_trials, 0)
        _check_int("n_ei_candidates", n_ei_candidates, 1)
        if not isinstance(prior_weight, (int, float)) or not prior_weight >= 0:
            raise ValueError(
                f"TPESampler(prior_weight=...): expected a float >= 0, got {prior_weight!r}."
            )
        for name, fn in (
            ("gamma", gamma),
            ("weights", weights),
            ("constraints_func", constraints_func),
        ):
            if fn is not None and not callable(fn):
                raise TypeError(f"TPESampler({name}=...): expected a callable, got {fn!r}.")
        if multivariate not in (None, True, False):
            raise TypeError(
                f"TPESampler(multivariate=...): expected None, True or False, got {multivariate!r}."
            )
        if group and multivariate is False:
            raise ValueError(
                "TPESampler(group=True) needs multivariate=True (or None); got multivariate=False."
            )
        if group:
            warnings.warn(
                "TPESampler(group=True) is experimental: the interface can change in the future.",
                ExperimentalWarning,
                stacklevel=2,
            )
        if constraints_func is not None:
            warnings.warn(
                "TPESampler(constraints_func=...) has been deprecated in v5.0.0 and will be "
                "removed in v7.0.0 (Optuna's version numbers, which parabola follows). Use "
                "Trial.set_constraint instead.",
                FutureWarning,
                stacklevel=2,
            )
        self._params = ParzenParameters(
            consider_prior=bool(consider_prior),
            prior_weight=float(prior_weight),
            consider_magic_clip=bool(consider_magic_clip),
            consider_endpoints=bool(consider_endpoints),
        )
        self._n_startup_trials = n_startup_trials
        self._n_ei_candidates = n_ei_candidates
        self._gamma = gamma
        self._weights: Callable[[int], Any] = weights
        self._multivariate = multivariate
        self._group = group
        self._warn_independent = bool(warn_independent_sampling)
        self._constant_liar = constant_liar
        self._constraints_func = constraints_func
        self._rng = np.random.RandomState(seed)
        self._random_sampler = RandomSampler(seed=seed)
        self._states: dict[str, _StudyState] = {}
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        # Locks cannot be pickled, and the per-study caches are rebuilt from the study.
        state = self.__dict__.copy()
        del state["_lock"]
        state["_states"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    @staticmethod
    def hyperopt_parameters() -> dict[str, Any]:
        """Deprecated (Optuna 4.9): the keyword arguments that make TPE behave like hyperopt.

        Example:
            >>> import warnings
            >>> from parabola.samplers import TPESampler
            >>> with warnings.catch_warnings():
            ...     warnings.simplefilter("ignore", FutureWarning)
            ...     TPESampler.hyperopt_parameters()["n_startup_trials"]
            20
        """
        from parabola._stability import warn_deprecated

        warn_deprecated("hyperopt_parameters", "4.9.0", "6.0.0", "TPESampler's defaults")
        return {
            "consider_prior": True,
            "prior_weight": 1.0,
            "consider_magic_clip": True,
            "consider_endpoints": False,
            "n_startup_trials": 20,
            "n_ei_candidates": 24,
            "gamma": hyperopt_default_gamma,
            "weights": default_weights,
        }

    def reseed_rng(self) -> None:
        self._rng = np.random.RandomState()
        self._random_sampler.reseed_rng()

    # Search space --------------------------------------------------------------------------
    def _is_multivariate(self, study: StudyView) -> bool:
        if self._multivariate is not None:
            return self._multivariate
        return self._group or len(study.directions) == 1

    def _state(self, study: StudyView) -> _StudyState:
        st = self._states.get(study.study_name)
        if st is None:
            st = self._states[study.study_name] = _StudyState(len(study.directions))
        return st

    def infer_relative_search_space(
        self, study: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        if not self._is_multivariate(study):
            return {}
        with self._lock:
            st = self._state(study)
            self._snapshot(study, trial)
            if self._group:
                space: dict[str, BaseDistribution] = {}
                for g in st.group_space:
                    space.update({n: d for n, d in g.items() if not d.single()})
                return space
            return {n: d for n, d in st.space.items() if not d.single()}

    def sample_relative(
        self, study: StudyView, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        with self._lock:
            snap = self._snapshot(study, trial)
            if snap.n_finished < self._n_startup_trials:
                return {}
            params: dict[str, Any] = {}
            if self._group:
                for g in self._state(study).group_space:
                    sub = {n: d for n, d in g.items() if n in search_space}
                    if sub:
                        params.update(self._sample(study, snap, sub))
            else:
                params = self._sample(study, snap, search_space)
        if params and self._constant_liar and snap.running:
            # Publish the joint sample so other workers can "lie" with it before the objective
            # has suggested every parameter. Only when other trials run: a sequential study's
            # trials (and its trials_dataframe) stay free of sampler bookkeeping.
            study.set_trial_system_attr(trial, RELATIVE_PARAMS_KEY, params)
        # Samplers return external values (Optuna's contract); the published sample stays internal.
        return {n: search_space[n].to_external_repr(v) for n, v in params.items()}

    def sample_independent(
        self,
        study: StudyView,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        with self._lock:
            snap = self._snapshot(study, trial)
            if snap.n_finished < self._n_startup_trials:
                return self._random_sampler.sample_independent(
                    study, trial, param_name, param_distribution
                )
            if self._warn_independent and self._is_multivariate(study):
                hist = self._state(study).history
                if np.any(np.isfinite(hist.column(param_name, param_distribution))):
                    _warn_independent_sampling("TPESampler", param_name, trial, "univariate TPE")
            internal = self._sample(study, snap, {param_name: param_distribution})[param_name]
        return param_distribution.to_external_repr(internal)

    # Core ----------------------------------------------------------------------------------
    def _snapshot(self, study: StudyView, trial: FrozenTrial) -> _Snapshot:
        st = self._state(study)
        if st.snapshot is not None and st.snapshot.trial_number == trial.number:
            return st.snapshot
        trials = study.get_trials(deepcopy=False)
        hist = st.history
        # Trials are ordered by number and finished ones never change: decode only the tail
        # past the watermark, and move the watermark over the prefix that is final.
        start = bisect.bisect_left(trials, st.watermark, key=lambda t: t.number)
        running: list[FrozenTrial] = []
        new: list[FrozenTrial] = []
        advancing = True
        for t in trials[start:]:
            state = t.state
            if state.is_finished():
                if state != TrialState.FAIL and t.number not in hist.seen:
                    new.append(t)
                if advancing:
                    st.watermark = t.number + 1
            else:
                advancing = False
                if state == TrialState.RUNNING and t.number != trial.number:
                    running.append(t)
        if not self._constant_liar:
            running = []
        if new:
            hist.update(new)
            # Both search spaces are incremental: hand them only the newly finished trials.
            view = _TailView(study, new)
            st.space = st.intersection.calculate(view)
            if self._group:
                st.group_space = st.groups.calculate(view)

        n = hist.n
        r = len(running)
        numbers = hist.numbers
        if r:
            numbers = np.concatenate([numbers, [t.number for t in running]]).astype(np.int64)
        # Rows are decoded in trial-number order unless workers finished out of order.
        order = np.arange(n) if hist.in_order and not r else np.argsort(numbers, kind="stable")
        if n < self._n_startup_trials:
            # During the start-up phase nothing is modelled: skip the split (and gamma).
            below = np.zeros(n + r, dtype=bool)
        else:
            below = self._split(study, hist, numbers, r)
        snap = _Snapshot(
            trial.number, n, numbers, below, order, [_trial_params(t) for t in running]
        )
        st.snapshot = snap
        return snap

    def _split(
        self,
        study: StudyView,
        hist: TrialHistory,
        numbers: np.ndarray[Any, np.dtype[np.int64]],
        r: int,
    ) -> np.ndarray[Any, np.dtype[np.bool_]]:
        n = hist.n
        directions = study.directions
        single = len(directions) == 1
        gamma = self._gamma or (default_gamma if single else default_gamma_multiobjective)
        if single and not r and not hist.n_pruned and not hist.n_infeasible:
            # The usual case: every row a feasible COMPLETE trial; rank by value alone.
            loss = hist.values[:, 0]
            if directions[0] == StudyDirection.MAXIMIZE:
                loss = -loss
            return _split.split_complete(numbers, loss, int(gamma(n)))
        kinds = hist.states.astype(np.int64)
        losses = hist.values
        if directions[0] == StudyDirection.MAXIMIZE or not single:
            signs = [-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions]
            losses = losses * np.asarray(signs)
        step, value = hist.pruned_score
        if not single:
            step, value = np.ones(n), np.zeros(n)
        elif directions[0] == StudyDirection.MAXIMIZE:
            value = -value
        violation = hist.violation
        if r:
            pad = np.zeros(r)
            kinds = np.concatenate([kinds, np.full(r, _split.KIND_RUNNING)])
            losses = np.vstack([losses, np.zeros((r, len(directions)))])
            step, value = np.concatenate([step, pad]), np.concatenate([value, pad])
            violation = np.concatenate([violation, pad])
        return _split.split_below(numbers, kinds, losses, step, value, violation, int(gamma(n)))

    def _sample(
        self, study: StudyView, snap: _Snapshot, space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        st = self._state(study)
        hist = st.history
        cache = st.space_cache(space)
        cache.update(hist)
        layout = cache.layout
        r = len(snap.running)
        if r:
            extra = np.empty((r, len(layout.names)))
            for j, (name, dist) in enumerate(space.items()):
                key = column_key(name, dist)
                for i, p in enumerate(snap.running):
                    k, v = p.get(name, (None, math.nan))
                    extra[i, j] = v if k in (None, key) else math.nan
            extra = layout.encode(extra)
            obs = np.vstack([cache.encoded, extra])
            have = np.concatenate([cache.complete, np.all(np.isfinite(extra), axis=1)])
        else:
            extra = np.empty((0, len(layout.names)))
            obs = cache.encoded
            have = cache.complete
        order = snap.order
        below_rows = order[(snap.below & have)[order]]
        above_rows = order[(~snap.below & have)[order]]
        multi = len(study.directions) > 1
        w_below = np.ones(len(below_rows)) if multi else self._call_weights(len(below_rows))
        w_above = self._call_weights(len(above_rows))
        # Once a study settles, most new trials miss the "good" set: it keeps its rows and
        # weights, so its estimator is last trial's. Reuse it.
        fit_key = (below_rows.tobytes(), np.asarray(w_below).tobytes())
        if cache.below_fit is not None and cache.below_fit[0] == fit_key:
            l_est = cache.below_fit[1]
        else:
            l_est = self._fit(cache, obs, below_rows, w_below, extra)
            cache.below_fit = (fit_key, l_est)
        if not r and hist.in_order and len(above_rows) > 32 and layout.num:
            # The usual case: the large "above" estimator is kept in place across trials
            # (its kernels in history order, which is trial-number order here).
            g_est = cache.above_estimator(~snap.below & have, w_above, self._params)
        else:
            g_est = self._fit(cache, obs, above_rows, w_above, extra)
        cands = l_est.sample(self._rng, self._n_ei_candidates)
        unit = layout.num_to_unit(cands[:, layout.num]) if layout.num else None
        score = l_est.log_pdf(cands, unit) - g_est.log_pdf(cands, unit)
        best = cands[int(np.argmax(score))]
        return {name: float(best[j]) for j, name in enumerate(layout.names)}

    def _fit(
        self,
        cache: SpaceCache,
        obs: _Array,
        rows: np.ndarray[Any, np.dtype[np.int64]],
        weights: _Array,
        extra: _Array,
    ) -> ParzenEstimator:
        # Small sets (the below one) sort faster than they filter the cached order.
        sub = cache.subset_order(rows, extra) if len(rows) > 32 else None
        return ParzenEstimator(
            cache.layout,
            obs[rows],
            weights,
            self._params,
            order=None if sub is None else sub[0],
            memo=cache.memo,
            rows=rows,
        )

    def _call_weights(self, n: int) -> _Array:
        if self._weights is default_weights:
            return _cached_default_weights(n)
        w = np.asarray(self._weights(n), dtype=float)[:n]
        if len(w) != n:
            raise ValueError(f"TPESampler(weights=...): weights({n}) returned {len(w)} values.")
        if np.any(w < 0) or not np.all(np.isfinite(w)) or (n > 0 and w.sum() <= 0):
            raise ValueError(
                f"TPESampler(weights=...): weights({n}) must be finite, non-negative and not all"
                f" zero; got {w}."
            )
        return w

    # Hooks ---------------------------------------------------------------------------------
    def before_trial(self, study: StudyView, trial: FrozenTrial) -> None:
        self._random_sampler.before_trial(study, trial)

    def after_trial(
        self,
        study: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        record_constraints(study, trial, state, self._constraints_func, "TPESampler")
        self._random_sampler.after_trial(study, trial, state, values)


class _TailView(ForwardingStudyView):
    """A :class:`StudyView` whose ``get_trials`` yields only the trials given (new ones)."""

    __slots__ = ("_trials",)

    def __init__(self, study: StudyView, trials: list[FrozenTrial]) -> None:
        super().__init__(study)
        self._trials = trials

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        return [t for t in self._trials if states is None or t.state in states]


def _trial_params(trial: FrozenTrial) -> dict[str, tuple[Any, float]]:
    """Internal values of a running trial: its published joint sample, then its own params."""
    out: dict[str, tuple[Any, float]] = {
        name: (None, float(v))
        for name, v in dict(trial.system_attrs.get(RELATIVE_PARAMS_KEY, {})).items()
    }
    for name, dist in trial.distributions.items():
        out[name] = (column_key(name, dist), float(dist.to_internal_repr(trial.params[name])))
    return out


def _check_int(name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"TPESampler({name}=...): expected an int >= {minimum}, got {value!r}.")
