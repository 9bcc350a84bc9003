"""The CMA-ES optimiser state, rebuilt from the study's trials instead of pickled.

Optuna pickles the whole optimiser into a trial's system attributes once per generation (7 kB
at 10-D, 71 kB at 50-D) and unpickles it on every trial. Here a trial carries only its tag
``[restart, generation]`` (plus, under ``with_margin``, the ``x_for_tell`` vector CMAwM needs),
and the trial on which a restart happened carries that restart's starting point. Telling the
tagged generations again, in order, rebuilds the optimiser exactly (``tell`` is
deterministic); a sampler keeps the rebuilt state in memory and only tells the generations
completed since its last call, so the replay runs once per process, not once per trial.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from parabola.samplers._cmaes import _lib
from parabola.samplers._cmaes._stop import RunHistory, spread

__all__ = ["Restart", "RunConfig", "State", "new_restart"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_EPS = 1e-10


@dataclass(frozen=True)
class RunConfig:
    """What every run of one study shares: the space's bounds and the variant."""

    bounds: _Array  # (dim, 2) in the unit space (CMAwM: lattice ends for discrete dims)
    steps: _Array  # 0 for continuous dims, the unit lattice step otherwise (CMAwM only)
    mean0: _Array
    sigma0: float
    cov0: _Array | None
    popsize: int | None
    variant: str  # "cma", "sepcma" or "cmawm"
    lr_adapt: bool
    strategy: str | None  # None, "ipop" or "bipop"
    inc_popsize: int


@dataclass(frozen=True)
class Restart:
    """A restart's starting point and the BIPOP budget counters after it (JSON-able)."""

    index: int
    popsize: int
    sigma: float
    mean: tuple[float, ...]
    n_large: int
    small_evals: int
    large_evals: int
    small: bool

    def encode(self) -> list[Any]:
        return [
            self.index,
            self.popsize,
            self.sigma,
            list(self.mean),
            self.n_large,
            self.small_evals,
            self.large_evals,
            int(self.small),
        ]

    @classmethod
    def decode(cls, raw: Sequence[Any]) -> Restart:
        i, p, s, m, nl, se, le, sm = raw
        return cls(
            int(i),
            int(p),
            float(s),
            tuple(float(v) for v in m),
            int(nl),
            int(se),
            int(le),
            bool(sm),
        )


def make_optimizer(
    config: RunConfig, mean: _Array, sigma: float, popsize: int | None, cov: _Array | None
) -> Any:
    """A fresh ``cmaes`` optimiser of the configured variant."""
    sigma = max(sigma, _EPS)
    n = len(config.bounds)
    # The optimiser's own seed never matters: the sampler reseeds it before every ask.
    if config.variant == "sepcma":
        return _lib.sep_cma_class()(
            mean=mean,
            sigma=sigma,
            bounds=config.bounds,
            seed=1,
            n_max_resampling=10 * n,
            population_size=popsize,
        )
    if config.variant == "cmawm":
        return _lib.cmawm_class()(
            mean=mean,
            sigma=sigma,
            bounds=config.bounds,
            steps=config.steps,
            cov=cov,
            seed=1,
            n_max_resampling=10 * n,
            population_size=popsize,
        )
    return _lib.cma_class()(
        mean=mean,
        sigma=sigma,
        cov=cov,
        bounds=config.bounds,
        seed=1,
        n_max_resampling=10 * n,
        population_size=popsize,
        lr_adapt=config.lr_adapt,
    )


