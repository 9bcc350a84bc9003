"""Property tests of parabola.distributions: round-trips, the unit-interval encoding, validation."""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parabola.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    DiscreteUniformDistribution,
    FloatDistribution,
    IntDistribution,
    IntLogUniformDistribution,
    IntUniformDistribution,
    LogUniformDistribution,
    UniformDistribution,
    check_distribution_compatibility,
    distribution_to_json,
    from_unit,
    json_to_distribution,
    to_unit,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _quiet(factory: Any, *args: Any, **kwargs: Any) -> Any:
    """Build a distribution, ignoring the 'high moved onto the step grid' warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return factory(*args, **kwargs)


# Strategies ----------------------------------------------------------------------------------
# Magnitudes stay within what a float step grid can represent exactly enough for _contains'
# absolute tolerance of 1e-8 grid steps (as in Optuna): at most ~1e6 steps per range.
_finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)
_width = st.floats(min_value=0.0, max_value=1e4, allow_nan=False, allow_infinity=False)


@st.composite
def float_dists(draw: st.DrawFn) -> FloatDistribution:
    kind = draw(st.sampled_from(["plain", "log", "step"]))
    if kind == "log":
        low = draw(st.floats(min_value=1e-6, max_value=1e3))
        high = low * draw(st.floats(min_value=1.0, max_value=1e4))
        return FloatDistribution(low, high, log=True)
    low = draw(_finite)
    high = low + draw(_width)
    if kind == "plain":
        return FloatDistribution(low, high)
    step = draw(st.sampled_from([0.001, 0.01, 0.1, 0.25, 0.5, 1.0, 3.0, 7.5]))
    high = min(high, low + step * 1e5)
    return _quiet(FloatDistribution, low, high, step=step)


@st.composite
def int_dists(draw: st.DrawFn) -> IntDistribution:
    if draw(st.booleans()):
        low = draw(st.integers(min_value=1, max_value=10**6))
        return IntDistribution(low, low + draw(st.integers(0, 10**6)), log=True)
    low = draw(st.integers(min_value=-(10**6), max_value=10**6))
    step = draw(st.integers(min_value=1, max_value=50))
    return _quiet(IntDistribution, low, low + draw(st.integers(0, 10**6)), step=step)


_choice = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-100, 100),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=5),
)
categorical_dists = st.lists(_choice, min_size=1, max_size=8).map(CategoricalDistribution)
any_dist = st.one_of(float_dists(), int_dists(), categorical_dists)
unit = st.floats(min_value=0.0, max_value=1.0)


def _n_grid_points(dist: FloatDistribution | IntDistribution) -> int:
    assert dist.step is not None
    return round((dist.high - dist.low) / dist.step) + 1


# JSON and internal/external representations ----------------------------------------------------
@SETTINGS
@given(any_dist)
def test_json_round_trip(dist: BaseDistribution) -> None:
    text = distribution_to_json(dist)
    assert json.loads(text)["name"] == type(dist).__name__
    back = json_to_distribution(text)
    assert back == dist
    assert hash(back) == hash(dist)
    assert distribution_to_json(back) == text


@SETTINGS
@given(any_dist, unit)
def test_internal_external_round_trip(dist: BaseDistribution, u: float) -> None:
    internal = from_unit(dist, u)
    external = dist.to_external_repr(internal)
    again = dist.to_internal_repr(external)
    # Duplicate choices share the first index; the value (and its type) is what must survive.
    assert dist.to_external_repr(again) == external or external != external  # NaN != NaN
    if not isinstance(dist, CategoricalDistribution) or len(set(map(repr, dist.choices))) == len(
        dist.choices
    ):
        assert again == internal
    if isinstance(dist, IntDistribution):
        assert type(external) is int
    elif isinstance(dist, FloatDistribution):
        assert type(external) is float
    else:
        assert isinstance(dist, CategoricalDistribution)
        assert any(type(c) is type(external) and c == external for c in dist.choices)


@SETTINGS
@given(categorical_dists)
def test_each_choice_maps_to_an_equal_choice_of_the_same_type(
    dist: CategoricalDistribution,
) -> None:
    for choice in dist.choices:
        back = dist.to_external_repr(dist.to_internal_repr(choice))
        assert type(back) is type(choice) and back == choice


def test_true_and_one_are_distinct_choices() -> None:
    dist = CategoricalDistribution([None, True, 1, 1.0, "1"])
    assert [dist.to_internal_repr(c) for c in dist.choices] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_nan_choice_round_trips() -> None:
    dist = CategoricalDistribution(["a", float("nan")])
    assert dist.to_internal_repr(float("nan")) == 1.0
    assert math.isnan(dist.to_external_repr(1.0))
    assert json_to_distribution(distribution_to_json(dist)) == dist


# Unit-interval encoding ----------------------------------------------------------------------
@SETTINGS
@given(any_dist, unit)
def test_from_unit_gives_a_valid_internal_value(dist: BaseDistribution, u: float) -> None:
    internal = from_unit(dist, u)
    assert isinstance(internal, float)
    assert dist._contains(internal), f"{internal} not in {dist}"
    assert 0.0 <= to_unit(dist, internal) <= 1.0


@SETTINGS
@given(any_dist, unit)
def test_to_unit_inverts_from_unit(dist: BaseDistribution, u: float) -> None:
    internal = from_unit(dist, u)
    again = from_unit(dist, to_unit(dist, internal))
    if isinstance(dist, FloatDistribution) and dist.step is None:
        assert again == pytest.approx(internal, rel=1e-9, abs=1e-9)
    else:
        assert again == internal  # discrete values come back exactly


@SETTINGS
@given(st.one_of(float_dists(), int_dists()), unit, unit)
def test_from_unit_is_monotonic_and_hits_the_bounds(
    dist: FloatDistribution | IntDistribution, u1: float, u2: float
) -> None:
    lo, hi = sorted((u1, u2))
    assert from_unit(dist, lo) <= from_unit(dist, hi)
    assert from_unit(dist, 0.0) == pytest.approx(dist.low, rel=1e-12)
    assert from_unit(dist, 1.0) == pytest.approx(dist.high, rel=1e-12)


@SETTINGS
@given(any_dist, st.floats(min_value=-5.0, max_value=5.0))
def test_from_unit_clips_outside_the_interval(dist: BaseDistribution, u: float) -> None:
    assert from_unit(dist, u) == from_unit(dist, min(max(u, 0.0), 1.0))


@SETTINGS
@given(any_dist, st.lists(unit, min_size=1, max_size=6))
def test_arrays_map_elementwise(dist: BaseDistribution, us: list[float]) -> None:
    internals = from_unit(dist, np.array(us))
    assert isinstance(internals, np.ndarray)
    assert list(internals) == [from_unit(dist, u) for u in us]
    np.testing.assert_allclose(
        to_unit(dist, internals), [to_unit(dist, x) for x in internals], rtol=0, atol=0
    )


@SETTINGS
@given(st.one_of(int_dists(), categorical_dists))
def test_discrete_values_own_equal_slices(dist: IntDistribution | CategoricalDistribution) -> None:
    if isinstance(dist, CategoricalDistribution):
        values = [float(i) for i in range(len(dist.choices))]
    elif dist.log:
        values = [float(v) for v in range(dist.low, min(dist.high, dist.low + 50) + 1)]
    else:
        n = min(_n_grid_points(dist), 50)
        values = [float(dist.low + i * dist.step) for i in range(n)]
        # Centre of each value's slice of [0, 1] maps back to it.
        assert from_unit(dist, (np.arange(n) + 0.5) / _n_grid_points(dist)).tolist() == values
    for v in values:
        assert from_unit(dist, to_unit(dist, v)) == v


def test_single_value_maps_to_the_middle() -> None:
    for dist in (
        FloatDistribution(2.0, 2.0),
        IntDistribution(3, 3),
        CategoricalDistribution(["only"]),
    ):
        internal = from_unit(dist, 0.9)
        assert dist.single()
        assert to_unit(dist, internal) == 0.5


# Step grid ----------------------------------------------------------------------------------
@SETTINGS
@given(float_dists(), unit)
def test_step_grid_snapping_is_to_the_nearest_point(dist: FloatDistribution, u: float) -> None:
    if dist.step is None:
        return
    raw = dist.low + u * (dist.high - dist.low)  # an arbitrary value in range
    snapped = from_unit(dist, to_unit(dist, raw))
    k = (snapped - dist.low) / dist.step
    assert abs(k - round(k)) < 1e-6
    assert abs(snapped - raw) <= dist.step / 2 + 1e-9 * max(1.0, abs(raw))


@SETTINGS
@given(
    st.floats(min_value=-100, max_value=100),
    st.floats(min_value=0, max_value=100),
    st.sampled_from([0.1, 0.2, 0.3, 0.7, 1.5]),
)
def test_high_is_moved_down_onto_the_grid(low: float, width: float, step: float) -> None:
    dist = _quiet(FloatDistribution, low, low + width, step=step)
    assert dist.low <= dist.high <= low + width + 1e-9
    assert low + width - dist.high < step + 1e-9
    assert dist._contains(dist.high)
    # The adjusted distribution is stable: building it again changes nothing and does not warn.
    assert FloatDistribution(dist.low, dist.high, step=step) == dist


def test_off_grid_high_warns() -> None:
    with pytest.warns(UserWarning, match=r"replaced by \[0, 9\]"):
        dist = IntDistribution(0, 10, step=3)
    assert dist.high == 9
    with pytest.warns(UserWarning, match="not divisible"):
        assert FloatDistribution(0.0, 1.0, step=0.3).high == pytest.approx(0.9)


@SETTINGS
@given(st.one_of(float_dists(), int_dists()))
def test_single_means_exactly_one_value(dist: FloatDistribution | IntDistribution) -> None:
    if dist.step is None or (isinstance(dist, IntDistribution) and dist.log):
        assert dist.single() == (dist.low == dist.high)
    else:
        assert dist.single() == (_n_grid_points(dist) == 1)


# Compatibility --------------------------------------------------------------------------------
@SETTINGS
@given(any_dist, any_dist)
def test_compatibility_is_about_kind_log_and_choices(
    a: BaseDistribution, b: BaseDistribution
) -> None:
    def compatible() -> bool:
        if isinstance(a, CategoricalDistribution) or isinstance(b, CategoricalDistribution):
            return a == b
        if type(a) is not type(b):
            return False
        return a.log == b.log  # type: ignore[attr-defined, no-any-return]

    if compatible():
        check_distribution_compatibility(a, b)
    else:
        with pytest.raises(ValueError, match=r"Cannot set different|does not support dynamic"):
            check_distribution_compatibility(a, b)


def test_ranges_may_change_between_trials() -> None:
    check_distribution_compatibility(FloatDistribution(0, 1), FloatDistribution(-5, 5, step=0.5))
    check_distribution_compatibility(IntDistribution(0, 1), IntDistribution(0, 100, step=10))
    with pytest.raises(ValueError, match="log"):
        check_distribution_compatibility(IntDistribution(1, 9), IntDistribution(1, 9, log=True))
    with pytest.raises(ValueError, match="kind"):
        check_distribution_compatibility(IntDistribution(0, 1), FloatDistribution(0, 1))
    with pytest.raises(ValueError, match=r"\['a', 'b'\] vs \['a'\]"):
        check_distribution_compatibility(
            CategoricalDistribution(["a", "b"]), CategoricalDistribution(["a"])
        )


# Deprecated aliases --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("factory", "args", "modern", "replacement"),
    [
        (UniformDistribution, (0.0, 1.0), FloatDistribution(0.0, 1.0), "FloatDistribution"),
        (
            LogUniformDistribution,
            (1e-3, 1.0),
            FloatDistribution(1e-3, 1.0, log=True),
            r"FloatDistribution\(log=True\)",
        ),
        (
            DiscreteUniformDistribution,
            (0.0, 1.0, 0.25),
            FloatDistribution(0.0, 1.0, step=0.25),
            r"FloatDistribution\(step=\.\.\.\)",
        ),
        (IntUniformDistribution, (0, 10, 2), IntDistribution(0, 10, step=2), "IntDistribution"),
        (
            IntLogUniformDistribution,
            (1, 100),
            IntDistribution(1, 100, log=True),
            r"IntDistribution\(log=True\)",
        ),
    ],
)
def test_deprecated_aliases_warn_and_build_the_modern_class(
    factory: Any, args: tuple[Any, ...], modern: BaseDistribution, replacement: str
) -> None:
    with pytest.warns(
        FutureWarning, match=rf"{factory.__name__} has been deprecated.*{replacement}"
    ):
        old = factory(*args)
    assert isinstance(old, type(modern))
    assert {k: getattr(old, k) for k in vars(modern)} == vars(modern)
    check_distribution_compatibility(old, modern)
    check_distribution_compatibility(modern, old)
    # Their JSON keeps Optuna's old name and comes back as the modern class, without warning.
    text = distribution_to_json(old)
    assert json.loads(text)["name"] == factory.__name__
    assert json_to_distribution(text) == modern
    assert from_unit(old, 0.5) == from_unit(modern, 0.5)


def test_discrete_uniform_keeps_q() -> None:
    with pytest.warns(FutureWarning):
        assert DiscreteUniformDistribution(0.0, 1.0, q=0.5).q == 0.5


# Validation errors name the bad argument -----------------------------------------------------
@pytest.mark.parametrize(
    ("factory", "kwargs", "error", "match"),
    [
        (FloatDistribution, {"low": 1.0, "high": 0.0}, ValueError, "low must be <= high"),
        (FloatDistribution, {"low": 0.0, "high": 1.0, "log": True}, ValueError, "low must be > 0"),
        (FloatDistribution, {"low": 0.0, "high": 1.0, "step": 0.0}, ValueError, "step must be > 0"),
        (
            FloatDistribution,
            {"low": 1.0, "high": 2.0, "log": True, "step": 0.5},
            ValueError,
            "step and log cannot be used together",
        ),
        (FloatDistribution, {"low": float("nan"), "high": 1.0}, ValueError, "low must not be NaN"),
        (FloatDistribution, {"low": 0.0, "high": "1"}, TypeError, "high must be a number"),
        (FloatDistribution, {"low": True, "high": 1.0}, TypeError, "low must be a number"),
        (IntDistribution, {"low": 5, "high": 1}, ValueError, "low must be <= high"),
        (IntDistribution, {"low": 0, "high": 5, "log": True}, ValueError, "low must be >= 1"),
        (IntDistribution, {"low": 0, "high": 5, "step": 0}, ValueError, "step must be > 0"),
        (
            IntDistribution,
            {"low": 1, "high": 5, "log": True, "step": 2},
            ValueError,
            "step must be 1 when log=True",
        ),
        (IntDistribution, {"low": 0, "high": None}, TypeError, "high must be a number"),
        (CategoricalDistribution, {"choices": []}, ValueError, "choices must contain one"),
        (CategoricalDistribution, {"choices": "abc"}, TypeError, "choices must be a sequence"),
        (CategoricalDistribution, {"choices": {1, 2}}, TypeError, "choices must be a sequence"),
    ],
)
def test_validation_errors_name_the_argument(
    factory: Any, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=rf"{factory.__name__}: {match}"):
        factory(**kwargs)


def test_unstorable_choice_warns() -> None:
    with pytest.warns(UserWarning, match="choices must be None, bool, int, float or str"):
        CategoricalDistribution([object()])


@pytest.mark.parametrize(
    ("dist", "value"),
    [
        (FloatDistribution(0, 1), "abc"),
        (FloatDistribution(0, 1), float("nan")),
        (FloatDistribution(1, 2, log=True), -1.0),
        (IntDistribution(0, 1), None),
        (CategoricalDistribution(["a"]), "b"),
    ],
)
def test_bad_external_values_are_value_errors(dist: BaseDistribution, value: Any) -> None:
    with pytest.raises(ValueError, match=r"not|NaN"):
        dist.to_internal_repr(value)


@pytest.mark.parametrize(
    "text",
    ["not json", "{}", '{"name": "FloatDistribution"}', '{"name": "Nope", "attributes": {}}'],
)
def test_bad_json_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="distribution"):
        json_to_distribution(text)
