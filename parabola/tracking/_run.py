"""``Run``: one tracked experiment, created by :func:`parabola.init`.

``log`` follows W&B's step rules (see :meth:`Run.log`); rows go to the run's background writer
(:mod:`parabola.tracking._writer`) and never wait for the disk. ``finish`` (or leaving the
``with`` block, or interpreter exit) writes everything left and sets the final state.
"""

from __future__ import annotations

import collections
import operator
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from parabola.storages._base import utcnow
from parabola.storages._records import RunState, check_run_text
from parabola.tracking import _state
from parabola.tracking._config import Config
from parabola.tracking._metrics import DROP, Aggregator, MetricDefinition, MetricRegistry
from parabola.tracking._summary import Summary
from parabola.tracking._values import _FAST, RESERVED_KEYS, flatten
from parabola.tracking._writer import WAKE_ROWS

if TYPE_CHECKING:
    from parabola.storages._base import BaseStorage
    from parabola.tracking._artifacts import Artifact
    from parabola.tracking._settings import ResolvedSettings
    from parabola.tracking._system import SystemSampler
    from parabola.tracking._writer import RunWriter

__all__ = ["META_KEY", "Run"]

META_KEY = "_parabola"  # reserved config key: files, artifacts, metric definitions, heartbeat


class Run:
    """A tracked run: ``log`` metrics, set ``summary`` and ``config``, ``finish``.

    Create it with :func:`parabola.init`; use it as a context manager so that an exception
    marks it failed.

    Example:
        >>> import parabola
        >>> with parabola.init(project="demo", mode="disabled", config={"lr": 0.1}) as run:
        ...     for epoch in range(3):
        ...         run.log({"loss": 1.0 / (epoch + 1)})
        ...     run.summary["best_loss"] = 1 / 3
        >>> run.summary["loss"]
        0.3333333333333333
    """

    def __init__(
        self,
        *,
        run_id: str,
        name: str,
        project: str,
        entity: str,
        tags: Iterable[str],
        notes: str | None,
        group: str | None,
        job_type: str | None,
        config: Config,
        summary: Summary,
        meta: dict[str, Any],
        settings: ResolvedSettings,
        mode: str,
        storage: BaseStorage | None,
        start_step: int = 0,
        start_runtime: float = 0.0,
        resumed: bool = False,
        run_dir: str | None = None,
        make_current: bool = True,
        study_name: str | None = None,
        trial_number: int | None = None,
    ) -> None:
        self._id = run_id
        self._name = name
        self._project = project
        self._entity = entity
        self._tags = tuple(tags)
        self._notes = notes
        self._group = group
        self._job_type = job_type
        self.config = config
        self.summary = summary
        summary._store_media = self._summary_media
        self._meta = meta
        self._meta_dirty = False
        self._field_updates: dict[str, Any] = {}
        self._settings = settings
        self._mode = mode
        self._storage = storage
        self._metrics = MetricRegistry()
        for d in meta.get("metrics", []):
            self._metrics.define(
                **{k: v for k, v in d.items() if k != "summary"},
                summary=",".join(d.get("summary") or ()) or None,
            )
        self._aggregator = Aggregator()
        self._last_values: dict[str, Any] = {}
        self._step = start_step
        self._starting_step = start_step
        self._pending: dict[str, Any] = {}
        self._start = time.time() - start_runtime
        self._start_wall = time.time()
        self._resumed = resumed
        self._run_dir = run_dir
        self._make_current = make_current
        self._study_name = study_name
        self._trial_number = trial_number
        self._lock = threading.RLock()
        self._finished = False  # no more log() calls
        self._closed = False  # finished and every row is in the store
        self._pid = os.getpid()
        self._forked = False  # set in a forked child, which must not write this run
        self._fork_warned = False
        self._end_files: list[tuple[str | os.PathLike[str], str | None, bool]] = []
        # Called first thing in finish(), while log() still works (sync_tensorboard's reader).
        self._finish_hooks: list[Callable[[], None]] = []
        self._writer: RunWriter | None = None
        self._sampler: SystemSampler | None = None
        # Where committed rows go: the writer's deque, or nowhere (disabled mode).
        self._queue: collections.deque[dict[str, Any]] = collections.deque(maxlen=0)
        self._plain = not (self._metrics.has_aggregations or self._metrics.has_step_metrics)
        # Set by log when rows changed the summary. It lives here, not on the Summary, because
        # Summary.__setattr__ maps names to keys and would slow down every log call.
        self._summary_dirty = False

    def _start_threads(self) -> None:
        """Start the writer (and the system sampler) once the run exists in the store."""
        from parabola.tracking._writer import RunWriter

        if self._storage is None:
            return
        self._writer = RunWriter(
            self._storage,
            (self._entity, self._project, self._id),
            self._settings.flush_interval,
            self._settings.heartbeat_interval,
            self._snapshot_fields,
            self._lock,
        )
        self._queue = self._writer.rows
        if not self._settings.disable_stats:
            from parabola.tracking._system import SystemSampler

            self._sampler = SystemSampler(
                self._writer.system_rows, self._settings.stats_interval, self._start
            )

    # Logging -------------------------------------------------------------------------------
    def _summary_media(self, key: str, value: Any) -> Any:
        """The reference ``summary[key] = value`` stores for a media value (as ``log`` does)."""
        from parabola.tracking import _media

        _, refs = _media.externalize({key: value}, self, None)
        return (refs or {})[key]

    def log(
        self,
        data: Mapping[str, Any],
        step: int | None = None,
        commit: bool | None = None,
        sync: bool | None = None,
    ) -> None:
        """Log a row of metrics.

        Without ``step`` every call is a new row (``_step`` 0, 1, 2...). With ``step``, calls
        with the same step merge into one row, written when a larger step arrives or the run
        finishes. ``commit=False`` keeps the values for the next committed call. Nested dicts
        are flattened with ``.``; every row gets ``_step``, ``_runtime`` (seconds since start)
        and ``_timestamp`` (Unix time). A ``step`` lower than the current one is **kept** as its
        own row with a warning (W&B drops it silently); it goes to the history only and leaves the
        summary alone.

        Args:
            data: A dict of metric name to value (numbers, strings, bools, lists, NumPy values).
            step: An int >= 0, or ``None`` to use the current step.
            commit: ``False`` to merge into the next committed row.
            sync: Ignored (accepted for W&B compatibility).

        Raises:
            TypeError: ``data`` is not a dict, a key is not a str, or a value cannot be stored.
            RuntimeError: the run has finished.
        """
        # Fast path for the usual call (a flat dict of scalars, no step, no commit, nothing
        # pending, no define_metric): the same result as the general path below, minus the
        # function calls. It is most of log's cost in a 100k-step loop.
        if (
            step is None
            and commit is None
            and type(data) is dict
            and self._plain
            and not self._pending
            and not self._finished
            and not self._forked
        ):
            for key, value in data.items():
                if type(key) is not str or type(value) not in _FAST:
                    break
            else:
                row = data.copy()
                if RESERVED_KEYS.isdisjoint(row):
                    now = time.time()
                    with self._lock:
                        if not self._pending and not self._finished:
                            row["_step"] = self._step
                            self._step += 1
                            row["_runtime"] = now - self._start
                            row["_timestamp"] = now
                            queue = self._queue
                            queue.append(row)
                            if len(queue) >= WAKE_ROWS and self._writer is not None:
                                self._writer.wake.set()
                            self.summary._data.update(row)
                            self._summary_dirty = True
                            return
        if self._finished:
            raise RuntimeError(
                f"Run {self.path} has finished; log() is not allowed after finish(). "
                "Call parabola.init() to start a new run."
            )
        if self._forked:
            self._warn_forked()
            return
        if type(data) is not dict and not isinstance(data, Mapping):
            raise TypeError(
                f"log(data=...): expected a dict of metric name to value, got "
                f"{type(data).__name__} ({data!r:.60})."
            )
        media = sys.modules.get("parabola.tracking._media")
        refs = None
        if media is not None:  # only once loaded can data hold an Image, a Table...
            data, refs = media.externalize(data, self, step)
        row = flatten(data)
        if refs:
            row.update(refs)  # after flatten: a reference is one value, not keys to flatten
        if step is not None:
            try:
                if isinstance(step, bool):
                    raise TypeError
                step = operator.index(step)
            except TypeError:
                raise TypeError(
                    f"log(step=...): expected an int >= 0 or None, got {step!r}."
                ) from None
            if step < 0:
                raise ValueError(f"log(step=...): expected an int >= 0, got {step}.")
        if commit is not None and not isinstance(commit, bool):
            raise TypeError(f"log(commit=...): expected True, False or None, got {commit!r}.")
        with self._lock:
            if self._finished:
                raise RuntimeError(f"Run {self.path} has finished; log() is not allowed.")
            if step is None:
                if self._pending:
                    self._pending.update(row)
                    row = self._pending
                    self._pending = {}
                if commit is False:
                    self._pending = row
                else:
                    self._emit(row, self._step)
                    self._step += 1
                return
            if step < self._step:
                warnings.warn(
                    f"Run {self.path}: log(step={step}) is lower than the current step "
                    f"{self._step}. The row is kept as its own row at step {step} (W&B would "
                    "drop it); the current step is unchanged.",
                    UserWarning,
                    stacklevel=2,
                )
                # History only: the summary (and its ``_step``, the resume point) keeps
                # describing the latest step, not this late row.
                self._emit(row, step, late=True)
                return
            if step > self._step:
                if self._pending:
                    self._emit(self._pending, self._step)
                    self._pending = {}
                self._step = step
            if self._pending:
                self._pending.update(row)
            else:
                self._pending = row
            if commit:
                self._emit(self._pending, self._step)
                self._pending = {}
                self._step += 1

    def _emit(self, row: dict[str, Any], step: int, late: bool = False) -> None:
        """Queue ``row`` at ``step``; fold it into the summary unless it is ``late`` (a step
        lower than the current one)."""
        now = time.time()
        row["_step"] = step
        row["_runtime"] = now - self._start
        row["_timestamp"] = now
        metrics = self._metrics
        if metrics.has_step_metrics:
            self._sync_step_metrics(row, remember=not late)
        writer = self._writer
        if writer is not None:
            writer.rows.append(row)
            if len(writer.rows) >= WAKE_ROWS:
                writer.wake.set()
        if late:
            return
        summary = self.summary
        if not metrics.has_aggregations:
            summary._data.update(row)
        else:
            data = summary._data
            for key, value in row.items():
                d = metrics.lookup(key)
                if d is None or not d.summary:
                    data[key] = value
                    continue
                out = self._aggregator.update(key, value, d, data.get(key))
                if out is DROP:
                    data.pop(key, None)
                else:
                    data[key] = out
        self._summary_dirty = True

    def _sync_step_metrics(self, row: dict[str, Any], remember: bool = True) -> None:
        last = self._last_values
        for key in list(row):
            d = self._metrics.lookup(key)
            if (
                d is not None
                and d.step_metric
                and d.step_sync
                and d.step_metric not in row
                and d.step_metric in last
            ):
                row[d.step_metric] = last[d.step_metric]
        if remember:
            last.update(row)

    def define_metric(
        self,
        name: str,
        step_metric: str | MetricDefinition | None = None,
        step_sync: bool | None = None,
        hidden: bool | None = None,
        summary: str | None = None,
        goal: str | None = None,
        overwrite: bool | None = None,
    ) -> MetricDefinition:
        """Say how ``name`` (or a glob such as ``"val/*"``) is summarised and plotted.

        Args:
            name: A logged key or a glob.
            step_metric: The key to use as this metric's x-axis (e.g. ``"epoch"``); with
                ``step_sync`` (default) its last value is added to rows that lack it.
            summary: ``"min"``, ``"max"``, ``"mean"``, ``"first"``, ``"last"``, ``"best"``
                (needs ``goal``) or ``"none"``; comma-separate several ("min,max").
            goal: ``"minimize"`` or ``"maximize"``.

        Example:
            >>> import parabola
            >>> run = parabola.init(mode="disabled")
            >>> _ = run.define_metric("loss", summary="min")
            >>> run.log({"loss": 0.3}); run.log({"loss": 0.5})
            >>> run.summary["loss"]
            {'min': 0.3}
        """
        if isinstance(step_metric, MetricDefinition):
            step_metric = step_metric.name
        with self._lock:
            d = self._metrics.define(name, step_metric, step_sync, hidden, summary, goal, overwrite)
            self._plain = not (self._metrics.has_aggregations or self._metrics.has_step_metrics)
            self._meta["metrics"] = self._metrics.to_json()
            self._meta_dirty = True
        return d

    # Files -------------------------------------------------------------------------------
    def save(
        self,
        glob_str: str | os.PathLike[str],
        base_path: str | None = None,
        policy: str = "live",
        glob: bool = True,
    ) -> list[str]:
        """Copy files into the store's artifact folder and list them on the run.

        Args:
            glob_str: A path or glob (``"checkpoints/*.pt"``).
            base_path: Names are relative to it (default: the glob's folder).
            policy: ``"now"`` (copy now), ``"end"`` (copy at finish) or ``"live"`` (both).
            glob: Treat ``glob_str`` as a glob.

        Returns:
            The names saved now.
        """
        if policy not in ("live", "now", "end"):
            raise ValueError(f"save(policy=...): expected 'live', 'now' or 'end', got {policy!r}.")
        if not isinstance(glob_str, (str, os.PathLike)):
            raise TypeError(f"save(glob_str=...): expected a path or glob, got {glob_str!r}.")
        self._check_writable("save")
        if policy in ("live", "end"):
            self._end_files.append((glob_str, base_path, glob))
        if policy == "end":
            return []
        return self._save_now(glob_str, base_path, glob)

    def _save_now(
        self, glob_str: str | os.PathLike[str], base_path: str | None, use_glob: bool
    ) -> list[str]:
        from parabola.tracking._artifacts import expand_save, now_iso, store_file

        pairs = expand_save(glob_str, base_path, use_glob)
        if self._storage is None:
            return [name for name, _ in pairs]
        root = self._artifact_root()
        names = []
        with self._lock:
            files = {f["name"]: f for f in self._meta.setdefault("files", [])}
            for name, path in pairs:
                files[name] = {"name": name, **store_file(root, path), "updated_at": now_iso()}
                names.append(name)
            self._meta["files"] = list(files.values())
            self._meta_dirty = True
        return names

    def log_artifact(
        self,
        artifact_or_path: Artifact | str | os.PathLike[str],
        name: str | None = None,
        type: str | None = None,
        aliases: Iterable[str] | None = None,
        tags: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Store a file, a folder or an :class:`~parabola.tracking.Artifact` with the run.

        Versions count per artifact name within the project (``v0``, ``v1``...).

        Returns:
            The artifact's entry: name, type, version, aliases, digest and files.
        """
        from parabola.tracking._artifacts import Artifact, artifact_from_path, store_artifact

        self._check_writable("log_artifact")
        if isinstance(artifact_or_path, Artifact):
            art = artifact_or_path
        elif isinstance(artifact_or_path, (str, os.PathLike)):
            art = artifact_from_path(artifact_or_path, name, type)
        else:
            raise TypeError(
                "log_artifact(artifact_or_path=...): expected a parabola.Artifact or a path, "
                f"got {artifact_or_path!r}."
            )
        version = self._next_artifact_version(art.name)
        if self._storage is None:
            return {"name": art.name, "type": art.type, "version": f"v{version}", "files": []}
        entry = store_artifact(self._artifact_root(), art, version, aliases)
        if tags:
            entry["tags"] = sorted(tags)
        with self._lock:
            self._meta.setdefault("artifacts", []).append(entry)
            self._meta_dirty = True
        return entry

    def _next_artifact_version(self, name: str) -> int:
        count = sum(1 for a in self._meta.get("artifacts", []) if a.get("name") == name)
        if self._storage is None:
            return count
        for rec in self._storage.get_runs(self._entity, self._project):
            if rec.run_id == self._id:
                continue
            meta = rec.config.get(META_KEY) or {}
            count += sum(1 for a in meta.get("artifacts", []) if a.get("name") == name)
        return count

    def _artifact_root(self) -> Path:
        from parabola.tracking._store import artifact_root

        assert self._storage is not None
        return artifact_root(self._storage)

    # Lifecycle -----------------------------------------------------------------------------
    def finish(self, exit_code: int | None = None, quiet: bool | None = None) -> None:
        """Write everything left and mark the run finished (``exit_code`` non-zero: failed).

        Calling it twice is harmless. If the store cannot be written (a full disk, a dropped
        connection that does not come back) the error is raised and nothing is reported
        finished: the rows stay queued and the next ``finish()`` (or the interpreter's exit)
        tries again.
        """
        if exit_code is not None and (
            isinstance(exit_code, bool) or not isinstance(exit_code, int)
        ):
            raise TypeError(f"finish(exit_code=...): expected an int or None, got {exit_code!r}.")
        hooks, self._finish_hooks = self._finish_hooks, []
        for hook in hooks:
            if not self._finished and self._pid == os.getpid():
                hook()
        with self._lock:
            if self._closed:
                return
            first = not self._finished
            if first:
                self._commit_pending()
                self._finished = True
        try:
            if self._pid != os.getpid():
                self._closed = True
                return  # a forked child never finishes its parent's run
            if first:
                for glob_str, base_path, use_glob in self._end_files:
                    try:
                        self._save_now(glob_str, base_path, use_glob)
                    except OSError as e:
                        warnings.warn(
                            f"Run {self.path}: could not save {glob_str!r} at finish: {e}",
                            UserWarning,
                            stacklevel=2,
                        )
                if self._sampler is not None:
                    self._sampler.stop(final_sample=True)
            if self._writer is not None:
                state = RunState.FINISHED if not exit_code else RunState.FAILED
                self._writer.close(
                    {"state": state, "exit_code": exit_code or 0, "finished_at": utcnow()}
                )
            self._closed = True
        finally:
            if self._closed:
                _state.unregister(self)

    def _commit_pending(self) -> None:
        """Write the row still open at an explicit step (as a larger step or finish would)."""
        with self._lock:
            if self._pending:
                self._emit(self._pending, self._step)
                self._pending = {}
                self._step += 1

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.finish(exit_code=0 if exc_type is None else 1)

    def _snapshot_fields(self, force: bool) -> dict[str, Any]:
        """Fields for the writer's ``update_run``: what changed since the last call."""
        fields: dict[str, Any] = {}
        with self._lock:
            if self._field_updates:
                fields.update(self._field_updates)
                self._field_updates = {}
            meta_dirty, self._meta_dirty = self._meta_dirty, False
            summary = self.summary._take_dirty(self._summary_dirty)
            self._summary_dirty = False
            config = self.config._take_dirty()
            if force or meta_dirty or config is not None:
                cfg = config if config is not None else self.config.as_dict()
                cfg[META_KEY] = dict(self._meta)
                fields["config"] = cfg
            if force and summary is None:
                summary = self.summary.as_dict()
            if summary is not None:
                fields["summary"] = summary
        return fields

    def _check_writable(self, what: str) -> None:
        if self._finished:
            raise RuntimeError(f"Run {self.path} has finished; {what}() is not allowed.")

    def _warn_forked(self) -> None:
        if not self._fork_warned:
            self._fork_warned = True
            warnings.warn(
                f"Run {self.path} belongs to process {self._pid}; this forked process "
                f"({os.getpid()}) cannot log to it, so this call is ignored. Call "
                "parabola.init() in the child to track it as its own run.",
                UserWarning,
                stacklevel=3,
            )

    def _detach_after_fork(self) -> None:
        # In the child the writer/sampler threads do not exist and their locks may be held.
        self._forked = True
        self._lock = threading.RLock()
        if self._writer is not None:
            self._writer.abandon()
        if self._sampler is not None:
            self._sampler.abandon()

    def _set_field(self, field: str, value: Any) -> None:
        # Checked here, not when the writer sends it: a value no store takes would make every
        # later write of the run fail.
        check_run_text({field: value})
        with self._lock:
            self._field_updates[field] = value

    # Properties ------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        """The run id, unique within the project."""
        return self._id

    @property
    def name(self) -> str:
        """The display name (generated as ``adjective-noun-N`` when not given)."""
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise TypeError(f"run.name: expected a non-empty str, got {value!r}.")
        self._set_field("name", value)
        self._name = value

    @property
    def display_name(self) -> str:
        return self._name

    @property
    def project(self) -> str:
        return self._project

    @property
    def entity(self) -> str:
        return self._entity

    @property
    def path(self) -> str:
        """``entity/project/run_id``: what ``Api().run(...)`` takes."""
        return f"{self._entity}/{self._project}/{self._id}"

    @property
    def tags(self) -> tuple[str, ...]:
        return self._tags

    @tags.setter
    def tags(self, value: Iterable[str]) -> None:
        from parabola.tracking._init import check_tags

        self._tags = tuple(check_tags(value))
        self._set_field("tags", list(self._tags))

    @property
    def notes(self) -> str | None:
        return self._notes

    @notes.setter
    def notes(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"run.notes: expected a str or None, got {value!r}.")
        self._set_field("notes", value)
        self._notes = value

    @property
    def group(self) -> str | None:
        return self._group

    @property
    def job_type(self) -> str | None:
        return self._job_type

    @property
    def url(self) -> str | None:
        """The run's page in the local dashboard (``parabola ui``; ``$PARABOLA_UI_URL`` or
        ``http://127.0.0.1:8080``)."""
        from parabola.tracking._url import dashboard_url

        return dashboard_url(self.entity, self.project, self.id)

    @property
    def project_url(self) -> str | None:
        """The project's runs table in the local dashboard."""
        from parabola.tracking._url import dashboard_url

        return dashboard_url(self.entity, self.project)

    @property
    def sweep_id(self) -> str | None:
        return None

    @property
    def step(self) -> int:
        """The step the next ``log`` call without ``step`` writes to."""
        return self._step

    @property
    def starting_step(self) -> int:
        return self._starting_step

    @property
    def start_time(self) -> float:
        return self._start_wall

    @property
    def resumed(self) -> bool:
        return self._resumed

    @property
    def offline(self) -> bool:
        return self._mode == "offline"

    @property
    def disabled(self) -> bool:
        return self._mode == "disabled"

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def settings(self) -> ResolvedSettings:
        return self._settings

    @property
    def dir(self) -> str:
        """A folder for files to :meth:`save` (``init(dir=...)``, else the working folder)."""
        return os.path.abspath(self._run_dir or ".")

    @property
    def study_name(self) -> str | None:
        return self._study_name

    @property
    def trial_number(self) -> int | None:
        return self._trial_number

    # W&B extras accepted as no-ops ---------------------------------------------------------
    def alert(
        self, title: str, text: str, level: str | None = None, wait_duration: Any = None
    ) -> None:
        """Record an alert in the run's ``events`` list (no notification is sent)."""
        with self._lock:
            self._meta.setdefault("alerts", []).append(
                {
                    "title": str(title),
                    "text": str(text),
                    "level": str(level or "INFO"),
                    "at": time.time(),
                }
            )
            self._meta_dirty = True

    def watch(
        self,
        models: Any,
        criterion: Any = None,
        log: str | None = "gradients",
        log_freq: int = 1000,
        idx: int | None = None,
        log_graph: bool = False,
    ) -> None:
        """Log histograms of a torch model's gradients and/or parameters every ``log_freq``
        backward passes (see :func:`parabola.tracking._watch.watch`)."""
        from parabola.tracking._watch import watch

        watch(models, criterion, log, log_freq, idx, log_graph, run=self)

    def unwatch(self, models: Any = None) -> None:
        """Stop the histograms started by :meth:`watch`."""
        from parabola.tracking._watch import unwatch

        unwatch(models)

    def use_artifact(
        self,
        artifact_or_name: Any,
        type: str | None = None,
        aliases: Any = None,
        use_as: str | None = None,
    ) -> Any:
        """Record that this run uses a logged artifact and return it (``"name:alias"``)."""
        from parabola.tracking._extras import run_use_artifact

        return run_use_artifact(self, artifact_or_name, type)

    def log_model(
        self, path: str | os.PathLike[str], name: str | None = None, aliases: Any = None
    ) -> dict[str, Any]:
        """Log a model file or folder as an artifact of type ``"model"``."""
        return self.log_artifact(path, name=name, type="model", aliases=aliases)

    def _label(self, *args: Any, **kwargs: Any) -> None:
        """W&B's integration telemetry (Hugging Face's Trainer calls it): nothing to record."""

    def mark_preempting(self) -> None:
        """Accepted for W&B compatibility."""

    def __repr__(self) -> str:
        return f"<parabola.Run {self.path} ({self._name})>"
