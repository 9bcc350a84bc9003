"""Studies and runs together, in the same store.

* **One run for the study** (the seed's way): every trial is one row of the run (its number,
  params and value), the best trial goes to the summary. Use :class:`TrackingCallback` during
  ``optimize`` or :func:`log_study` afterwards.
* **One run per trial**, grouped under the study (``group=study_name``): ``trial.log(...)``
  inside the objective writes the trial's curves; values passed to ``trial.report`` appear in
  that history as ``value``; the run finishes with the trial (``finished`` for COMPLETE and
  PRUNED, ``failed`` for FAIL) and its summary holds the final ``value`` and ``state``.
  ``TrackingCallback(per_trial=True)`` also gives a run to trials that never called
  ``trial.log`` (with their reported values as history).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from parabola.tracking._init import init
from parabola.tracking._run import Run

if TYPE_CHECKING:
    from parabola.storages._base import BaseStorage
    from parabola.study._study import Study
    from parabola.trial._frozen import FrozenTrial
    from parabola.trial._trial import Trial

__all__ = ["PROJECT_ATTR", "TrackingCallback", "log_study", "trial_run"]

PROJECT_ATTR = "tracking:project"  # study system attr: the project of its trial runs
ENTITY_ATTR = "tracking:entity"
_trial_runs: dict[tuple[int, int], Run] = {}
_trial_lock = threading.Lock()
_QUIET = {"x_disable_stats": True}


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

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        if self._per_trial:
            self._finish_trial(study, trial)
        else:
            self._log_trial(study, trial)

    # One run for the study ------------------------------------------------------------------
    def _log_trial(self, study: Study, trial: FrozenTrial) -> None:
        with self._lock:
            if self.run is None:
                self.run = _study_run(
                    study, self._project, self._entity, self._tags, self._config, self._settings
                )
            run = self.run
        row: dict[str, Any] = {"trial_number": trial.number, **trial.params}
        row.update(_values_row(trial, self._metric_name))
        run.log(row)
        _update_best(run, study, self._metric_name)

    # One run per trial ----------------------------------------------------------------------
    def _finish_trial(self, study: Study, trial: FrozenTrial) -> None:
        key = (id(study._storage), trial._trial_id)
        with _trial_lock:
            run = _trial_runs.pop(key, None)
        if run is None:
            run = _new_trial_run(
                study, trial.number, trial.params, self._project, self._entity, self._settings
            )
            for step in sorted(trial.intermediate_values):
                run.log({self._metric_name: trial.intermediate_values[step]}, step=step)
        _close_trial_run(run, trial, self._metric_name)

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
    study: Study,
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
            row.update(_values_row(trial, metric_name))
            run.log(row)
        _update_best(run, study, metric_name)
    return run


def trial_run(trial: Trial) -> Run:
    """The run of a running trial, created on first use (what ``Trial.log`` writes to).

    It lives in the study's store, in the project set by ``TrackingCallback(per_trial=True,
    project=...)`` (else the study name), grouped under the study. It finishes when the trial
    does (through the callback, or when the ``Trial`` object is released, or at exit).
    """
    study = trial.study
    key = (id(study._storage), trial._trial_id)
    with _trial_lock:
        run = _trial_runs.get(key)
    if run is not None:
        return run
    run = _new_trial_run(study, trial.number, trial.params, None, None, dict(_QUIET))
    frozen = trial._cached
    for step in sorted(frozen.intermediate_values):  # values reported before the first log
        run.log({"value": frozen.intermediate_values[step]}, step=step)
    with _trial_lock:
        _trial_runs[key] = run
    trial._tracking_run = run  # type: ignore[attr-defined]  # Trial.report logs here too
    weakref.finalize(trial, _finish_released, study._storage, trial._trial_id)
    return run


def _finish_released(storage: BaseStorage, trial_id: int) -> None:
    with _trial_lock:
        run = _trial_runs.pop((id(storage), trial_id), None)
    if run is None or run._finished:
        return
    try:
        _close_trial_run(run, storage.get_trial(trial_id), "value")
    except Exception:  # the store is gone (exit): the exit hook finishes the run
        run.finish()


def _new_trial_run(
    study: Study,
    number: int,
    params: Mapping[str, Any],
    project: str | None,
    entity: str | None,
    settings: Mapping[str, Any],
) -> Run:
    attrs = study._storage.get_study_system_attrs(study._study_id)
    if project is None:
        project = attrs.get(PROJECT_ATTR) or _project_name(study.study_name)
    if entity is None:
        entity = attrs.get(ENTITY_ATTR)
    return init(
        project=project,
        entity=entity,
        name=f"{study.study_name}-trial-{number}",
        group=study.study_name,
        job_type="trial",
        config=dict(params),
        reinit="create_new",
        settings=dict(settings),
        storage=study._storage,
        _study_name=study.study_name,
        _trial_number=number,
        _make_current=False,
    )


def _close_trial_run(run: Run, trial: FrozenTrial, metric_name: str) -> None:
    from parabola.trial._state import TrialState

    run._commit_pending()  # the final value below must win over the last reported one
    for key, value in trial.params.items():
        if key not in run.config:
            run.config[key] = value
    for key, value in _values_row(trial, metric_name).items():
        run.summary[key] = value
    run.summary["state"] = trial.state.name
    run.finish(exit_code=1 if trial.state == TrialState.FAIL else 0)


def _study_run(
    study: Study,
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
    return init(
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
        _study_name=study.study_name,
        _make_current=False,
    )


def _values_row(trial: FrozenTrial, metric_name: str) -> dict[str, Any]:
    values = trial.values
    if not values:
        return {}
    if len(values) == 1:
        return {metric_name: values[0]}
    return {f"{metric_name}s_{i}": v for i, v in enumerate(values)}


def _update_best(run: Run, study: Study, metric_name: str) -> None:
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
