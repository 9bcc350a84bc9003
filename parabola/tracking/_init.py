"""``init`` and the module-level shortcuts (``log``, ``finish``, ``login``...)."""

from __future__ import annotations

import dataclasses
import os
import platform
import re
import sys
import threading
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from parabola.storages._base import utcnow
from parabola.storages._records import RunRecord, RunState
from parabola.storages._run_types import RunKey, RunUpdate
from parabola.tracking import _state
from parabola.tracking._config import Config, config_from_arg
from parabola.tracking._history import last_history_step
from parabola.tracking._names import default_entity, new_run_id, new_run_name
from parabola.tracking._run import META_KEY, Run
from parabola.tracking._settings import Settings, resolve_settings
from parabola.tracking._summary import Summary

if TYPE_CHECKING:
    from parabola.storages._base import BaseStorage
    from parabola.tracking._artifacts import Artifact
    from parabola.tracking._metrics import MetricDefinition
    from parabola.tracking._trial_scope import TrialScope

__all__ = ["RunLink", "finish", "init", "log", "log_artifact", "login", "save", "start_run"]

MODES = ("online", "offline", "disabled", "shared", "dryrun", "run")
RESUME = ("allow", "must", "never", "auto", True, False, None)
REINIT = ("default", "return_previous", "finish_previous", "create_new", True, False, None)
DEFAULT_PROJECT = "uncategorized"
_ID_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")
_name_counters: dict[tuple[str, str], int] = {}
_name_lock = threading.Lock()


def init(
    project: str | None = None,
    entity: str | None = None,
    name: str | None = None,
    id: str | None = None,
    tags: Iterable[str] | None = None,
    notes: str | None = None,
    group: str | None = None,
    job_type: str | None = None,
    config: Any = None,
    mode: str | None = None,
    resume: bool | str | None = None,
    reinit: bool | str | None = None,
    dir: str | os.PathLike[str] | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    config_exclude_keys: Iterable[str] | None = None,
    config_include_keys: Iterable[str] | None = None,
    allow_val_change: bool | None = None,
    *,
    storage: str | BaseStorage | None = None,
    **ignored: Any,
) -> Run:
    """Start a run in the local store (W&B's ``wandb.init``; no account, no helper process).

    Args:
        project: Project name (default ``$PARABOLA_PROJECT``/``$WANDB_PROJECT`` or
            ``"uncategorized"``).
        entity: Owner (default ``$PARABOLA_ENTITY``/``$WANDB_ENTITY``, the OS user, or
            ``"local"``).
        name: Display name (default: generated, ``adjective-noun-N``).
        id: Run id, unique in the project (default: 8 random characters). Needed to resume.
        tags, notes, group, job_type: Labels shown and filterable in ``Api().runs``.
        config: Hyperparameters: a dict, an ``argparse.Namespace`` or a YAML path.
        mode: ``"online"`` or ``"offline"`` (both: the local store) or ``"disabled"`` (a
            run that accepts every call and stores nothing). Default ``$PARABOLA_MODE``,
            ``$WANDB_MODE``, else ``"online"``.
        resume: ``"allow"``/``True``/``"auto"`` (continue run ``id`` if it exists),
            ``"must"`` (it must exist), ``"never"`` (it must not).
        reinit: What to do when this process already has a current run: ``None``/
            ``"default"``/``"return_previous"``: return it (warning when ``id`` or
            ``project`` names another run, unless ``"return_previous"``);
            ``True``/``"finish_previous"``: finish it and start a new one; ``"create_new"``:
            start another one alongside.
        dir: Folder reported as ``run.dir`` for files to ``save``.
        settings: :class:`~parabola.tracking.Settings` or a dict (sampling, flush and
            heartbeat intervals).
        storage: Where to write (parabola extension): a URL or a store; default
            ``$PARABOLA_STORAGE`` or ``sqlite:///parabola.db``, the same store as studies.

    Returns:
        The :class:`~parabola.tracking.Run`, also available as ``parabola.run``. Inside an
        objective that ``optimize`` runs (threads and Dask workers included), ``init()``
        naming no run or place (no ``project``, ``entity``, ``name``, ``id``, ``tags``,
        ``notes``, ``group``, ``job_type``, ``resume``, ``dir``, ``storage``, nor
        ``reinit`` that asks for a new run) returns the trial's own run, the one
        ``trial.log`` writes (``config`` is added to it); the trial's end finishes it.

    Raises:
        ValueError: a bad ``mode``/``resume``/``reinit``/``id``, or ``resume`` rules broken.

    Example:
        >>> import parabola as wandb
        >>> with wandb.init(project="demo", mode="disabled", tags=["a"]) as run:
        ...     run.log({"loss": 0.5})
    """
    return start_run(
        project,
        entity,
        name,
        id,
        tags,
        notes,
        group,
        job_type,
        config,
        mode,
        resume,
        reinit,
        dir,
        settings,
        config_exclude_keys,
        config_include_keys,
        allow_val_change,
        storage=storage,
        ignored=ignored,
    )


