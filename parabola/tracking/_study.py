"""Studies and runs together, in the same store.

* **One run for the study** (the seed's way): every trial is one row of the run (its number,
  params and value), the best trial goes to the summary. Use :class:`TrackingCallback` during
  ``optimize`` or :func:`log_study` afterwards.
* **One run per trial**, grouped under the study (``group=study_name``): ``trial.log(...)``
  inside the objective writes the trial's curves; values passed to ``trial.report`` appear in
  that history as ``value``; ``tell`` finishes the run with the trial (``finished`` for
  COMPLETE and PRUNED, ``failed`` for FAIL) and its summary holds the final ``value`` and
  ``state``. ``TrackingCallback(per_trial=True)`` also gives a run to trials that never called
  ``trial.log`` (with their reported values as history). The study owns those runs
  (:mod:`parabola.study._trial_runs`); this module sees studies and trials only through the
  small protocols below, and imports nothing from :mod:`parabola.study` or
  :mod:`parabola.trial`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from parabola.tracking._init import RunLink, start_run
from parabola.tracking._run import Run

if TYPE_CHECKING:
    from parabola.storages._base import BaseStorage

__all__ = ["TrackingCallback", "log_study", "trial_run", "values_row"]

_QUIET = {"x_disable_stats": True}


class _TrialLike(Protocol):
    """What tracking reads from a finished trial (a ``FrozenTrial``)."""

    number: int
    params: dict[str, Any]

    @property
    def values(self) -> list[float] | None: ...


class _TrialRunsLike(Protocol):
    def open(self, study: Any, trial_id: int, number: int, frozen: Any) -> Run: ...

    def add_finished(
        self,
        study: Any,
        frozen: Any,
        project: str | None,
        entity: str | None,
        metric_name: str,
        settings: Mapping[str, Any],
    ) -> None: ...


class _StudyLike(Protocol):
    """What tracking reads from a study (a ``Study``)."""

    study_name: str
    _storage: BaseStorage
    _trial_runs: _TrialRunsLike

    @property
    def directions(self) -> Sequence[Any]: ...

    @property
    def sampler(self) -> Any: ...

    @property
    def best_trial(self) -> Any: ...

    def get_trials(self, deepcopy: bool = ...) -> Sequence[Any]: ...


class _RunningTrialLike(Protocol):
    """What tracking reads from a running trial (a ``Trial``)."""

    number: int
    _trial_id: int
    _cached: Any

    @property
    def study(self) -> _StudyLike: ...


class TrackingCallback:
    """An ``optimize`` callback that tracks the study as runs in the same store.

    Args:
        project: Project of the runs (default: the study name).
        entity: Entity of the runs (default: the local entity).
        per_trial: ``False``: one run for the study, one row per trial. ``True``: one run per
            trial, grouped under the study.
        metric_name: Name of the objective value (``values_0``, ``values_1``... when there are
            several objectives).
        tags, config: Passed to ``init`` (study mode).
        system_metrics: Sample system metrics in the runs (off by default: trials are short).

    Example:
        >>> import parabola
        >>> from parabola.storages import InMemoryStorage
        >>> store = InMemoryStorage()
        >>> study = parabola.create_study(study_name="quad", storage=store)
        >>> with parabola.tracking.TrackingCallback(project="demo") as cb:
        ...     study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=5,
        ...                    callbacks=[cb])
        >>> run = parabola.Api(storage=store).run(cb.run.path)
        >>> len(run.history()), "best_value" in run.summary
        (5, True)
    """

    def __init__(
        self,
        project: str | None = None,
        entity: str | None = None,
        *,
        per_trial: bool = False,
        metric_name: str = "value",
        tags: Iterable[str] | None = None,
        config: Mapping[str, Any] | None = None,
        system_metrics: bool = False,
    ) -> None:
        if not isinstance(metric_name, str) or not metric_name:
            raise ValueError(
                f"TrackingCallback(metric_name=...): expected a str, got {metric_name!r}."
            )
        self._project = project
        self._entity = entity
        self._per_trial = bool(per_trial)
        self._metric_name = metric_name
        self._tags = list(tags or [])
        self._config = dict(config or {})
        self._settings: dict[str, Any] = {} if system_metrics else dict(_QUIET)
        self._lock = threading.Lock()
        self.run: Run | None = None

    def __call__(self, study: _StudyLike, trial: _TrialLike) -> None:
        if self._per_trial:
            self._finish_trial(study, trial)
        else:
            self._log_trial(study, trial)

    # One run for the study ------------------------------------------------------------------
    def _log_trial(self, study: _StudyLike, trial: _TrialLike) -> None:
        with self._lock:
            if self.run is None:
                self.run = _study_run(
                    study, self._project, self._entity, self._tags, self._config, self._settings
                )
            run = self.run
        row: dict[str, Any] = {"trial_number": trial.number, **trial.params}
        row.update(values_row(trial.values, self._metric_name))
        run.log(row)
        _update_best(run, study, self._metric_name)

    # One run per trial ----------------------------------------------------------------------
    def _finish_trial(self, study: _StudyLike, trial: _TrialLike) -> None:
        study._trial_runs.add_finished(
            study, trial, self._project, self._entity, self._metric_name, self._settings
        )

    def finish(self) -> None:
        """Finish the study run (study mode); also done at interpreter exit."""
        if self.run is not None:
            self.run.finish()

    def __enter__(self) -> TrackingCallback:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self.run is not None:
            self.run.finish(exit_code=0 if exc_type is None else 1)


def log_study(
    study: _StudyLike,
    project: str | None = None,
    entity: str | None = None,
    *,
    metric_name: str = "value",
    tags: Iterable[str] | None = None,
    storage: str | BaseStorage | None = None,
) -> Run:
    """Log a finished study as one run (a row per trial, the best in the summary); finish it.

    Args:
        study: The study.
        project: Project of the run (default: the study name).
        storage: Where to write (default: the study's own store).

    Returns:
        The finished run; read it back with ``parabola.Api().run(run.path)``.
    """
    run = _study_run(study, project, entity, list(tags or []), {}, dict(_QUIET), storage)
    with run:
        for trial in study.get_trials(deepcopy=False):
            row: dict[str, Any] = {"trial_number": trial.number, **trial.params}
            row.update(values_row(trial.values, metric_name))
            run.log(row)
        _update_best(run, study, metric_name)
    return run


def trial_run(trial: _RunningTrialLike) -> Run:
    """The run of a running trial, created on first use (what ``Trial.log`` writes to).

    It lives in the study's store, in a project named after the study, grouped under the
    study. The study owns it: ``tell`` finishes it with the trial (or interpreter exit, if the
    trial is never told).
    """
    study = trial.study
    return study._trial_runs.open(study, trial._trial_id, trial.number, trial._cached)


def _study_run(
    study: _StudyLike,
    project: str | None,
    entity: str | None,
    tags: list[str],
    config: Mapping[str, Any],
    settings: Mapping[str, Any],
    storage: str | BaseStorage | None = None,
) -> Run:
    cfg = {
        "study_name": study.study_name,
        "directions": [d.name.lower() for d in study.directions],
        "sampler": type(study.sampler).__name__,
        **config,
    }
    return start_run(
        project=project or _project_name(study.study_name),
        entity=entity,
        name=study.study_name,
        group=study.study_name,
        job_type="study",
        tags=tags,
        config=cfg,
        reinit="create_new",
        settings=dict(settings),
        storage=storage if storage is not None else study._storage,
        link=RunLink(study.study_name),
        make_current=False,
    )


def values_row(values: Sequence[float] | None, metric_name: str) -> dict[str, Any]:
    """``{metric_name: v}`` for one objective, ``{metric_name}s_<i>`` for several."""
    if not values:
        return {}
    if len(values) == 1:
        return {metric_name: values[0]}
    return {f"{metric_name}s_{i}": v for i, v in enumerate(values)}


def _update_best(run: Run, study: _StudyLike, metric_name: str) -> None:
    if len(study.directions) > 1:
        return
    try:
        best = study.best_trial
    except ValueError:
        return
    run.summary["best_value"] = best.value
    run.summary["best_params"] = best.params
    run.summary["best_trial_number"] = best.number


def _project_name(study_name: str) -> str:
    return study_name.replace("/", "-") or "studies"
