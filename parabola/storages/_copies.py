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
        # A fresh copy (no memo shared with other calls): a flat value, the usual attribute
        # (a sampler's ``[restart, generation]``, a dict of scalars), needs no memo at all.
        if cls is list and _ATOMIC.issuperset(map(type, value)):
            return value[:]
        if cls is dict:
            flat = _flat_dicts((value,))
            if flat is not None:
                return flat[0]
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
    if len(trial.__dict__) != _LAYOUT_SIZE:
        return copy.deepcopy(trial, {} if memo is None else memo)
    values = trial._values
    params, user, system = trial._params, trial._user_attrs, trial._system_attrs
    flat = None
    if memo is None and (user or system):
        # A trial copied on its own (``get_trial``): flat attributes (scalars and vectors of
        # scalars, no vector under two keys) are copied without a memo. Both dicts at once:
        # a vector shared by the user and the system attributes stays shared by the memo path.
        flat = _flat_dicts((user, system))
    if flat is not None:
        user_copy, system_copy = flat
    else:
        if memo is None:
            memo = {}
        user_copy = copy_value(user, memo) if user else {}
        system_copy = copy_value(system, memo) if system else {}
    # Parameter values are scalars except a categorical's JSON choices (a list, say): those
    # are copied too, so no caller shares a mutable value with the store.
    if _ATOMIC.issuperset(map(type, params.values())):
        params_copy = dict(params)
    else:
        params_copy = copy_value(params, {} if memo is None else memo)
    return FrozenTrial._restore(
        trial._number,
        trial.state,
        None if values is None else list(values),
        trial._datetime_start,
        trial.datetime_complete,
        params_copy,
        dict(trial._distributions),
        user_copy,
        system_copy,
        dict(trial.intermediate_values),
        trial._trial_id,
    )


def _flat_dicts(dicts: tuple[dict[Any, Any], ...]) -> list[dict[Any, Any]] | None:
    """Copies of ``dicts`` if they hold only scalar keys, scalars and lists of scalars, with
    no list twice (then they equal ``copy.deepcopy``'s, sharing nothing); else ``None``.

    A plain loop: attribute dicts hold a few keys, for which it beats C-level passes that
    each build a set of types.
    """
    out: list[dict[Any, Any]] = []
    lists: list[int] = []
    for d in dicts:
        new: dict[Any, Any] = {}
        for k, v in d.items():
            if k.__class__ not in _ATOMIC:
                return None
            cls = v.__class__
            if cls in _ATOMIC:
                new[k] = v
            elif cls is list and _scalars(v):
                lists.append(id(v))
                new[k] = v[:]
            else:
                return None
        out.append(new)
    if len(lists) > 1 and len(set(lists)) != len(lists):
        return None  # one list under two keys: deepcopy copies it once, shared
    return out


def _scalars(values: list[Any]) -> bool:
    """Whether every item of ``values`` is a scalar ``copy.deepcopy`` returns as it is."""
    if len(values) > 8:
        return _ATOMIC.issuperset(map(type, values))  # one C-level pass (it builds a set)
    # A short vector (``[restart, generation]``): a loop is cheaper than that set, and than
    # all() over a generator.
    for v in values:  # noqa: SIM110
        if v.__class__ not in _ATOMIC:
            return False
    return True
