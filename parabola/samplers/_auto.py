"""``AutoSampler``: a policy that picks a sampler per trial as the study grows.

The policy (what it is based on is in ``docs/samplers.md``):

* **categorical or conditional spaces** (a categorical parameter, or parameters that not every
  finished trial has): :class:`~parabola.samplers.TPESampler`, whose Parzen estimators model
  choices and dynamic spaces natively;
* **numerical spaces, one objective**: :class:`~parabola.samplers.GPSampler` for the first
  ``gp_trials`` (250) finished trials, then ``CmaEsSampler`` when this build has it, else TPE;
* **two or three objectives**: GP for the first ``gp_trials`` trials on numerical spaces, then
  (or on categorical spaces) TPE; **more than three**: ``NSGAIISampler`` when this build has
  it, else TPE;
* **a fast objective**: a GP step is skipped in favour of TPE once it costs more than both
  ``gp_step_allowance`` (40 ms) and ``max_overhead`` (1) times the objective's own median
  duration. The aim is that the user does not wait mostly on the sampler: a GP step is fine
  while it is small in absolute terms *or* next to the objective. 40 ms because a
  single-objective GP step measured 8-17 ms (median per window) up to 300 trials at 2-20
  dimensions on a loaded machine (so an instant objective keeps the GP's quality until
  ``gp_trials``, with a margin of about 2.5x, and waits at most ~10 s in all for 250 GP steps),
  while the steps that should hand over are larger: three objectives' exact EHVI (55-434 ms
  from ~50 trials on) and a GP kept past ~300 trials by a larger ``gp_trials`` (60-100 ms); two
  objectives (15-39 ms up to 300 trials) stay on the GP until ~200 trials and may hand over
  after that on a loaded machine; on a machine about twice as slow (2026-12-07) the 5-D step
  reached 40 ms at trial 220 (``docs/samplers.md``). The figures and their command are in
  ``benchmarks/README.md`` ("Default sampler"). The objective's duration is measured in this
  process, on the trials it runs: the time from the sampler's ``before_trial`` to its
  ``after_trial`` less the time spent inside the sampler, so neither the GP step itself nor
  other workers' trials count. This rule reads clocks: pass ``max_overhead=None`` for runs
  that are reproducible bit for bit with a seed.

Where the choice shows: the study system attribute ``auto:sampler`` holds the sampler in use,
and ``auto:handover:<trial number>`` one ``{"sampler": ..., "reason": ...}`` record per change
of choice (the first choice included), so ``trials_dataframe()`` gains no column. In the logs, each
trial's choice is a DEBUG line and each hand-over (not the first choice) one INFO line: Optuna's
INFO log of a study is one line per trial, and a run that never changes sampler keeps exactly
that log.

The default sampler of :func:`parabola.create_study` is ``AutoSampler()``.
"""

from __future__ import annotations

import dataclasses
import importlib
import numbers
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from parabola._system_attrs import AUTO_HANDOVER_PREFIX, AUTO_SAMPLER
from parabola.distributions import BaseDistribution, CategoricalDistribution
from parabola.logging import get_logger
from parabola.samplers._base import BaseSampler
from parabola.samplers._view import StudyView
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["AutoSampler"]

_logger = get_logger(__name__)
_MAX_GP_OBJECTIVES = 3
_DURATION_WINDOW = 20  # recent trials whose objective durations are compared
_GP_STEP_WINDOW = 9  # recent GP steps compared (as many counted before the rule applies)
_MIN_MEASURED = 3  # objective durations this process measures before the rule applies
_MAX_CLOCKS = 1000  # running trials' clocks kept at most
#: Seconds a GP step may always cost, whatever the objective's duration (module docstring).
_GP_STEP_ALLOWANCE = 0.04
#: What a GP step loads on its first use (SciPy with them): a step that loads them pays about a
#: second of imports and says nothing about what a GP step costs.
#: Dask workers import them before their first trial (``parabola.distributed``).
GP_LAZY_MODULES = (
    "parabola.samplers._gp._regressor",
    "parabola.samplers._gp._acqf",
    "parabola.samplers._gp._optim",
)