@dataclasses.dataclass(frozen=True)
class RunLink:
    """What ties a run to the optimisation half: its study, and its trial (if it has one)."""

    study_name: str
    trial_number: int | None = None


def start_run(
    project: str | None = None,
    entity: str | None = None,
    name: str | None = None,
    id: str | None = None,
    tags: Iterable[str] | None = None,
    notes: str | None = None,
    group: str | None = None,
    job_type: str | None = None,
    config: Any = None,
    mode: str | None = None,
    resume: bool | str | None = None,
    reinit: bool | str | None = None,
    dir: str | os.PathLike[str] | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    config_exclude_keys: Iterable[str] | None = None,
    config_include_keys: Iterable[str] | None = None,
    allow_val_change: bool | None = None,
    *,
    storage: str | BaseStorage | None = None,
    link: RunLink | None = None,
    make_current: bool = True,
    ignored: Mapping[str, Any] | None = None,
) -> Run:
    """:func:`init`, plus what only parabola itself passes: the run's ``link`` to a study or
    trial, and ``make_current=False`` for a run that must not become ``parabola.run``
    (a trial's run is written by its trial, not by ``parabola.log``)."""
    ignored = dict(ignored or {})
    private_study = link.study_name if link is not None else None
    private_trial = link.trial_number if link is not None else None
    sync_tensorboard = ignored.pop("sync_tensorboard", False)
    if sync_tensorboard:  # fail before the run exists: never accept it and lose the metrics
        from parabola.tracking._tensorboard import check_tensorboard

        check_tensorboard()
    mode = _resolve_mode(mode)
    if resume not in RESUME:
        raise ValueError(
            f"init(resume=...): expected one of 'allow', 'must', 'never', 'auto', True, False "
            f"or None, got {resume!r}."
        )
    if reinit not in REINIT:
        raise ValueError(
            "init(reinit=...): expected one of 'default', 'return_previous', "
            f"'finish_previous', 'create_new', True, False or None, got {reinit!r}."
        )
    # Inside a trial's objective, init() that names no run or place of its own is the trial's
    # run (the one trial.log writes), so what the objective logs is linked to its trial.
    scope: TrialScope | None = None
    if (
        link is None
        and make_current
        and mode != "disabled"
        and reinit not in (True, "finish_previous", "create_new")
        and all(
            a is None
            for a in (project, entity, name, id, tags, notes, group, job_type, resume, dir, storage)
        )
    ):
        from parabola.tracking._trial_scope import active_scope

        scope = active_scope()
    current = _state.current_run()
    if current is not None and (current._finished or current._pid != os.getpid()):
        current = None
    if current is not None and make_current and scope is None:
        if reinit in (None, False, "default", "return_previous"):
            if reinit != "return_previous" and (
                (id is not None and id != current.id)
                or (project is not None and project != current.project)
            ):
                # W&B (in notebooks) would finish the previous run; returning it silently
                # would send this run's rows to another run.
                asked = f"project={project!r}" if id is None else f"id={id!r}, project={project!r}"
                warnings.warn(
                    f"init({asked}) returns the run still live in this process, "
                    f"{current.path} ({current.name}), and starts no new run. Call "
                    "run.finish() first, or pass reinit='finish_previous' (finish it and start "
                    "a new run) or reinit='create_new' (keep both).",
                    UserWarning,
                    stacklevel=2,
                )
            return current
        if reinit in (True, "finish_previous"):
            current.finish()
    if dir is not None and not isinstance(dir, (str, os.PathLike)):
        raise TypeError(f"init(dir=...): expected a folder path, got {dir!r}.")
    resolved = resolve_settings(settings)
    project = _check_label(
        "project", project or _env("PARABOLA_PROJECT", "WANDB_PROJECT") or DEFAULT_PROJECT
    )
    entity = _check_label("entity", entity or default_entity())
    tag_list = check_tags(tags)
    for arg, value in (("notes", notes), ("group", group), ("job_type", job_type), ("name", name)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"init({arg}=...): expected a str, got {value!r}.")
    cfg = config_from_arg(config, "init(config=...)")
    media = sys.modules.get("parabola.tracking._media")
    if media is not None:  # an Image in config: an error naming the key, before any write
        media.reject_media(cfg, "init(config=...)")
    if config_include_keys is not None:
        keep = set(config_include_keys)
        cfg = {k: v for k, v in cfg.items() if k in keep}
    if config_exclude_keys is not None:
        drop = set(config_exclude_keys)
        cfg = {k: v for k, v in cfg.items() if k not in drop}
    if scope is not None:
        return _attach_to_trial(scope, cfg)
    run_dir = os.fspath(dir) if dir is not None else None

    if mode == "disabled":
        run = Run(
            run_id=id or new_run_id(),
            name=name or "dummy",
            project=project,
            entity=entity,
            tags=tag_list,
            notes=notes,
            group=group,
            job_type=job_type,
            config=Config(cfg),
            summary=Summary(),
            meta={},
            settings=resolved,
            mode=mode,
            storage=None,
            run_dir=run_dir,
            make_current=make_current,
        )
        _state.register(run, make_current)
        return run

    from parabola.tracking._store import resolve_storage

    store = resolve_storage(storage)
    if id is not None and (not isinstance(id, str) or not _ID_RE.match(id)):
        raise ValueError(
            f"init(id=...): expected 1-128 letters, digits, '_', '-' or '.', got {id!r}."
        )
    existing: RunRecord | None = None
    if id is not None:
        try:
            existing = store.get_run(RunKey(entity, project, id))
        except KeyError:
            existing = None
    if resume == "must" and existing is None:
        raise ValueError(
            f"init(resume='must'): no run {entity}/{project}/{id} to resume"
            + ("" if id else " (pass id=...)")
            + "."
        )
    if existing is not None and resume in (None, False, "never"):
        raise ValueError(
            f"init(id={id!r}): run {entity}/{project}/{id} already exists; pass "
            "resume='allow' to continue it or choose another id."
        )
    meta: dict[str, Any] = {
        "heartbeat_interval": resolved.heartbeat_interval,
        # platform.node() is the host name (uname's node) without importing socket, which
        # costs every init an import for this one string.
        "host": platform.node(),
        "pid": os.getpid(),
        "python": platform.python_version(),
        "program": os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else None,
    }
    if existing is not None:
        run = _resume(
            existing,
            store,
            resolved,
            mode,
            cfg,
            tags,
            notes,
            meta,
            run_dir,
            make_current,
            allow_val_change,
        )
    else:
        run_id = id or new_run_id()
        record = RunRecord(
            run_id=run_id,
            project=project,
            entity=entity,
            name=name or new_run_name(_next_number(store, entity, project)),
            state=RunState.RUNNING,
            created_at=utcnow(),
            heartbeat_at=utcnow(),
            config={**cfg, META_KEY: meta},
            summary={},
            tags=tag_list,
            notes=notes,
            group=group,
            job_type=job_type,
            study_name=private_study,
            trial_number=private_trial,
        )
        store.create_run(record)
        run = Run(
            run_id=run_id,
            name=record.name,
            project=project,
            entity=entity,
            tags=tag_list,
            notes=notes,
            group=group,
            job_type=job_type,
            config=Config(cfg),
            summary=Summary(),
            meta=meta,
            settings=resolved,
            mode=mode,
            storage=store,
            run_dir=run_dir,
            make_current=make_current,
            study_name=private_study,
            trial_number=private_trial,
        )
    run._start_threads()
    _state.register(run, make_current)
    if sync_tensorboard:
        from parabola.tracking._tensorboard import TensorBoardSync

        TensorBoardSync(run).start()
    return run


