"""Conversions between SQL rows and parabola objects (trials, runs, JSON, timestamps).

Decoding is on the hot path of reading a 100k-trial study, so it avoids per-row work it can
share: distribution JSON is decoded once per distinct string, and empty JSON columns are NULL.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import json
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

from parabola.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    distribution_to_json,
    json_to_distribution,
)
from parabola.storages._copies import copy_trial
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = [
    "copy_trial",
    "decode_distributions",
    "dt_from_us",
    "dt_to_us",
    "dumps",
    "dumps_or_none",
    "encode_distributions",
    "loads_or_empty",
    "no_gc",
    "trial_from_row",
    "trials_from_rows",
]

_EPOCH = datetime.datetime(1970, 1, 1)
_STATES = {s.value: s for s in TrialState}


def dt_to_us(value: datetime.datetime | None) -> int | None:
    """A naive datetime as integer microseconds since 1970-01-01 (exact round trip)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def dt_from_us(value: int | None) -> datetime.datetime | None:
    """Inverse of :func:`dt_to_us`."""
    if value is None:
        return None
    return _EPOCH + datetime.timedelta(microseconds=value)


def dumps(value: Any, what: str) -> str:
    """JSON-encode ``value``; ``TypeError`` naming ``what`` if it is not serialisable."""
    try:
        return json.dumps(value, allow_nan=True)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"{what} must be JSON-serialisable (str, int, float, bool, None, list, dict); "
            f"got {value!r}: {e}."
        ) from None


def dumps_or_none(value: dict[Any, Any] | list[Any] | None, what: str) -> str | None:
    """Like :func:`dumps`, but empty containers are stored as NULL (cheaper to read)."""
    if not value:
        return None
    return dumps(value, what)


def loads_or_empty(text: str | None) -> Any:
    """Inverse of :func:`dumps_or_none` for dict columns."""
    return {} if text is None else json.loads(text)


class _Dists:
    """Decoded distributions of one JSON string, plus which params need converting."""

    __slots__ = ("convert", "dists")

    def __init__(self, dists: dict[str, BaseDistribution]) -> None:
        self.dists = dists
        # A plain FloatDistribution's external value is the stored float itself.
        self.convert = tuple(
            (name, d) for name, d in dists.items() if type(d) is not FloatDistribution
        )


_dist_cache: dict[str, _Dists] = {}


_json_of_dist: dict[BaseDistribution, str] = {}


def _dist_json(dist: BaseDistribution) -> str:
    # A running trial's distributions are re-encoded on each of its writes; search spaces
    # are few, so remember each distribution's JSON (bounded, like _dist_cache). Not for
    # categoricals: equal ones may differ in JSON ((1,) == (1.0,) == (True,)).
    if isinstance(dist, CategoricalDistribution):
        return distribution_to_json(dist)
    cached = _json_of_dist.get(dist)
    if cached is None:
        cached = distribution_to_json(dist)
        if len(_json_of_dist) > 10_000:
            _json_of_dist.clear()
        _json_of_dist[dist] = cached
    return cached


def encode_distributions(distributions: dict[str, BaseDistribution]) -> str | None:
    """Distributions as one JSON object ``{name: {"name": cls, "attributes": {...}}}``."""
    if not distributions:
        return None
    return (
        "{"
        + ", ".join(f"{json.dumps(name)}: {_dist_json(d)}" for name, d in distributions.items())
        + "}"
    )


def _decode_dists(text: str) -> _Dists:
    cached = _dist_cache.get(text)
    if cached is None:
        raw = json.loads(text)
        cached = _Dists({name: json_to_distribution(json.dumps(d)) for name, d in raw.items()})
        if len(_dist_cache) > 10_000:  # distinct search spaces are few; bound it anyway
            _dist_cache.clear()
        _dist_cache[text] = cached
    return cached


def decode_distributions(text: str | None) -> dict[str, BaseDistribution]:
    """Inverse of :func:`encode_distributions`; the result is shared, do not mutate it."""
    return {} if text is None else _decode_dists(text).dists


_NO_DISTS = _Dists({})


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects at once.

    Decoding or copying 10k trials allocates ~100k containers; each allocation burst would
    otherwise trigger collections that rescan the whole (large, cycle-free) trial cache, which
    costs more than the decoding itself.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def trial_from_row(row: Any) -> FrozenTrial:
    """Build a FrozenTrial from a ``trials`` row (a sequence in the table's column order)."""
    return trials_from_rows([row])[0]


def trials_from_rows(rows: Sequence[Any]) -> list[FrozenTrial]:
    """Build fresh FrozenTrials from ``trials`` rows; all JSON is parsed in one ``json.loads``.

    Every container of every trial is new (the JSON parser's own dicts and lists), so the
    result is as independent of the store as a deep copy and costs one object graph per trial.
    """
    texts: list[str] = []
    for r in rows:
        texts += (r[4] or "null", r[7] or "null", r[9] or "null", r[10] or "null", r[11] or "null")
    decoded = iter(json.loads("[" + ",".join(texts) + "]"))
    out: list[FrozenTrial] = []
    append = out.append
    restore = FrozenTrial._restore
    states = _STATES
    epoch = _EPOCH
    last_text: str | None = None
    dists = _NO_DISTS
    # zip with the same iterator five times: the five decoded columns of each row, in order.
    for r, values, params, user, system, inter in zip(
        rows, decoded, decoded, decoded, decoded, decoded, strict=True
    ):
        text = r[8]
        if text != last_text:  # runs of rows share one search space: one lookup per run
            dists = _NO_DISTS if text is None else _decode_dists(text)
            last_text = text
        if params is None:
            params = {}
        else:
            for name, d in dists.convert:
                if name in params:
                    params[name] = d.to_external_repr(params[name])
        start, complete = r[5], r[6]
        append(
            restore(
                r[2],
                states[r[3]],
                values,
                None if start is None else epoch + timedelta(0, 0, start),
                None if complete is None else epoch + timedelta(0, 0, complete),
                params,
                dict(dists.dists),
                {} if user is None else user,
                {} if system is None else system,
                {} if inter is None else {int(k): v for k, v in inter.items()},
                r[0],
            )
        )
    return out
