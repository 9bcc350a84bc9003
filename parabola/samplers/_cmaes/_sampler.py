"""``CmaEsSampler``: CMA-ES on the ``cmaes`` library, with Optuna 5.0's interface."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from parabola._stability import warn_deprecated
from parabola._study_direction import StudyDirection
from parabola.distributions import (
    BaseDistribution,
    FloatDistribution,
    IntDistribution,
    to_unit,
)
from parabola.exceptions import ExperimentalWarning
from parabola.logging import get_logger
from parabola.samplers._base import BaseSampler, _warn_independent_sampling
from parabola.samplers._cmaes import _lib
from parabola.samplers._cmaes._state import Restart, RunConfig, State, new_restart
from parabola.samplers._random import RandomSampler
from parabola.samplers._unit_codec import UnitCodec
from parabola.samplers._view import StudyView
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["CmaEsSampler"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_STRATEGIES = (None, "ipop", "bipop")


@dataclass
class _Scan:
    """What the sampler has read of one study, extended from new or still-running trials."""

    scanned: int = 0  # trials[:scanned] were looked at once
    pending: set[int] = field(default_factory=set)  # ... and these had not finished then
    n_finished: int = 0
    # Finished tagged trials not told yet, by [restart, generation], with their values.
    by_tag: dict[tuple[int, int], list[tuple[FrozenTrial, float]]] = field(default_factory=dict)
    restarts: dict[int, Restart] = field(default_factory=dict)
    space: dict[str, BaseDistribution] | None = None  # intersection over COMPLETE trials
    # The last COMPLETE trial's distributions: a trial with equal ones (one C-level ``dict ==``
    # when the objects are shared) leaves the intersection as it is.
    last_dists: dict[str, BaseDistribution] | None = None
    # Derived from ``space``, rebuilt only when it changes: the joint space (numeric,
    # multi-valued, sorted) and its vectorised unit codec.
    relative: dict[str, BaseDistribution] | None = None
    codec: UnitCodec | None = None
    # The trial number ``infer_relative_search_space`` scanned for: its ``sample_relative``
    # follows at once and need not scan again.
    scanned_for: int | None = None


def _n_values(dist: FloatDistribution | IntDistribution) -> int:
    step = float(dist.step)  # type: ignore[arg-type]
    return round((dist.high - dist.low) / step) + 1


class CmaEsSampler(BaseSampler):
    """Sampler using CMA-ES (covariance matrix adaptation), with Optuna 5.0's interface.

    Float and int parameters of the intersection search space are sampled jointly by the
    ``cmaes`` library in a unit cube (log scale for ``log=True``); categorical parameters and
    parameters outside that space go to ``independent_sampler``. Unlike Optuna 5.0, which
    ignores it, ``restart_strategy`` works: ``"ipop"`` restarts from a random point with the
    population multiplied by ``inc_popsize`` whenever the run stops, ``"bipop"`` alternates
    such large-population runs with small-population, small-step runs of equal budget. A run
    stops on the library's tests or on tests sized for a trial budget (converged, stalled,
    flat fitness: see ``parabola.samplers._cmaes._stop``).

    The optimiser is not pickled into the trials: each trial carries only its
    ``[restart, generation]`` tag (and a restart's starting point on the trial where it
    happened), from which another process rebuilds the state by telling the generations again.

    Args:
        x0: Initial mean as external values (deprecated since Optuna 4.9).
        sigma0: Initial step size in the unit cube (deprecated since Optuna 4.9); default
            ``1/6``.
        n_startup_trials: Finished trials sampled by ``independent_sampler`` first.
        independent_sampler: Sampler for the start-up trials and parameters outside the
            joint space; default ``RandomSampler(seed=seed)``.
        warn_independent_sampling: Log a warning when a parameter is sampled independently.
        seed: Seed of the random number generator.
        consider_pruned_trials: Tell pruned trials with their last intermediate value.
        restart_strategy: ``None``, ``"ipop"`` or ``"bipop"`` (deprecated in Optuna, kept
            working here).
        popsize: Population size of the first run; default ``4 + floor(3 ln(dim))``.
        inc_popsize: Population multiplier at each (large) restart; ``-1`` means 2.
        use_separable_cma: Use diagonal-covariance sep-CMA-ES.
        with_margin: Use CMA-ES with margin for integer and stepped parameters.
        lr_adapt: Adapt the learning rate (for multimodal or noisy problems).
        source_trials: Trials of a similar task to warm-start from (WS-CMA-ES).

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if an argument is out of range or two arguments are incompatible, or
            (when sampling) the study has several objectives.

    Example:
        >>> import parabola
        >>> sampler = parabola.samplers.CmaEsSampler(seed=0)
        >>> study = parabola.create_study(sampler=sampler,
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> def objective(t):
        ...     return (t.suggest_float("x", -5, 5) - 1) ** 2 + t.suggest_float("y", -5, 5) ** 2
        >>> study.optimize(objective, n_trials=150)
        >>> study.best_value < 1e-3
        True
    """

    def __init__(
        self,
        *,
        x0: dict[str, Any] | None = None,
        sigma0: float | None = None,
        n_startup_trials: int = 1,
        independent_sampler: BaseSampler | None = None,
        warn_independent_sampling: bool = True,
        seed: int | None = None,
        consider_pruned_trials: bool = False,
        restart_strategy: str | None = None,
        popsize: int | None = None,
        inc_popsize: int = -1,
        use_separable_cma: bool = False,
        with_margin: bool = False,
        lr_adapt: bool = False,
        source_trials: list[FrozenTrial] | None = None,
    ) -> None:
        _check_args(locals())
        if restart_strategy is not None or inc_popsize != -1:
            warn_deprecated("`restart_strategy`", "4.4.0", "6.0.0", "the default (no restart)")
        if x0 is not None:
            warn_deprecated("`x0`", "4.9.0", "6.0.0", "the centre of the search space")
        if sigma0 is not None:
            warn_deprecated("`sigma0`", "4.9.0", "6.0.0", "the default step size")
        for name, flag in (
            ("consider_pruned_trials", consider_pruned_trials),
            ("use_separable_cma", use_separable_cma),
            ("source_trials", source_trials is not None),
            ("with_margin", with_margin),
            ("lr_adapt", lr_adapt),
        ):
            if flag:
                warnings.warn(
                    f"Argument ``{name}`` is an experimental feature. The interface can change "
                    "in the future.",
                    ExperimentalWarning,
                    stacklevel=2,
                )
        self._x0 = x0
        self._sigma0 = sigma0
        self._n_startup_trials = n_startup_trials
        self._independent_sampler = independent_sampler or RandomSampler(seed=seed)
        self._warn_independent_sampling = warn_independent_sampling
        self._consider_pruned_trials = consider_pruned_trials
        self._restart_strategy = restart_strategy
        self._popsize = popsize
        self._inc_popsize = 2 if inc_popsize == -1 else inc_popsize
        self._use_separable_cma = use_separable_cma
        self._with_margin = with_margin
        self._lr_adapt = lr_adapt
        self._source_trials = source_trials
        self._prefix = "sepcma:" if use_separable_cma else "cmawm:" if with_margin else "cma:"
        self._seed_base = int(np.random.RandomState(seed).randint(2**31 - 1))
        self._states: dict[tuple[str, tuple[str, ...]], State] = {}
        self._scans: dict[str, _Scan] = {}
        self._dynamic_warned = False
        self._lock = threading.Lock()

    # Keys of the trial system attributes (the whole stored state).
    @property
    def _tag_key(self) -> str:
        return self._prefix + "tag"

    @property
    def _restart_key(self) -> str:
        return self._prefix + "restart"

    @property
    def _x_key(self) -> str:
        return self._prefix + "x_for_tell"

    def reseed_rng(self) -> None:
        self._seed_base = int(np.random.RandomState().randint(2**31 - 1))
        self._independent_sampler.reseed_rng()

    def infer_relative_search_space(
        self, study: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        with self._lock:
            scan = self._scan(study)
            scan.scanned_for = trial.number
            if scan.relative is None:
                space = scan.space or {}
                scan.relative = {
                    name: space[name]
                    for name in sorted(space)
                    if isinstance(space[name], (FloatDistribution, IntDistribution))
                    and not space[name].single()
                }
                scan.codec = None
            # A copy: the caller owns what it gets.
            return dict(scan.relative)

    def sample_relative(
        self, study: StudyView, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        self._raise_error_if_multi_objective(study)
        if not search_space:
            return {}
        names = tuple(search_space)
        minimize = study.directions[0] == StudyDirection.MINIMIZE
        with self._lock:
            known = self._scans.get(study.study_name)
            scan = (
                known
                if known is not None and known.scanned_for == trial.number
                else self._scan(study)
            )
            scan.scanned_for = None
            if scan.n_finished < self._n_startup_trials:
                return {}
            key = (study.study_name, names)
            state = self._states.get(key)
            if state is None:
                if any(k[0] == study.study_name for k in self._states):
                    # The joint space shrank or grew after the optimiser started.
                    if self._warn_independent_sampling and not self._dynamic_warned:
                        get_logger(__name__).warning(
                            "`CmaEsSampler` does not support dynamic search space. "
                            f"`{self._independent_sampler}` is used instead of `CmaEsSampler`."
                        )
                        self._dynamic_warned = True
                    return {}
                state = State(self._config(search_space, minimize))
                self._states[key] = state
            codec = scan.codec
            if codec is None or codec.names != names or codec.space != search_space:
                codec = UnitCodec(search_space)
                if search_space == scan.relative:
                    scan.codec = codec
            self._catch_up(study, trial, state, scan, codec, minimize)
            optimizer = state.optimizer
            optimizer._rng.seed(self._trial_seed(trial.number))
            if self._with_margin:
                x, x_for_tell = optimizer.ask()
                study.set_trial_system_attr(trial, self._x_key, x_for_tell.tolist())
            else:
                x = optimizer.ask()
            study.set_trial_system_attr(trial, self._tag_key, [state.restart, state.generation])
        return codec.decode(x)

    def sample_independent(
        self,
        study: StudyView,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        self._raise_error_if_multi_objective(study)
        if self._warn_independent_sampling:
            with self._lock:
                n_finished = self._scan(study).n_finished
            if n_finished >= self._n_startup_trials:
                _warn_independent_sampling(
                    "CmaEsSampler", param_name, trial, str(self._independent_sampler)
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

    # Internals ----------------------------------------------------------------------------
    def _trial_seed(self, number: int, purpose: int = 0) -> int:
        # Seeded per trial, not drawn from one stream: the point a trial gets does not depend
        # on how many trials this process sampled before (threads, other workers). A cheap
        # integer mix: SeedSequence costs ~40 us a trial.
        mixed = self._seed_base ^ (number * 0x9E3779B1) ^ (purpose * 0x85EBCA77)
        return mixed & 0xFFFFFFFF

    def _finished(self, trials: list[FrozenTrial]) -> list[tuple[FrozenTrial, float]]:
        out: list[tuple[FrozenTrial, float]] = []
        for t in trials:
            if t.state == TrialState.COMPLETE and t.values:
                out.append((t, float(t.values[0])))
            elif (
                self._consider_pruned_trials
                and t.state == TrialState.PRUNED
                and t.intermediate_values
            ):
                # The value at the last reported step, as Optuna does.
                _, value = max(t.intermediate_values.items())
                if value is not None:
                    out.append((t, float(value)))
        return out

    def _config(self, space: dict[str, BaseDistribution], minimize: bool) -> RunConfig:
        n = len(space)
        dists = list(space.values())
        bounds = np.tile([0.0, 1.0], (n, 1))
        steps = np.zeros(n)
        if self._with_margin:
            for i, d in enumerate(dists):
                assert isinstance(d, (FloatDistribution, IntDistribution))
                if d.step is not None and not d.log:
                    # Discrete values sit at the centres of k equal slices of [0, 1].
                    k = _n_values(d)
                    bounds[i] = (0.5 / k, 1.0 - 0.5 / k)
                    steps[i] = 1.0 / k
        variant = "sepcma" if self._use_separable_cma and n > 1 else "cma"
        if self._use_separable_cma and n == 1:
            warnings.warn(
                "Separable CMA-ES does not operate meaningfully on single-dimensional search "
                "spaces. The setting `use_separable_cma=True` will be ignored.",
                UserWarning,
                stacklevel=4,
            )
        if self._with_margin:
            variant = "cmawm"
        cov: _Array | None = None
        if self._source_trials is not None:
            sign = 1.0 if minimize else -1.0
            source = [
                (self._encode(t.params, space), sign * v)
                for t, v in self._finished(self._source_trials)
                if set(t.distributions) == set(space)
            ]
            if not source:
                raise ValueError(
                    f"No compatible source_trials: none has exactly the parameters {sorted(space)}."
                )
            mean, sigma0, cov = _lib.warm_start_mgd()(source)
        else:
            if self._x0 is None:
                mean = bounds.mean(axis=1)
            else:
                missing = sorted(set(space) - set(self._x0))
                if missing:
                    raise ValueError(f"x0 lacks the parameters {missing}.")
                mean = self._encode(self._x0, space)
            sigma0 = 1.0 / 6.0 if self._sigma0 is None else float(self._sigma0)
        return RunConfig(
            bounds=bounds,
            steps=steps,
            mean0=np.clip(mean, bounds[:, 0], bounds[:, 1]),
            sigma0=float(sigma0),
            cov0=cov,
            popsize=self._popsize,
            variant=variant,
            lr_adapt=self._lr_adapt,
            strategy=self._restart_strategy,
            inc_popsize=self._inc_popsize,
        )

    @staticmethod
    def _encode(params: dict[str, Any], space: dict[str, BaseDistribution]) -> _Array:
        return np.array([to_unit(d, d.to_internal_repr(params[name])) for name, d in space.items()])

    def _scan(self, study: StudyView) -> _Scan:
        """Read the trials that are new or were running at the last call (lock held).

        Only those: a trial costs ``O(popsize)``, not ``O(n_trials)``, however long the study.
        """
        trials = study.get_trials(deepcopy=False)
        scan = self._scans.setdefault(study.study_name, _Scan())
        scan.scanned_for = None
        if scan.scanned > len(trials):  # another study under the same name
            scan = self._scans[study.study_name] = _Scan()
        fresh = sorted(scan.pending) + list(range(scan.scanned, len(trials)))
        scan.pending, scan.scanned = set(), len(trials)
        tag_key, restart_key = self._tag_key, self._restart_key
        for i in fresh:
            t = trials[i]
            raw = t.system_attrs.get(restart_key)
            if raw is not None:
                scan.restarts.setdefault(int(raw[0]), Restart.decode(raw))
            if not t.state.is_finished():
                scan.pending.add(i)
                continue
            if t.state == TrialState.COMPLETE:
                dists = t.distributions
                if scan.space is None:
                    scan.space, scan.last_dists, scan.relative = dict(dists), dists, None
                elif dists != scan.last_dists:
                    space = {n: d for n, d in scan.space.items() if dists.get(n) == d}
                    scan.last_dists = dists
                    if space != scan.space:
                        scan.space, scan.relative = space, None
            finished = self._finished([t])
            if not finished:
                continue
            scan.n_finished += 1
            tag = t.system_attrs.get(tag_key)
            if tag is not None:
                scan.by_tag.setdefault((int(tag[0]), int(tag[1])), []).append(finished[0])
        return scan

    def _catch_up(
        self,
        study: StudyView,
        trial: FrozenTrial,
        state: State,
        scan: _Scan,
        codec: UnitCodec,
        minimize: bool,
    ) -> None:
        """Tell every generation completed since the last call, restarting where needed."""
        restart_key, x_key = self._restart_key, self._x_key
        by_tag, restarts = scan.by_tag, scan.restarts
        sign = 1.0 if minimize else -1.0
        while True:
            members = by_tag.get((state.restart, state.generation), [])
            if len(members) < state.popsize:
                return
            del by_tag[(state.restart, state.generation)]
            members = sorted(members, key=lambda tv: tv[0].number)[: state.popsize]
            if self._with_margin:
                xs = np.array([t.system_attrs[x_key] for t, _ in members], dtype=float)
            else:
                xs = codec.encode([t.params for t, _ in members])
            solutions = [(x, sign * v) for x, (_, v) in zip(xs, members, strict=True)]
            state.tell(solutions, [t.number for t, _ in members])
            known = restarts.get(state.restart + 1)
            if known is not None:
                state.apply(known)
            elif state.should_restart():
                rng = np.random.RandomState(self._trial_seed(state.restart, purpose=1))
                restart = new_restart(state, rng)
                study.set_trial_system_attr(trial, restart_key, restart.encode())
                restarts[restart.index] = restart
                state.apply(restart)


def _check_args(args: dict[str, Any]) -> None:
    """Reject bad arguments up front, naming them (Optuna fails later, or silently)."""

    def _int(name: str) -> None:
        v = args[name]
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"`{name}` must be an int, got {v!r}.")

    for name in ("n_startup_trials", "inc_popsize"):
        _int(name)
    if args["seed"] is not None:
        _int("seed")
    if args["n_startup_trials"] < 0:
        raise ValueError(f"`n_startup_trials` must be >= 0, got {args['n_startup_trials']}.")
    if args["restart_strategy"] not in _STRATEGIES:
        raise ValueError(
            f"`restart_strategy` must be one of None, 'ipop' or 'bipop', got "
            f"{args['restart_strategy']!r}."
        )
    if args["inc_popsize"] != -1 and args["inc_popsize"] < 2:
        raise ValueError(
            f"`inc_popsize` must be -1 (meaning 2) or >= 2, got {args['inc_popsize']}."
        )
    if args["popsize"] is not None:
        _int("popsize")
        if args["popsize"] < 2:
            raise ValueError(f"`popsize` must be >= 2, got {args['popsize']}.")
    sigma0 = args["sigma0"]
    if sigma0 is not None and (
        isinstance(sigma0, bool) or not isinstance(sigma0, (int, float)) or not sigma0 > 0
    ):
        raise ValueError(f"`sigma0` must be a positive number, got {sigma0!r}.")
    if args["x0"] is not None and not isinstance(args["x0"], dict):
        raise TypeError(f"`x0` must be a dict of parameter values, got {args['x0']!r}.")
    ind = args["independent_sampler"]
    if ind is not None and not isinstance(ind, BaseSampler):
        raise TypeError(f"`independent_sampler` must be a BaseSampler, got {ind!r}.")
    source = args["source_trials"]
    # Checked now: it is first read at the first CMA-ES generation, after the start-up trials.
    if source is not None and (
        not isinstance(source, Sequence)
        or isinstance(source, (str, bytes))
        or not all(isinstance(t, FrozenTrial) for t in source)
    ):
        raise TypeError(
            "`source_trials` must be a list of FrozenTrial (for example "
            f"`other_study.trials`) or None, got {source!r:.200}."
        )
    if source is not None and (args["x0"] is not None or sigma0 is not None):
        raise ValueError(
            "It is prohibited to pass `source_trials` argument when x0 or sigma0 is specified."
        )
    if args["source_trials"] is not None and args["use_separable_cma"]:
        raise ValueError(
            "It is prohibited to pass `source_trials` argument when using separable CMA-ES."
        )
    if args["lr_adapt"] and (args["use_separable_cma"] or args["with_margin"]):
        raise ValueError(
            "It is prohibited to pass `use_separable_cma` or `with_margin` argument when "
            "using `lr_adapt`."
        )
    if args["use_separable_cma"] and args["with_margin"]:
        raise ValueError(
            "Currently, we do not support `use_separable_cma=True` and `with_margin=True`."
        )
