"""``suggest_*`` reuses one distribution object per argument set (and still warns each time)."""

from __future__ import annotations

import math
import warnings

import pytest

import parabola
from parabola.distributions import FloatDistribution, IntDistribution


def _study() -> parabola.Study:
    return parabola.create_study(
        storage=parabola.storages.InMemoryStorage(),
        sampler=parabola.samplers.RandomSampler(seed=0),
    )


def test_same_arguments_share_one_distribution() -> None:
    study = _study()
    t1, t2 = study.ask(), study.ask()
    for t in (t1, t2):
        t.suggest_float("x", 0.0, 1.0)
        t.suggest_int("n", 1, 9)
        t.suggest_categorical("c", ["a", "b"])
    for name in ("x", "n", "c"):
        assert t1.distributions[name] is t2.distributions[name]


def test_argument_types_are_not_confused() -> None:
    study = _study()
    t = study.ask()
    t.suggest_float("x", 0, 1)
    with pytest.raises(TypeError):
        study.ask().suggest_float("x", False, True)  # equal to 0 and 1 in a dict key
    t.suggest_categorical("c", [1, 2])
    t.suggest_categorical("d", [True, 2])  # equal to [1, 2] in a dict key
    assert t.distributions["d"] != t.distributions["c"]
    assert t.distributions["d"].choices[0] is True


def test_signed_zero_bounds_are_kept_as_given() -> None:
    # 0.0 == -0.0 in a dict key: each trial still gets the bounds it asked for.
    study = _study()
    neg, pos = study.ask(), study.ask()
    neg.suggest_float("x", -0.0, 1.0)
    pos.suggest_float("x", 0.0, 1.0)
    assert math.copysign(1.0, neg.distributions["x"].low) == -1.0
    assert math.copysign(1.0, pos.distributions["x"].low) == 1.0


def test_warnings_are_raised_on_every_call() -> None:
    study = _study()
    for _ in range(2):
        with pytest.warns(UserWarning, match="not divisible"):
            study.ask().suggest_int("n", 0, 10, step=3)
        with pytest.warns(UserWarning, match="not divisible"):
            study.ask().suggest_float("y", 0.0, 1.0, step=0.3)


def test_cached_distributions_equal_fresh_ones() -> None:
    study = _study()
    t = study.ask()
    t.suggest_float("x", 1e-3, 1.0, log=True)
    t.suggest_int("n", 1, 64, log=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert t.distributions["x"] == FloatDistribution(1e-3, 1.0, log=True)
        assert t.distributions["n"] == IntDistribution(1, 64, log=True)


@pytest.mark.parametrize(
    ("low", "high", "named"),
    [("a", 1.0, "low"), (0.0, "b", "high"), (None, 1.0, "low"), (0.0, [1.0], "high")],
)
def test_a_bound_that_is_not_a_number_is_named(low: object, high: object, named: str) -> None:
    # The cache key's sign check used to fail first, with "must be real number, not str",
    # which names neither the parameter nor the argument.
    trial = _study().ask()
    message = rf"suggest_float\('x', \.\.\.\): .*{named} must be a number"
    with pytest.raises(TypeError, match=message):
        trial.suggest_float("x", low, high)  # type: ignore[arg-type]
    assert "x" not in trial.distributions
