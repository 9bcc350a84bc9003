"""The numerical parts of GPSampler: kernel fit, posterior, acquisitions and their gradients."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.stats import norm

from parabola.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from parabola.samplers._gp._acqf import LogEHVI, LogEI, LogPF, Sum, log_h
from parabola.samplers._gp._optim import optimize_acqf
from parabola.samplers._gp._prior import dim_scaled_prior, optuna_prior
from parabola.samplers._gp._regressor import (
    GPModel,
    Hyper,
    _inverse,
    _neg_log_posterior,
    fit_hyper,
    log_posterior,
    matern52,
)
from parabola.samplers._gp._space import GPSpace

_Array = np.ndarray[Any, np.dtype[np.float64]]
MIXED = np.array([False, False, True])


def _data(n: int = 25, seed: int = 0) -> tuple[_Array, _Array]:
    rng = np.random.RandomState(seed)
    x = np.column_stack([rng.rand(n), rng.rand(n), rng.randint(0, 3, n).astype(float)])
    y = np.sin(6 * x[:, 0]) + x[:, 1] ** 2 + 0.3 * x[:, 2]
    return x, (y - y.mean()) / y.std()


def _model(n: int = 25) -> GPModel:
    x, y = _data(n)
    return GPModel(x, y, MIXED, Hyper(np.array([3.0, 1.5, 0.7]), 1.3, 1e-3))


def _fd(fun: Any, x: _Array, eps: float = 1e-6) -> _Array:
    """Central finite differences of a scalar function."""
    g = np.zeros_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (fun(x + e) - fun(x - e)) / (2 * eps)
    return g


# The hyperparameter fit -----------------------------------------------------------------------
@pytest.mark.parametrize("prior", [optuna_prior, dim_scaled_prior])
@pytest.mark.parametrize("deterministic", [False, True])
def test_log_posterior_gradient_matches_finite_differences(prior: Any, deterministic: bool) -> None:
    x, y = _data()
    raw = np.array([0.3, -0.5, 0.2, 0.1, -3.0])
    args = (x, y, MIXED, prior, 1e-6, deterministic)
    _, grad = _neg_log_posterior(raw, *args)
    fd = _fd(lambda r: _neg_log_posterior(r, *args)[0], raw)
    np.testing.assert_allclose(grad, fd, rtol=1e-4, atol=1e-6)


def test_fit_recovers_a_known_function() -> None:
    # A smooth 1-D function: the fitted GP predicts held-out points far better than the mean.
    rng = np.random.RandomState(1)
    x = rng.rand(30, 1)
    y = np.sin(8 * x[:, 0])
    hyper = fit_hyper(
        x,
        y,
        np.array([False]),
        optuna_prior,
        minimum_noise=1e-6,
        deterministic=False,
        init=None,
        max_iter=200,
    )
    model = GPModel(x, y, np.array([False]), hyper)
    xt = np.linspace(0.05, 0.95, 40)[:, None]
    mean, var = model.posterior(xt)
    err = np.abs(mean - np.sin(8 * xt[:, 0]))
    assert err.max() < 0.05
    assert np.all(var < 0.01 * hyper.scale)
    # Far from every point the posterior reverts to the prior variance.
    near = x[:, 0] < 0.3
    _, far_var = GPModel(x[near], y[near], np.array([False]), hyper).posterior(np.array([[1.0]]))
    assert far_var[0] > 0.5 * hyper.scale


@pytest.mark.parametrize("deterministic", [False, True])
def test_fit_reaches_scipys_optimum(deterministic: bool) -> None:
    # The fit's own L-BFGS (which spares the import of scipy.optimize) against SciPy's
    # L-BFGS-B, which it replaced, from the same cold and warm starts.
    rng = np.random.RandomState(7)
    x = rng.rand(40, 4)
    y = np.sin(4 * x[:, 0]) + x[:, 1] ** 2 - 0.5 * x[:, 2] + 0.01 * rng.randn(40)
    y = (y - y.mean()) / y.std()
    cont = np.zeros(4, dtype=bool)
    kw: dict[str, Any] = {"minimum_noise": 1e-6, "deterministic": deterministic}
    cold = [
        fit_hyper(x[:30], y[:30], cont, optuna_prior, init=None, max_iter=200, scipy_solver=s, **kw)
        for s in (False, True)
    ]
    lp = [log_posterior(x[:30], y[:30], cont, optuna_prior, h, **kw) for h in cold]
    assert lp[0] == pytest.approx(lp[1], abs=1e-3)
    assert cold[0].curvature is not None and np.all(cold[0].curvature > 0)
    warm = [
        fit_hyper(x, y, cont, optuna_prior, init=cold[0], max_iter=50, scipy_solver=s, **kw)
        for s in (False, True)
    ]
    lp = [log_posterior(x, y, cont, optuna_prior, h, **kw) for h in warm]
    assert lp[0] == pytest.approx(lp[1], abs=1e-3)


def test_a_fit_that_cannot_evaluate_returns_its_start() -> None:
    # A non-finite target makes every likelihood non-finite: the fit must not report a
    # solution it did not find, but hand back its warm start (the sampler keeps going).
    x, y = _data()
    y = y.copy()
    y[3] = np.nan
    init = Hyper(np.array([2.0, 0.5, 1.5]), 1.3, 1e-2 + 1e-6)
    hyper = fit_hyper(
        x, y, MIXED, optuna_prior, minimum_noise=1e-6, deterministic=False, init=init, max_iter=50
    )
    np.testing.assert_allclose(hyper.inv_sq_ls, init.inv_sq_ls)
    assert hyper.scale == pytest.approx(init.scale)
    assert hyper.noise == pytest.approx(init.noise, rel=1e-6)
    assert hyper.curvature is None


def test_deterministic_objective_fixes_the_noise() -> None:
    x, y = _data()
    hyper = fit_hyper(
        x, y, MIXED, optuna_prior, minimum_noise=1e-6, deterministic=True, init=None, max_iter=50
    )
    assert hyper.noise == 1e-6


def test_extend_equals_a_fresh_model() -> None:
    x, y = _data(30)
    h = Hyper(np.array([3.0, 1.5, 0.7]), 1.3, 1e-3)
    fresh = GPModel(x, y, MIXED, h)
    grown = GPModel(x[:20], y[:20], MIXED, h).extend(x[20:25], y[:25]).extend(x[25:], y)
    np.testing.assert_allclose(grown.chol, fresh.chol, rtol=1e-6, atol=1e-6)
    xq = _data(7, seed=3)[0]
    for a, b in zip(grown.posterior(xq), fresh.posterior(xq), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def _longdouble_variance(x: _Array, xq: _Array, h: Hyper) -> _Array:
    """The posterior variance by a Cholesky factorisation in extended precision (reference)."""
    ld = np.longdouble

    def kern(a: _Array, b: _Array) -> Any:
        d2 = (((a[:, None, :] - b[None, :, :]) ** 2) * h.inv_sq_ls).sum(-1).astype(ld)
        r = np.sqrt(ld(5) * d2)
        return ld(h.scale) * (1 + r + r * r / 3) * np.exp(-r)

    c = kern(x, x) + ld(h.noise) * np.eye(len(x), dtype=ld)
    n = len(x)
    low = np.zeros((n, n), dtype=ld)
    for j in range(n):
        low[j, j] = np.sqrt(c[j, j] - (low[j, :j] ** 2).sum())
        low[j + 1 :, j] = (c[j + 1 :, j] - low[j + 1 :, :j] @ low[j, :j]) / low[j, j]
    k = kern(xq, x).T
    v = np.zeros_like(k)
    for i in range(n):
        v[i] = (k[i] - low[i, :i] @ v[:i]) / low[i, i]
    out: _Array = (ld(h.scale) - (v * v).sum(0)).astype(float)
    return out


def test_the_variance_is_accurate_where_the_covariance_is_ill_conditioned() -> None:
    # A nearly deterministic, very smooth fit (as on BBOB's ellipsoids): the covariance's
    # condition number is ~1e9, and the local search works a hundredth of a length scale
    # from the best trial. An explicit inverse's variance was 30% off there (this case).
    rng = np.random.RandomState(0)
    x = rng.rand(80, 3)
    num = np.zeros(3, dtype=bool)
    h = Hyper(np.full(3, 0.05), 12.0, 1e-6)
    fresh = GPModel(x, np.zeros(80), num, h)
    assert np.linalg.cond(fresh.chol) ** 2 > 5e8
    xq = np.clip(x[0] + 0.01 / np.sqrt(0.05) * rng.standard_normal((40, 3)), 0.0, 1.0)
    reference = _longdouble_variance(x, xq, h)
    grown = GPModel(x[:40], np.zeros(40), num, h).extend(x[40:], np.zeros(80))
    for model in (fresh, grown):
        var = model.posterior(xq)[1]
        np.testing.assert_allclose(var, reference, rtol=1e-5)
        np.testing.assert_allclose(model.posterior_grad(xq)[1], var)


def test_posterior_gradients_match_finite_differences() -> None:
    model = _model()
    xq = _data(4, seed=5)[0]
    _, _, dmean, dvar = model.posterior_grad(xq)
    for b in range(len(xq)):

        def at(v: _Array, b: int = b) -> _Array:
            p = xq[b].copy()
            p[:2] = v
            return np.asarray([c[0] for c in model.posterior(p[None, :])])

        # A step of 1e-5: the variance is a difference (prior minus explained), whose rounding
        # (~1e-13) a 1e-6 step would amplify past the tolerance.
        fd_mean = _fd(lambda v: at(v)[0], xq[b, :2], eps=1e-5)
        fd_var = _fd(lambda v: at(v)[1], xq[b, :2], eps=1e-5)
        np.testing.assert_allclose(dmean[b, :2], fd_mean, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(dvar[b, :2], fd_var, rtol=1e-5, atol=1e-7)
        assert dmean[b, 2] == 0.0 and dvar[b, 2] == 0.0


def test_posterior_gradients_of_an_all_numerical_model() -> None:
    # An all-numerical space takes the query rows as they are (no column selection).
    x, y = _data()
    cont = np.array([False, False])
    model = GPModel(x[:, :2], y, cont, Hyper(np.array([3.0, 1.5]), 1.3, 1e-3))
    xq = _data(4, seed=5)[0][:, :2]
    mean, var, dmean, dvar = model.posterior_grad(xq)
    np.testing.assert_allclose(np.column_stack(model.posterior(xq)), np.column_stack([mean, var]))
    for b in range(len(xq)):
        fd_mean = _fd(lambda v: float(model.posterior(v[None, :])[0][0]), xq[b], eps=1e-5)
        fd_var = _fd(lambda v: float(model.posterior(v[None, :])[1][0]), xq[b], eps=1e-5)
        np.testing.assert_allclose(dmean[b], fd_mean, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(dvar[b], fd_var, rtol=1e-5, atol=1e-7)


def test_inverse_is_the_symmetric_inverse() -> None:
    rng = np.random.RandomState(3)
    for n in (1, 2, 40):
        a = rng.randn(n, n)
        cov = a @ a.T + n * np.eye(n)
        chol, inv = _inverse(cov)
        np.testing.assert_allclose(chol @ chol.T, cov, atol=1e-10)
        np.testing.assert_allclose(inv, np.linalg.inv(cov), rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(inv, inv.T)


def test_matern52_and_its_derivative() -> None:
    r2 = np.array([[0.0, 0.1], [1.0, 7.5]])
    r = np.sqrt(5.0 * r2)
    k, dk = matern52(r2)
    np.testing.assert_allclose(k, (1.0 + r + 5.0 * r2 / 3.0) * np.exp(-r))
    inner = r2[:, 1:]  # away from r2 = 0, where a central difference leaves the domain
    fd = (matern52(inner + 1e-7)[0] - matern52(inner - 1e-7)[0]) / 2e-7
    np.testing.assert_allclose(dk[:, 1:], fd, rtol=1e-6)
    np.testing.assert_allclose(r2, [[0.0, 0.1], [1.0, 7.5]])  # the input is left alone


# Acquisitions ------------------------------------------------------------------------------
def test_log_h_is_accurate_and_finite_far_below_the_incumbent() -> None:
    z = np.array([3.0, 0.0, -0.99, -1.0, -5.0, -24.9, -25.1, -40.0, -1e4])
    val, dval = log_h(z)
    exact = np.log(norm.pdf(z[:5]) + z[:5] * norm.cdf(z[:5]))
    np.testing.assert_allclose(val[:5], exact, rtol=1e-9)
    assert np.all(np.isfinite(val)) and np.all(np.diff(val) < 0)
    # Points all on the direct branch take a mask-free path: the same values.
    fast, dfast = log_h(z[:3])
    np.testing.assert_array_equal(fast, val[:3])
    np.testing.assert_array_equal(dfast, dval[:3])
    for zi, di in zip(z[:8], dval[:8], strict=True):
        fd = (log_h(np.array([zi + 1e-6]))[0] - log_h(np.array([zi - 1e-6]))[0]) / 2e-6
        assert di == pytest.approx(float(fd[0]), rel=1e-4)


def _check_acqf_gradient(acqf: Any) -> None:
    xq = _data(5, seed=7)[0]
    _, grad = acqf.value_grad(xq)
    for b in range(len(xq)):

        def f(v: _Array, b: int = b) -> float:
            p = xq[b].copy()
            p[:2] = v
            return float(acqf.value(p[None, :])[0])

        np.testing.assert_allclose(grad[b, :2], _fd(f, xq[b, :2]), rtol=1e-4, atol=1e-6)


def test_log_ei_gradient_matches_finite_differences() -> None:
    model = _model()
    _check_acqf_gradient(LogEI(model, float(model.y.max())))
    # Far above every prediction (log EI around -50): still finite with exact gradients.
    _check_acqf_gradient(LogEI(model, float(model.y.max()) + 20.0))


def test_log_ei_matches_the_closed_form() -> None:
    model = _model()
    xq = _data(6, seed=2)[0]
    mean, var = model.posterior(xq)
    s = np.sqrt(var)
    z = (mean - 0.5) / s
    ei = s * (norm.pdf(z) + z * norm.cdf(z))
    np.testing.assert_allclose(LogEI(model, 0.5).value(xq), np.log(ei), rtol=1e-9)


def test_constrained_log_ei_adds_the_log_feasibility() -> None:
    model = _model()
    other = GPModel(model.x, -model.y, MIXED, model.hyper)
    pf = LogPF([other], [0.2])
    acqf = Sum([LogEI(model, 1.0), pf])
    _check_acqf_gradient(acqf)
    xq = _data(3, seed=4)[0]
    mean, var = other.posterior(xq)
    np.testing.assert_allclose(pf.value(xq), norm.logcdf((mean - 0.2) / np.sqrt(var)))


@pytest.mark.parametrize("n_obj", [2, 3])
def test_ehvi_matches_a_monte_carlo_estimate(n_obj: int) -> None:
    x, _ = _data(20)
    rng = np.random.RandomState(n_obj)
    ys = rng.randn(20, n_obj)
    models = [
        GPModel(x, ys[:, j], MIXED, Hyper(np.array([2.0, 1.0, 0.5]), 1.0, 2.0))
        for j in range(n_obj)
    ]
    acqf = LogEHVI(models, ys)
    xq = _data(3, seed=9)[0]
    exact = np.exp(acqf.value(xq))
    # Monte Carlo: sample the independent Gaussian scores, measure the hypervolume gained.
    from parabola._hypervolume import hypervolume

    loss = -ys
    worst = loss.max(axis=0)
    ref = np.nextafter(np.maximum(1.1 * worst, 0.9 * worst), np.inf)
    base = hypervolume(loss, ref)
    for b in range(len(xq)):
        moments = [m.posterior(xq[b : b + 1]) for m in models]
        mu = np.array([mm[0][0] for mm in moments])
        sd = np.sqrt([mm[1][0] for mm in moments])
        draws = -(mu + sd * rng.randn(3000, n_obj))
        gains = [hypervolume(np.vstack([loss, d]), ref) - base for d in draws]
        mc, se = float(np.mean(gains)), float(np.std(gains) / np.sqrt(len(gains)))
        assert abs(exact[b] - mc) < 4 * se + 1e-6, (exact[b], mc, se)
    assert exact.max() > 1e-2  # not a comparison of two zeros
    _check_acqf_gradient(acqf)


# Search space and the optimiser ------------------------------------------------------------
def test_space_encodes_snaps_and_decodes() -> None:
    space = GPSpace(
        {
            "f": FloatDistribution(-2.0, 2.0),
            "i": IntDistribution(0, 10, step=2),
            "l": FloatDistribution(1e-3, 1.0, log=True),
            "c": CategoricalDistribution(("a", "b", "c")),
        }
    )
    row = space.encode({"f": 1.0, "i": 4, "l": 0.01, "c": "c"})
    np.testing.assert_allclose(row, [0.75, 5 / 12, 1 / 3, 2.0])
    snapped = space.snap(np.array([0.3, 0.55, 0.5, 1.4]))
    decoded = space.decode(snapped)
    assert decoded["f"] == pytest.approx(-0.8) and decoded["l"] == pytest.approx(10**-1.5)
    assert decoded["i"] == 6 and isinstance(decoded["i"], int) and decoded["c"] == "b"


def test_optimize_acqf_finds_the_maximum_of_a_known_function() -> None:
    class Peak(LogEI):
        def __init__(self) -> None:
            pass

        def value_grad(self, x: _Array, grad: bool = True) -> tuple[_Array, _Array]:
            d = x[:, :2] - np.array([0.3, 0.8])
            v = -np.sum(d * d, axis=1) - (x[:, 2] != 1.0)
            g = np.zeros_like(x)
            g[:, :2] = -2 * d
            return v, g

    space = GPSpace(
        {
            "a": FloatDistribution(0.0, 1.0),
            "b": FloatDistribution(0.0, 1.0),
            "c": CategoricalDistribution((0, 1, 2)),
        }
    )
    best = optimize_acqf(
        Peak(), space, np.random.RandomState(0), None, n_sweep=64, n_local=3, max_iter=50
    )
    np.testing.assert_allclose(best, [0.3, 0.8, 1.0], atol=1e-4)


# Target transforms ---------------------------------------------------------------------------
def test_transform_log_jacobians_match_finite_differences() -> None:
    from parabola.samplers._gp._sampler import _transforms, _warp

    rng = np.random.RandomState(3)
    scores = -np.exp(rng.randn(15) * 2.0)  # a heavy bad tail, as on benchmark objectives
    out, log_d = _warp(scores)
    eps = 1e-7
    for j in range(len(scores)):
        bumped = scores.copy()
        bumped[j] += eps
        med, spread = np.median(scores), np.median(np.abs(scores - np.median(scores)))
        if np.median(bumped) != med or np.median(np.abs(bumped - np.median(bumped))) != spread:
            continue  # the row sets the median or the spread: the map itself moves
        fd = (_warp(bumped)[0][j] - out[j]) / eps
        np.testing.assert_allclose(log_d[j], np.log(fd), rtol=1e-5, atol=1e-6)
    n = len(scores)
    (plain, jac_plain), (warped, jac_warped) = _transforms(scores, warp=True)
    np.testing.assert_allclose(plain, (scores - scores.mean()) / scores.std())
    np.testing.assert_allclose(jac_plain, -n * np.log(scores.std()))
    np.testing.assert_allclose(jac_warped, log_d.sum() - n * np.log(out.std()))
    np.testing.assert_allclose(warped, (out - out.mean()) / out.std())
    assert len(_transforms(scores, warp=False)) == 1
    only = _transforms(scores, warp=True, select=False)
    assert len(only) == 1 and np.array_equal(only[0][0], warped)


def test_warm_fit_scaled_by_the_curvature_reaches_the_same_optimum() -> None:
    rng = np.random.RandomState(4)
    x = rng.rand(66, 3)
    y = np.sin(5 * x[:, 0]) + 0.3 * x[:, 1] ** 2 + 0.01 * rng.randn(66)
    y = (y - y.mean()) / y.std()
    cont = np.zeros(3, dtype=bool)
    kw: dict[str, Any] = {"minimum_noise": 1e-6, "deterministic": False}
    first = fit_hyper(x[:60], y[:60], cont, optuna_prior, init=None, max_iter=200, **kw)
    assert first.curvature is not None and first.curvature.shape == (5,)
    assert np.all(first.curvature > 0)
    scaled = fit_hyper(x, y, cont, optuna_prior, init=first, max_iter=200, **kw)
    plain = fit_hyper(
        x,
        y,
        cont,
        optuna_prior,
        init=Hyper(first.inv_sq_ls, first.scale, first.noise),
        max_iter=200,
        **kw,
    )
    assert log_posterior(x, y, cont, optuna_prior, scaled, **kw) == pytest.approx(
        log_posterior(x, y, cont, optuna_prior, plain, **kw), abs=1e-3
    )


def test_curvature_scaling_saves_likelihood_evaluations_in_a_study(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The claim measured on the benchmark's study (a third fewer evaluations), here on a
    # short 5-D study: the same study with the curvature dropped from every fit costs more.
    import dataclasses

    import parabola
    from parabola.samplers._gp import _regressor

    calls = [0]
    original_nlp = _regressor._neg_log_posterior
    original_fit = _regressor.fit_hyper

    def counted(*args: Any) -> Any:
        calls[0] += 1
        return original_nlp(*args)

    def without_curvature(*args: Any, **kwargs: Any) -> Hyper:
        return dataclasses.replace(original_fit(*args, **kwargs), curvature=None)

    def objective(t: Any) -> float:
        return sum((t.suggest_float(f"x{i}", -5, 5) - 1.0) ** 2 * 3.0**i for i in range(5))

    monkeypatch.setattr(_regressor, "_neg_log_posterior", counted)
    counts = []
    for fit in (original_fit, without_curvature):
        monkeypatch.setattr(_regressor, "fit_hyper", fit)
        calls[0] = 0
        study = parabola.create_study(
            sampler=parabola.samplers.GPSampler(seed=0),
            storage=parabola.storages.InMemoryStorage(),
        )
        study.optimize(objective, n_trials=40)
        counts.append(calls[0])
    assert counts[0] < 0.85 * counts[1], counts