def _attach_to_trial(scope: TrialScope, cfg: dict[str, Any]) -> Run:
    """The running trial's own run, made ``parabola.run`` until the objective returns."""
    run = scope.open_run()
    if cfg:
        run.config.update(cfg, allow_val_change=True)
    if scope.attached is None:
        scope.attached, scope.previous = run, _state.current_run()
    _state.set_current(run)
    return run


def _resume(
    record: RunRecord,
    store: BaseStorage,
    resolved: Any,
    mode: str,
    cfg: dict[str, Any],
    tags: Iterable[str] | None,
    notes: str | None,
    meta: dict[str, Any],
    run_dir: str | None,
    make_current: bool,
    allow_val_change: bool | None,
) -> Run:
    old = dict(record.config)
    old_meta = old.pop(META_KEY, None) or {}
    meta = {**old_meta, **meta}
    config = Config(old)
    config.update(cfg, allow_val_change=True)
    summary = Summary(record.summary)
    start_step = (
        last_history_step(store, record.entity, record.project, record.run_id, record.summary) + 1
    )
    runtime = record.summary.get("_runtime")
    tag_list = check_tags(tags) if tags is not None else list(record.tags)
    store.update_run(
        RunKey.of(record),
        RunUpdate(
            state=RunState.RUNNING,
            heartbeat_at=utcnow(),
            finished_at=None,
            exit_code=None,
            tags=tag_list,
            notes=notes if notes is not None else record.notes,
            config={**config.as_dict(), META_KEY: meta},
        ),
    )
    return Run(
        run_id=record.run_id,
        name=record.name,
        project=record.project,
        entity=record.entity,
        tags=tag_list,
        notes=notes if notes is not None else record.notes,
        group=record.group,
        job_type=record.job_type,
        config=config,
        summary=summary,
        meta=meta,
        settings=resolved,
        mode=mode,
        storage=store,
        start_step=start_step,
        start_runtime=float(runtime) if isinstance(runtime, (int, float)) else 0.0,
        resumed=True,
        run_dir=run_dir,
        make_current=make_current,
        study_name=record.study_name,
        trial_number=record.trial_number,
    )


