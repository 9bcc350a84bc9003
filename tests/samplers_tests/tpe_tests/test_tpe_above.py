"""The in-place "above" estimator and the reused "below" one match a fresh Parzen estimator."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import parabola
from parabola.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from parabola.samplers._tpe import _split
from parabola.samplers._tpe._above import SlotKernels
from parabola.samplers._tpe._history import TrialHistory
from parabola.samplers._tpe._parzen import ParzenEstimator, ParzenParameters
from parabola.samplers._tpe._sampler import TPESampler
from parabola.samplers._tpe._space_cache import SpaceCache
from parabola.trial import create_trial

SPACE: dict[str, BaseDistribution] = {
    "x": FloatDistribution(-1, 1),
    "y": FloatDistribution(1e-3, 10, log=True),
    "n": IntDistribution(0, 6),
    "m": IntDistribution(1, 64, log=True),
    "s": FloatDistribution(0, 1, step=0.25),
    "c": CategoricalDistribution(["a", "b", "c"]),
}


def _random_params(rng: np.random.RandomState) -> dict[str, Any]:
    return {
        "x": float(rng.uniform(-1, 1)),
        "y": float(np.exp(rng.uniform(np.log(1e-3), np.log(10)))),
        "n": int(rng.randint(0, 7)),
        "m": int(rng.randint(1, 65)),
        "s": float(rng.randint(0, 5) * 0.25),
        "c": ["a", "b", "c"][rng.randint(0, 3)],
    }


@pytest.mark.parametrize(
    "params",
    [
        ParzenParameters(True, 1.0, True, False),
        ParzenParameters(False, 1.0, True, False),
        ParzenParameters(True, 3.0, False, True),
    ],
)
def test_slot_estimator_scores_like_a_fresh_estimator(
    params: ParzenParameters, monkeypatch: pytest.MonkeyPatch
) -> None:
    compactions = []
    original = SlotKernels._compact

    def counting(self: SlotKernels, q: int) -> None:
        compactions.append(q)
        original(self, q)

    monkeypatch.setattr(SlotKernels, "_compact", counting)
    rng = np.random.RandomState(0)
    hist = TrialHistory(1)
    cache = SpaceCache(SPACE)
    number = 0
    for step in range(120):
        batch = []
        for _ in range(1 if step % 10 else 3):  # mostly one new trial, sometimes several
            p = _random_params(rng)
            if rng.uniform() < 0.1:
                p.pop("x")  # an incomplete row: never a kernel
            t = create_trial(
                value=float(rng.uniform()),
                params=p,
                distributions={k: SPACE[k] for k in p},
            )
            t.number = number
            number += 1
            batch.append(t)
        hist.update(batch)
        cache.update(hist)
        complete = cache.complete
        # A fresh random "above" set each step: many bandwidths change, pairs go stale.
        member = complete & (rng.uniform(size=cache.n) < 0.8)
        if not member.any():
            continue
        rows = np.flatnonzero(member)
        weights = rng.uniform(0.1, 1.0, len(rows))
        obs = cache.encoded[rows]
        # Tied values may swap bandwidths; the cache orders ties by row, so must the check.
        order = np.argsort(obs[:, cache.layout.num].T, axis=1, kind="stable")
        fresh = ParzenEstimator(cache.layout, obs, weights, params, order=order)
        slot = cache.above_estimator(member, weights, params)
        cands = fresh.sample(np.random.RandomState(step), 40)
        np.testing.assert_allclose(slot.log_pdf(cands), fresh.log_pdf(cands), rtol=1e-9)
    assert compactions  # the pair tables were rebuilt at least once


def _study(sampler: TPESampler) -> parabola.Study:
    return parabola.create_study(storage=parabola.storages.InMemoryStorage(), sampler=sampler)


def test_below_estimator_is_reused_while_the_good_set_is_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sampler = TPESampler(seed=0, n_startup_trials=5)
    study = _study(sampler)
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=40)
    fits = []
    original = TPESampler._fit

    def counting(self: TPESampler, *args: Any) -> ParzenEstimator:
        est = original(self, *args)
        fits.append(est)
        return est

    monkeypatch.setattr(TPESampler, "_fit", counting)
    # Trials worse than every past one join the "above" set only: the good set stays put.
    study.optimize(lambda t: 100.0 + t.suggest_float("x", -1, 1) ** 2, n_trials=5)
    assert len(fits) <= 1  # at most the first of the five fits it (after the 40th trial)
    study.optimize(lambda t: -1.0 - t.suggest_float("x", -1, 1) ** 2, n_trials=2)
    assert len(fits) >= 2  # a new best trial changes the good set: refit


def test_sequential_and_interleaved_runs_sample_the_same() -> None:
    # The in-place path (sequential) and the rebuilt one (forced by a running trial, which
    # constant liar then considers) must pick the same parameters when the running trial has
    # no parameters to lie with.
    def objective(t: parabola.Trial) -> float:
        return float(sum((t.suggest_float(f"x{i}", -2, 2) - 0.5) ** 2 for i in range(3)))

    a = _study(TPESampler(seed=3))
    a.optimize(objective, n_trials=60)
    b = _study(TPESampler(seed=3))
    for _ in range(60):
        idle = b.ask()  # a running trial forces the rebuilt path
        trial = b.ask()
        b.tell(trial, objective(trial))
        b.tell(idle, state=parabola.trial.TrialState.FAIL)
    xa = [t.params for t in a.trials]
    xb = [t.params for t in b.trials if t.state == parabola.trial.TrialState.COMPLETE]
    np.testing.assert_allclose(
        [[p[k] for k in sorted(p)] for p in xa[40:]],
        [[p[k] for k in sorted(p)] for p in xb[40:]],
        rtol=1e-9,
    )


def test_split_complete_matches_the_general_split() -> None:
    rng = np.random.RandomState(4)
    for n, n_below in ((1, 1), (30, 3), (200, 25), (50, 60)):
        numbers = rng.permutation(n).astype(np.int64)
        loss = rng.randint(0, 10, n).astype(float)  # many ties, broken by trial number
        zeros = np.zeros(n)
        general = _split.split_below(
            numbers, np.zeros(n, dtype=np.int64), loss[:, None], zeros, zeros, zeros, n_below
        )
        np.testing.assert_array_equal(_split.split_complete(numbers, loss, n_below), general)
