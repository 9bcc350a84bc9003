"""``UnitCodec`` gives exactly what the scalar ``to_unit`` / ``from_unit`` give."""

from __future__ import annotations

import numpy as np
import pytest

from parabola.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    from_unit,
    to_unit,
)
from parabola.samplers._unit_codec import UnitCodec

SPACE = {
    "a": FloatDistribution(-5, 5),
    "b": FloatDistribution(1e-3, 10, log=True),
    "c": IntDistribution(0, 10),
    "d": IntDistribution(1, 1000, log=True),
    "e": FloatDistribution(0, 1, step=0.1),
    "f": IntDistribution(0, 18, step=3),
    "g": FloatDistribution(2, 2),
    "h": IntDistribution(3, 3),
}


def test_decode_and_encode_match_the_scalar_functions() -> None:
    codec = UnitCodec(SPACE)
    rng = np.random.RandomState(0)
    for _ in range(500):
        u = rng.uniform(-0.2, 1.2, len(SPACE))  # outside the cube too: clipped
        got = codec.decode(u)
        want = {
            n: d.to_external_repr(from_unit(d, float(x)))
            for (n, d), x in zip(SPACE.items(), u, strict=True)
        }
        assert got == want
        assert [type(v) for v in got.values()] == [type(v) for v in want.values()]
        enc = codec.encode([want])[0]
        ref = [to_unit(d, d.to_internal_repr(want[n])) for n, d in SPACE.items()]
        assert np.array_equal(enc, np.array(ref))


def test_categorical_is_refused() -> None:
    with pytest.raises(TypeError, match="not numeric"):
        UnitCodec({"c": CategoricalDistribution(["a"])})


def test_plain_float_fast_path_matches_from_unit() -> None:
    space = {f"x{i}": FloatDistribution(-5.0, 5.0 + i) for i in range(5)}
    codec = UnitCodec(space)
    u = np.random.RandomState(1).uniform(-0.2, 1.2, len(space))
    want = {n: from_unit(d, float(x)) for (n, d), x in zip(space.items(), u, strict=True)}
    assert codec.decode(u) == want
