"""The ``go.Figure`` every plot returns, built from canonical dicts at the least plotly cost.

Every plot builds its traces and layout as plain dicts in plotly's canonical form (``{"title":
{"text": ...}}``, not the ``title="..."`` shorthand that validation would expand) and hands them
to :func:`figure`. ``tests/visualization_tests/test_unvalidated.py`` rebuilds each plot's figure
with validation and compares the JSON.

Why not ``go.Figure(data=..., layout=...)`` (measured with cProfile, plotly 7.1):

* Validation loads and instantiates a validator per property it touches: ~0.1-0.3 s on the
  first figure of a process, and most of a warm small figure. So the figure is built with
  ``_validate=False`` and validation switched back on afterwards (see :func:`figure`).
* Even unvalidated, plotly builds every trace by running its generated constructor, which sets
  each of the ~60-200 properties a trace type has one by one, and then deep-copies the
  trace's properties into the figure: ~50 us a trace, 50 ms of a 1,000-trace figure (the
  intermediate values and parallel coordinates draw one trace per trial, as Optuna does),
  against ~5 ms to compute its data; and deep-copying a long list (hover texts) costs a
  Python call per item. So the first trace of each kind (type and set of keys) is built by
  plotly's constructor and the others are copies of that object holding their own properties
  (:func:`_add_traces`): the same objects, in the same state, as plotly's constructor leaves
  them, their properties copied in C where they are flat lists. This relies on plotly's
  private layout of a figure (``_data``, ``_data_objs``, ``_data_defaults``) and of a trace
  (``_parent``, ``_trace_ind``, ``_orphan_props``), which has not changed since plotly 4;
  every assumption is checked on the object plotly built, and anything unexpected falls back
  to plotly's own construction (``tests/visualization_tests/test_figure.py``).
"""

from __future__ import annotations

import copy
from collections.abc import Hashable
from typing import Any

import numpy as np

__all__ = ["figure"]

# Attributes of a plotly trace object that _add_traces sets itself on each copy.
_OWN_ATTRS = frozenset({"_parent", "_trace_ind", "_orphan_props", "_validate"})

_ATOMS = (str, int, float, bool, type(None))


def figure(g: Any, traces: list[dict[str, Any]], layout: dict[str, Any]) -> Any:
    """A ``plotly.graph_objects.Figure`` from trace and layout dicts, built without plotly's
    per-property validation and without its constructor for each trace.

    The returned object is a real ``go.Figure`` whose later edits are validated as usual:
    plotly keeps ``_validate=False`` on the figure, its layout and its traces (the nested
    objects it creates on access validate already), so a user's ``update_layout(title="x")``
    would otherwise be stored as the bare string plotly.js 3 ignores. The flag is switched
    back on those three levels; ``test_unvalidated.py`` checks edits are validated.

    The figure owns copies of the dicts: the caller's (and module-level constants shared
    between figures) are never edited through it.
    """
    template = _default_template() if "template" not in layout else None
    if template is None:
        fig = g.Figure(data=[], layout=layout, _validate=False)
    else:
        # An empty placeholder keeps plotly from applying its default template; a copy of the
        # template's properties then goes where plotly's assignment puts it, as the last key
        # of the layout: what plotly stores, without that assignment's deepcopy and property
        # machinery (~0.2-0.3 ms of every figure).
        fig = g.Figure(data=[], layout={**layout, "template": {}}, _validate=False)
        stored = getattr(fig, "_layout", None)
        if type(stored) is dict and stored.get("template") == {}:
            del stored["template"]
            stored["template"] = template
        else:
            fig = g.Figure(data=[], layout=layout, _validate=False)
    if traces and not _add_traces(fig, traces):
        fig = g.Figure(data=traces, layout=layout, _validate=False)
    fig._validate = True
    fig.layout._validate = True
    for trace in fig.data:
        trace._validate = True
    return fig


def _default_template() -> dict[str, Any] | None:
    """A copy of the properties of plotly's default template (``pio.templates.default``), as
    plotly's figure constructor would store them, or None where there is none or it is not
    a plain name or template object (then plotly's constructor applies it)."""
    import plotly.io as pio

    name = pio.templates.default
    if name is None:
        return None
    template = pio.templates[name] if isinstance(name, str) else name
    props = getattr(template, "_props", None)
    if type(props) is not dict or not hasattr(template, "to_plotly_json"):
        return None
    try:
        return _tree_copy(props)  # type: ignore[no-any-return]
    except _Unexpected:
        return copy.deepcopy(props)