def _next_number(store: BaseStorage, entity: str, project: str) -> int:
    # One read of the project per process; later runs count locally (names need not be unique).
    key = (entity, project)
    with _name_lock:
        if key not in _name_counters:
            _name_counters[key] = store.count_runs(entity, project)
        _name_counters[key] += 1
        return _name_counters[key]


def _resolve_mode(mode: str | None) -> str:
    if mode is None:
        mode = _env("PARABOLA_MODE", "WANDB_MODE") or "online"
    if mode not in MODES:
        raise ValueError(
            f"init(mode=...): expected 'online', 'offline' or 'disabled' (both 'online' and "
            f"'offline' write to the local store), got {mode!r}."
        )
    return {"dryrun": "offline", "run": "online", "shared": "online"}.get(mode, mode)


def _env(*names: str) -> str | None:
    for n in names:
        value = os.environ.get(n, "").strip()
        if value:
            return value
    return None


def _check_label(arg: str, value: Any) -> str:
    if not isinstance(value, str) or not value or "/" in value:
        raise ValueError(f"init({arg}=...): expected a non-empty str without '/', got {value!r}.")
    return value


def check_tags(tags: Iterable[str] | None) -> list[str]:
    """Validate tags: an iterable of non-empty strings (a single str is an error)."""
    if tags is None:
        return []
    if isinstance(tags, str) or not isinstance(tags, Iterable):
        raise TypeError(f"tags: expected a list of str, got {tags!r}.")
    out: list[str] = []
    for t in tags:
        if not isinstance(t, str) or not t:
            raise TypeError(f"tags: every tag must be a non-empty str, got {t!r}.")
        if t not in out:
            out.append(t)
    return out


