"""Between media values and the store: ``externalize`` (what ``run.log`` calls) and
``load_media`` (a stored reference back to its object)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parabola.tracking._media._base import Media, MediaSink, blob_path

if TYPE_CHECKING:
    from parabola.storages._base import BaseStorage
    from parabola.tracking._run import Run

__all__ = ["externalize", "holds_media", "load_media", "reject_media"]


def reject_media(data: Mapping[str, Any], what: str, prefix: str = "") -> None:
    """Raise ``TypeError`` naming the key if ``data`` holds a media value (config cannot)."""
    for key, value in data.items():
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, Media):
                raise TypeError(
                    f"{what}: key '{prefix}{key}' holds a parabola.{type(item).__name__}, a media "
                    "value; media can only be logged with run.log({...}), not stored in config. "
                    "Nothing was stored."
                )
        if isinstance(value, Mapping):
            reject_media(value, what, f"{prefix}{key}.")


def holds_media(value: Any) -> bool:
    """Whether ``value`` is one media value or a list of them (what ``summary[k] = v`` takes)."""
    if isinstance(value, Media):
        return True
    return isinstance(value, (list, tuple)) and bool(value) and isinstance(value[0], Media)


def _has_media(data: Mapping[str, Any]) -> bool:
    for value in data.values():
        if isinstance(value, Media):
            return True
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], Media):
            return True
        if isinstance(value, Mapping) and _has_media(value):
            return True
    return False


def _list_ref(items: list[Any], sink: MediaSink, key: str, step: int) -> dict[str, Any]:
    where = f"log(data=...): key '{key}'"
    if not all(isinstance(v, Media) for v in items):
        raise TypeError(f"{where}: a list mixes media values with other values; log them apart.")
    refs = [v.to_ref(sink, f"{key}_{i}", step) for i, v in enumerate(items)]
    kinds = {r["_type"] for r in refs}
    kind = "images/separated" if kinds == {"image-file"} else "media-list"
    return {"_type": kind, "count": len(refs), "items": refs}


def externalize(
    data: Mapping[str, Any], run: Run, step: int | None
) -> tuple[Mapping[str, Any], dict[str, Any] | None]:
    """Split the media values out of a ``log`` call's ``data``.

    Returns ``data`` without them and ``{flattened key: reference}``; the files are in the
    run's artifact folder and listed among the run's files. ``data`` itself is not changed.
    Nothing is written before every value has been turned into a reference... except the
    content-addressed bytes, which are harmless if the call then fails.
    """
    if not _has_media(data):
        return data, None
    from parabola.tracking._artifacts import now_iso

    root = run._artifact_root() if run._storage is not None else None
    sink = MediaSink(root)
    at = run.step if step is None else step
    refs: dict[str, Any] = {}

    def strip(d: Mapping[str, Any], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in d.items():
            name = f"{prefix}{key}"
            if isinstance(value, Media):
                refs[name] = value.to_ref(sink, name, at)
            elif isinstance(value, (list, tuple)) and value and isinstance(value[0], Media):
                refs[name] = _list_ref(list(value), sink, name, at)
            elif isinstance(value, Mapping) and _has_media(value):
                out[key] = strip(value, f"{name}.")
            else:
                out[key] = value
        return out

    cleaned = strip(data, "")
    if root is not None and sink.files:
        stamp = now_iso()
        with run._lock:
            files = {f["name"]: f for f in run._meta.setdefault("files", [])}
            for f in sink.files:
                files[f["path"]] = {
                    "name": f["path"],
                    "sha256": f["sha256"],
                    "size": f["size"],
                    "updated_at": stamp,
                }
            run._meta["files"] = list(files.values())
            run._meta_dirty = True
    return cleaned, refs


def load_media(value: Mapping[str, Any], storage: str | BaseStorage | None = None) -> Any:
    """The object a stored media reference stands for (a value of ``run.history()``/``summary``).

    ``image-file`` -> :class:`~parabola.Image`, ``table-file`` -> :class:`~parabola.Table`
    (its image cells as ``Image``), ``histogram`` -> :class:`~parabola.Histogram`,
    ``video-file``/``audio-file``/``html-file`` -> ``Video``/``Audio``/``Html``,
    ``images/separated``/``media-list`` -> a list, ``chart`` -> a ``plot`` chart.

    Args:
        value: The reference (a dict with ``_type``).
        storage: The store it was logged to (default ``$PARABOLA_STORAGE``): its artifact
            folder holds the files.

    Raises:
        TypeError: ``value`` is not a media reference.
        FileNotFoundError: the file is not in the artifact folder.

    Example:
        >>> import parabola, numpy as np
        >>> from parabola.storages import InMemoryStorage
        >>> store = InMemoryStorage()
        >>> with parabola.init(storage=store, settings={"x_disable_stats": True}) as run:
        ...     run.log({"t": parabola.Table(columns=["a"], data=[[1], [2]])})
        >>> ref = parabola.Api(storage=store).run(run.path).history(pandas=False)[0]["t"]
        >>> ref["_type"], ref["nrows"]
        ('table-file', 2)
        >>> parabola.load_media(ref, storage=store).get_column("a")
        [1, 2]
    """
    from parabola.tracking._store import artifact_root, resolve_storage

    if not isinstance(value, Mapping) or not isinstance(value.get("_type"), str):
        raise TypeError(
            f"load_media(value=...): expected a media reference (a dict with '_type'), "
            f"got {value!r:.80}."
        )
    return _load(value, artifact_root(resolve_storage(storage)))


def _load(ref: Mapping[str, Any], root: Path) -> Any:
    from parabola.tracking._media._files import Audio, Html, Video
    from parabola.tracking._media._histogram import Histogram
    from parabola.tracking._media._image import Image
    from parabola.tracking._media._plot import CustomChart
    from parabola.tracking._media._table import Table

    kind = ref["_type"]
    if kind == "histogram":
        return Histogram(np_histogram=(ref["values"], ref["bins"]))
    if kind in ("images/separated", "media-list"):
        return [_load(r, root) for r in ref["items"]]
    if kind == "chart":
        table = _load(ref["table"], root)
        return CustomChart(
            table, ref["vega_spec_name"], dict(ref["fields"]), dict(ref.get("string_fields") or {})
        )
    if kind not in ("image-file", "table-file", "video-file", "audio-file", "html-file", "mask"):
        raise TypeError(f"load_media(value=...): unknown media type {kind!r}.")
    data = blob_path(root, str(ref["sha256"])).read_bytes()
    if kind == "image-file":
        masks = {
            name: (blob_path(root, m["sha256"]).read_bytes(), dict(m.get("class_labels") or {}))
            for name, m in (ref.get("masks") or {}).items()
        }
        return Image._from_stored(data, ref, masks)
    if kind == "table-file":
        body = json.loads(data)
        rows = [[_cell_back(v, root) for v in row] for row in body["data"]]
        return Table(columns=body["columns"], data=rows)
    if kind == "mask":
        return data
    classes: dict[str, type[Video] | type[Audio] | type[Html]] = {
        "video-file": Video,
        "audio-file": Audio,
        "html-file": Html,
    }
    cls = classes[kind]
    return cls._from_stored(data, dict(ref))


def _cell_back(value: Any, root: Path) -> Any:
    if isinstance(value, dict) and isinstance(value.get("_type"), str):
        return _load(value, root)
    if isinstance(value, list):
        return [_cell_back(v, root) for v in value]
    return value
