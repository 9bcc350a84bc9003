"""Reading runs back: ``Api().runs(...)``, ``Api().run(path)`` and the public ``Run``.

Everything is read from the local store; there is no server and no key. A run whose state is
``running`` but whose heartbeat is older than ``2 * heartbeat_interval + 1`` seconds is shown as
``crashed`` (its process died without finishing it).
"""

from __future__ import annotations

import datetime
import operator
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from parabola.storages._base import utcnow
from parabola.storages._records import RunRecord, RunState
from parabola.storages._run_types import HistoryQuery, RunKey, RunUpdate
from parabola.tracking._filters import matches, resolve_field
from parabola.tracking._history import downsample_indices, last_history_step, select_rows
from parabola.tracking._names import default_entity
from parabola.tracking._run import META_KEY
from parabola.tracking._settings import stale_after
from parabola.tracking._summary import KeysAsAttributes

if TYPE_CHECKING:
    import pandas as pd

    from parabola.storages._base import BaseStorage

__all__ = ["Api", "File", "LoggedArtifact", "PublicRun", "PublicSummary", "Runs"]

STREAMS = ("default", "system", "events")


class Api:
    """Read runs from the local store, with W&B's public-API names.

    Args:
        overrides, timeout, api_key: Accepted for W&B compatibility and ignored.
        storage: The store to read (parabola extension); default ``$PARABOLA_STORAGE`` or
            ``sqlite:///parabola.db``.

    Example:
        >>> import parabola as wandb
        >>> from parabola.storages import InMemoryStorage
        >>> store = InMemoryStorage()
        >>> with wandb.init(project="p", storage=store, settings={"x_disable_stats": True}) as run:
        ...     run.log({"loss": 0.5})
        >>> wandb.Api(storage=store).run(run.path).history()["loss"].tolist()
        [0.5]
    """

    def __init__(
        self,
        overrides: Mapping[str, Any] | None = None,
        timeout: int | None = None,
        api_key: str | None = None,
        *,
        storage: str | BaseStorage | None = None,
    ) -> None:
        from parabola.tracking._store import resolve_storage

        self._storage = resolve_storage(storage)
        self._overrides = dict(overrides or {})

    @property
    def default_entity(self) -> str:
        return str(self._overrides.get("entity") or default_entity())

    def runs(
        self,
        path: str | None = None,
        filters: Mapping[str, Any] | None = None,
        order: str = "+created_at",
        per_page: int = 50,
        include_sweeps: bool = True,
        lazy: bool = True,
    ) -> Runs:
        """Runs of a project (``"entity/project"`` or ``"project"``; ``None``: every run),
        filtered with MongoDB-style ``filters`` and sorted by ``order``.

        ``order`` is a field such as ``created_at``, ``heartbeat_at``, ``name``,
        ``display_name``, ``state``, ``config.lr`` (or ``config.lr.value``) or
        ``summary_metrics.loss``, prefixed with ``+`` (ascending, default) or ``-``.

        Raises:
            ValueError: a malformed ``path``, ``order`` or filter.
        """
        entity, project = self._split_project_path(path)
        if not isinstance(order, str) or not order.lstrip("+-"):
            raise ValueError(f"runs(order=...): expected e.g. '-created_at', got {order!r}.")
        records = self._storage.get_runs(entity, project)
        docs = [(rec, _document(rec)) for rec in records]
        kept = [(rec, doc) for rec, doc in docs if matches(doc, filters)]
        descending = order.startswith("-")
        field = order.lstrip("+-")
        present = [(r, d) for r, d in kept if _order_value(d, field) is not None]
        missing = [(r, d) for r, d in kept if _order_value(d, field) is None]
        try:
            present.sort(key=lambda rd: _order_value(rd[1], field), reverse=descending)
        except TypeError:
            present.sort(key=lambda rd: str(_order_value(rd[1], field)), reverse=descending)
        return Runs([PublicRun(self._storage, rec) for rec, _ in present + missing])

    def run(self, path: str | Sequence[str]) -> PublicRun:
        """One run by ``"entity/project/run_id"``, ``"project/run_id"`` or ``"run_id"``
        (W&B's ``".../runs/run_id"`` form is accepted too).

        Raises:
            ValueError: ``path`` is malformed, or a short path matches several runs.
            KeyError: no such run (the message names the path).
        """
        parts = _split(path, "run(path=...)")
        if len(parts) == 4 and parts[2] == "runs":
            parts = [parts[0], parts[1], parts[3]]
        if len(parts) == 3:
            entity, project, run_id = parts
            try:
                return PublicRun(
                    self._storage, self._storage.get_run(RunKey(entity, project, run_id))
                )
            except KeyError:
                raise KeyError(
                    f"No run '{entity}/{project}/{run_id}' in {self._label()}."
                ) from None
        if len(parts) == 2:
            project, run_id = parts
            found = [r for r in self._storage.get_runs(None, project) if r.run_id == run_id]
        elif len(parts) == 1:
            run_id = parts[0]
            found = [r for r in self._storage.get_runs() if r.run_id == run_id]
        else:
            raise ValueError(
                f"run(path=...): expected 'entity/project/run_id', 'project/run_id' or "
                f"'run_id', got {path!r}."
            )
        if not found:
            raise KeyError(f"No run '{'/'.join(parts)}' in {self._label()}.")
        if len(found) > 1:
            mine = [r for r in found if r.entity == self.default_entity]
            if len(mine) != 1:
                raise ValueError(
                    f"run(path={path!r}) matches {len(found)} runs; give the full "
                    "'entity/project/run_id'."
                )
            found = mine
        return PublicRun(self._storage, found[0])

    def projects(self, entity: str | None = None) -> list[str]:
        """Project names, optionally of one entity."""
        return sorted({r.project for r in self._storage.get_runs(entity, None)})

    def flush(self) -> None:
        """Nothing is cached; accepted for W&B compatibility."""

    def _label(self) -> str:
        from parabola.tracking._store import storage_label

        return storage_label(self._storage)

    @staticmethod
    def _split_project_path(path: str | None) -> tuple[str | None, str | None]:
        if path is None:
            return None, None
        parts = _split(path, "runs(path=...)")
        if len(parts) == 1:
            return None, parts[0]
        if len(parts) == 2:
            return parts[0], parts[1]
        raise ValueError(f"runs(path=...): expected 'entity/project' or 'project', got {path!r}.")


