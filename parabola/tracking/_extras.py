"""W&B's smaller module-level names: ``alert``, ``restore``, ``use_artifact``, ``log_model``,
and the artifact look-up behind ``run.use_artifact``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parabola.tracking._api import LoggedArtifact
    from parabola.tracking._run import Run

__all__ = ["alert", "find_artifact", "log_model", "restore", "run_use_artifact", "use_artifact"]


def _current(what: str) -> Run:
    from parabola.tracking import _state

    run = _state.current_run()
    if run is None:
        raise RuntimeError(f"{what}(): there is no current run; call parabola.init() first.")
    return run


def alert(title: str, text: str, level: str | None = None, wait_duration: Any = None) -> None:
    """Record an alert in the current run (W&B's ``wandb.alert``; no notification is sent).

    Alerts are kept in the run record (``metadata``'s ``alerts``: title, text, level, time).
    """
    if level is not None and str(level).upper() not in ("INFO", "WARN", "ERROR"):
        raise ValueError(f"alert(level=...): expected 'INFO', 'WARN' or 'ERROR', got {level!r}.")
    _current("alert").alert(title, text, level=str(level).upper() if level else None)


def log_model(
    path: str | os.PathLike[str], name: str | None = None, aliases: Iterable[str] | None = None
) -> dict[str, Any]:
    """Log a model file or folder as an artifact of type ``"model"`` (``wandb.log_model``)."""
    return _current("log_model").log_model(path, name=name, aliases=aliases)


def use_artifact(artifact_or_name: Any, type: str | None = None, aliases: Any = None) -> Any:
    """Use a logged artifact in the current run (``wandb.use_artifact``).

    See :func:`run_use_artifact` for the names it takes.
    """
    return run_use_artifact(_current("use_artifact"), artifact_or_name, type)


def _parse(name: str) -> tuple[str | None, str, str]:
    """``[entity/][project/]name[:alias]`` -> (project, name, alias)."""
    path, _, alias = name.partition(":")
    parts = path.split("/")
    if not parts[-1] or len(parts) > 3:
        raise ValueError(
            f"use_artifact(artifact_or_name=...): expected 'name', 'name:alias' or "
            f"'project/name:alias', got {name!r}."
        )
    project = parts[-2] if len(parts) >= 2 else None
    return project, parts[-1], alias or "latest"


def find_artifact(run: Run, name: str, type: str | None = None) -> LoggedArtifact:
    """The logged artifact ``name[:alias|:vN]`` in the run's project (its own included).

    ``latest`` is the highest version; another alias is the highest version holding it.
    """
    from parabola.tracking._api import LoggedArtifact
    from parabola.tracking._run import META_KEY

    project, art_name, alias = _parse(name)
    entries: list[dict[str, Any]] = [
        a for a in run._meta.get("artifacts", []) if a.get("name") == art_name
    ]
    if run._storage is not None:
        for rec in run._storage.get_runs(run.entity, project or run.project):
            if rec.run_id == run.id:
                continue
            meta = rec.config.get(META_KEY) or {}
            entries += [a for a in meta.get("artifacts", []) if a.get("name") == art_name]
    if type is not None:
        entries = [a for a in entries if a.get("type") == type]
    if alias.startswith("v") and alias[1:].isdigit():
        match = [a for a in entries if a.get("version") == alias]
    else:
        match = [a for a in entries if alias in (a.get("aliases") or [])]
    if not match:
        known = sorted({f"{a['name']}:{a.get('version')}" for a in entries})
        raise KeyError(
            f"use_artifact: no artifact {art_name!r} with alias/version {alias!r} in project "
            f"{project or run.project!r} (logged: {known or 'none'})."
        )
    best = max(match, key=lambda a: int(str(a.get("version", "v0"))[1:] or 0))
    storage = run._storage
    if storage is None:
        raise RuntimeError("use_artifact: a disabled run has no store to read artifacts from.")
    return LoggedArtifact(storage, best)


def run_use_artifact(run: Run, artifact_or_name: Any, type: str | None = None) -> Any:
    """Record that ``run`` used an artifact, and return it.

    Args:
        artifact_or_name: ``"name"``, ``"name:alias"``/``"name:v3"``, ``"project/name:alias"``
            (a :class:`~parabola.tracking.LoggedArtifact` comes back, with ``download()``), or a
            :class:`~parabola.Artifact` (returned as it is).

    Raises:
        KeyError: no such artifact or alias.
    """
    from parabola.tracking._artifacts import Artifact

    if isinstance(artifact_or_name, Artifact):
        used: Any = artifact_or_name
        record = {"name": artifact_or_name.name, "version": None, "type": artifact_or_name.type}
    elif isinstance(artifact_or_name, str):
        used = find_artifact(run, artifact_or_name, type)
        record = {"name": used.name, "version": used.version, "type": used.type}
    else:
        raise TypeError(
            "use_artifact(artifact_or_name=...): expected a name such as 'model:latest' or a "
            f"parabola.Artifact, got {artifact_or_name!r:.60}."
        )
    with run._lock:
        run._meta.setdefault("used_artifacts", []).append(record)
        run._meta_dirty = True
    return used


def restore(
    name: str,
    run_path: str | None = None,
    replace: bool = False,
    root: str | os.PathLike[str] | None = None,
) -> IO[str]:
    """Copy a file a run saved with ``run.save`` back, and open it (W&B's ``wandb.restore``).

    It goes to ``root`` (default: the current run's ``dir``).

    Args:
        name: The file's name as saved.
        run_path: ``entity/project/run_id`` of the run that saved it (default: the current run).
        replace: Overwrite a file already at the destination.

    Raises:
        FileNotFoundError: the run has no such file.
    """
    from parabola.tracking import _state
    from parabola.tracking._api import Api, File

    current = _state.current_run()
    if run_path is None:
        if current is None:
            raise RuntimeError("restore(): give run_path=... or call parabola.init() first.")
        if current._storage is None:
            raise FileNotFoundError(f"restore(): a disabled run has no saved file {name!r}.")
        entries = [f for f in current._meta.get("files", []) if f.get("name") == name]
        if not entries:
            raise FileNotFoundError(f"restore(): run {current.path} has no saved file {name!r}.")
        file = File(current._storage, entries[-1])
    else:
        storage = current._storage if current is not None else None
        try:
            file = Api(storage=storage).run(run_path).file(name)
        except KeyError as e:
            raise FileNotFoundError(f"restore(): {e.args[0] if e.args else name}") from None
    target = Path(root) if root is not None else Path(current.dir if current else ".")
    dest = (
        file.download(str(target), replace=True)
        if replace
        else file.download(str(target), exist_ok=True)
    )
    return open(dest, encoding="utf-8")
