"""The studies half of the dashboard's JSON: the list, a study's trials, polls, one trial.

A study's trials go to the browser column-wise (one list per field): 10,000 trials of five
params then cost about a tenth of optuna-dashboard's row-per-trial JSON, and compress well.
A live page asks only for trials from its lowest unfinished number on (``since``), so a poll
costs what changed, not the study's size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import parabola
from parabola.trial import TrialState
from parabola.ui._json import clean

if TYPE_CHECKING:
    from parabola.storages import BaseStorage
    from parabola.study import Study
    from parabola.trial import FrozenTrial

__all__ = ["change_token", "poll", "study_data", "study_list", "study_token", "trial_detail"]

_UNFINISHED = frozenset({TrialState.RUNNING, TrialState.WAITING})
# The study system attribute holding its metric names (parabola.study._study's key, spelt here
# so that a study answer does not import the study machinery; a test checks they agree).
METRIC_NAMES_KEY = "study:metric_names"


def study_list(storage: BaseStorage) -> list[dict[str, Any]]:
    """Every study with its directions, trial counts per state and best value."""
    out = []
    for s in storage.get_all_studies():
        trials = storage.get_all_trials(s.study_id, deepcopy=False)
        counts: dict[str, int] = {}
        for t in trials:
            counts[t.state.name] = counts.get(t.state.name, 0) + 1
        best = None
        if len(s.directions) == 1:
            try:
                bt = storage.get_best_trial(s.study_id)
                best = {"number": bt.number, "value": bt.value}
            except (ValueError, RuntimeError):
                best = None
        starts = [t.datetime_start for t in trials if t.datetime_start is not None]
        out.append(
            {
                "study_id": s.study_id,
                "study_name": s.study_name,
                "directions": [d.name.lower() for d in s.directions],
                "n_trials": len(trials),
                "states": counts,
                "best": best,
                "datetime_start": min(starts).isoformat() if starts else None,
            }
        )
    return clean(out)  # type: ignore[no-any-return]


def load(storage: BaseStorage, study_id: int) -> Study:
    """The study with this id (``KeyError`` naming it when there is none)."""
    name = storage.get_study_name_from_id(study_id)
    # A RandomSampler: the dashboard never samples, and the default TPE's first import costs
    # a cold request hundreds of milliseconds.
    return parabola.load_study(
        study_name=name, storage=storage, sampler=parabola.samplers.RandomSampler()
    )


def study_token(n_trials: int, unfinished: Sequence[FrozenTrial]) -> str:
    """A fingerprint that changes whenever a trial is added or an unfinished one changes.

    Finished trials never change again (the store's invariant 4), so the count and the
    unfinished trials' progress describe every possible change.

    Example:
        >>> study_token(3, [])
        '3'
    """
    parts = [str(n_trials)]
    for t in unfinished:
        parts.append(
            f"{t.number}:{t.state.value}:{len(t.intermediate_values)}:{len(t.params)}"
            f":{len(t.user_attrs)}"
        )
    return "-".join(parts)


def change_token(storage: BaseStorage, study_id: int) -> tuple[str, int]:
    """The study's :func:`study_token` and its first unfinished trial number, read cheaply.

    Two store calls whose cost follows the unfinished trials, not the study's size: the trial
    count and the RUNNING/WAITING trials (the SQL store answers both from its cache after one
    change-counter query). ``KeyError`` for an unknown study.
    """
    n = storage.get_n_trials(study_id)
    unfinished = storage.get_all_trials(study_id, deepcopy=False, states=_UNFINISHED)
    first = min((t.number for t in unfinished), default=n)
    return study_token(n, unfinished), first


def _first_unfinished(trials: list[FrozenTrial]) -> int:
    for t in trials:
        if t.state in _UNFINISHED:
            return t.number
    return len(trials)


def _token_of(trials: list[FrozenTrial]) -> str:
    return study_token(len(trials), [t for t in trials if t.state in _UNFINISHED])


def study_data(storage: BaseStorage, study_id: int, since: int = 0) -> dict[str, Any]:
    """The study page's data: directions, param names, and trials ``since`` on, by column."""
    if since < 0:
        raise ValueError(f"since: expected >= 0, got {since}.")
    # Straight from the store, not through a loaded Study: the study machinery (samplers,
    # numpy) would be imported by a server's first study answer for nothing.
    study_name = storage.get_study_name_from_id(study_id)
    directions = storage.get_study_directions(study_id)
    trials = storage.get_all_trials(study_id, deepcopy=False)
    part = trials[since:]
    params = sorted({p for t in trials for p in t.distributions})
    user_attrs = sorted({k for t in trials for k in t.user_attrs})
    n_obj = len(directions)
    empty = [None] * n_obj
    # Built JSON-ready here (finite floats, ISO strings): running clean() over 10,000 trials'
    # cells would cost more than reading them.
    columns: dict[str, Any] = {
        "number": [t.number for t in part],
        "state": [t.state.name for t in part],
        "values": _values_column([t.values for t in part], empty),
        "datetime_start": [
            t.datetime_start.isoformat() if t.datetime_start else None for t in part
        ],
        "datetime_complete": [
            t.datetime_complete.isoformat() if t.datetime_complete else None for t in part
        ],
        "params": {p: _column([t.params.get(p) for t in part]) for p in params},
        "user_attrs": {k: [clean(t.user_attrs.get(k)) for t in part] for k in user_attrs},
        "n_intermediate": [len(t.intermediate_values) for t in part],
    }
    best: list[int] = []
    if n_obj == 1:
        try:
            best = [storage.get_best_trial(study_id).number]
        except ValueError:
            best = []
    else:
        best = [t.number for t in load(storage, study_id).best_trials]
    runs = [
        {"entity": r.entity, "project": r.project, "id": r.run_id, "trial": r.trial_number}
        for r in storage.get_study_runs(study_name)
    ]
    names = storage.get_study_system_attrs(study_id).get(METRIC_NAMES_KEY)
    return {
        "study_id": study_id,
        "study_name": study_name,
        "directions": [d.name.lower() for d in directions],
        "metric_names": None if names is None else list(names),
        "n_trials": len(trials),
        "since": since,
        "first_unfinished": _first_unfinished(trials),
        "token": _token_of(trials),
        "params": params,
        "user_attrs": user_attrs,
        "best_trials": best,
        "trials": columns,
        "runs": runs,
        "user_attrs_study": clean(storage.get_study_user_attrs(study_id)),
    }


def _finite(v: Any) -> Any:
    return v if not isinstance(v, float) or math.isfinite(v) else None


def _all_finite_numbers(values: Sequence[Any]) -> bool:
    """Whether every cell is a finite number: one C-level ``sum`` (a ``None``, a string or a
    NaN/infinity makes it fail), so the usual float column skips the per-cell check."""
    try:
        return math.isfinite(sum(values))
    except (TypeError, OverflowError):
        return False


def _column(values: list[Any]) -> list[Any]:
    """A param column made JSON-ready (see :func:`_cell`)."""
    return values if _all_finite_numbers(values) else [_cell(v) for v in values]


def _values_column(values: list[list[float] | None], empty: list[None]) -> list[Any]:
    """The trials' objective values, ``empty`` for a trial without any."""
    flat = [v for vs in values if vs is not None for v in vs]
    if _all_finite_numbers(flat):
        return [empty if vs is None else vs for vs in values]
    return [empty if vs is None else [_finite(v) for v in vs] for vs in values]


def _cell(v: Any) -> Any:
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if v is None or isinstance(v, (str, int)):
        return v
    return clean(v)


def poll(storage: BaseStorage, study_id: int, token: str) -> dict[str, Any]:
    """Whether the study changed since ``token``, and from which trial to re-read.

    Costs what :func:`change_token` costs: no scan of the study's trials.
    """
    now, first = change_token(storage, study_id)
    return {"changed": now != token, "token": now, "first_unfinished": first}


def trial_detail(storage: BaseStorage, study_id: int, number: int) -> dict[str, Any]:
    """One trial with its params, distributions, values, attributes and linked run."""
    study = load(storage, study_id)
    trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, number)
    t = storage.get_trial(trial_id)
    run = None
    for r in storage.get_study_runs(study.study_name):
        if r.trial_number == number:
            run = {"entity": r.entity, "project": r.project, "id": r.run_id, "name": r.name}
            break
    out: dict[str, Any] = clean(
        {
            "study_id": study_id,
            "study_name": study.study_name,
            "directions": [d.name.lower() for d in study.directions],
            "number": t.number,
            "state": t.state.name,
            "values": t.values,
            "params": t.params,
            "distributions": {k: repr(v) for k, v in t.distributions.items()},
            "user_attrs": t.user_attrs,
            "system_attrs": t.system_attrs,
            "intermediate_values": sorted(t.intermediate_values.items()),
            "datetime_start": t.datetime_start,
            "datetime_complete": t.datetime_complete,
            "duration_s": t.duration.total_seconds() if t.duration else None,
            "run": run,
            "n_trials": study_n_trials(storage, study_id),
        }
    )
    return out


def study_n_trials(storage: BaseStorage, study_id: int) -> int:
    return storage.get_n_trials(study_id)
