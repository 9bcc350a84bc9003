"""Maximising an acquisition function over a :class:`~._space.GPSpace`.

1. a bounded sweep: a scrambled Sobol set of ``n_sweep`` points (at most 512, fewer in large
   studies where each point costs more; :mod:`._sobol`, which spares the import of
   ``scipy.stats``) plus the warm starts (the best trials so far);
2. the ``n_local`` best distinct points of the sweep, with the warm starts, each start an
   L-BFGS run over the numerical columns (:mod:`._lbfgs`): the runs are independent (own
   memory, step and stopping test) but advance together, so each round is one vectorised
   posterior with closed-form gradients over every start;
3. grid columns are snapped and each categorical column is swept over its choices once;
4. the best valid point of everything evaluated wins.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from parabola.samplers._gp._acqf import Acquisition
from parabola.samplers._gp._lbfgs import minimize_batch
from parabola.samplers._gp._sobol import sobol_points
from parabola.samplers._gp._space import GPSpace

__all__ = ["optimize_acqf"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
# Projected-gradient tolerance of the local search, in log-acquisition units per unit of z
# (Optuna uses sqrt(1e-4) for each start; here it bounds the largest component of the batch).
_GTOL = 1e-2
# A line search step shorter than this many length scales (the search's units) in every
# column is the end of a start: the acquisition does not change on that scale.
_XTOL = 1e-4


def _local_search(
    acqf: Acquisition,
    space: GPSpace,
    starts: _Array,
    max_iter: int,
    length_scales: _Array,
    batched: bool,
    gtol: float = _GTOL,
) -> _Array:
    cont = space.continuous
    if len(cont) == 0:
        return starts
    b = len(starts)
    base = starts.copy()
    # Preconditioning (as Optuna does): search in z = x / length_scale, where the Matern
    # kernel, and so the acquisition, varies at the same rate along every column. Without it
    # the problem is as ill-conditioned as the length scales are unequal and L-BFGS runs
    # to its iteration cap; with it most starts stop at the tolerance.
    ls_row = length_scales[cont]
    if batched:
        if len(cont) == space.dim:

            def fun_rows(z: _Array) -> tuple[_Array, _Array]:
                # All columns numerical: the rows are z scaled back, nothing to splice in.
                v, g = acqf.value_grad(z * ls_row)
                g *= -ls_row
                return -v, g

        else:

            def fun_rows(z: _Array) -> tuple[_Array, _Array]:
                x = base.copy()
                x[:, cont] = z * ls_row
                v, g = acqf.value_grad(x)
                return -v, -g[:, cont] * ls_row

        res = minimize_batch(
            fun_rows,
            starts[:, cont] / ls_row,
            np.zeros(len(cont)),
            1.0 / ls_row,
            max_iter=max_iter,
            gtol=gtol,
            xtol=_XTOL,
        )
        z_opt = res.x
    else:
        ls = np.tile(ls_row, b)

        def fun(z: _Array) -> tuple[float, _Array]:
            x = base.copy()
            x[:, cont] = (z * ls).reshape(b, len(cont))
            v, g = acqf.value_grad(x)
            return -float(v.sum()), -g[:, cont].ravel() * ls

        import scipy.optimize  # only on this path: the default one spares its import

        sres = scipy.optimize.minimize(
            fun,
            starts[:, cont].ravel() / ls,
            jac=True,
            method="L-BFGS-B",
            bounds=list(zip(np.zeros_like(ls), 1.0 / ls, strict=True)),
            options={"maxiter": max_iter, "gtol": gtol},
        )
        z_opt = sres.x.reshape(b, len(cont))
    out: _Array = base.copy()
    out[:, cont] = np.clip(z_opt * ls_row, 0.0, 1.0)
    return out


def _sweep_categoricals(acqf: Acquisition, space: GPSpace, x: _Array) -> tuple[_Array, _Array]:
    best = x.copy()
    val = acqf.value(best)
    for j in np.flatnonzero(space.is_categorical):
        n = int(space.n_choices[j])
        trial = np.repeat(best, n, axis=0)
        trial[:, j] = np.tile(np.arange(n, dtype=float), len(best))
        v = acqf.value(trial).reshape(len(best), n)
        pick = np.argmax(v, axis=1)
        best[:, j] = pick.astype(float)
        val = v[np.arange(len(best)), pick]
    return best, val


def optimize_acqf(
    acqf: Acquisition,
    space: GPSpace,
    rng: np.random.RandomState,
    warm_starts: _Array | None,
    *,
    n_sweep: int,
    n_local: int,
    max_iter: int,
    length_scales: _Array | None = None,
    batched: bool = True,
    gtol: float = _GTOL,
) -> _Array:
    """Return the encoded, snapped row that (approximately) maximises ``acqf``.

    ``length_scales`` (one per column, e.g. the objective GP's) precondition the local search;
    ``None`` means all ones. ``batched`` runs one L-BFGS per start (:mod:`._lbfgs`); ``False``
    stacks the starts into one SciPy L-BFGS-B problem (the former search, kept to compare).
    ``gtol`` is the local search's projected-gradient tolerance.
    """
    sweep = space.from_unit_cube(sobol_points(n_sweep, space.dim, rng))
    if warm_starts is not None and len(warm_starts):
        sweep = np.vstack([warm_starts, sweep])
    values = acqf.value(sweep)
    order = np.argsort(-values, kind="stable")
    picked: list[int] = []
    seen: set[bytes] = set()
    for i in order:
        key = sweep[i].tobytes()
        if key not in seen:
            seen.add(key)
            picked.append(int(i))
        if len(picked) >= n_local:
            break
    n_warm = 0 if warm_starts is None else len(warm_starts)
    starts = sweep[sorted(set(picked) | set(range(n_warm)))]
    ls = np.ones(space.dim) if length_scales is None else np.asarray(length_scales, dtype=float)
    local = space.snap(_local_search(acqf, space, starts, max_iter, ls, batched, gtol))
    local, local_values = _sweep_categoricals(acqf, space, local)
    candidates = np.vstack([local, sweep[order[:1]]])
    cand_values = np.concatenate([local_values, values[order[:1]]])
    best: _Array = candidates[int(np.argmax(cand_values))]
    return best