def _add_traces(fig: Any, traces: list[dict[str, Any]]) -> bool:
    """Append ``traces`` to the empty unvalidated ``fig`` as plotly's constructor would, or
    return False (``fig`` untouched) where the fast path's assumptions do not hold."""
    data, objs, defaults = (
        getattr(fig, a, None) for a in ("_data", "_data_objs", "_data_defaults")
    )
    if not (type(data) is list and type(objs) is list and type(defaults) is list) or data:
        return False
    validator = getattr(fig, "_data_validator", None)
    if validator is None or not hasattr(validator, "get_trace_class"):
        return False
    # One prototype per kind of trace: (its class, its property order, its attributes).
    kinds: dict[Hashable, tuple[type[Any], list[str], dict[str, Any]]] = {}
    new_objs, new_data = [], []
    for i, given in enumerate(traces):
        # Plotly's constructor stores no property given as None: neither does the copy.
        trace = {k: v for k, v in given.items() if v is not None}
        key = (trace.get("type"), *trace)  # a kind: the trace type and the keys, in order
        kind = kinds.get(key)
        if kind is None:
            kind = _prototype(validator, trace)
            if kind is None:
                return False
            kinds[key] = kind
        cls: Any = kind[0]
        order, attrs = kind[1], kind[2]
        obj = cls.__new__(cls)  # what pickle does: no constructor, the state set below
        state = {k: (v.copy() if type(v) in (dict, list) else v) for k, v in attrs.items()}
        state["_orphan_props"] = {}
        state["_parent"] = fig
        state["_trace_ind"] = i
        obj.__dict__.update(state)
        try:
            new_data.append({k: _tree_copy(trace[k]) for k in order})
        except _Unexpected:
            return False
        new_objs.append(obj)
    objs.extend(new_objs)
    data.extend(new_data)
    defaults.extend({} for _ in new_data)
    return True


def _prototype(
    validator: Any, trace: dict[str, Any]
) -> tuple[type[Any], list[str], dict[str, Any]] | None:
    """A trace built by plotly's own (unvalidated) constructor from ``trace``, as what each
    copy starts from, or None where plotly did more than store the values as given (then the
    copies would not be what plotly builds)."""
    if "type" not in trace:  # plotly's default type: left to plotly
        return None
    props = dict(trace)
    trace_type = props.pop("type")
    try:
        cls = validator.get_trace_class(trace_type)
    except (KeyError, AttributeError):
        return None
    obj = cls(_validate=False, **props)
    stored = obj.__dict__.get("_orphan_props")
    if type(stored) is not dict or set(stored) != {*props, "type"} or stored["type"] != trace_type:
        return None
    if any(stored[k] is not v for k, v in props.items()):
        return None
    attrs = obj.__dict__
    if not attrs.keys() >= _OWN_ATTRS:
        return None
    # Everything else a fresh trace holds must be empty containers or plain flags, so that a
    # shallow copy of each gives an independent object.
    for name, value in attrs.items():
        if name in _OWN_ATTRS:
            continue
        if type(value) in (dict, list):
            if value:
                return None
        elif not isinstance(value, _ATOMS):
            return None
    return cls, list(stored), dict(attrs)


class _Unexpected(Exception):
    """A trace value of a type plotly might convert (a graph object): no fast path."""


def _tree_copy(value: Any) -> Any:
    """``copy.deepcopy`` for the canonical trace values (dicts, lists, tuples, scalars, numpy
    arrays; an empty array as an empty list), without its memo: what plotly's constructor
    does to each trace's properties.
    Anything else (graph objects, which plotly's constructor turns into dicts) raises
    :class:`_Unexpected`."""
    t = type(value)
    if t in _ATOM_TYPES:
        return value
    if t is dict:
        return {k: _tree_copy(v) for k, v in value.items()}
    if t is list or t is tuple:
        for v in value:
            if type(v) not in _ATOM_TYPES:
                return t(_tree_copy(v) for v in value)
        return value.copy() if t is list else value
    if type(value) is np.ndarray and value.size == 0:
        # Plotly writes an empty array as [] through its JSON encoder's fallback, whose first
        # use imports numpy.ma (~10 ms of a first figure); an empty list is the same JSON.
        return []
    if isinstance(value, (np.ndarray, np.generic)):
        return copy.deepcopy(value)
    raise _Unexpected(t.__name__)


_ATOM_TYPES = frozenset(_ATOMS)
