"""Constraint values of a trial, stored as Optuna 5.0 stores them.

``Trial.set_constraint("c", v)`` writes the system attribute ``"constraints:c"`` (a float). A
``constraints_func`` of a sampler writes the older form, a list under ``"constraints"`` whose
entries are named ``"0"``, ``"1"``... Both are read, so a study imported from Optuna keeps its
constraints; a dict under ``"constraints"`` (what parabola 0.1 wrote) is read too.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

__all__ = ["CONSTRAINTS_KEY", "check_constraint", "constraint_key", "constraints_from_attrs"]

CONSTRAINTS_KEY = "constraints"
_PREFIX = CONSTRAINTS_KEY + ":"


def constraint_key(key: str) -> str:
    """The system attribute that holds constraint ``key``."""
    return f"{_PREFIX}{key}"


def check_constraint(key: str, value: Any) -> float:
    """``value`` as a float; ``TypeError``/``ValueError`` as Optuna raises them."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"set_constraint({key!r}, value=...): the `value` argument is of type "
            f"'{type(value)}' but supposed to be a float."
        ) from None
    if math.isnan(number):
        raise ValueError(f"Attempted to set a constraint for {key!r}, but NaN is not allowed.")
    return number


def constraints_from_attrs(system_attrs: Mapping[str, Any]) -> dict[str, float]:
    """Every constraint recorded in ``system_attrs``, by name.

    Example:
        >>> constraints_from_attrs({"constraints": [0.5], "constraints:c": -1.0})
        {'0': 0.5, 'c': -1.0}
    """
    out: dict[str, float] = {}
    old = system_attrs.get(CONSTRAINTS_KEY)
    if isinstance(old, Mapping):
        out.update({str(k): v for k, v in old.items()})
    elif old is not None:
        out.update({str(i): v for i, v in enumerate(old)})
    for key, value in system_attrs.items():
        if key.startswith(_PREFIX):
            name = key[len(_PREFIX) :]
            if name in out:
                warnings.warn("Overwrite an old format constraint.", UserWarning, stacklevel=3)
            out[name] = value
    return out