class Runs(Sequence["PublicRun"]):
    """The runs ``Api.runs`` found, in order (a sequence: ``len``, index, iterate)."""

    def __init__(self, runs: list[PublicRun]) -> None:
        self._runs = runs

    @overload
    def __getitem__(self, index: int) -> PublicRun: ...
    @overload
    def __getitem__(self, index: slice) -> list[PublicRun]: ...
    def __getitem__(self, index: int | slice) -> PublicRun | list[PublicRun]:
        return self._runs[index]

    def __len__(self) -> int:
        return len(self._runs)

    def __iter__(self) -> Iterator[PublicRun]:
        return iter(self._runs)

    def __repr__(self) -> str:
        return f"<Runs {len(self._runs)}>"

    def histories(
        self,
        samples: int = 500,
        keys: Sequence[str] | None = None,
        x_axis: str = "_step",
        format: str = "pandas",
    ) -> pd.DataFrame | list[dict[str, Any]]:
        """Every run's sampled history in one table, with a ``run_id`` column."""
        import pandas as pd

        frames = []
        for run in self._runs:
            df = run.history(samples=samples, keys=keys, x_axis=x_axis, pandas=True)
            assert not isinstance(df, list)
            frames.append(df.assign(run_id=run.id))
        out: pd.DataFrame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if format == "pandas":
            return out
        records: list[dict[str, Any]] = out.to_dict("records")  # type: ignore[assignment]
        return records


