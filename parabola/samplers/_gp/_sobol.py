"""Scrambled Sobol points in numpy, without importing ``scipy.stats``.

The acquisition sweep needs a few hundred Sobol points per trial. ``scipy.stats.qmc.Sobol``
makes them, but importing ``scipy.stats`` costs about 0.3 s of CPU, which a study pays in its
first model-based trial: 3 ms a trial over trials 10-100 of a 5-D study, a third of the
sampler's own cost there. This module builds the same sequence from the same Joe-Kuo direction
numbers (SciPy's data file, read with numpy; about 10 ms once) and randomises it the same way:

* the unscrambled points equal ``qmc.Sobol(dim, scramble=False).random(n)`` (Gray-code order,
  30 bits; a test checks it);
* scrambling is a linear matrix scramble (a random lower-triangular binary matrix with a unit
  diagonal per dimension, applied to the direction numbers) plus a random digital shift, as
  SciPy's ``scramble=True`` (Matousek 1998; Owen 2003). The random draws differ from SciPy's,
  so the points do too, but the construction and its guarantees (every power-of-two prefix
  is a (t, m, s)-net) are the same.

When the data file is missing (a SciPy that moved it), :func:`sobol_points` falls back to
``scipy.stats.qmc``.
"""

from __future__ import annotations

import functools
import os
import warnings
from typing import Any

import numpy as np

__all__ = ["sobol_points"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_IntArray = np.ndarray[Any, np.dtype[np.int64]]
_BITS = 30


@functools.cache
def _joe_kuo() -> tuple[_IntArray, _IntArray] | None:
    """SciPy's primitive polynomials and initial direction numbers, or None if not found."""
    import scipy

    path = os.path.join(os.path.dirname(scipy.__file__), "stats", "_sobol_direction_numbers.npz")
    try:
        with np.load(path) as data:
            return np.asarray(data["poly"], np.int64), np.asarray(data["vinit"], np.int64)
    except (OSError, KeyError, ValueError):
        return None


@functools.cache
def _directions(dim: int) -> _IntArray | None:
    """``(dim, 30)`` direction numbers scaled to 30-bit integers (SciPy's ``_initialize_v``)."""
    table = _joe_kuo()
    if table is None or dim > len(table[0]):
        return None
    poly, vinit = table
    v = np.zeros((dim, _BITS), dtype=np.int64)
    v[0, :] = 1
    for d in range(1, dim):
        p = int(poly[d])
        m = p.bit_length() - 1
        v[d, :m] = vinit[d, :m]
        for j in range(m, _BITS):
            new = int(v[d, j - m])
            for k in range(m):
                if (p >> (m - 1 - k)) & 1:
                    new ^= int(v[d, j - k - 1]) << (k + 1)
            v[d, j] = new
    v <<= np.arange(_BITS - 1, -1, -1, dtype=np.int64)
    v.setflags(write=False)
    return v


def _scramble(v: _IntArray, rng: np.random.RandomState) -> tuple[_IntArray, _IntArray]:
    """Linearly scrambled direction numbers and a digital shift, per dimension.

    Row ``k`` (from the most significant bit) of each dimension's lower-triangular matrix has a
    one at ``k`` and random bits before it; output bit ``k`` of a direction number is the
    parity of the input bits that row selects.
    """
    dim = len(v)
    weights = np.int64(1) << np.arange(_BITS - 1, -1, -1, dtype=np.int64)  # MSB first
    lower = np.tril(rng.randint(0, 2, size=(dim, _BITS, _BITS)).astype(np.int64), -1)
    lower[:, np.arange(_BITS), np.arange(_BITS)] = 1
    masks = lower @ weights  # (dim, BITS): row k's selected bits as an integer
    # parity(v[d, j] & masks[d, k]) for every d, j, k; then bit k of the result.
    both = v[:, :, None] & masks[:, None, :]
    parity = np.bitwise_count(both).astype(np.int64) & 1
    scrambled: _IntArray = parity @ weights
    shift: _IntArray = rng.randint(0, 2**_BITS, size=dim).astype(np.int64)
    return scrambled, shift


def sobol_points(
    n: int, dim: int, rng: np.random.RandomState | None, *, scramble: bool = True
) -> _Array:
    """The first ``n`` points of a ``dim``-dimensional Sobol sequence in ``[0, 1)^dim``.

    ``rng`` draws the scramble (ignored when ``scramble`` is False). ``n`` should be a power
    of two for the balance properties (as with SciPy); any ``n`` works.
    """
    v = _directions(dim)
    if v is None:
        from scipy.stats import qmc

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            seed = None if rng is None else rng.randint(2**31 - 1)
            out: _Array = qmc.Sobol(dim, scramble=scramble, seed=seed).random(n)
        return out
    shift = np.zeros(dim, dtype=np.int64)
    if scramble:
        assert rng is not None, "a scrambled sequence needs an rng"
        v, shift = _scramble(v, rng)
    # Point i is the XOR of the direction numbers of the set bits of gray(i) = i ^ (i >> 1).
    idx = np.arange(n, dtype=np.int64)
    gray = idx ^ (idx >> 1)
    ints = np.broadcast_to(shift, (n, dim)).copy()
    for bit in range(max(int(n - 1).bit_length(), 0)):
        on = ((gray >> bit) & 1).astype(bool)
        ints[on] ^= v[:, bit]
    pts: _Array = ints.astype(float) / float(2**_BITS)
    return pts
