"""The per-trial hover text is Optuna's ``json.dumps(..., indent=2)``, written faster."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parabola
from parabola.visualization._hovertext import _indented, hovertext, hovertexts

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
nested = st.recursive(
    scalars,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c, max_size=3),
    max_leaves=6,
)


@pytest.mark.parametrize(
    "doc",
    [
        {"number": 1, "values": [0.1, 2.0], "params": {"x": 0.5, "c": "a", "n": None}},
        {"number": 2, "values": None, "params": {}},
        {
            "number": 3,
            "values": [],
            "params": {"x": float("nan")},
            "user_attrs": {"a": [1, {"b": 2}]},
        },
    ],
)
def test_known_documents(doc: dict[str, Any]) -> None:
    assert _indented(doc) == json.dumps(doc, indent=2)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(),
    st.none() | st.lists(st.floats(), max_size=3),
    st.dictionaries(st.text(max_size=4), scalars, max_size=4),
    st.dictionaries(st.text(max_size=4), nested, max_size=3),
)
def test_same_text_as_json_dumps(number: int, values: Any, params: Any, attrs: Any) -> None:
    doc = {
        "number": number,
        "values": values,
        "params": params,
        **({"user_attrs": attrs} if attrs else {}),
    }
    assert _indented(doc) == json.dumps(doc, indent=2)


def _trial(number: int, values: Any, params: Any, attrs: Any) -> parabola.trial.FrozenTrial:
    t = parabola.trial.create_trial(value=0.0)
    t.number, t.values, t.params, t.user_attrs = number, values, params, attrs
    return t


def _optuna_text(t: parabola.trial.FrozenTrial) -> str:
    doc = {
        "number": t.number,
        "values": t.values,
        "params": t.params,
        **({"user_attrs": t.user_attrs} if t.user_attrs else {}),
    }
    return json.dumps(doc, indent=2).replace("\n", "<br>")


@settings(max_examples=200, deadline=None)
@given(
    st.integers(),
    st.none() | st.lists(st.floats() | st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), scalars | st.lists(scalars, max_size=2), max_size=4),
    st.dictionaries(st.text(max_size=4), scalars, max_size=2),
)
def test_hovertext_is_optunas(number: int, values: Any, params: Any, attrs: Any) -> None:
    # The no-user-attributes fast path and the general one, against Optuna's json.dumps.
    t = _trial(number, values, params, attrs)
    assert hovertext(t) == _optuna_text(t)


@pytest.mark.parametrize(
    "params",
    [
        {"x": np.float64(0.5), "c": "a"},  # a float subclass: the general path
        {1: 2.0},  # a non-string key: json writes "1"
        {"s": "line\nbreak", "t": "<b>"},  # escaped, never a real line break
    ],
)
def test_hovertext_of_unusual_params(params: dict[Any, Any]) -> None:
    t = _trial(3, [1.0, float("inf")], params, {})
    assert hovertext(t) == _optuna_text(t)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.none() | st.lists(st.floats() | st.integers() | st.booleans(), max_size=3),
            st.dictionaries(
                st.sampled_from(["x", "y", "%s", 'q"', "é"]),
                scalars | st.sampled_from(["a, b", "], [", "%s", "%", "\x00"]),
                max_size=3,
            ),
            st.dictionaries(st.text(max_size=2), scalars, max_size=1),
        ),
        max_size=6,
    )
)
def test_hovertexts_of_a_batch(docs: list[Any]) -> None:
    # The batch encoder's split and formats, with the strings that could break them.
    trials = [_trial(i, v, p, a) for i, (v, p, a) in enumerate(docs)]
    assert hovertexts(trials) == [_optuna_text(t) for t in trials]


def test_hovertexts_with_a_separator_in_a_string() -> None:
    trials = [_trial(i, [float(i)], {"c": s}, {}) for i, s in enumerate(["a", "], [", "b, c"])]
    assert hovertexts(trials) == [_optuna_text(t) for t in trials]
    assert hovertexts([]) == []


def test_hovertexts_with_the_values_handed_over() -> None:
    # The Pareto plot hands over the values it has read; one layout (the column-wise fast
    # path), then two layouts and a trial with user attributes (the grouped path).
    one = [_trial(i, [i / 3, -i / 7], {"x": i * 0.1, "k": "a"}, {}) for i in range(50)]
    assert hovertexts(one, [t.values for t in one]) == [_optuna_text(t) for t in one]
    mixed = [*one, _trial(50, [1.0], {"y": 2}, {}), _trial(51, [2.0, 3.0], {}, {"u": 1})]
    assert hovertexts(mixed, [t.values for t in mixed]) == [_optuna_text(t) for t in mixed]
    assert hovertexts(mixed) == [_optuna_text(t) for t in mixed]


@pytest.mark.parametrize(
    "odd", [float("nan"), float("inf"), -float("inf"), -0.0, 1e300, 1.7e308, 5e-324]
)
def test_a_float_column_with_special_values(odd: float) -> None:
    # Float columns are written by repr unless one holds NaN or an infinity (JSON spells
    # those NaN, Infinity, -Infinity; 1.7e308 four times overflows the sum that detects them):
    # both must give json.dumps's text.
    trials = [_trial(i, [i / 3, odd if i == 2 else 0.5], {"x": odd}, {}) for i in range(4)]
    assert hovertexts(trials) == [_optuna_text(t) for t in trials]


def test_int_bool_and_mixed_columns() -> None:
    # Exact ints are written by %d inside the format and exact floats by %r; a column of
    # bools (an int subclass: json writes true/false), of ints and floats mixed, or of huge
    # and negative ints must still give json.dumps's text.
    trials = [
        _trial(
            10**20 * i - 7,
            [i, i / 4],
            {"b": i % 2 == 0, "m": [1, 2.5, -3][i % 3], "i": -(2**70) + i, "%d": 0.5},
            {},
        )
        for i in range(6)
    ]
    assert hovertexts(trials) == [_optuna_text(t) for t in trials]
