"""An exact Gaussian process on numpy: Matern 5/2 with ARD, Hamming distance for categoricals.

``k(x, x') = scale * m52(r2)`` with ``r2 = sum_i theta_i * d_i(x, x')``, where ``d_i`` is the
squared difference of numerical column ``i`` and ``[x_i != x'_i]`` for a categorical one, and
``theta_i`` is the inverse squared length scale. Hyperparameters are fitted by maximising the
marginal likelihood plus a log prior (:mod:`._prior`) with a projected L-BFGS
(:mod:`._lbfgs`) and closed-form gradients.

The model keeps the Cholesky factor of the training covariance, extended in block form when
rows are appended, so that a study can add trials (and running trials can be fantasised) at
O(n^2) each between full refits; batched posteriors with their gradients are two triangular
solves and a few matrix products.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg
import scipy.linalg.lapack

from parabola.samplers._gp._lbfgs import inverse_hessian_diag, minimize_batch
from parabola.samplers._gp._prior import LogPrior

__all__ = ["GPModel", "Hyper", "fit_hyper", "log_posterior", "matern52"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_SQRT5 = math.sqrt(5.0)
# The fit's L-BFGS: SciPy's defaults for L-BFGS-B (ten pairs; ftol = factr 1e7 * eps), which
# the fit used before and which the refit schedule and iteration caps were tuned with.
_MEMORY = 10
_FTOL = 1e7 * float(np.finfo(float).eps)


@dataclass(frozen=True)
class Hyper:
    """Kernel hyperparameters: inverse squared length scales, kernel scale, noise variance.

    ``curvature``, set by :func:`fit_hyper`, is the diagonal of the fit's inverse Hessian
    estimate in its raw (log) parameters: a later fit warm-started here uses it to scale
    its parameters (see :func:`fit_hyper`). Not part of the model.
    """

    inv_sq_ls: _Array
    scale: float
    noise: float
    curvature: _Array | None = field(default=None, compare=False, repr=False)


def matern52(r2: _Array) -> tuple[_Array, _Array]:
    """Matern 5/2 as a function of the squared distance, and its derivative in ``r2``."""
    # In place where possible: at a few hundred trials each (n, n) temporary costs as much
    # as the arithmetic, and the hyperparameter fit calls this at every iteration.
    r = np.multiply(r2, 5.0)
    np.sqrt(r, out=r)
    e = np.negative(r)
    np.exp(e, out=e)
    k = np.multiply(r2, 5.0 / 3.0)
    k += r
    k += 1.0
    k *= e
    r += 1.0
    r *= e
    r *= -5.0 / 6.0
    return k, r


def _sq_dist(x1: _Array, x2: _Array, theta: _Array, is_cat: np.ndarray[Any, Any]) -> _Array:
    cont = ~is_cat
    out: _Array
    if cont.any():
        w = np.sqrt(theta[cont])
        a, b = x1[:, cont] * w, x2[:, cont] * w
        out = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
        np.maximum(out, 0.0, out=out)
    else:
        out = np.zeros((len(x1), len(x2)))
    for j in np.flatnonzero(is_cat):
        out += theta[j] * (x1[:, j, None] != x2[None, :, j])
    return out


def _inverse(c: _Array) -> tuple[_Array, _Array]:
    """Cholesky factor and inverse of a covariance matrix (raises LinAlgError if not PD)."""
    chol = scipy.linalg.cholesky(c, lower=True, check_finite=False)
    # LAPACK's potri inverts from the factor in a third of the flops of solving against the
    # identity (the fit does this at every iteration); it fills the lower triangle and leaves
    # the upper one as the factor's, zero. So the full inverse is that plus its transpose,
    # with the doubled diagonal halved: 40x cheaper than building it with np.tril at 250
    # rows (1.7 ms, as much as the factorisation).
    low, info = scipy.linalg.lapack.dpotri(chol, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"dpotri failed ({info})")
    inv: _Array = low + low.T
    inv.flat[:: len(inv) + 1] *= 0.5
    return chol, inv


def _cholesky(c: _Array) -> _Array:
    """Lower Cholesky factor, Fortran-ordered so LAPACK's solves take it without a copy."""
    chol: _Array = np.asfortranarray(scipy.linalg.cholesky(c, lower=True, check_finite=False))
    return chol


