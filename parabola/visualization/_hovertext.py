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

import json
import math
from collections.abc import Callable, Sequence
from operator import attrgetter, itemgetter
from typing import Any

from parabola.trial import FrozenTrial
from parabola.visualization._utils import json_value

__all__ = ["hovertext", "hovertexts"]


def hovertexts(
    trials: Sequence[FrozenTrial], values: Sequence[list[float] | None] | None = None
) -> list[str]:
    """:func:`hovertext` of each trial, the plain ones encoded together.

    ``values``, if given, are the trials' ``values`` already read by the caller (each read
    copies the list)."""
    if not trials:
        return []
    if values is None:
        values = [t.values for t in trials]
    params = list(map(_PARAMS, trials))
    # The common case, found by C loops: every trial plain (values, no user attributes) and of
    # one layout (number of values, parameter names in order), written column by column.
    plain = all(values) and not any(map(_USER_ATTRS, trials))
    if plain:
        lengths = set(map(len, values))  # type: ignore[arg-type]  # no None: all(values)
        layouts = set(map(tuple, params))
        if len(lengths) == 1 and len(layouts) == 1:
            names = layouts.pop()
            pieces = _format(lengths.pop(), list(names))
            if pieces is not None:
                texts = _group_texts(trials, values, params, names, pieces)
                if None not in texts:
                    return texts  # type: ignore[return-value]  # no None: every text written
    # Otherwise by layout (one or a few groups per study); a trial with user attributes or
    # without values takes the one-trial path.
    groups: dict[Any, list[int]] = {}
    for i, t in enumerate(trials):
        v = values[i]
        if v and not t.user_attrs:
            groups.setdefault((len(v), tuple(params[i])), []).append(i)
    out: list[str | None] = [None] * len(trials)
    for (n_values, names), indices in groups.items():
        pieces = _format(n_values, list(names))
        if pieces is None:
            continue
        texts = _group_texts(
            [trials[i] for i in indices],
            [values[i] for i in indices],
            [params[i] for i in indices],
            names,
            pieces,
        )
        for i, text in zip(indices, texts, strict=True):
            out[i] = text
    return [text if text is not None else hovertext(t) for text, t in zip(out, trials, strict=True)]


_NUMBER = attrgetter("number")
_PARAMS = attrgetter("params")
_USER_ATTRS = attrgetter("user_attrs")


def _group_texts(
    trials: Sequence[FrozenTrial],
    values: Sequence[Any],
    params: Sequence[dict[str, Any]],
    names: Sequence[str],
    pieces: list[str],
) -> list[str | None]:
    """The hover texts of trials of one layout, or None for each where the batch does not
    apply (then :func:`hovertext` writes them one by one).

    ``pieces`` are the text around the scalars (:func:`_format`). Each column (the numbers,
    each value, each parameter) gets one conversion: exact ints by ``%d`` and finite exact
    floats by ``%r`` inside the format (their repr is their JSON text, and most of the
    cost), anything else encoded by one call of the C encoder and split back into its
    scalars' JSON text, put in by ``%s``. The texts are then the format applied to each row
    by ``map``: no Python-level work per trial."""
    columns: list[Sequence[Any]] = [list(map(_NUMBER, trials))]
    columns += [list(map(itemgetter(k), values)) for k in range(len(values[0]))]
    columns += [list(map(itemgetter(k), params)) for k in names]
    codes = []
    for i, column in enumerate(columns):
        types = set(map(type, column))
        if types == _FLOAT and math.isfinite(sum(column)):
            # NaN and the infinities make the sum non-finite (so does an overflow): then the
            # encoder below writes the column (JSON spells them NaN, Infinity, -Infinity).
            codes.append("%r")
            continue
        if types == _INT:
            codes.append("%d")
            continue
        # Only exact types, which the compact encoder writes as the indented one does; the
        # split is checked: a string holding ", " gives a count that does not match.
        if not _PLAIN.issuperset(types):
            return [None] * len(trials)
        encoded = json.dumps(column)[1:-1].split(", ")
        if len(encoded) != len(trials):
            return [None] * len(trials)
        columns[i] = encoded
        codes.append("%s")
    template = pieces[0] + "".join(map(str.__add__, codes, pieces[1:]))
    return list(map(template.__mod__, zip(*columns, strict=True)))


# Exact types the batch encodes (bool and None too: json writes true/false/null). Anything
# else, a float subclass included, is written by the one-trial path.
_PLAIN = frozenset({int, float, str, bool, type(None)})
_FLOAT = {float}
_INT = {int}


def _format(n_values: int, names: list[Any]) -> list[str] | None:
    """The hover text of a plain trial cut where its scalars go (the number, each value, each
    parameter; ``%`` written ``%%``), or None for non-string parameter names (json writes
    them as strings: the one-trial path)."""
    if not all(type(k) is str for k in names):
        return None
    head = '{<br>  "number": '
    pieces = [head, ',<br>  "values": [<br>    ']
    pieces += [",<br>    "] * (n_values - 1)
    keys = [json.encoder.encode_basestring_ascii(k).replace("%", "%%") for k in names]
    if keys:
        pieces.append('<br>  ],<br>  "params": {<br>    ' + keys[0] + ": ")
        pieces += [",<br>    " + k + ": " for k in keys[1:]]
        pieces.append("<br>  }<br>}")
    else:
        pieces.append('<br>  ],<br>  "params": {}<br>}')
    return pieces


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
