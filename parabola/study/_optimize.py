"""The ``optimize`` loop: sequential or threaded, with timeout, callbacks and a progress bar."""

from __future__ import annotations

import gc
import math
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from parabola._system_attrs import FAIL_REASON
from parabola.exceptions import TrialPruned, UpdateFinishedTrialError
from parabola.logging import get_logger
from parabola.study._heartbeat import Heartbeat
from parabola.study._tell import tell_with_warning
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

if TYPE_CHECKING:
    from parabola.study._study import ObjectiveFuncType, Study

__all__ = ["log_completed_trial", "optimize"]

_logger = get_logger(__name__)
# Read once: each ``TrialState.X`` read costs ~150 ns on Python 3.11 (the enum metaclass
# defines ``__getattr__``), and every trial's outcome is compared with them.
_COMPLETE, _PRUNED, _FAIL = TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL


def _check_args(
    n_trials: Any, timeout: Any, n_jobs: Any, catch: Any
) -> tuple[int | None, float | None, int, tuple[type[Exception], ...]]:
    if n_trials is not None and (
        isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 0
    ):
        raise ValueError(f"optimize(n_trials=...): expected None or an int >= 0, got {n_trials!r}.")
    if timeout is not None and (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or timeout < 0
        or (isinstance(timeout, float) and math.isnan(timeout))
    ):
        raise ValueError(
            f"optimize(timeout=...): expected None or a number of seconds >= 0, got {timeout!r}."
        )
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise ValueError(
            f"optimize(n_jobs=...): expected a positive int or -1 (one per CPU), got {n_jobs!r}."
        )
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    if isinstance(catch, type):
        catch = (catch,)
    catch = tuple(catch)
    for c in catch:
        if not (isinstance(c, type) and issubclass(c, BaseException)):
            raise TypeError(f"optimize(catch=...): expected exception classes, got {c!r}.")
    return n_trials, timeout, n_jobs, catch


def optimize(
    study: Study,
    func: ObjectiveFuncType,
    n_trials: int | None,
    timeout: float | None,
    n_jobs: int,
    catch: Iterable[type[Exception]] | type[Exception],
    callbacks: Iterable[Callable[[Study, FrozenTrial], None]] | None,
    gc_after_trial: bool,
    show_progress_bar: bool,
) -> None:
    """Implementation of ``Study.optimize``; see its docstring."""
    if not callable(func):
        raise TypeError(f"optimize(func=...): expected a callable objective, got {func!r}.")
    n_trials, timeout, n_jobs, catch_t = _check_args(n_trials, timeout, n_jobs, catch)
    callback_list = list(callbacks or [])
    for callback in callback_list:
        if not callable(callback):
            raise TypeError(
                "optimize(callbacks=...): expected callables taking (study, frozen_trial), "
                f"got {callback!r}."
            )
    # Thread-local, as in Optuna: several threads may each run optimize on one study (the
    # ThreadPoolExecutor pattern), while an objective calling optimize again is refused.
    local = study._thread_local
    if getattr(local, "in_optimize_loop", False):
        raise RuntimeError("Nested invocation of `Study.optimize` method isn't allowed.")
    local.in_optimize_loop = True
    if show_progress_bar and n_trials is None and timeout is not None and n_jobs != 1:
        warnings.warn(
            "The timeout-based progress bar is not supported with n_jobs != 1.",
            UserWarning,
            stacklevel=3,
        )
        show_progress_bar = False
    progress = _ProgressBar(show_progress_bar, n_trials, timeout)
    heartbeat = Heartbeat.start(study._storage)
    try:
        study._stop_flag = False
        start = time.monotonic()
        loop = _Loop(
            study, func, n_trials, timeout, start, catch_t, callback_list, gc_after_trial, progress
        )
        loop.heartbeat = heartbeat
        if n_jobs == 1:
            loop.run_sequential()
        else:
            loop.run_parallel(n_jobs)
    finally:
        study._stop_flag = False
        if heartbeat is not None:
            heartbeat.close()
        progress.close()
        local.in_optimize_loop = False