def _solve_lower(chol: _Array, b: _Array, trans: int = 0) -> _Array:
    """``L^-1 b`` (``trans=1``: ``L^-T b``) for the lower factor ``L``: LAPACK's dtrtrs."""
    out, info = scipy.linalg.lapack.dtrtrs(chol, b, lower=1, trans=trans)
    if info != 0:
        raise np.linalg.LinAlgError(f"dtrtrs failed ({info})")
    result: _Array = out
    return result


class GPModel:
    """A GP conditioned on ``(x, y)`` with fixed hyperparameters.

    The model keeps the Cholesky factor of the training covariance, not its inverse: the
    posterior variance ``scale - |L^-1 k|^2`` from the factor is accurate where
    ``scale - k' C^-1 k`` from an explicit inverse is not. A nearly deterministic objective
    fits a covariance with a condition number of 1e9 and more, and there, within a hundredth
    of a length scale of the best trial, the inverse's variance was off by 13-33% (measured on
    BBOB f10, 5-D, 150 trials). The local search, which works exactly there, then climbed
    rounding noise: half its starts ended on ten failed line searches.

    Args:
        x: ``(n, d)`` encoded training points.
        y: ``(n,)`` training targets (standardised).
        is_cat: Which columns are categorical.
        hyper: The kernel hyperparameters.
        chol: The lower Cholesky factor of the training covariance, if already known.
    """

    def __init__(
        self,
        x: _Array,
        y: _Array,
        is_cat: np.ndarray[Any, Any],
        hyper: Hyper,
        chol: _Array | None = None,
    ) -> None:
        self.x = x
        self.is_cat = is_cat
        self.hyper = hyper
        if chol is None:
            cov = hyper.scale * matern52(_sq_dist(x, x, hyper.inv_sq_ls, is_cat))[0]
            cov[np.diag_indices_from(cov)] += hyper.noise
            chol = _cholesky(cov)
        self.chol = chol
        # Cached for the posterior's many small calls (the local search makes ~30 a trial):
        # the numerical columns scaled by sqrt(theta), their squared norms, the categorical
        # columns.
        self._cont = np.flatnonzero(~is_cat)
        self._cat = np.flatnonzero(is_cat)
        # An all-numerical space takes the query rows as they are (no column selection).
        self._all_cont = not is_cat.any()
        self._w = np.sqrt(hyper.inv_sq_ls[self._cont])
        self._xs = x[:, self._cont] * self._w
        self._xs_sq = np.einsum("ij,ij->i", self._xs, self._xs)
        self.set_y(y)

    def set_y(self, y: _Array) -> None:
        """Replace the targets (same points): a new standardisation costs two O(n^2) solves."""
        self.y = y
        alpha, info = scipy.linalg.lapack.dpotrs(self.chol, y, lower=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"dpotrs failed ({info})")
        self.alpha: _Array = alpha

    def _kernel(self, xq: _Array) -> tuple[_Array, _Array, _Array]:
        """``r = sqrt(5 r2)``, ``exp(-r)`` and the scaled numerical query columns."""
        q = (xq if self._all_cont else xq[:, self._cont]) * self._w
        # r2 = |q|^2 + |xs|^2 - 2 q.xs, built in place in the (b, n) product's buffer.
        r2 = q @ self._xs.T
        r2 *= -2.0
        r2 += self._xs_sq
        r2 += np.einsum("ij,ij->i", q, q)[:, None]
        np.maximum(r2, 0.0, out=r2)
        theta = self.hyper.inv_sq_ls
        for j in self._cat:
            r2 += theta[j] * (xq[:, j, None] != self.x[None, :, j])
        r2 *= 5.0
        r = np.sqrt(r2, out=r2)
        return r, np.exp(-r), q

    def extend(self, x_new: _Array, y: _Array) -> GPModel:
        """A model with ``x_new`` appended (targets ``y`` for all rows), in O(n^2) per row.

        The factor grows by its block form ``[[L, 0], [B, L_s]]`` with ``B = K_no L^-T`` and
        ``L_s`` the factor of the Schur complement. Falls back to a fresh factorisation when
        the Schur complement is numerically unsafe (a near duplicate point with tiny noise).
        """
        h = self.hyper
        x_all = np.vstack([self.x, x_new])
        if len(x_new) == 0:
            return GPModel(x_all, y, self.is_cat, h, self.chol)
        k_new_old = h.scale * matern52(_sq_dist(x_new, self.x, h.inv_sq_ls, self.is_cat))[0]
        k_new_new = h.scale * matern52(_sq_dist(x_new, x_new, h.inv_sq_ls, self.is_cat))[0]
        k_new_new[np.diag_indices_from(k_new_new)] += h.noise
        bt = _solve_lower(self.chol, k_new_old.T)  # (n, m) = L^-1 K_on
        schur = k_new_new - bt.T @ bt
        try:
            chol_s = scipy.linalg.cholesky(schur, lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            return GPModel(x_all, y, self.is_cat, h)
        if np.min(np.diag(chol_s)) ** 2 < 0.5 * h.noise:
            return GPModel(x_all, y, self.is_cat, h)
        n, m = len(self.x), len(x_new)
        chol = np.zeros((n + m, n + m), order="F")
        chol[:n, :n] = self.chol
        chol[n:, :n] = bt.T
        chol[n:, n:] = chol_s
        return GPModel(x_all, y, self.is_cat, h, chol)

    def _k(self, xq: _Array) -> tuple[_Array, _Array, _Array, _Array]:
        """Kernel rows ``k`` (b, n), with ``r``, ``exp(-r)`` and the scaled query columns."""
        r, e, q = self._kernel(xq)
        k = r * r  # Matern 5/2: scale e (1 + r + r^2 / 3), as 5 r2 / 3 = r^2 / 3
        k /= 3.0
        k += r
        k += 1.0
        k *= e
        k *= self.hyper.scale
        return k, r, e, q

    def posterior(self, xq: _Array) -> tuple[_Array, _Array]:
        """Posterior mean and variance at the rows of ``xq``."""
        h = self.hyper
        k = self._k(xq)[0]
        v = _solve_lower(self.chol, k.T)  # (n, b)
        var = h.scale - np.einsum("ij,ij->j", v, v)
        mean: _Array = k @ self.alpha
        return mean, np.maximum(var, 1e-12 * h.scale)

    def posterior_grad(self, xq: _Array) -> tuple[_Array, _Array, _Array, _Array]:
        """Mean, variance and their gradients in ``xq`` (zero along categorical columns)."""
        h = self.hyper
        k, r, e, q = self._k(xq)
        b = len(xq)
        # d k / d r2 = -5/6 scale (1 + r) e; d r2_bj / d x_b = 2 theta (x_b - x_j), which in
        # the scaled columns is 2 w (q_b - xs_j): sums over j are matrix products. The mean's
        # and the variance's weights are stacked so that both take one product.
        gk = 1.0 + r
        gk *= e
        gk *= -5.0 / 6.0 * h.scale
        mean = k @ self.alpha
        v = _solve_lower(self.chol, k.T)  # (n, b)
        var = h.scale - np.einsum("ij,ij->j", v, v)
        beta = _solve_lower(self.chol, v, trans=1).T  # (b, n) = k C^-1
        floor = 1e-12 * h.scale
        wts = np.empty((2 * b, len(self.x)))
        np.multiply(gk, self.alpha, out=wts[:b])
        np.multiply(gk, beta, out=wts[b:])
        dq = q[None] * wts.sum(axis=1).reshape(2, b, 1) - (wts @ self._xs).reshape(2, b, -1)
        dq[0] *= 2.0 * self._w
        dq[1] *= -4.0 * self._w
        low = var < floor
        if low.any():
            dq[1][low] = 0.0
        if self._all_cont:
            return mean, np.maximum(var, floor), dq[0], dq[1]
        dmean = np.zeros_like(xq)
        dvar = np.zeros_like(xq)
        dmean[:, self._cont] = dq[0]
        dvar[:, self._cont] = dq[1]
        return mean, np.maximum(var, floor), dmean, dvar


def _neg_log_posterior(
    raw: _Array,
    x: _Array,
    y: _Array,
    is_cat: np.ndarray[Any, Any],
    prior: LogPrior,
    minimum_noise: float,
    deterministic: bool,
) -> tuple[float, _Array]:
    d = x.shape[1]
    theta = np.exp(raw[:d])
    scale = math.exp(raw[d])
    noise_raw = 0.0 if deterministic else math.exp(raw[d + 1])
    noise = minimum_noise + noise_raw
    m52, dm52 = matern52(_sq_dist(x, x, theta, is_cat))
    kmat = scale * m52
    cov = kmat.copy()
    cov[np.diag_indices_from(cov)] += noise
    try:
        chol, cinv = _inverse(cov)
    except np.linalg.LinAlgError:
        return 1e300, np.zeros_like(raw)
    # From the factor, not the inverse: accurate where the covariance is ill-conditioned.
    alpha, info = scipy.linalg.lapack.dpotrs(chol, y, lower=1)
    if info != 0:
        return 1e300, np.zeros_like(raw)
    mll = -0.5 * float(y @ alpha) - float(np.log(np.diag(chol)).sum())
    w = np.outer(alpha, alpha) - cinv  # d mll / d C = w / 2
    grad = np.zeros_like(raw)
    g = scale * dm52 * w
    cont = ~is_cat
    if cont.any():
        xc = x[:, cont]
        # sum_jk g_jk (x_ji - x_ki)^2 = 2 sum_j rowsum(g)_j x_ji^2 - 2 sum_j x_ji (g x)_ji
        gsum = g.sum(1)
        s = 2.0 * (gsum @ (xc * xc)) - 2.0 * np.einsum("ji,ji->i", xc, g @ xc)
        grad[:d][cont] = 0.5 * theta[cont] * s
    for j in np.flatnonzero(is_cat):
        neq = x[:, j, None] != x[None, :, j]
        grad[j] = 0.5 * theta[j] * float(g[neq].sum())
    grad[d] = 0.5 * float(np.einsum("ij,ij->", w, kmat))
    if not deterministic:
        grad[d + 1] = 0.5 * noise_raw * float(np.trace(w))
    lp, lp_grad = prior(theta, scale, noise, d)
    # The prior's noise gradient is in d/d(log noise); the raw parameter is log(noise - min).
    lp_grad = lp_grad.copy()
    lp_grad[d + 1] *= 0.0 if deterministic else noise_raw / noise
    value = -(mll + lp)
    return value, -(grad + lp_grad)


def fit_hyper(
    x: _Array,
    y: _Array,
    is_cat: np.ndarray[Any, Any],
    prior: LogPrior,
    *,
    minimum_noise: float,
    deterministic: bool,
    init: Hyper | None,
    max_iter: int,
    scipy_solver: bool = False,
) -> Hyper:
    """Maximum a posteriori hyperparameters, starting from ``init`` (warm start) if given.

    A warm start that carries the previous fit's ``curvature`` is solved in scaled
    parameters ``u = (raw - raw0) / sqrt(curvature)``: L-BFGS starts from an identity
    Hessian, so without the scaling its first iterations relearn the parameters' very
    different scales. Measured with SciPy's solver on the refits of a 300-trial 5-D study: a
    third fewer evaluations (550 -> 361) at an equal or better optimum; a test checks that
    the saving holds with this one. The scaling is diagonal so that the bounds stay a box.

    The solver is the projected L-BFGS of :mod:`._lbfgs` (a batch of one). It replaced
    SciPy's L-BFGS-B (``scipy_solver=True``, kept to compare) for its import, which every
    process running a GP study paid at its first model-based trial: measured ~85 ms of CPU
    with ``scipy.linalg`` and ``scipy.special`` already loaded, ~0.9 ms a trial (8%) over
    trials 10-100 of a 5-D study. The two reach the same optimum on all but a few fits of a study
    (``benchmarks/gp_fit_pair.py``). The curvature is the diagonal of the final L-BFGS
    inverse Hessian in both: with SciPy's identity initial matrix there, with the search's
    own scaling by the newest pair here.
    """
    d = x.shape[1]
    if init is None or len(init.inv_sq_ls) != d:
        init = Hyper(np.ones(d), 1.0, 1e-2 + minimum_noise)
    raw0 = np.concatenate(
        [
            np.log(init.inv_sq_ls),
            [math.log(init.scale), math.log(max(init.noise - 0.99 * minimum_noise, 1e-12))],
        ]
    )
    # Length scales beyond e^+-10 are numerically meaningless on the unit cube.
    lower = np.array([-10.0] * d + [-10.0, -25.0])
    upper = np.array([10.0] * d + [5.0, 2.0])
    raw0 = np.clip(raw0, lower, upper)
    step = np.ones(d + 2)
    if init.curvature is not None and len(init.curvature) == d + 2:
        step = np.sqrt(np.clip(init.curvature, 1e-4, 1e4))
    args = (x, y, is_cat, prior, minimum_noise, deterministic)

    def scaled(u: _Array) -> tuple[float, _Array]:
        value, grad = _neg_log_posterior(raw0 + step * u, *args)
        return value, grad * step

    lo_u, hi_u = (lower - raw0) / step, (upper - raw0) / step
    if scipy_solver:
        u, fun, curv_u = _solve_scipy(scaled, lo_u, hi_u, max_iter)
    else:

        def batch(u: _Array) -> tuple[_Array, _Array]:
            value, grad = scaled(u[0])
            return np.array([value]), grad[None, :]

        res = minimize_batch(
            batch,
            np.zeros((1, d + 2)),
            lo_u,
            hi_u,
            max_iter=max_iter,
            gtol=1e-2,
            ftol=_FTOL,
            memory=_MEMORY,
            expand=True,
        )
        u, fun = res.x[0], float(res.f[0])
        curv_u = inverse_hessian_diag(res.s_hist[0], res.y_hist[0]) if res.nit[0] > 0 else None
    ok = np.all(np.isfinite(u)) and fun < 1e299
    raw = np.clip(raw0 + step * u, lower, upper) if ok else raw0
    curvature = None
    if ok and curv_u is not None:
        # Back to raw coordinates: H_raw^-1 = S H_u^-1 S with S = diag(step).
        curvature = curv_u * step * step
    noise = minimum_noise + (0.0 if deterministic else math.exp(raw[d + 1]))
    return Hyper(np.exp(raw[:d]), math.exp(raw[d]), noise, curvature)


def _solve_scipy(
    fun: Any, lower: _Array, upper: _Array, max_iter: int
) -> tuple[_Array, float, _Array | None]:
    """SciPy's L-BFGS-B from zero: minimiser, value, inverse Hessian diagonal (or ``None``)."""
    import scipy.optimize  # only here: its import is what the default solver avoids

    res = scipy.optimize.minimize(
        fun,
        np.zeros(len(lower)),
        jac=True,
        method="L-BFGS-B",
        bounds=list(zip(lower, upper, strict=True)),
        options={"maxiter": max_iter, "gtol": 1e-2},
    )
    curv = np.diag(res.hess_inv.todense()) if hasattr(res.hess_inv, "todense") else None
    return np.asarray(res.x, dtype=float), float(res.fun), curv


def log_posterior(
    x: _Array,
    y: _Array,
    is_cat: np.ndarray[Any, Any],
    prior: LogPrior,
    hyper: Hyper,
    *,
    minimum_noise: float,
    deterministic: bool,
) -> float:
    """The fit's objective at ``hyper``: log marginal likelihood of ``y`` plus the log prior."""
    noise_raw = max(hyper.noise - minimum_noise, 1e-300)
    raw = np.concatenate([np.log(hyper.inv_sq_ls), [math.log(hyper.scale), math.log(noise_raw)]])
    return -_neg_log_posterior(raw, x, y, is_cat, prior, minimum_noise, deterministic)[0]
