"""Optuna's per-trial hover text (``json.dumps(doc, indent=2)`` with ``<br>`` line breaks),
written fast: at 1,000 trials it was most of the Pareto front's and the timeline's build.

``json.dumps(..., indent=2)`` runs Python's pure-Python encoder, ~20 us a trial. The trials
of a plot are encoded together (:func:`hovertexts`): every number of every plain trial in one
call of the C encoder, each trial's text then put together with a format string made once per
layout of trial (number of values, parameter names). Whatever that path does not take (user
attributes, values that are not plain numbers or strings) goes through :func:`hovertext`,
and ``tests/visualization_tests/test_hovertext.py`` compares both with ``json.dumps``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from typing import Any

from parabola.trial import FrozenTrial
from parabola.visualization._utils import json_value

__all__ = ["hovertext", "hovertexts"]


def hovertexts(trials: Sequence[FrozenTrial]) -> list[str]:
    """:func:`hovertext` of each trial, the plain ones encoded together."""
    out: list[str | None] = [None] * len(trials)
    rows: list[list[Any]] = []
    batch: list[tuple[int, str, int]] = []  # (index, format, scalars in the format)
    formats: dict[tuple[Any, ...], tuple[str, int] | None] = {}
    for i, t in enumerate(trials):
        values, params = t.values, t.params
        if t.user_attrs or not values:
            continue
        layout = (len(values), *params)
        if layout not in formats:
            formats[layout] = _format(len(values), list(params))
        fmt = formats[layout]
        if fmt is not None:
            rows.append([t.number, *values, *params.values()])
            batch.append((i, fmt[0], fmt[1]))
    if rows and _PLAIN.issuperset(map(type, itertools.chain.from_iterable(rows))):
        # One C-encoder call for every number (and string) of the batch: the JSON text of
        # each scalar, as the indented encoder writes it. The split is checked: a string
        # holding "], [" or ", " gives counts that do not match, and that trial (or, for
        # "], [", the batch) takes the one-trial path.
        encoded = json.dumps(rows)[2:-2].split("], [")
        if len(encoded) == len(rows):
            for (i, template, n), text in zip(batch, encoded, strict=True):
                pieces = text.split(", ")
                if len(pieces) == n:
                    out[i] = template % tuple(pieces)
    return [text if text is not None else hovertext(t) for text, t in zip(out, trials, strict=True)]


# Exact types the batch encodes (bool and None too: json writes true/false/null). Anything
# else, a float subclass included, is written by the one-trial path.
_PLAIN = frozenset({int, float, str, bool, type(None)})


def _format(n_values: int, names: list[Any]) -> tuple[str, int] | None:
    """The hover text of a plain trial with ``%s`` for each encoded scalar, and their count;
    None for non-string parameter names (json writes them as strings: the one-trial path)."""
    if not all(type(k) is str for k in names):
        return None
    values = ",<br>    ".join(["%s"] * n_values)
    if names:
        keys = ",".join(
            f"<br>    {json.encoder.encode_basestring_ascii(k).replace('%', '%%')}: %s"
            for k in names
        )
        params = "{" + keys + "<br>  }"
    else:
        params = "{}"
    text = '{<br>  "number": %s,<br>  "values": [<br>    ' + values + '<br>  ],<br>  "params": '
    return text + params + "<br>}", 1 + n_values + len(names)


def hovertext(trial: FrozenTrial) -> str:
    """Optuna's hover text: the trial's number, values, params and user attributes as JSON
    (``json.dumps(doc, indent=2)`` with ``<br>`` line breaks)."""
    if not trial.user_attrs:
        # The common document (no user attributes), assembled from pre-encoded pieces: the
        # general path's per-entry work was most of a 1,000-trial Pareto plot's build.
        try:
            return _plain_hovertext(trial.number, trial.values, trial.params)
        except KeyError:  # a value of a type the fast encoder does not take
            pass
    attrs = {k: json_value(v) for k, v in trial.user_attrs.items()}
    doc = {
        "number": trial.number,
        "values": trial.values,
        "params": trial.params,
        **({"user_attrs": attrs} if attrs else {}),
    }
    return _indented(doc, "<br>")


# The encoded '<br>    "name": ' of each parameter, by the tuple of a trial's parameter names
# (one or a few tuples per study; the cache is emptied if a caller makes it large).
_PARAM_PREFIXES: dict[tuple[str, ...], list[str]] = {}


def _plain_hovertext(number: Any, values: Any, params: dict[str, Any]) -> str:
    """The hover text of a trial without user attributes; KeyError where a value is not of an
    exact built-in scalar type (then the general path writes it)."""
    if type(values) is list and values:
        values_text = "[<br>    " + ",<br>    ".join(map(_exact_json, values)) + "<br>  ]"
    elif values is None:
        values_text = "null"
    else:
        raise KeyError(values)
    if params:
        names = tuple(params)
        prefixes = _PARAM_PREFIXES.get(names)
        if prefixes is None:
            if len(_PARAM_PREFIXES) > 1000:
                _PARAM_PREFIXES.clear()
            prefixes = _PARAM_PREFIXES[names] = [f"<br>    {_key_json(k)}: " for k in names]
        body = ",".join(
            [p + _exact_json(v) for p, v in zip(prefixes, params.values(), strict=True)]
        )
        params_text = "{" + body + "<br>  }"
    else:
        params_text = "{}"
    return (
        '{<br>  "number": '
        + _exact_json(number)
        + ',<br>  "values": '
        + values_text
        + ',<br>  "params": '
        + params_text
        + "<br>}"
    )


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


_SPECIAL_FLOATS = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _float_json(v: float) -> str:
    r = float.__repr__(v)
    return _SPECIAL_FLOATS.get(r, r)


# json's encoding of each exact scalar type, found with one dict look-up (subclasses such as
# numpy's float64 or an IntEnum take _scalar_json's slower isinstance path).
_ENCODE: dict[type, Callable[[Any], str]] = {
    str: json.encoder.encode_basestring_ascii,  # a C function
    int: int.__repr__,
    float: _float_json,
    bool: lambda v: "true" if v else "false",
    type(None): lambda v: "null",
}


def _exact_json(v: Any) -> str:
    """json's text for a scalar of an exact built-in type; KeyError for anything else."""
    return _ENCODE[type(v)](v)


