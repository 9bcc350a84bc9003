"""W&B's MongoDB-style run filters, evaluated on run documents.

A document has the fields ``id``/``name`` (the run id, as in W&B), ``display_name``/
``displayName``, ``state``, ``tags``, ``config.<key>``, ``summary_metrics.<key>``,
``created_at``/``createdAt``, ``heartbeat_at``/``heartbeatAt``, ``group``, ``job_type``/
``jobType``, ``notes``, ``entity``, ``project``, ``study_name``, ``trial_number``. Dotted paths
reach nested values; ``config.lr.value`` is accepted for ``config.lr`` as in W&B.

Operators: ``$and $or $nor $not $eq $ne $gt $gte $lt $lte $in $nin $exists $regex``
(``$options: "i"`` for case-insensitive). As in MongoDB, comparing against a list field (tags)
matches when any element matches; values of different kinds never match (no error).
Datetimes compare with ISO strings (``{"created_at": {"$gt": "2026-01-01"}}``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["OPERATORS", "matches", "resolve_field"]

OPERATORS = (
    "$eq",
    "$ne",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$in",
    "$nin",
    "$exists",
    "$regex",
    "$options",
    "$not",
)
_LOGICAL = ("$and", "$or", "$nor")
_MISSING: Any = object()


def matches(doc: Mapping[str, Any], filters: Mapping[str, Any] | None) -> bool:
    """Whether ``doc`` satisfies ``filters``.

    Raises:
        ValueError: an unknown operator or a malformed filter (the message names it).
    """
    if not filters:
        return True
    if not isinstance(filters, Mapping):
        raise TypeError(f"filters: expected a dict, got {filters!r}.")
    for key, cond in filters.items():
        if key in _LOGICAL:
            if not isinstance(cond, (list, tuple)):
                raise ValueError(f"filters: {key} expects a list of filters, got {cond!r}.")
            results = (matches(doc, c) for c in cond)
            ok = all(results) if key == "$and" else any(results)
            if key == "$nor":
                ok = not ok
            if not ok:
                return False
        elif key.startswith("$"):
            raise ValueError(
                f"filters: unknown top-level operator {key!r}; allowed: {', '.join(_LOGICAL)}."
            )
        elif not _match_field(resolve_field(doc, key), cond, key):
            return False
    return True


def resolve_field(doc: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` in ``doc`` (``_MISSING`` when absent)."""
    if path in doc:
        return doc[path]
    head, _, rest = path.partition(".")
    if head not in doc or not rest:
        return _MISSING
    value = _descend(doc[head], rest)
    if value is _MISSING and head == "config" and rest.endswith(".value"):
        value = _descend(doc[head], rest[: -len(".value")])
    return value


def _descend(value: Any, rest: str) -> Any:
    if not isinstance(value, Mapping):
        return _MISSING
    if rest in value:  # flattened keys such as "val.loss" win over nesting
        return value[rest]
    head, _, tail = rest.partition(".")
    if head not in value or not tail:
        return _MISSING
    return _descend(value[head], tail)


def _match_field(value: Any, cond: Any, path: str) -> bool:
    if isinstance(cond, Mapping) and any(isinstance(k, str) and k.startswith("$") for k in cond):
        for op, arg in cond.items():
            if op == "$options":
                continue
            if op not in OPERATORS:
                raise ValueError(
                    f"filters: unknown operator {op!r} on {path!r}; allowed: "
                    f"{', '.join(o for o in OPERATORS if o != '$options')}."
                )
            if not _apply(op, value, arg, cond, path):
                return False
        return True
    return _apply("$eq", value, cond, {}, path)


def _apply(op: str, value: Any, arg: Any, cond: Mapping[str, Any], path: str) -> bool:
    if op == "$exists":
        return (value is not _MISSING and value is not None) == bool(arg)
    if op == "$not":
        return not _match_field(value, arg, path)
    if op in ("$ne", "$nin"):
        positive = "$eq" if op == "$ne" else "$in"
        return not _apply(positive, value, arg, cond, path)
    if value is _MISSING:
        return False
    if isinstance(value, list) and not isinstance(arg, list):
        return any(_apply(op, v, arg, cond, path) for v in value)
    if op == "$eq":
        return _equal(value, arg)
    if op == "$in":
        if not isinstance(arg, (list, tuple, set)):
            raise ValueError(f"filters: $in on {path!r} expects a list, got {arg!r}.")
        return any(_equal(value, a) for a in arg)
    if op == "$regex":
        if not isinstance(arg, str):
            raise ValueError(f"filters: $regex on {path!r} expects a str, got {arg!r}.")
        flags = re.IGNORECASE if "i" in str(cond.get("$options", "")) else 0
        return isinstance(value, str) and re.search(arg, value, flags) is not None
    a, b = _comparable(value, arg)
    if a is None or b is None:
        return False
    try:
        if op == "$gt":
            return bool(a > b)
        if op == "$gte":
            return bool(a >= b)
        if op == "$lt":
            return bool(a < b)
        return bool(a <= b)  # $lte
    except TypeError:
        return False


def _equal(value: Any, arg: Any) -> bool:
    if isinstance(value, list) and not isinstance(arg, list):
        return any(_equal(v, arg) for v in value)
    a, b = _comparable(value, arg)
    return (a is not None and b is not None and bool(a == b)) or (value is None and arg is None)


def _comparable(value: Any, arg: Any) -> tuple[Any, Any]:
    """Bring both sides to one kind (numbers, strings, datetimes) or return ``None``s."""
    if isinstance(value, datetime.datetime) or isinstance(arg, datetime.datetime):
        return _to_dt(value), _to_dt(arg)
    num = (int, float)
    if isinstance(value, num) and isinstance(arg, num):
        if isinstance(value, bool) != isinstance(arg, bool):
            return None, None
        return value, arg
    if type(value) is type(arg):
        return value, arg
    return None, None


def _to_dt(x: Any) -> datetime.datetime | None:
    if isinstance(x, datetime.datetime):
        return (
            x.replace(tzinfo=None)
            if x.tzinfo is None
            else (x.astimezone(datetime.timezone.utc).replace(tzinfo=None))
        )
    if isinstance(x, str):
        try:
            return _to_dt(datetime.datetime.fromisoformat(x.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None
