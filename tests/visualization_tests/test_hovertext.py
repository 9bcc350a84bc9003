"""The per-trial hover text is Optuna's ``json.dumps(..., indent=2)``, written faster."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parabola.visualization._pareto_front import _indented

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