class _Loop:
    def __init__(
        self,
        study: Study,
        func: ObjectiveFuncType,
        n_trials: int | None,
        timeout: float | None,
        start: float,
        catch: tuple[type[Exception], ...],
        callbacks: list[Callable[[Study, FrozenTrial], None]],
        gc_after_trial: bool,
        progress: _ProgressBar,
    ) -> None:
        self.study = study
        self.func = func
        self.n_trials = n_trials
        self.timeout = timeout
        self.start = start
        self.catch = catch
        self.callbacks = callbacks
        self.gc_after_trial = gc_after_trial
        self.progress = progress
        self.started = 0
        self.lock = threading.Lock()
        self.heartbeat: Heartbeat | None = None

    def _may_start(self) -> bool:
        if self.study._stop_flag:
            return False
        if self.n_trials is not None and self.started >= self.n_trials:
            return False
        return not (self.timeout is not None and time.monotonic() - self.start >= self.timeout)

    def run_sequential(self) -> None:
        while self._may_start():
            self.started += 1
            self._one()

    def run_parallel(self, n_jobs: int) -> None:
        futures: set[Future[None]] = set()
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            try:
                while True:
                    with self.lock:
                        if not self._may_start():
                            break
                    if len(futures) >= n_jobs:
                        done, futures = wait(futures, return_when=FIRST_COMPLETED)
                        for f in done:
                            f.result()  # propagate the first uncaught objective error
                        continue
                    with self.lock:
                        self.started += 1
                    futures.add(pool.submit(self._one, True))
                for f in futures:
                    f.result()
            except BaseException:
                self.study._stop_flag = True
                raise

    def _one(self, in_worker: bool = False) -> None:
        if in_worker:
            # A pool thread: it is inside optimize too (stop() from the objective or a callback
            # works there), and, as Optuna does with n_jobs != 1, each trial reseeds the
            # sampler so that threads sharing a seeded sampler do not draw the same points.
            self.study._thread_local.in_optimize_loop = True
            self.study.sampler.reseed_rng()
        frozen = run_trial(self.study, self.func, self.catch, self.heartbeat)
        for callback in self.callbacks:
            callback(self.study, frozen)
        if self.progress._bar is not None:  # no clock read or call without a bar
            self.progress.update(time.monotonic() - self.start, frozen, self.study)
        if self.gc_after_trial:
            gc.collect()


def run_trial(
    study: Study,
    func: ObjectiveFuncType,
    catch: tuple[type[Exception], ...],
    heartbeat: Heartbeat | None = None,
) -> FrozenTrial:
    """Ask, evaluate, tell one trial; log it; re-raise errors not in ``catch``.

    ``heartbeat`` is the optimize run's (shared by its trials); without one, a store with
    heartbeats gets one for this trial only.
    """
    trial = study.ask()
    # This loop tells the trial through the same storage object, so its params may wait in
    # memory for that write (a no-op for stores that do not buffer, or with heartbeats on).
    study._storage._buffer_trial_params(trial._trial_id)
    own_heartbeat = heartbeat is None
    if heartbeat is None:
        heartbeat = Heartbeat.start(study._storage)
    if heartbeat is not None:
        heartbeat.add(trial._trial_id)
    state: TrialState | None = None
    value_or_values: Any = None
    func_err: BaseException | None = None
    func_err_exc_info: Any = None
    try:
        # parabola.init() inside the objective attaches to this trial's run.
        with study._trial_runs.scope(study, trial):
            value_or_values = func(trial)
    except TrialPruned as e:
        state = TrialState.PRUNED
        func_err = e
    except (Exception, KeyboardInterrupt) as e:
        state = TrialState.FAIL
        func_err = e
        func_err_exc_info = sys.exc_info()
    except BaseException as e:
        # sys.exit() and other escapes that are not errors: Optuna leaves such a trial RUNNING
        # until the heartbeat clean-up; parabola fails it now, records why, and re-raises.
        state = TrialState.FAIL
        func_err = e
        func_err_exc_info = sys.exc_info()
        _record_fail_reason(study, trial._trial_id, f"The objective raised {e!r}.")
    finally:
        if heartbeat is not None:
            heartbeat.remove(trial._trial_id)
            if own_heartbeat:
                heartbeat.close()
    try:
        frozen = tell_with_warning(
            study, trial, value_or_values if state is None else None, state, suppress_warning=True
        )
    except UpdateFinishedTrialError:
        frozen = study._storage.get_trial(trial._trial_id)
        if not frozen.state.is_finished():
            raise
        study._trial_runs.close(trial._trial_id, frozen)
        # Another worker failed this trial as stale: this process was suspended (SIGSTOP, a
        # closed laptop lid) or starved for longer than the heartbeat grace period. The
        # stored outcome stands; this worker goes on with the next trial.
        warnings.warn(
            f"Trial {frozen.number} was already finished as {frozen.state.name} by another "
            "worker because its heartbeat stopped for longer than the grace period (was this "
            "process suspended?); its result here is discarded and the study continues.",
            UserWarning,
            stacklevel=2,
        )
        if func_err is None or isinstance(func_err, (UpdateFinishedTrialError, *catch)):
            return frozen
        raise func_err from None

    if frozen.state == _COMPLETE:
        log_completed_trial(study, frozen)
    elif frozen.state == _PRUNED:
        # Optuna's exact line, trailing space included when the exception has no message.
        _logger.info(f"Trial {frozen.number} pruned. {func_err if func_err else ''}")
    elif frozen.state == _FAIL:
        # Optuna's two lines; the traceback rides on the first record (exc_info), so handlers
        # and caplog see one record per line.
        if func_err is not None:
            reason = f"{func_err!r}."
        else:
            reason = str(frozen.system_attrs.get(FAIL_REASON, ""))
        _logger.warning(
            f"Trial {frozen.number} failed with parameters: {frozen.params} because of the "
            f"following error: {reason}",
            exc_info=func_err_exc_info,
        )
        _logger.warning(f"Trial {frozen.number} failed with value {value_or_values!r}.")
    if state == _FAIL and func_err is not None and not isinstance(func_err, catch):
        raise func_err
    return frozen