@dataclass
class State:
    """One study's optimiser: the current run and how far the trials have been told."""

    config: RunConfig
    optimizer: Any = None
    restart: int = 0
    generation: int = 0
    popsize0: int = 0
    n_large: int = 0
    small_evals: int = 0
    large_evals: int = 0
    small: bool = False
    # A small-regime run stops after this many generations (Hansen's rule: half the
    # evaluations spent in the large regime so far); None for the other runs.
    max_generations: int | None = None
    told: set[int] = field(default_factory=set)
    # The stopping tests' memory of the current run, and their unit: the spread of the
    # study's first generation (see ``_stop``). Both follow from the told values alone.
    history: RunHistory = field(init=False)
    scale: float | None = None
    # The best value of the runs before the current one (inf in the first).
    earlier_best: float = math.inf

    def __post_init__(self) -> None:
        c = self.config
        self.optimizer = make_optimizer(c, c.mean0, c.sigma0, c.popsize, c.cov0)
        self.popsize0 = int(self.optimizer.population_size)
        self.history = RunHistory(len(c.bounds), self.popsize0)

    @property
    def popsize(self) -> int:
        return int(self.optimizer.population_size)

    def tell(self, solutions: list[tuple[_Array, float]], numbers: Sequence[int]) -> None:
        self.optimizer.tell(solutions)
        if self.config.strategy is not None:
            values = [v for _, v in solutions]
            if self.restart == 0 and self.generation == 0:
                self.scale = spread(values)
            self.history.add(values)
        self.generation += 1
        self.told.update(numbers)

    def stop_reason(self) -> str | None:
        """Why the current run ends now (None: it goes on); always None without restarts.

        ``"budget"``: a small-regime run spent its evaluations; ``"cmaes"``: the library's own
        tests; ``"flat"`` or ``"no progress"``: the trial-budget tests of ``_stop``.
        """
        if self.config.strategy is None:
            return None
        if self.max_generations is not None and self.generation >= self.max_generations:
            return "budget"
        if self.optimizer.should_stop():
            return "cmaes"
        behind = self.history.best > self.earlier_best
        return self.history.reason(self.scale, behind)

    def should_restart(self) -> bool:
        return self.stop_reason() is not None

    def apply(self, restart: Restart) -> None:
        self.optimizer = make_optimizer(
            self.config,
            np.asarray(restart.mean, dtype=float),
            restart.sigma,
            restart.popsize,
            None,
        )
        self.restart = restart.index
        self.generation = 0
        self.earlier_best = min(self.earlier_best, self.history.best)
        self.history = RunHistory(len(self.config.bounds), restart.popsize)
        self.n_large = restart.n_large
        self.small_evals = restart.small_evals
        self.large_evals = restart.large_evals
        self.small = restart.small
        self.max_generations = (
            max(1, math.floor(0.5 * restart.large_evals / restart.popsize))
            if restart.small
            else None
        )


def new_restart(state: State, rng: np.random.RandomState) -> Restart:
    """The next run after ``state``'s optimiser stopped.

    IPOP multiplies the population by ``inc_popsize`` at every restart. BIPOP (Hansen 2009, as
    in his reference code and pycma's ``fmin``) interlaces two regimes and runs next the one that
    has spent fewer evaluations so far:

    * large: ``popsize0 * inc**k`` at the ``k``-th large run, the default step size;
    * small: ``floor(popsize0 * (inc**k) ** (U**2))`` with ``k`` the large runs so far, the step
      size ``sigma0 * 10**(-2 U')`` (a local search), and at most half of the large regime's
      evaluations so far (see :attr:`State.max_generations`).

    The first run (default population) is booked to the small regime, as in the reference
    code, so the first restart is a large one.
    """
    c = state.config
    low, high = c.bounds[:, 0], c.bounds[:, 1]
    mean = tuple(float(v) for v in low + (high - low) * rng.rand(len(low)))
    inc = c.inc_popsize
    n_large, small_evals, large_evals = state.n_large, state.small_evals, state.large_evals
    if c.strategy == "ipop":
        popsize, sigma, small = state.popsize * inc, c.sigma0, False
    else:
        evals = state.popsize * state.generation
        if state.small or state.restart == 0:
            small_evals += evals
        else:
            large_evals += evals
        if small_evals < large_evals:
            u = float(rng.uniform())
            largest = inc**n_large
            popsize = max(2, math.floor(state.popsize0 * largest ** (u**2)))
            sigma = c.sigma0 * 10 ** (-2 * float(rng.uniform()))
            small = True
        else:
            n_large += 1
            popsize, sigma, small = state.popsize0 * inc**n_large, c.sigma0, False
    return Restart(
        state.restart + 1, popsize, sigma, mean, n_large, small_evals, large_evals, small
    )
