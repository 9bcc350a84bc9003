"""The numerical parts of TPE: truncated normals, the Parzen estimator, splits, caches."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import special

from parabola.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from parabola.samplers._tpe import _split, _truncnorm
from parabola.samplers._tpe._history import TrialHistory
from parabola.samplers._tpe._parzen import (
    KernelMemo,
    ParzenEstimator,
    ParzenParameters,
    SpaceLayout,
)
from parabola.samplers._tpe._space_cache import SpaceCache
from parabola.trial import create_trial

DEFAULT = ParzenParameters(
    consider_prior=True, prior_weight=1.0, consider_magic_clip=True, consider_endpoints=False
)


# Truncated normal --------------------------------------------------------------------------
def test_log_gauss_mass_matches_cdf_difference_and_stays_finite_in_tails() -> None:
    a = np.array([-1.0, -3.0, 0.5, 10.0, -40.0, 30.0])
    b = np.array([1.0, -2.0, 2.0, 10.5, -39.0, np.inf])
    got = _truncnorm.log_gauss_mass(a, b)
    direct = np.log(special.ndtr(b[:3]) - special.ndtr(a[:3]))
    np.testing.assert_allclose(got[:3], direct, rtol=1e-12)
    assert np.all(np.isfinite(got))
    # Far tails: log Q(x) ~ -x^2/2 - log(x sqrt(2 pi)).
    assert got[5] == pytest.approx(special.log_ndtr(-30.0), rel=1e-10)
    assert got[4] == pytest.approx(
        special.log_ndtr(-39.0)
        + np.log1p(-np.exp(special.log_ndtr(-40.0) - special.log_ndtr(-39.0))),
        rel=1e-10,
    )


def test_log_gauss_mass_fast_agrees_with_the_accurate_one() -> None:
    rng = np.random.RandomState(0)
    a = rng.randn(20000) * 15
    b = a + 10 ** rng.uniform(-4, 1.5, size=a.shape)
    np.testing.assert_allclose(
        _truncnorm.log_gauss_mass_fast(a, b), _truncnorm.log_gauss_mass(a, b), atol=1e-4
    )


@pytest.mark.parametrize(("lo", "hi"), [(-1.0, 2.0), (3.0, 4.0), (-12.0, -11.0), (20.0, 30.0)])
def test_truncated_sample_stays_in_bounds_with_the_right_mean(lo: float, hi: float) -> None:
    rng = np.random.RandomState(0)
    z = _truncnorm.sample(np.full(20000, lo), np.full(20000, hi), rng)
    assert np.all((z >= lo) & (z <= hi))
    # Mean of a truncated standard normal: (phi(lo) - phi(hi)) / (Phi(hi) - Phi(lo)).
    log_mass = _truncnorm.log_gauss_mass(np.array([lo]), np.array([hi]))[0]

    def phi(x: float) -> float:
        return float(np.exp(-0.5 * x * x - 0.5 * np.log(2 * np.pi) - log_mass))

    expected = phi(lo) - phi(hi)
    assert z.mean() == pytest.approx(expected, abs=0.02)


# Parzen estimator --------------------------------------------------------------------------
def _density_sum(
    space: dict[str, Any], obs_internal: np.ndarray, grid: np.ndarray, width: float
) -> float:
    layout = SpaceLayout(space)
    est = ParzenEstimator(layout, layout.encode(obs_internal), np.ones(len(obs_internal)), DEFAULT)
    return float(np.sum(np.exp(est.log_pdf(grid))) * width)


def test_continuous_density_integrates_to_one_in_unit_space() -> None:
    space = {"x": FloatDistribution(-3.0, 7.0)}
    obs = np.array([[-2.9], [0.0], [0.2], [6.5]])
    xs = np.linspace(-3.0, 7.0, 20001)[:, None]
    # The density lives in the unit interval: integrate over it (width in unit space).
    assert _density_sum(space, obs, xs, 1.0 / 20000) == pytest.approx(1.0, abs=2e-3)


@pytest.mark.parametrize(
    "dist",
    [IntDistribution(0, 10), IntDistribution(1, 100, log=True), FloatDistribution(0, 1, step=0.1)],
)
def test_stepped_and_categorical_masses_sum_to_one(dist: object) -> None:
    assert isinstance(dist, (IntDistribution, FloatDistribution))
    values = np.arange(dist.low, dist.high + 1e-9, dist.step or 1)[:, None]
    obs = values[[0, 1, len(values) // 2]]
    assert _density_sum({"x": dist}, obs, values, 1.0) == pytest.approx(1.0, abs=1e-9)
    cat = {"c": CategoricalDistribution(["a", "b", "c", "d"])}
    assert _density_sum(cat, np.array([[0.0], [0.0], [2.0]]), np.arange(4.0)[:, None], 1.0) == (
        pytest.approx(1.0, abs=1e-12)
    )


def test_bandwidths_endpoints_and_magic_clip() -> None:
    mus = np.array([[0.05], [0.5], [0.6]])
    sig = ParzenEstimator._bandwidths(mus, DEFAULT, 3)
    # Outermost kernels use their inner gap; the magic clip floors at 1 / (n + 2) = 0.2.
    np.testing.assert_allclose(sig[:, 0], [0.45, 0.45, 0.2])
    endpoints = ParzenParameters(True, 1.0, True, True)
    np.testing.assert_allclose(
        ParzenEstimator._bandwidths(mus, endpoints, 3)[:, 0], [0.45, 0.45, 0.4]
    )
    no_clip = ParzenParameters(True, 1.0, False, False)
    np.testing.assert_allclose(
        ParzenEstimator._bandwidths(mus, no_clip, 3)[:, 0], [0.45, 0.45, 0.1]
    )


def test_prior_weight_and_no_prior() -> None:
    layout = SpaceLayout({"x": FloatDistribution(0, 1)})
    obs = np.array([[0.1], [0.12]])
    x = np.array([[0.9]])
    heavy = ParzenEstimator(layout, obs, np.ones(2), ParzenParameters(True, 10.0, True, False))
    light = ParzenEstimator(layout, obs, np.ones(2), ParzenParameters(True, 0.1, True, False))
    none = ParzenEstimator(layout, obs, np.ones(2), ParzenParameters(False, 1.0, True, False))
    assert heavy.log_pdf(x)[0] > light.log_pdf(x)[0] > none.log_pdf(x)[0]


def test_memo_and_cached_order_give_the_same_estimator() -> None:
    rng = np.random.RandomState(1)
    space = {
        "x": FloatDistribution(-1, 1),
        "n": IntDistribution(0, 9),
        "y": FloatDistribution(1, 9, log=True),
    }
    layout = SpaceLayout(space)
    internal = np.column_stack(
        [rng.uniform(-1, 1, 80), rng.randint(0, 10, 80), rng.uniform(1, 9, 80)]
    )
    obs = layout.encode(internal)
    w = rng.uniform(0.1, 1.0, 80)
    plain = ParzenEstimator(layout, obs, w, DEFAULT)
    memo = KernelMemo(len(layout.num))
    rows = np.arange(80)
    order = np.argsort(obs[:, layout.num].T, axis=1)
    ParzenEstimator(layout, obs * 0.5, w, DEFAULT, memo=memo, rows=rows)  # stale entries
    cached = ParzenEstimator(layout, obs, w, DEFAULT, order=order, memo=memo, rows=rows)
    cands = plain.sample(np.random.RandomState(0), 50)
    np.testing.assert_allclose(cached.log_pdf(cands), plain.log_pdf(cands), rtol=1e-10)


def test_space_cache_insertion_matches_a_full_sort() -> None:
    rng = np.random.RandomState(2)
    space = {"a": FloatDistribution(0, 1), "b": IntDistribution(0, 5)}
    hist = TrialHistory(1)
    cache = SpaceCache(space)
    trials = []
    for i in range(40):
        params = {"a": float(rng.uniform()), "b": int(rng.randint(0, 6))}
        if i % 7 == 3:
            params.pop("a")  # a trial without the parameter
        t = create_trial(value=float(i), params=params, distributions={k: space[k] for k in params})
        t.number = i
        trials.append(t)
    for start in range(0, 40, 3):  # one or several new trials per update
        hist.update(trials[start : start + (1 if start % 2 else 3)])
        cache.update(hist)
    hist.update(trials)
    cache.update(hist)
    enc = cache.encoded
    rows = np.flatnonzero(np.all(np.isfinite(enc), axis=1))[::2]
    order, _ = cache.subset_order(rows, np.empty((0, 2)))  # type: ignore[misc]
    for d, j in enumerate(cache.layout.num):
        np.testing.assert_array_equal(np.sort(enc[rows, j]), enc[rows[order[d]], j])


# Splits ------------------------------------------------------------------------------------
def test_split_single_objective_order_of_preference() -> None:
    numbers = np.arange(8)
    kinds = np.array([0, 0, 0, 1, 1, 0, 2, 0])
    losses = np.array([[3.0], [1.0], [2.0], [0.0], [0.0], [-5.0], [0.0], [9.0]])
    # Trial 5 is infeasible; pruned 3 reached step 4, pruned 4 only step 1.
    step = np.array([1, 1, 1, -4, -1, 1, 0, 1], dtype=float)
    value = np.array([0, 0, 0, 5.0, 0.1, 0, 0, 0])
    violation = np.array([0, 0, 0, 0, 0, 2.0, 0, 0])
    below = _split.split_below(numbers, kinds, losses, step, value, violation, 2)
    assert set(np.flatnonzero(below)) == {1, 2}
    below = _split.split_below(numbers, kinds, losses, step, value, violation, 5)
    assert set(np.flatnonzero(below)) == {0, 1, 2, 7, 3}  # complete ones, then the deeper prune
    below = _split.split_below(numbers, kinds, losses, step, value, violation, 8)
    assert not below[6]  # the running trial is always above
    assert below[5]  # infeasible trials come last


def test_non_domination_ranks_and_hypervolume() -> None:
    pts = np.array([[1.0, 4.0], [2.0, 2.0], [4.0, 1.0], [3.0, 3.0], [5.0, 5.0]])
    np.testing.assert_array_equal(_split.non_domination_ranks(pts), [0, 0, 0, 1, 2])
    assert _split.hypervolume(pts[:3], np.array([5.0, 5.0])) == pytest.approx(4 + 6 + 1)
    cube = np.array([[1.0, 1.0, 1.0]])
    assert _split.hypervolume(cube, np.array([2.0, 3.0, 4.0])) == pytest.approx(6.0)
    three = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    # Inclusion-exclusion: three boxes of 2, pairwise overlaps of 1, a common unit cube.
    assert _split.hypervolume(three, np.array([2.0, 2.0, 2.0])) == pytest.approx(3 * 2 - 3 + 1)


def test_hssp_prefers_spread_points() -> None:
    front = np.array([[0.0, 10.0], [1.0, 9.0], [5.0, 5.0], [9.0, 1.0], [10.0, 0.0]])
    picked = _split.hssp_greedy(front, 2, np.array([11.0, 11.0]))
    assert 2 in picked  # the knee adds the most volume first


def test_multi_objective_split_uses_fronts_then_hypervolume() -> None:
    losses = np.array([[1.0, 4.0], [2.0, 2.0], [4.0, 1.0], [3.0, 3.0], [5.0, 5.0]])
    n = len(losses)
    below = _split.split_below(
        np.arange(n), np.zeros(n, dtype=np.int64), losses, np.ones(n), np.zeros(n), np.zeros(n), 2
    )
    assert below[:3].sum() == 2 and not below[3:].any()


def _plain_greedy(points: np.ndarray, k: int, ref: np.ndarray) -> list[int]:
    chosen: list[int] = []
    left = list(range(len(points)))
    for _ in range(k):
        gains = [
            float(np.prod(ref - points[i]))
            - (_split.hypervolume(np.maximum(points[chosen], points[i]), ref) if chosen else 0.0)
            for i in left
        ]
        chosen.append(left.pop(int(np.argmax(gains))))
    return chosen


@pytest.mark.parametrize("m", [2, 3, 4])
def test_hssp_matches_the_plain_greedy_selection(m: int) -> None:
    rng = np.random.RandomState(m)
    for _ in range(8):
        pts = rng.rand(rng.randint(3, 30), m)
        pts /= np.linalg.norm(pts, axis=1, keepdims=True)  # a non-dominated front
        ref = np.full(m, 1.2)
        k = min(5, len(pts))
        got = _split.hssp_greedy(pts, k, ref)
        want = _plain_greedy(pts, k, ref)
        assert _split.hypervolume(pts[got], ref) == pytest.approx(
            _split.hypervolume(pts[want], ref), rel=1e-12
        )
