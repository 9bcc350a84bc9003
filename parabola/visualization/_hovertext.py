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
from operator import itemgetter
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
    params = [t.params for t in trials]
    # The plain trials by layout (number of values, parameter names in order): one or a few
    # groups per study, each written column by column (_group_texts). The keys and the
    # common case (every trial plain, one layout) are found by C loops; a trial with user
    # attributes or without values has no key.
    lengths = map(_len, values) if None in values else map(len, values)  # type: ignore[arg-type]
    keys: list[Any] = list(zip(lengths, map(tuple, params), strict=True))
    if not all(values) or any([t.user_attrs for t in trials]):
        for i, t in enumerate(trials):
            if t.user_attrs or not values[i]:
                keys[i] = None
    elif keys.count(keys[0]) == len(keys):
        fmt = _format(keys[0][0], list(keys[0][1]))
        if fmt is not None:
            texts = _group_texts(trials, values, params, keys[0][1], fmt[0])
            if None not in texts:
                return texts  # type: ignore[return-value]  # no None: every text written
    groups: dict[Any, list[int]] = {}
    for i, key in enumerate(keys):
        if key is not None:
            groups.setdefault(key, []).append(i)
    out: list[str | None] = [None] * len(trials)
    for (n_values, names), indices in groups.items():
        fmt = _format(n_values, list(names))
        if fmt is None:
            continue
        texts = _group_texts(
            [trials[i] for i in indices],
            [values[i] for i in indices],
            [params[i] for i in indices],
            names,
            fmt[0],
        )
        for i, text in zip(indices, texts, strict=True):
            out[i] = text
    return [text if text is not None else hovertext(t) for text, t in zip(out, trials, strict=True)]


def _len(values: list[float] | None) -> int:
    return 0 if values is None else len(values)


def _group_texts(
    trials: Sequence[FrozenTrial],
    values: Sequence[Any],
    params: Sequence[dict[str, Any]],
    names: Sequence[str],
    template: str,
) -> list[str | None]:
    """The hover texts of trials of one layout, or None for each where the batch does not
    apply (then :func:`hovertext` writes them one by one).

    Each column (the numbers, each value, each parameter) is encoded by one call of the C
    encoder and split back into its scalars' JSON text (the floats' repr is most of the
    cost); the texts are then the template applied to each row by ``map`` of ``%``: no
    Python-level work per trial."""
    columns: list[Sequence[Any]] = [[t.number for t in trials]]
    columns += [list(map(itemgetter(k), values)) for k in range(len(values[0]))]
    columns += [list(map(itemgetter(k), params)) for k in names]
    encoded = []
    for column in columns:
        types = set(map(type, column))
        if types == _FLOAT and math.isfinite(sum(column)):
            # A column of floats (most of the text): their repr is their JSON text, except
            # for NaN and the infinities, which make the sum non-finite (so does an overflow):
            # then the encoder below writes the column.
            encoded.append(list(map(float.__repr__, column)))
            continue
        # Only exact types, which the compact encoder writes as the indented one does; the
        # split is checked: a string holding ", " gives a count that does not match.
        if not _PLAIN.issuperset(types):
            return [None] * len(trials)
        pieces = json.dumps(column)[1:-1].split(", ")
        if len(pieces) != len(trials):
            return [None] * len(trials)
        encoded.append(pieces)
    return list(map(template.__mod__, zip(*encoded, strict=True)))


# Exact types the batch encodes (bool and None too: json writes true/false/null). Anything
# else, a float subclass included, is written by the one-trial path.
_PLAIN = frozenset({int, float, str, bool, type(None)})
_FLOAT = {float}


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
