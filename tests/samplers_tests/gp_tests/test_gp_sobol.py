"""The GP sweep's Sobol points: SciPy's sequence, scrambled, without importing scipy.stats."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import qmc

from parabola.samplers._gp import _sobol
from parabola.samplers._gp._sobol import sobol_points


@pytest.mark.parametrize("dim", [1, 2, 5, 21, 64])
def test_unscrambled_points_equal_scipys(dim: int) -> None:
    for n in (1, 2, 8, 256):
        np.testing.assert_array_equal(
            sobol_points(n, dim, None, scramble=False), qmc.Sobol(dim, scramble=False).random(n)
        )


def test_scrambled_points_are_a_net_and_follow_the_seed() -> None:
    pts = sobol_points(512, 6, np.random.RandomState(0))
    assert pts.shape == (512, 6) and pts.min() >= 0.0 and pts.max() < 1.0
    # The scramble keeps the net: 512 points fill each of 512 slices per axis once, and each
    # cell of a 16 x 32 grid of two axes once.
    for j in range(6):
        np.testing.assert_array_equal(np.sort(np.floor(pts[:, j] * 512)), np.arange(512))
    cells = np.floor(pts[:, 0] * 16) * 32 + np.floor(pts[:, 1] * 32)
    assert len(np.unique(cells)) == 512
    np.testing.assert_array_equal(pts, sobol_points(512, 6, np.random.RandomState(0)))
    assert not np.array_equal(pts, sobol_points(512, 6, np.random.RandomState(1)))
    # As uniform as SciPy's scrambled points (centred L2 discrepancy, averaged over seeds).
    ours = np.mean(
        [qmc.discrepancy(sobol_points(256, 5, np.random.RandomState(s))) for s in range(8)]
    )
    theirs = np.mean([qmc.discrepancy(qmc.Sobol(5, seed=s).random(256)) for s in range(8)])
    assert ours < 1.3 * theirs


def test_falls_back_to_scipy_without_the_direction_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sobol, "_directions", lambda dim: None)
    pts = sobol_points(64, 3, np.random.RandomState(0))
    assert pts.shape == (64, 3)
    np.testing.assert_array_equal(np.sort(np.floor(pts[:, 0] * 64)), np.arange(64))