# Module-level shortcuts on the current run -------------------------------------------------
def _require_run(what: str) -> Run:
    run = _state.current_run()
    if run is None:
        raise RuntimeError(f"parabola.{what}: no current run; call parabola.init() first.")
    return run


def log(
    data: Mapping[str, Any],
    step: int | None = None,
    commit: bool | None = None,
    sync: bool | None = None,
) -> None:
    """Log to the current run (see :meth:`Run.log`)."""
    _require_run("log()").log(data, step=step, commit=commit)


def finish(exit_code: int | None = None, quiet: bool | None = None) -> None:
    """Finish the current run, if any (see :meth:`Run.finish`)."""
    run = _state.current_run()
    if run is not None:
        run.finish(exit_code=exit_code)


def define_metric(
    name: str,
    step_metric: str | None = None,
    step_sync: bool | None = None,
    hidden: bool | None = None,
    summary: str | None = None,
    goal: str | None = None,
    overwrite: bool | None = None,
) -> MetricDefinition:
    """``define_metric`` on the current run (see :meth:`Run.define_metric`)."""
    return _require_run("define_metric()").define_metric(
        name, step_metric, step_sync, hidden, summary, goal, overwrite
    )


def save(
    glob_str: str | os.PathLike[str],
    base_path: str | None = None,
    policy: str = "live",
    glob: bool = True,
) -> list[str]:
    """``save`` on the current run (see :meth:`Run.save`)."""
    return _require_run("save()").save(glob_str, base_path, policy, glob)


def log_artifact(
    artifact_or_path: Artifact | str | os.PathLike[str],
    name: str | None = None,
    type: str | None = None,
    aliases: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
) -> dict[str, Any]:
    """``log_artifact`` on the current run (see :meth:`Run.log_artifact`)."""
    return _require_run("log_artifact()").log_artifact(artifact_or_path, name, type, aliases, tags)


def login(
    key: str | None = None,
    relogin: bool | None = None,
    host: str | None = None,
    anonymous: str | None = None,
    timeout: int | None = None,
    verify: bool = False,
    *,
    storage: str | BaseStorage | None = None,
    **ignored: Any,
) -> bool:
    """No account needed: print the store runs go to and return ``True``.

    Example:
        >>> import parabola as wandb
        >>> wandb.login()  # doctest: +SKIP
        parabola: no login needed; runs are stored in sqlite:///.../parabola.db
        True
    """
    from parabola.tracking._store import resolve_storage, storage_label

    if storage is None:
        from parabola.storages._factory import default_storage_url

        label = default_storage_url()
        if label.startswith("sqlite:///") and not label.startswith("sqlite:////"):
            label = "sqlite:///" + os.path.abspath(label[len("sqlite:///") :])
    else:
        label = storage_label(resolve_storage(storage))
    print(f"parabola: no login needed; runs are stored in {label}")
    return True