class PublicSummary(KeysAsAttributes, dict[str, Any]):
    """A stored run's summary: a plain dict that also reads and sets keys as attributes
    (``run.summary.best``), as W&B's does; :meth:`PublicRun.update` writes changes back.

    Example:
        >>> s = PublicSummary({"best": 0.9})
        >>> s.best
        0.9
        >>> s.note = "ok"
        >>> s["note"]
        'ok'
    """


class PublicRun:
    """A stored run as ``Api`` returns it: metadata, ``history``, ``scan_history``, ``files``."""

    def __init__(self, storage: BaseStorage, record: RunRecord) -> None:
        self._storage = storage
        self._record = record
        self._apply(record)

    def _apply(self, record: RunRecord) -> None:
        self._record = record
        config = dict(record.config)
        self._meta: dict[str, Any] = dict(config.pop(META_KEY, None) or {})
        self.config: dict[str, Any] = {k: v for k, v in config.items() if k != "_wandb"}
        self.summary: PublicSummary = PublicSummary(record.summary)
        self.tags: list[str] = list(record.tags)
        self.notes: str | None = record.notes
        self.name: str = record.name

    # Identity ---------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._record.run_id

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def entity(self) -> str:
        return self._record.entity

    @property
    def project(self) -> str:
        return self._record.project

    @property
    def path(self) -> list[str]:
        """``[entity, project, run_id]`` (as W&B's public API)."""
        return [self.entity, self.project, self.id]

    @property
    def group(self) -> str | None:
        return self._record.group

    @property
    def job_type(self) -> str | None:
        return self._record.job_type

    @property
    def study_name(self) -> str | None:
        return self._record.study_name

    @property
    def trial_number(self) -> int | None:
        return self._record.trial_number

    @property
    def url(self) -> str | None:
        """The run's page in the local dashboard (``parabola ui``; ``$PARABOLA_UI_URL`` or
        ``http://127.0.0.1:8080``)."""
        from parabola.tracking._url import dashboard_url

        return dashboard_url(self.entity, self.project, self.id)

    @property
    def summary_metrics(self) -> dict[str, Any]:
        return self.summary

    @property
    def created_at(self) -> str:
        """Creation time, ISO 8601 UTC (W&B returns a string too)."""
        return self._record.created_at.isoformat()

    @property
    def heartbeat_at(self) -> str:
        return self._record.heartbeat_at.isoformat()

    @property
    def finished_at(self) -> str | None:
        return self._record.finished_at.isoformat() if self._record.finished_at else None

    @property
    def exit_code(self) -> int | None:
        return self._record.exit_code

    @property
    def state(self) -> str:
        """``running``, ``finished``, ``failed`` or ``crashed`` (a running run whose heartbeat
        went stale)."""
        return run_state(self._record).value

    @property
    def lastHistoryStep(self) -> int:
        """The largest ``_step`` in the history (-1 when empty)."""
        r = self._record
        return last_history_step(self._storage, r.entity, r.project, r.run_id, r.summary)

    @property
    def metadata(self) -> dict[str, Any]:
        return {k: v for k, v in self._meta.items() if k not in ("files", "artifacts")}

    @property
    def system_metrics(self) -> dict[str, Any]:
        rows = self._rows("system", None, None)
        return {k: v for k, v in rows[-1].items() if not k.startswith("_")} if rows else {}

    # History ----------------------------------------------------------------------------------
    def history(
        self,
        samples: int = 500,
        keys: Sequence[str] | None = None,
        x_axis: str = "_step",
        pandas: bool = True,
        stream: str = "default",
    ) -> pd.DataFrame | list[dict[str, Any]]:
        """Up to ``samples`` rows of the history, keeping the first, the last and each
        series' minimum and maximum.

        Args:
            samples: Maximum number of rows (with more series than fit, extremes are
                taken series by series until it is reached).
            keys: Only rows holding all these keys, reduced to them (and ``x_axis``).
            x_axis: The column rows are ordered by.
            pandas: Return a ``pandas.DataFrame`` (else a list of dicts).
            stream: ``"default"`` (logged rows) or ``"system"`` (system metrics; ``"events"``
                is W&B's old name for it).

        Example:
            >>> import parabola as wandb
            >>> from parabola.storages import InMemoryStorage
            >>> store = InMemoryStorage()
            >>> run = wandb.init(storage=store, settings={"x_disable_stats": True})
            >>> for i in range(1000):
            ...     run.log({"loss": (i - 500) ** 2})
            >>> run.finish()
            >>> df = wandb.Api(storage=store).run(run.path).history(samples=50)
            >>> len(df), int(df["loss"].min())
            (50, 0)
        """

        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
            raise ValueError(f"history(samples=...): expected an int >= 1, got {samples!r}.")
        wanted = _keys(keys)
        if pandas:
            frame = self._frame_from_columns(stream, wanted, x_axis, samples)
            if frame is not None:
                return frame
        rows = select_rows(self._rows(stream, None, None), wanted, x_axis)
        if len(rows) > samples:
            rows = [rows[i] for i in downsample_indices(_frame(rows), samples)]
        return _frame(rows) if pandas else rows

    def scan_history(
        self,
        keys: Sequence[str] | None = None,
        page_size: int = 1000,
        min_step: int | None = None,
        max_step: int | None = None,
        stream: str = "default",
    ) -> Iterator[dict[str, Any]]:
        """Every row (no sampling), in step order, as dicts; with ``keys``, only rows holding
        all of them, reduced to them. ``max_step`` is exclusive, as in W&B."""
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValueError(
                f"scan_history(page_size=...): expected an int >= 1, got {page_size!r}."
            )
        wanted = _keys(keys)
        upper = None if max_step is None else max_step - 1
        rows = select_rows(self._rows(stream, min_step, upper), None, "_step")
        for r in rows:
            if wanted is None:
                yield r
            elif all(k in r for k in wanted):
                yield {k: r[k] for k in wanted}

    beta_scan_history = scan_history

    def _frame_from_columns(
        self, stream: str, keys: list[str] | None, x_axis: str, samples: int
    ) -> pd.DataFrame | None:
        """``history``'s DataFrame built from the store's columns, without row dicts; ``None``
        when the rows path is needed (a sparse column, or an unsorted or non-numeric
        ``x_axis``), so both paths give the same table."""
        import numpy as np
        import pandas as pd

        wanted = None if keys is None else list(dict.fromkeys([x_axis, *keys]))
        r = self._record
        columns = self._storage.get_run_history_columns(
            RunKey.of(r), HistoryQuery(stream=_stream(stream), keys=wanted)
        )
        if wanted is not None:
            if not all(k in columns for k in wanted):
                return None
            columns = {k: columns[k] for k in wanted}
        x = columns.get(x_axis)
        if not isinstance(x, np.ndarray) or x.dtype.kind not in "iuf":
            return None
        if len(x) > 1 and not bool((np.diff(x) >= 0).all()):
            return None
        for col in columns.values():
            if not isinstance(col, np.ndarray) and None in col:
                return None
        frame: pd.DataFrame = pd.DataFrame(columns, copy=False)
        if len(frame) > samples:
            frame = frame.iloc[downsample_indices(frame, samples)].reset_index(drop=True)
        return frame

    def _rows(
        self, stream: str, min_step: int | None, max_step: int | None
    ) -> list[dict[str, Any]]:
        r = self._record
        return self._storage.get_run_history(
            RunKey.of(r), HistoryQuery(stream=_stream(stream), min_step=min_step, max_step=max_step)
        )

    # Files ------------------------------------------------------------------------------------
    def files(self, names: Sequence[str] | None = None, pattern: str | None = None) -> list[File]:
        """Files saved with ``Run.save``, optionally only ``names`` or a glob ``pattern``."""
        import fnmatch

        out = [File(self._storage, f) for f in self._meta.get("files", [])]
        if names is not None:
            out = [f for f in out if f.name in set(names)]
        if pattern is not None:
            out = [f for f in out if fnmatch.fnmatch(f.name, pattern)]
        return out

    def file(self, name: str) -> File:
        """One saved file by name; ``KeyError`` naming it if absent."""
        for f in self.files():
            if f.name == name:
                return f
        raise KeyError(f"Run {'/'.join(self.path)} has no file {name!r}.")

    def logged_artifacts(self) -> list[LoggedArtifact]:
        """Artifacts logged with ``Run.log_artifact``."""
        return [LoggedArtifact(self._storage, a) for a in self._meta.get("artifacts", [])]

    # Changes ----------------------------------------------------------------------------------
    def update(self) -> None:
        """Write back changes made to ``name``, ``tags``, ``notes``, ``config`` and
        ``summary``."""
        r = self._record
        config = {**self.config, META_KEY: self._meta}
        self._storage.update_run(
            RunKey.of(r),
            RunUpdate(
                name=self.name,
                tags=list(self.tags),
                notes=self.notes,
                config=config,
                summary=dict(self.summary),
            ),
        )
        self._apply(self._storage.get_run(RunKey.of(r)))

    def delete(self) -> None:
        """Delete the run and its history (file contents stay: other runs may share them)."""
        r = self._record
        self._storage.delete_run(RunKey.of(r))

    def load(self) -> None:
        """Re-read the run from the store."""
        r = self._record
        self._apply(self._storage.get_run(RunKey.of(r)))

    def __repr__(self) -> str:
        return f"<Run {'/'.join(self.path)} ({self.state})>"