def _key_json(k: Any) -> str:
    if type(k) is not str:  # json converts other keys to strings first: the general path
        raise KeyError(k)
    return json.encoder.encode_basestring_ascii(k)


def _scalar_json(v: Any) -> str:
    """``json.dumps(v)`` for a scalar, without the encoder's per-call set-up (a 1,000-trial
    timeline spent half its build time in 15,000 ``json.dumps`` calls): the same rules as
    ``json``'s encoder, so ``test_hovertext.py`` compares the two on random documents."""
    enc = _ENCODE.get(type(v))
    if enc is not None:
        return enc(v)
    if isinstance(v, str):
        return json.encoder.encode_basestring_ascii(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return _float_json(v)
    return int.__repr__(v)


def _indented(doc: dict[str, Any], newline: str = "\n") -> str:
    """``json.dumps(doc, indent=2)`` with ``newline`` for its line breaks, written out for the
    flat case (lists and dicts of scalars) with the fast compact encoder: ``indent`` forces
    Python's pure-Python encoder, which made hover text the bulk of a 1,000-trial Pareto
    plot's cost. JSON text has no line breaks of its own (strings escape them), so a
    ``newline`` of ``"<br>"`` gives what Optuna's ``.replace("\\n", "<br>")`` gives."""
    item = "," + newline + "    "
    parts = []
    for key, value in doc.items():
        t = type(value)
        try:
            # Exact built-in types through one look-up each; anything else raises KeyError
            # and takes the general path below.
            if t is list and value:
                text = f"[{newline}    {item.join(map(_exact_json, value))}{newline}  ]"
            elif t is dict and value:
                body = item.join([f"{_key_json(k)}: {_exact_json(v)}" for k, v in value.items()])
                text = f"{{{newline}    {body}{newline}  }}"
            else:
                text = _exact_json(value)
        except KeyError:
            text = _general_json(value, newline)
        parts.append(f"  {_scalar_json(key)}: {text}")
    return "{" + newline + ("," + newline).join(parts) + newline + "}"


def _general_json(value: Any, newline: str) -> str:
    """One entry of :func:`_indented` whose value is not a flat list or dict of exact scalars."""
    if _scalar(value):
        return _scalar_json(value)
    if isinstance(value, list) and value and all(_scalar(v) for v in value):
        body = ("," + newline).join(f"    {_scalar_json(v)}" for v in value)
        return f"[{newline}{body}{newline}  ]"
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(k, str) and _scalar(v) for k, v in value.items())
    ):
        body = ("," + newline).join(
            f"    {_scalar_json(k)}: {_scalar_json(v)}" for k, v in value.items()
        )
        return f"{{{newline}{body}{newline}  }}"
    return json.dumps(value, indent=2).replace("\n", newline + "  ")
