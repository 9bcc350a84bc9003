"""The study's side of tracking: each trial's own run, owned by the ``Study`` object.

A trial gets a run the first time its objective calls ``trial.log`` (values passed to
``trial.report`` before and after go to that run's history as ``value``). The run is closed by
``tell``, the moment the trial's final state is stored (``optimize`` tells every trial), with
the final value and state in its summary: ``finished`` for COMPLETE and PRUNED, ``failed`` for
FAIL. Nothing here depends on garbage collection: a run whose trial is never told is finished
at interpreter exit like any other run.

The link goes one way: the study knows its trials' runs; :mod:`parabola.tracking` knows
nothing of studies or trials (a run only records the study name and trial number it was
started for, through :class:`parabola.tracking._init.RunLink`).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parabola.study._study import Study
    from parabola.tracking._run import Run
    from parabola.trial._frozen import FrozenTrial
    from parabola.trial._trial import Trial

__all__ = ["TrialRuns", "trial_run_project"]

# Trial runs are quiet: no system-metric sampling for what is usually a short trial.
QUIET_SETTINGS: Mapping[str, Any] = {"x_disable_stats": True}


def trial_run_project(study_name: str) -> str:
    """The project of a study's runs unless told otherwise: the study name, ``/`` replaced."""
    return study_name.replace("/", "-") or "studies"


class TrialRuns:
    """The live tracking runs of one ``Study`` object's trials, keyed by trial id.

    Example:
        >>> import parabola
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> trial = study.ask()
        >>> trial.log({"loss": 0.5})
        >>> study._trial_runs.get(trial._trial_id) is not None
        True
        >>> _ = study.tell(trial, 0.5)  # tell closes the trial's run
        >>> study._trial_runs.get(trial._trial_id) is None
        True
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[int, Run] = {}
        # Trials whose run was closed: TrackingCallback(per_trial=True) must not add a second.
        self._closed: set[int] = set()

    def get(self, trial_id: int) -> Run | None:
        """The trial's live run, or ``None``."""
        with self._lock:
            return self._live.get(trial_id)

    def had_run(self, trial_id: int) -> bool:
        """Whether the trial has or had a run (live or closed)."""
        with self._lock:
            return trial_id in self._live or trial_id in self._closed

    def open(self, study: Study, trial_id: int, number: int, frozen: FrozenTrial) -> Run:
        """The trial's run, started on first use with the values it reported so far."""
        with self._lock:
            run = self._live.get(trial_id)
            if run is not None:
                return run
            run = start_trial_run(study, number, frozen.params, None, None, QUIET_SETTINGS)
            for step in sorted(frozen.intermediate_values):
                run.log({"value": frozen.intermediate_values[step]}, step=step)
            self._live[trial_id] = run
            return run

    def scope(self, study: Study, trial: Trial) -> AbstractContextManager[object]:
        """Enter around the objective: ``parabola.init()`` inside it returns the trial's run."""
        return _trial_scope()(
            lambda: self.open(study, trial._trial_id, trial.number, trial._cached)
        )

    def on_report(self, trial_id: int, step: int, value: float) -> None:
        """``trial.report``: the curve goes to the trial's run too, if it has one."""
        run = self.get(trial_id)
        if run is not None:
            run.log({"value": value}, step=step)

    def add_finished(
        self,
        study: Study,
        frozen: FrozenTrial,
        project: str | None,
        entity: str | None,
        metric_name: str,
        settings: Mapping[str, Any],
    ) -> None:
        """A run for a finished trial that had none (``TrackingCallback(per_trial=True)``),
        with its reported values as history; a trial that had a run keeps just that one."""
        with self._lock:
            if frozen._trial_id in self._live or frozen._trial_id in self._closed:
                return
            self._closed.add(frozen._trial_id)
        run = start_trial_run(study, frozen.number, frozen.params, project, entity, settings)
        for step in sorted(frozen.intermediate_values):
            run.log({metric_name: frozen.intermediate_values[step]}, step=step)
        close_trial_run(run, frozen, metric_name)

    def close(self, trial_id: int, frozen: FrozenTrial) -> None:
        """Finish the trial's run (if any) with its final value and state (from ``tell``).

        A run the objective finished itself (``with parabola.init() as run:``) keeps what it
        had: it is finished, and its rows are in the store.
        """
        if trial_id not in self._live:
            # Most trials never log: no lock taken. Only this trial's own objective (or a
            # caller holding the trial, before it tells) adds its run, so none appears now.
            return
        with self._lock:
            run = self._live.pop(trial_id, None)
            if run is not None:
                self._closed.add(trial_id)
        if run is not None and not run._finished:
            close_trial_run(run, frozen, "value")


@functools.cache
def _trial_scope() -> Callable[[Callable[[], Run]], AbstractContextManager[object]]:
    """``parabola.tracking._trial_scope.trial_scope``, imported on first use (the study enters
    a scope for every trial: an ``import`` statement there costs about 1 us each time)."""
    from parabola.tracking._trial_scope import trial_scope

    return trial_scope


def start_trial_run(
    study: Study,
    number: int,
    params: Mapping[str, Any],
    project: str | None,
    entity: str | None,
    settings: Mapping[str, Any],
) -> Run:
    """A new run for trial ``number`` of ``study``, grouped under the study, in its store."""
    from parabola.tracking._init import RunLink, start_run

    return start_run(
        project=project or trial_run_project(study.study_name),
        entity=entity,
        name=f"{study.study_name}-trial-{number}",
        group=study.study_name,
        job_type="trial",
        config=dict(params),
        reinit="create_new",
        settings=dict(settings),
        storage=study._storage,
        link=RunLink(study.study_name, number),
        make_current=False,
    )


def close_trial_run(run: Run, trial: FrozenTrial, metric_name: str) -> None:
    """Write the trial's final params, value and state to its run and finish it."""
    from parabola.tracking._study import values_row
    from parabola.trial._state import TrialState

    run._commit_pending()  # the final value below must win over the last reported one
    for key, value in trial.params.items():
        if key not in run.config:
            run.config[key] = value
    for key, value in values_row(trial.values, metric_name).items():
        run.summary[key] = value
    run.summary["state"] = trial.state.name
    run.finish(exit_code=1 if trial.state == TrialState.FAIL else 0)
