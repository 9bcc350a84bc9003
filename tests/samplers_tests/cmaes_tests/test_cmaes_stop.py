"""The trial-budget stopping tests of CMA-ES restarts, on hand-made generations."""

from __future__ import annotations

import pytest

from parabola.samplers._cmaes._stop import STALL_FACTOR, TOL_BEHIND, RunHistory, window


def _history(gens: list[list[float]], dim: int = 2, popsize: int = 6) -> RunHistory:
    h = RunHistory(dim, popsize)
    for g in gens:
        h.add(g)
    return h


def _gen(best: float, spread: float = 1.0) -> list[float]:
    return [best + spread * i for i in range(6)]


def test_window_is_hansens_tolhistfun_length() -> None:
    assert window(2, 6) == 10 + 10
    assert window(5, 8) == 10 + 19
    assert window(10, 10) == 40


def test_a_run_that_keeps_improving_goes_on() -> None:
    # Linear convergence still short of the tolerance (0.9**150 ~ 1e-7 of the unit).
    h = _history([_gen(0.9**g) for g in range(150)])
    assert h.reason(scale=1.0, behind=False) is None


def test_converged_when_the_generations_best_values_stop_moving() -> None:
    k = window(2, 6)
    h = _history([_gen(3.0) for _ in range(k - 1)])
    assert h.reason(scale=1.0, behind=False) is None  # not a full window yet
    h.add(_gen(3.0))
    assert h.reason(scale=1.0, behind=False) == "converged"
    assert h.reason(scale=None, behind=False) is None  # no finite unit: no test


def test_stalled_when_no_generation_beats_the_run_best_for_long() -> None:
    k = window(2, 6)
    # Fluctuating generations (not converged), none better than the run's best of 1.0.
    gens = [_gen(1.0)] + [_gen(2.0 + (g % 2)) for g in range(STALL_FACTOR * k)]
    h = _history(gens)
    assert h.reason(scale=1.0, behind=False) == "stalled"
    h2 = _history(gens[:-1])
    assert h2.reason(scale=1.0, behind=False) is None


def test_a_run_behind_an_earlier_one_stops_at_the_looser_tolerance() -> None:
    k = window(2, 6)
    # Improving by a relative 1e-5 of the unit per generation: enough to go on while the
    # run holds the study's best, not while an earlier run did better.
    gens = [_gen(1.0 - 1e-5 * g / k) for g in range(STALL_FACTOR * k + 1)]
    h = _history(gens)
    assert TOL_BEHIND > 1e-5
    assert h.reason(scale=1.0, behind=False) is None
    assert h.reason(scale=1.0, behind=True) in ("converged", "stalled")


@pytest.mark.parametrize("flat_every", [1, 2])
def test_flat_fitness(flat_every: int) -> None:
    # The best equals the k-th best (k = 1 + ceil(0.1 + 6 / 4) = 3) in more than a third of
    # the last 3 generations.
    gens = [[0.0, 0.0, 0.0, 1.0, 2.0, 3.0] if g % flat_every == 0 else _gen(-g) for g in range(3)]
    h = _history(gens)
    assert h.reason(scale=1.0, behind=False) == "flat"
    h = _history([[0.0, 0.0, 1.0, 1.0, 2.0, 3.0]] * 3)  # only the 2nd best equal: not flat
    assert h.reason(scale=1.0, behind=False) is None
