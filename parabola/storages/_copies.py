"""Copies of stored trials and attribute values, exactly as ``copy.deepcopy`` makes them.

A store hands out copies several times per trial (``Trial`` reads its trial, ``tell`` reads it
twice) and copies every attribute value it is given. ``copy.deepcopy`` dispatches on type for
every element, which is most of the cost when a sampler keeps a vector per trial (CMA-ES keeps
its candidate as a list of floats). Attribute values are nearly always JSON-like trees of
scalars, so those are copied here directly; anything else goes to ``copy.deepcopy`` with the
same memo, so the result is the same object graph (shared sub-objects stay shared, cycles stay
cycles) whatever the input.
"""

from __future__ import annotations

import copy
from typing import Any

from parabola.trial._frozen import FrozenTrial

__all__ = ["copy_trial", "copy_value"]

# Types ``copy.deepcopy`` returns as they are (exact classes: a subclass may copy itself).
_ATOMIC = frozenset({str, int, float, bool, type(None)})
# The instance attributes of a FrozenTrial built by its constructor or ``_restore``.
_LAYOUT_SIZE = len(FrozenTrial._restore(0, None, None, None, None, {}, {}, {}, {}, {}, 0).__dict__)  # type: ignore[arg-type]


def copy_value(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """``copy.deepcopy(value, memo)``, without the per-element dispatch for JSON-like trees."""
    cls = value.__class__
    if cls in _ATOMIC:
        return value
    if memo is None:
        memo = {}
    hit = memo.get(id(value))
    if hit is not None:  # already copied in this call: the copy is shared, as deepcopy does
        return hit
    # As copy.deepcopy does (same slot): keep the original alive while the memo is, so its
    # id is not reused by another object copied with this memo.
    keep = memo.get(id(memo))
    if keep is None:
        keep = memo[id(memo)] = []
    keep.append(value)
    if cls is list:
        if _ATOMIC.issuperset(map(type, value)):  # a vector of scalars: one C-level pass
            new_list = value[:]
            memo[id(value)] = new_list
            return new_list
        new_list = []
        memo[id(value)] = new_list  # before the elements: a list may hold itself
        new_list.extend(copy_value(v, memo) for v in value)
        return new_list
    if cls is dict:
        new_dict: dict[Any, Any] = {}
        memo[id(value)] = new_dict
        for k, v in value.items():
            key = k if k.__class__ in _ATOMIC else copy.deepcopy(k, memo)
            vc = v.__class__
            if vc in _ATOMIC:
                new_dict[key] = v
            elif vc is list and id(v) not in memo and _ATOMIC.issuperset(map(type, v)):
                # A vector of scalars (a sampler's per-trial vector), inline: no recursion.
                new_dict[key] = memo[id(v)] = v[:]
                keep.append(v)
            else:
                new_dict[key] = copy_value(v, memo)
        return new_dict
    return copy.deepcopy(value, memo)


def copy_trial(trial: FrozenTrial, memo: dict[int, Any] | None = None) -> FrozenTrial:
    """``copy.deepcopy(trial, memo)`` for a stored trial (a ``FrozenTrial`` of the usual layout).

    Distributions are immutable and shared, as ``FrozenTrial.__deepcopy__`` assumes too;
    parameters and attributes are copied with :func:`copy_value` (a C-level pass when every
    value is a scalar). A trial carrying anything else (an extra instance attribute) is left
    to ``copy.deepcopy``.
    """
    if memo is None:
        memo = {}
    if len(trial.__dict__) != _LAYOUT_SIZE:
        return copy.deepcopy(trial, memo)
    values = trial._values
    params, user, system = trial._params, trial._user_attrs, trial._system_attrs
    # Parameter values are scalars except a categorical's JSON choices (a list, say): those
    # are copied too, so no caller shares a mutable value with the store.
    scalar_params = _ATOMIC.issuperset(map(type, params.values()))
    return FrozenTrial._restore(
        trial._number,
        trial.state,
        None if values is None else list(values),
        trial._datetime_start,
        trial.datetime_complete,
        dict(params) if scalar_params else copy_value(params, memo),
        dict(trial._distributions),
        copy_value(user, memo) if user else {},
        copy_value(system, memo) if system else {},
        dict(trial.intermediate_values),
        trial._trial_id,
    )
