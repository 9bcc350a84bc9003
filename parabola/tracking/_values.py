"""Turn what users pass to ``log``/``summary``/``config`` into flat, storable values.

Storable means JSON-like: ``None``, ``bool``, ``int``, ``float`` (NaN and inf included), ``str``,
and lists/dicts of those. NumPy scalars and 0-d arrays/tensors (anything with ``.item()`` and no
dimensions) become Python scalars; NumPy arrays become lists. Anything else is a ``TypeError``
naming the key, so a bad value fails in the caller's ``log`` call, not later in a writer thread.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["RESERVED_KEYS", "flatten", "to_storable"]

RESERVED_KEYS = frozenset({"_step", "_runtime", "_timestamp"})
_SCALARS = (float, int, str, bool, type(None))
_FAST = frozenset(_SCALARS)
_ALLOWED = "None, bool, int, float, str, lists/dicts of these, NumPy scalars or arrays"


def to_storable(value: Any, where: str) -> Any:
    """Return ``value`` as a JSON-like value, or raise ``TypeError`` naming ``where``."""
    tp = type(value)
    if tp in _SCALARS:
        return value
    if isinstance(value, (bool, int, float, str)):  # subclasses (IntEnum, numpy.float64)
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        return str(value)
    if isinstance(value, (list, tuple)):
        return [to_storable(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                # Inside a value, number keys become strings, as JSON (and W&B) store them:
                # Hugging Face configs hold {"id2label": {0: "NEG", 1: "POS"}}.
                if not isinstance(k, (int, float)):
                    raise TypeError(f"{where}: keys must be str, got {k!r} ({type(k).__name__}).")
                k = str(k).lower() if isinstance(k, bool) else str(k)
            out[k] = to_storable(v, f"{where}.{k}")
        return out
    tolist = getattr(value, "tolist", None)
    shape = getattr(value, "shape", None)
    if shape is not None and callable(tolist):
        if tuple(shape) == ():
            item = getattr(value, "item", None)
            if callable(item):
                return to_storable(item(), where)
        return to_storable(tolist(), where)
    if tp.__module__.startswith("parabola.tracking._media"):
        raise TypeError(
            f"{where}: a parabola.{tp.__qualname__} is a media value; media go through "
            "run.log({...}) or summary[key] = value (one media value or a list of them), never "
            "into config or nested inside another value. Nothing was stored."
        )
    raise TypeError(
        f"{where}: cannot store a value of type {tp.__module__}.{tp.__qualname__} "
        f"({_short_repr(value)}); allowed: {_ALLOWED}."
    )


def flatten(data: Mapping[str, Any], what: str = "log(data=...)") -> dict[str, Any]:
    """Flatten nested dicts with ``.`` and make every value storable.

    Raises:
        TypeError: a key is not a ``str`` or a value cannot be stored.
        ValueError: a key is one of the reserved ``_step``, ``_runtime``, ``_timestamp``.
    """
    # Fast path (nearly every call): a flat dict of str keys and scalar values.
    fast = _FAST
    for key, value in data.items():
        if type(key) is not str or type(value) not in fast:
            break
    else:
        out = dict(data)
        if not RESERVED_KEYS.isdisjoint(out):
            _flatten_into({}, "", data, what)  # raises, naming the key
        return out
    out = {}
    _flatten_into(out, "", data, what)
    return out


def _flatten_into(out: dict[str, Any], prefix: str, data: Mapping[str, Any], what: str) -> None:
    for key, value in data.items():
        if type(key) is not str:
            if not isinstance(key, str):
                raise TypeError(f"{what}: keys must be str, got {key!r} ({type(key).__name__}).")
            key = str(key)
        name = prefix + key
        tp = type(value)
        if tp is float or tp is int or tp is str or tp is bool or value is None:
            out[name] = value
        elif tp is dict or isinstance(value, Mapping):
            _flatten_into(out, name + ".", value, what)
        else:
            out[name] = to_storable(value, f"{what}: key '{name}'")
        if name in RESERVED_KEYS:
            raise ValueError(
                f"{what}: '{name}' is reserved (parabola sets _step, _runtime and _timestamp); "
                "pass the step as log(..., step=N) instead."
            )


def is_number(value: Any) -> bool:
    """True for int/float (not bool) values that are not NaN."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and not (isinstance(value, float) and math.isnan(value))
    )


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
