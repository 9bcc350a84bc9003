"""The batched box-constrained L-BFGS of the GP's local search."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.optimize

from parabola.samplers._gp._lbfgs import _direction, inverse_hessian_diag, minimize_batch

_Array = np.ndarray[Any, np.dtype[np.float64]]


def _bfgs_inverse(s: _Array, y: _Array, free: _Array) -> _Array:
    """The L-BFGS inverse Hessian of one history built by the textbook BFGS recursion."""
    d = s.shape[1]
    pairs = [(np.where(free, a, 0.0), np.where(free, b, 0.0)) for a, b in zip(s, y, strict=True)]
    pairs = [(a, b) for a, b in pairs if a @ b > 1e-10 * max(b @ b, 1e-300)]
    h = np.eye(d) * (pairs[-1][0] @ pairs[-1][1] / (pairs[-1][1] @ pairs[-1][1]) if pairs else 1.0)
    for a, b in pairs:
        rho = 1.0 / (a @ b)
        v = np.eye(d) - rho * np.outer(b, a)
        h = v.T @ h @ v + rho * np.outer(a, a)
    return h


def test_direction_equals_the_bfgs_recursion() -> None:
    rng = np.random.RandomState(0)
    b, m, d = 4, 5, 6
    a = rng.randn(d, d)
    hess = a @ a.T + np.eye(d)
    s = rng.randn(b, m, d)
    y = s @ hess
    s[0, :2] = y[0, :2] = 0.0  # unused history slots
    y[2, 1] = -s[2, 1]  # a pair of negative curvature is dropped
    g = rng.randn(b, d)
    free = np.ones((b, d), dtype=bool)
    free[1, 2] = False  # a variable held at its bound
    p = _direction(g, free, s.transpose(1, 0, 2), y.transpose(1, 0, 2))
    for i in range(b):
        expected = -_bfgs_inverse(s[i], y[i], free[i]) @ np.where(free[i], g[i], 0.0)
        np.testing.assert_allclose(p[i], np.where(free[i], expected, 0.0), atol=1e-12)


def _quadratic(center: _Array, hess: _Array) -> Any:
    def fun(x: _Array) -> tuple[_Array, _Array]:
        r = x - center
        return 0.5 * np.einsum("bi,ij,bj->b", r, hess, r), r @ hess

    return fun


def test_minimize_batch_reaches_interior_and_bound_optima() -> None:
    rng = np.random.RandomState(1)
    d = 5
    q, _ = np.linalg.qr(rng.randn(d, d))
    hess = q @ np.diag(np.logspace(0, 2, d)) @ q.T  # condition number 100
    lower, upper = np.zeros(d), np.ones(d)
    for center in (rng.rand(d) * 0.5 + 0.25, np.array([1.4, 0.5, -0.3, 0.5, 0.5])):
        fun = _quadratic(center, hess)
        x0 = rng.rand(6, d)
        res = minimize_batch(fun, x0, lower, upper, max_iter=200, gtol=1e-7)
        for i in range(len(x0)):
            ref = scipy.optimize.minimize(
                lambda z, fun=fun: tuple(v[0] for v in fun(z[None])),
                x0[i],
                jac=True,
                method="L-BFGS-B",
                bounds=list(zip(lower, upper, strict=True)),
                options={"gtol": 1e-10, "ftol": 1e-15},
            )
            np.testing.assert_allclose(res.x[i], ref.x, atol=1e-4)
            assert res.f[i] <= ref.fun + 1e-8
        assert np.all((res.x >= lower) & (res.x <= upper))
        # The starts run together: the batch takes about as many calls as its longest start.
        assert res.n_calls <= 2 * int(res.nit.max()) + 2


def test_minimize_batch_stops_each_start_on_its_own() -> None:
    # One start is already optimal: it stops at once while the other keeps iterating.
    center = np.array([0.3, 0.6])
    fun = _quadratic(center, np.diag([1.0, 30.0]))
    res = minimize_batch(
        fun, np.array([center, [0.9, 0.1]]), np.zeros(2), np.ones(2), max_iter=50, gtol=1e-6
    )
    assert res.nit[0] == 0 and res.nit[1] > 1
    np.testing.assert_allclose(res.x, [center, center], atol=1e-5)


def test_minimize_batch_respects_max_iter_and_ignores_non_finite_starts() -> None:
    def rosen(x: _Array) -> tuple[_Array, _Array]:
        f = 100 * (x[:, 1] - x[:, 0] ** 2) ** 2 + (1 - x[:, 0]) ** 2
        g = np.column_stack(
            [
                -400 * x[:, 0] * (x[:, 1] - x[:, 0] ** 2) - 2 * (1 - x[:, 0]),
                200 * (x[:, 1] - x[:, 0] ** 2),
            ]
        )
        f = np.where(x[:, 0] > 1.9, np.nan, f)
        return f, g

    x0 = np.array([[-1.2, 1.0], [1.95, 0.0]])
    res = minimize_batch(rosen, x0, -2 * np.ones(2), 2 * np.ones(2), max_iter=3, gtol=1e-9)
    assert res.nit[0] == 3
    assert res.nit[1] == 0 and np.array_equal(res.x[1], x0[1])
    assert res.f[0] < rosen(x0[:1])[0][0]


def test_xtol_ends_a_start_stuck_on_rounding_noise() -> None:
    # A quadratic whose value carries noise of 1e-7 (as an acquisition's did, from a variance
    # with rounding noise) while its gradient is clean: near the optimum the line search
    # cannot decrease the value. With xtol the start ends once its steps are shorter than
    # 1e-4 instead of after ten backtracks, at the same point.
    hess = np.array([1.0, 10.0, 100.0])

    def noisy(x: _Array) -> tuple[_Array, _Array]:
        r = x - 0.5
        return 0.5 * (hess * r * r).sum(1) + 1e-7 * np.sin(1e7 * x.sum(1)), hess * r

    x0 = np.array([[0.1, 0.9, 0.3], [0.7, 0.2, 0.6]])
    plain = minimize_batch(noisy, x0, np.zeros(3), np.ones(3), max_iter=60, gtol=1e-12)
    short = minimize_batch(noisy, x0, np.zeros(3), np.ones(3), max_iter=60, gtol=1e-12, xtol=1e-4)
    assert short.n_calls < plain.n_calls - 5
    np.testing.assert_allclose(short.x, 0.5, atol=1e-4)
    np.testing.assert_allclose(plain.x, 0.5, atol=1e-4)


def test_inverse_hessian_diag_is_the_diagonal_of_the_bfgs_recursion() -> None:
    rng = np.random.RandomState(2)
    m, d = 4, 5
    a = rng.randn(d, d)
    hess = a @ a.T + np.eye(d)
    s = rng.randn(m, d)
    y = s @ hess
    s[0] = y[0] = 0.0  # an unused slot
    y[1] = -s[1]  # negative curvature: dropped
    expected = np.diag(_bfgs_inverse(s, y, np.ones(d, dtype=bool)))
    np.testing.assert_allclose(inverse_hessian_diag(s, y), expected, rtol=1e-12)
    # No usable pair: the identity the search starts from.
    np.testing.assert_array_equal(inverse_hessian_diag(np.zeros((3, d)), np.zeros((3, d))), 1.0)


def test_minimize_batch_curvature_of_a_converged_quadratic_search() -> None:
    # After converging on a quadratic, the memory's inverse Hessian estimate is close to the
    # true inverse along the directions it explored (here the whole of a small space).
    hess = np.diag([1.0, 4.0, 16.0])
    res = minimize_batch(
        _quadratic(np.full(3, 0.5), hess),
        np.array([[0.05, 0.9, 0.2]]),
        np.zeros(3),
        np.ones(3),
        max_iter=100,
        gtol=1e-10,
        memory=10,
    )
    np.testing.assert_allclose(res.x[0], 0.5, atol=1e-8)
    diag = inverse_hessian_diag(res.s_hist[0], res.y_hist[0])
    np.testing.assert_allclose(diag, 1.0 / np.diag(hess), rtol=0.5)


def test_expand_leaves_a_concave_region_that_backtracking_alone_crawls_through() -> None:
    # f = 50 x^2 - cos(y) from y = 3 (concave in y until pi/2). The stiff x column's pairs
    # set the quasi-Newton scale to ~1/100; once x has converged, every step is along y,
    # of negative curvature (its pairs are dropped), so each step is ~g_y / 100 and a
    # backtracking search never lengthens it. ``expand`` doubles the step after each such
    # step, as an extrapolating line search would.
    def fun(z: _Array) -> tuple[_Array, _Array]:
        x, y = z[:, 0], z[:, 1]
        return 50 * x * x - np.cos(y), np.column_stack([100 * x, np.sin(y)])

    x0 = np.array([[0.5, 3.0]])
    lower, upper = np.array([-1.0, -4.0]), np.array([1.0, 4.0])
    plain = minimize_batch(fun, x0, lower, upper, max_iter=40, gtol=1e-6, memory=10)
    grown = minimize_batch(fun, x0, lower, upper, max_iter=40, gtol=1e-6, memory=10, expand=True)
    assert plain.x[0, 1] > 1.0  # still crawling after 40 iterations
    np.testing.assert_allclose(grown.x[0], [0.0, 0.0], atol=1e-4)
    assert grown.f[0] < plain.f[0] - 0.5