def _record_fail_reason(study: Study, trial_id: int, reason: str) -> None:
    try:
        study._storage.set_trial_system_attr(trial_id, FAIL_REASON, reason)
    except Exception:  # the trial must still be told FAIL; the reason is a courtesy
        _logger.debug("could not record fail_reason", exc_info=True)


def log_completed_trial(study: Study, trial: FrozenTrial) -> None:
    """Log ``Trial N finished with value: ... Best is trial M ...`` in Optuna's format."""
    if not _logger.isEnabledFor(20):
        return
    if len(study.directions) > 1:
        _logger.info(
            f"Trial {trial.number} finished with values: {trial.values} and parameters: "
            f"{trial.params}."
        )
        return
    try:
        best = study.best_trial
        best_text = f" Best is trial {best.number} with value: {best.value}."
    except ValueError:
        best_text = ""
    _logger.info(
        f"Trial {trial.number} finished with value: {trial.value} and parameters: "
        f"{trial.params}.{best_text}"
    )


class _ProgressBar:
    """A tqdm bar by trials (``n_trials``) or by seconds (``timeout`` only)."""

    def __init__(self, enabled: bool, n_trials: int | None, timeout: float | None) -> None:
        self._bar: Any = None
        self._by_time = n_trials is None and timeout is not None
        self._timeout = timeout
        if enabled and n_trials is None and timeout is None:
            warnings.warn(
                "Progress bar won't be displayed because n_trials and timeout are None.",
                UserWarning,
                stacklevel=4,
            )
            return
        if not enabled:
            return
        from tqdm.auto import tqdm

        if self._by_time:
            # Optuna's format: elapsed / the whole timeout.
            assert timeout is not None
            fmt = "{desc} {percentage:3.0f}%|{bar}| {elapsed}/" + tqdm.format_interval(timeout)
            self._bar = tqdm(total=timeout, bar_format=fmt)
        else:
            self._bar = tqdm(total=n_trials)

    def update(self, elapsed: float, trial: FrozenTrial, study: Study) -> None:
        if self._bar is None:
            return
        if self._by_time:
            assert self._timeout is not None
            self._bar.update(min(elapsed, self._timeout) - self._bar.n)
        else:
            self._bar.update(1)
        if len(study.directions) == 1:
            try:
                best = study.best_trial
                self._bar.set_description(
                    f"Best trial: {best.number}. Best value: {best.value:.6g}"
                )
            except ValueError:
                pass

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