class File:
    """A file saved by a run: ``name``, ``size``, ``sha256``, local ``path``, ``download``."""

    def __init__(self, storage: BaseStorage, entry: Mapping[str, Any]) -> None:
        from parabola.tracking._store import artifact_root

        self.name: str = entry["name"]
        self.size: int = int(entry.get("size", 0))
        self.sha256: str = entry["sha256"]
        self.updated_at: str | None = entry.get("updated_at")
        self.path = artifact_root(storage) / self.sha256

    def download(self, root: str = ".", replace: bool = False, exist_ok: bool = False) -> Path:
        """Copy the file to ``root/name``; refuse to overwrite unless ``replace``."""
        dest = Path(root) / self.name
        if dest.exists() and not replace:
            if exist_ok:
                return dest
            raise FileExistsError(f"{dest} exists; pass replace=True to overwrite it.")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path, dest)
        return dest

    def __repr__(self) -> str:
        return f"<File {self.name} ({self.size} bytes)>"


class LoggedArtifact:
    """An artifact a run logged: ``name``, ``type``, ``version``, ``files``, ``download``."""

    def __init__(self, storage: BaseStorage, entry: Mapping[str, Any]) -> None:
        self.name: str = entry["name"]
        self.type: str = entry.get("type", "unspecified")
        self.version: str = entry.get("version", "v0")
        self.aliases: list[str] = list(entry.get("aliases", []))
        self.digest: str = entry.get("digest", "")
        self.metadata: dict[str, Any] = dict(entry.get("metadata") or {})
        self.description: str | None = entry.get("description")
        self.files = [File(storage, f) for f in entry.get("files", [])]

    @property
    def qualified_name(self) -> str:
        return f"{self.name}:{self.version}"

    def download(self, root: str | None = None) -> Path:
        """Copy every file under ``root`` (default ``./artifacts/<name>:<version>``)."""
        target = Path(root) if root is not None else Path("artifacts") / self.qualified_name
        for f in self.files:
            f.download(str(target), replace=True)
        return target

    def __repr__(self) -> str:
        return f"<Artifact {self.qualified_name} ({self.type})>"