@dataclasses.dataclass
class _SpaceCheck:
    """What ``_numerical_and_static`` found so far for one study, so each trial checks only the
    trials finished since (a scan of every trial's distributions per trial made the policy
    itself O(n^2): ~1 ms a trial at 250 trials)."""

    first_id: int | None = None  # storage id of the study's first finished trial
    keys: frozenset[str] = frozenset()  # the parameter names of that trial
    checked: set[int] = dataclasses.field(default_factory=set)  # trial ids found consistent
    static: bool = True  # False for good: finished trials never change


@dataclasses.dataclass
class _TrialClock:
    """One running trial's clock: when it reached the sampler, and time spent inside it."""

    start: float  # time.perf_counter() at the end of before_trial
    in_sampler: float = 0.0  # wall seconds inside this sampler's hooks since then


def _optional_class(module_name: str, name: str) -> Any:
    """A sampler class of another module if this build has it (CMA-ES, NSGA-II)."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    cls = getattr(module, name, None)
    # Any: the class comes from an optional module of this package, absent from some builds.
    return cls if isinstance(cls, type) and issubclass(cls, BaseSampler) else None


def _cmaes_class() -> Any:
    return _optional_class("parabola.samplers._cmaes", "CmaEsSampler")


def _nsga2_class() -> Any:
    return _optional_class("parabola.samplers._nsga2", "NSGAIISampler")


class AutoSampler(BaseSampler):
    """Pick GP, TPE or CMA-ES per trial from the search space, the study's size and the cost.

    See the module documentation (and ``docs/samplers.md``) for the policy. The samplers it
    hands over between all read the whole study, so each continues from every trial, whoever
    proposed it.

    Args:
        seed: Seed of every sampler it creates (each gets its own derived seed).
        gp_trials: Finished trials after which the GP hands over (CMA-ES or TPE).
        max_overhead: Largest ratio of a GP step's cost (the lesser of its CPU and wall time) to
            the objective's median duration (measured without the sampler's own time) before
            TPE takes over, for GP steps above ``gp_step_allowance``; ``None`` turns the rule
            off (fully reproducible).
        gp_step_allowance: Seconds a GP step may cost whatever the objective's duration: TPE
            takes over only from a GP step that costs more than this *and* more than
            ``max_overhead`` times the objective. ``0`` compares with the objective alone.
        constraints_func: Passed to the samplers that take it (deprecated, as in Optuna; use
            ``Trial.set_constraint``).

    Raises:
        ValueError: if ``gp_trials`` is negative, ``max_overhead`` is not positive or
            ``gp_step_allowance`` is negative.

    Example:
        >>> import parabola
        >>> sampler = parabola.samplers.AutoSampler(seed=0, max_overhead=None)
        >>> storage = parabola.storages.InMemoryStorage()
        >>> study = parabola.create_study(sampler=sampler, storage=storage, study_name="auto")
        >>> study.optimize(lambda t: (t.suggest_float("x", -10, 10) - 2) ** 2, n_trials=15)
        >>> attrs = parabola.get_all_study_summaries(storage)[0].system_attrs
        >>> attrs["auto:sampler"], attrs["auto:handover:0"]["sampler"]
        ('GPSampler', 'GPSampler')
        >>> attrs["auto:handover:0"]["reason"]
        'first choice: numerical space, 1 objective, 0 finished trials < gp_trials=250'
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        gp_trials: int = 250,
        max_overhead: float | None = 1.0,
        gp_step_allowance: float = _GP_STEP_ALLOWANCE,
        constraints_func: Any = None,
    ) -> None:
        # Checked here, not first in the sampler built at trial 10 or 250, so a wrong seed
        # fails before any trial runs. numpy integers are seeds too (numbers.Integral).
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise TypeError(f"AutoSampler(seed=...): expected an int or None, got {seed!r}.")
        if constraints_func is not None and not callable(constraints_func):
            raise TypeError(
                "AutoSampler(constraints_func=...): expected a callable (trial -> sequence of "
                f"floats, feasible when all <= 0) or None, got {constraints_func!r}."
            )
        if isinstance(gp_trials, bool) or not isinstance(gp_trials, int) or gp_trials < 0:
            raise ValueError(
                f"AutoSampler(gp_trials=...): expected an int >= 0, got {gp_trials!r}."
            )
        if max_overhead is not None and not (
            isinstance(max_overhead, (int, float)) and max_overhead > 0
        ):
            raise ValueError(
                "AutoSampler(max_overhead=...): expected a float > 0 or None, got "
                f"{max_overhead!r}."
            )
        if (
            isinstance(gp_step_allowance, bool)
            or not isinstance(gp_step_allowance, (int, float))
            or not gp_step_allowance >= 0
            or gp_step_allowance == float("inf")
        ):
            raise ValueError(
                "AutoSampler(gp_step_allowance=...): expected a finite float >= 0 (seconds), "
                f"got {gp_step_allowance!r}."
            )
        self._seed = None if seed is None else int(seed)
        self._gp_trials = gp_trials
        self._max_overhead = None if max_overhead is None else float(max_overhead)
        self._gp_step_allowance = float(gp_step_allowance)
        self._constraints_func = constraints_func
        self._samplers: dict[str, BaseSampler] = {}
        self._choice: dict[tuple[str, int], str] = {}
        self._last_choice: dict[str, str] = {}
        self._gp_cost: list[float] = []  # seconds of recent GP steps (this process's)
        self._gp_steps = 0  # GP steps run here, counted or not (the duration rule's tests read it)
        # The duration rule's clocks: running trials, and per study the objective durations
        # of the last trials this process ran (other processes' trials are not measured here).
        self._clocks: dict[tuple[str, int], _TrialClock] = {}
        self._objective_cost: dict[str, list[float]] = {}
        self._space_checks: dict[str, _SpaceCheck] = {}
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        # perf_counter readings mean nothing in another process.
        state["_clocks"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("_gp_steps", 0)  # pickled before the counter existed
        state.setdefault("_clocks", {})
        state.setdefault("_objective_cost", {})
        state.setdefault("_space_checks", {})
        # Pickled before the allowance existed: it gets today's default, as a new one would.
        state.setdefault("_gp_step_allowance", _GP_STEP_ALLOWANCE)
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def reseed_rng(self) -> None:
        # optimize(n_jobs=...) reseeds from each worker thread (as Optuna does) while another
        # may be adding a sampler: iterate over a snapshot, under the lock.
        with self._lock:
            samplers = list(self._samplers.values())
        for sampler in samplers:
            sampler.reseed_rng()

    # Samplers ------------------------------------------------------------------------------
    def _build_all_samplers(self) -> list[BaseSampler]:
        """Every sub-sampler this policy may hand over to, built now rather than on first use.

        For callers that copy the sampler to many processes and reseed each copy per trial
        (the Dask engine, ``parabola.distributed``): a sub-sampler first built in the middle of
        a trial would start from its freshly seeded stream on every worker that builds it, and
        those workers would propose the same values.
        """
        names = ["TPESampler", "GPSampler"]
        if _cmaes_class() is not None:
            names.append("CmaEsSampler")
        if _nsga2_class() is not None:
            names.append("NSGAIISampler")
        with self._lock:
            return [self._sampler(name) for name in names]

    def _sampler(self, name: str) -> BaseSampler:
        sampler = self._samplers.get(name)
        if sampler is not None:
            return sampler
        import warnings

        # Only the chosen sampler's modules load: a study that starts with TPE (categorical
        # space) or is only read never imports the GP's SciPy stack.
        from parabola.samplers._tpe import TPESampler

        offset = {"TPESampler": 0, "GPSampler": 1, "CmaEsSampler": 2, "NSGAIISampler": 3}[name]
        seed = None if self._seed is None else self._seed + offset
        with warnings.catch_warnings():
            # The deprecation of constraints_func was the caller's to see, on AutoSampler.
            warnings.simplefilter("ignore", FutureWarning)
            if name == "TPESampler":
                sampler = TPESampler(seed=seed, constraints_func=self._constraints_func)
            elif name == "GPSampler":
                from parabola.samplers._gp import GPSampler

                # Conditional parameters go to TPE, never to random sampling.
                sampler = GPSampler(
                    seed=seed,
                    independent_sampler=TPESampler(seed=seed),
                    constraints_func=self._constraints_func,
                    warn_independent_sampling=False,
                )
            elif name == "NSGAIISampler":
                nsga2 = _nsga2_class()
                assert nsga2 is not None
                sampler = nsga2(seed=seed, constraints_func=self._constraints_func)
            else:
                cmaes = _cmaes_class()
                assert cmaes is not None
                sampler = cmaes(seed=seed)
        self._samplers[name] = sampler
        return sampler

    def _decide(self, study: StudyView) -> tuple[str, str]:
        """The sampler for the next trial, and why (the reason is stored and logged)."""
        trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        n_obj = len(study.directions)
        if n_obj > _MAX_GP_OBJECTIVES:
            name = "NSGAIISampler" if _nsga2_class() is not None else "TPESampler"
            return name, f"{n_obj} objectives > {_MAX_GP_OBJECTIVES}"
        check = self._space_checks.setdefault(study.study_name, _SpaceCheck())
        if not _numerical_and_static(trials, check):
            return "TPESampler", "categorical or conditional space"
        space = f"numerical space, {n_obj} objective{'s' if n_obj > 1 else ''}"
        if len(trials) >= self._gp_trials:
            reason = f"{space}, {len(trials)} finished trials >= gp_trials={self._gp_trials}"
            if n_obj == 1 and _cmaes_class() is not None:
                return "CmaEsSampler", reason
            return "TPESampler", reason
        too_costly = self._gp_too_costly(study.study_name)
        if too_costly is not None:
            return "TPESampler", too_costly
        return "GPSampler", f"{space}, {len(trials)} finished trials < gp_trials={self._gp_trials}"

    def _gp_too_costly(self, study_name: str) -> str | None:
        """Why a GP step costs too much next to the objective, or ``None`` (or no rule)."""
        # A hand-over is for good, so it waits for nine counted steps and needs five of them
        # over the line: a GP's first steps include fits from scratch and, with several BLAS
        # threads on a busy machine, thread start-up (0.1-0.7 s each, seen in tests), which a
        # shorter median took for the usual cost of a step (5-15 ms, single objective).
        if self._max_overhead is None or len(self._gp_cost) < _GP_STEP_WINDOW:
            return None
        measured = self._objective_cost.get(study_name, ())
        if len(measured) < _MIN_MEASURED:
            return None
        gp_step = statistics.median(self._gp_cost[-_GP_STEP_WINDOW:])
        objective = max(statistics.median(measured), 1e-6)
        if gp_step <= max(self._max_overhead * objective, self._gp_step_allowance):
            return None
        return (
            f"a GP step ({gp_step * 1e3:.3g} ms) > gp_step_allowance="
            f"{self._gp_step_allowance * 1e3:g} ms and > max_overhead={self._max_overhead:g} x "
            f"the objective's median duration ({objective * 1e3:.3g} ms)"
        )

    def _timed(self, study: StudyView, trial: FrozenTrial, start: float) -> None:
        """Add the wall time since ``start`` to the trial's time inside the sampler."""
        if self._max_overhead is None:
            return
        elapsed = time.perf_counter() - start
        with self._lock:
            clock = self._clocks.get((study.study_name, trial.number))
            if clock is not None:
                clock.in_sampler += elapsed

    def _current(self, study: StudyView, trial: FrozenTrial) -> BaseSampler:
        key = (study.study_name, trial.number)
        with self._lock:
            name = self._choice.get(key)
            if name is None:
                name, reason = self._decide(study)
                self._choice[key] = name
                _logger.debug(f"AutoSampler: trial {trial.number} uses {name} ({reason}).")
                previous = self._last_choice.get(study.study_name)
                if previous != name:
                    self._last_choice[study.study_name] = name
                    if previous is None:
                        reason = f"first choice: {reason}"
                    else:
                        # The first choice is DEBUG only: a study that never hands over keeps
                        # Optuna's INFO log (one line per trial) exactly.
                        _logger.info(
                            f"AutoSampler: trial {trial.number} onwards uses {name} instead of "
                            f"{previous} ({reason})."
                        )
                    study.set_study_system_attr(AUTO_SAMPLER, name)
                    study.set_study_system_attr(
                        f"{AUTO_HANDOVER_PREFIX}{trial.number}", {"sampler": name, "reason": reason}
                    )
            return self._sampler(name)

    # BaseSampler ---------------------------------------------------------------------------
    def before_trial(self, study: StudyView, trial: FrozenTrial) -> None:
        self._current(study, trial).before_trial(study, trial)
        if self._max_overhead is not None:
            # The objective's clock starts here; what the sampler does after this is taken
            # off again (the GP step runs inside the objective's first suggest call).
            with self._lock:
                self._clocks[(study.study_name, trial.number)] = _TrialClock(time.perf_counter())
                if len(self._clocks) > _MAX_CLOCKS:
                    # Trials asked here but told elsewhere (or never): drop the oldest clock.
                    del self._clocks[next(iter(self._clocks))]

    def infer_relative_search_space(
        self, study: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        start = time.perf_counter()
        try:
            return self._current(study, trial).infer_relative_search_space(study, trial)
        finally:
            self._timed(study, trial, start)

    def sample_relative(
        self, study: StudyView, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        sampler = self._current(study, trial)
        # A step that loads the GP's modules (and SciPy: about a second) says nothing about
        # what a GP step costs; where they are loaded already (a Dask worker loads them
        # before its first trial), the first step counts.
        warm = all(name in sys.modules for name in GP_LAZY_MODULES)
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            params = sampler.sample_relative(study, trial, search_space)
        finally:
            self._timed(study, trial, start)
        if params and sampler is self._samplers.get("GPSampler"):
            # The lesser of CPU and wall time: wall time counts waits for a core on a busy
            # machine, process CPU counts the other threads of the process (optimize's
            # n_jobs, BLAS helper threads).
            cost = min(time.perf_counter() - start, time.process_time() - cpu_start)
            with self._lock:
                self._gp_steps += 1
                if warm:
                    self._gp_cost.append(cost)
                    del self._gp_cost[:-_GP_STEP_WINDOW]
        return params

    def sample_independent(
        self,
        study: StudyView,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        start = time.perf_counter()
        try:
            return self._current(study, trial).sample_independent(
                study, trial, param_name, param_distribution
            )
        finally:
            self._timed(study, trial, start)

    def after_trial(
        self,
        study: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        end = time.perf_counter()
        key = (study.study_name, trial.number)
        with self._lock:
            clock = self._clocks.pop(key, None)
            if clock is not None and state == TrialState.COMPLETE:
                costs = self._objective_cost.setdefault(study.study_name, [])
                costs.append(max(end - clock.start - clock.in_sampler, 0.0))
                del costs[:-_DURATION_WINDOW]
        self._current(study, trial).after_trial(study, trial, state, values)
        with self._lock:
            self._choice.pop(key, None)


def _numerical_and_static(trials: list[FrozenTrial], check: _SpaceCheck | None = None) -> bool:
    """No categorical parameter, and every finished trial has the same parameters.

    With ``check`` (the study's record of earlier calls), only trials it has not seen are
    read. Trials are known by their storage id, which no other study reuses, so a study
    deleted and created again under the same name starts a fresh record.
    """
    check = _SpaceCheck() if check is None else check
    if not trials:
        return True
    first = trials[0]
    if first._trial_id != check.first_id:
        # A new record: the first call, or the name now belongs to another study.
        check.first_id, check.keys = first._trial_id, frozenset(first.distributions)
        check.checked, check.static = set(), True
    if not check.static:
        return False
    for t in trials:
        if t._trial_id in check.checked:
            continue
        dists = t.distributions
        if dists.keys() != check.keys or any(
            isinstance(d, CategoricalDistribution) and not d.single() for d in dists.values()
        ):
            check.static = False
            return False
        check.checked.add(t._trial_id)
    return True