def run_state(record: RunRecord) -> RunState:
    """The state readers show: RUNNING becomes CRASHED once the heartbeat is stale."""
    state = RunState(record.state)
    if state is RunState.RUNNING:
        meta = record.config.get(META_KEY) or {}
        interval = float(meta.get("heartbeat_interval") or 10.0)
        age = (utcnow() - record.heartbeat_at).total_seconds()
        if age > stale_after(interval):
            return RunState.CRASHED
    return state


def _document(rec: RunRecord) -> dict[str, Any]:
    config = {k: v for k, v in rec.config.items() if k != META_KEY}
    state = run_state(rec).value
    return {
        "id": rec.run_id,
        "name": rec.run_id,
        "display_name": rec.name,
        "displayName": rec.name,
        "state": state,
        "tags": list(rec.tags),
        "config": config,
        "summary_metrics": rec.summary,
        "summary": rec.summary,
        "created_at": rec.created_at,
        "createdAt": rec.created_at,
        "heartbeat_at": rec.heartbeat_at,
        "heartbeatAt": rec.heartbeat_at,
        "group": rec.group,
        "job_type": rec.job_type,
        "jobType": rec.job_type,
        "notes": rec.notes,
        "entity": rec.entity,
        "project": rec.project,
        "study_name": rec.study_name,
        "trial_number": rec.trial_number,
    }


def _order_value(doc: Mapping[str, Any], field: str) -> Any:
    value = resolve_field(doc, field)
    if isinstance(value, (dict, list)) or value is None:
        return None
    if isinstance(value, (datetime.datetime, int, float, str)):
        return value
    return None


def _split(path: Any, what: str) -> list[str]:
    if isinstance(path, (list, tuple)):
        parts = [str(p) for p in path]
    elif isinstance(path, str):
        parts = [p for p in path.strip("/").split("/")]
    else:
        raise TypeError(f"{what}: expected a str such as 'entity/project/run_id', got {path!r}.")
    if not parts or any(not p for p in parts):
        raise ValueError(f"{what}: malformed path {path!r}.")
    return parts


def _stream(stream: str) -> str:
    """The stored stream name of ``stream`` (``"events"`` is W&B's old name for ``"system"``)."""
    if stream not in STREAMS:
        raise ValueError(
            f"stream: expected 'default', 'system' or 'events' (W&B's old name for "
            f"'system'), got {stream!r}."
        )
    return "system" if stream == "events" else stream


def _keys(keys: Sequence[str] | None) -> list[str] | None:
    if keys is None:
        return None
    if isinstance(keys, str):
        return [keys]
    out = list(keys)
    if not all(isinstance(k, str) for k in out):
        raise TypeError(f"keys: expected a list of str, got {keys!r}.")
    return out


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame built column by column (several times faster than from a list of dicts)."""
    import itertools

    import numpy as np
    import pandas as pd

    if not rows:
        return pd.DataFrame()  # type: ignore[no-any-return]
    first = rows[0]
    n = len(rows)
    # Every row holds first's keys and no others (the usual case): read columns with
    # C-level iteration, floats straight into float64 arrays.
    if sum(map(len, rows)) == len(first) * n:
        try:
            fast: dict[str, Any] = {}
            for name, value in first.items():
                getter = operator.itemgetter(name)
                if type(value) is float:
                    fast[name] = np.fromiter(map(getter, rows), dtype=np.float64, count=n)
                else:
                    fast[name] = list(map(getter, rows))
            return pd.DataFrame(fast, copy=False)  # type: ignore[no-any-return]
        except (KeyError, TypeError, ValueError):
            pass  # a missing key, or a None/str among floats: take the general path
    names = dict.fromkeys(itertools.chain.from_iterable(rows))  # first-seen column order
    columns: dict[str, Any] = {}
    for name in names:
        try:
            values: list[Any] = [r[name] for r in rows]
        except KeyError:  # a sparse column: missing cells become NaN/None
            values = [r.get(name) for r in rows]
        arr = np.array(values) if type(values[0]) in (float, int) else None
        columns[name] = arr if arr is not None and arr.dtype.kind in "fiu" else values
    return pd.DataFrame(columns)  # type: ignore[no-any-return]
