"""What every media value shares: bytes stored once by SHA-256, and a JSON reference to them.

A media value (``Image``, ``Table``...) is encoded when it is made, so a bad input fails in the
caller's constructor call, before anything is logged. ``run.log`` turns it into its reference
(:meth:`Media.to_ref`): a dict with ``_type`` and, for the kinds that have a file, ``path`` (a
W&B-style name such as ``media/images/img_3_1a2b.png``), ``sha256`` and ``size``. The bytes
live at ``<artifact folder>/<sha256>``, next to the run's other files.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, ClassVar

__all__ = ["Media", "MediaSink", "blob_path", "safe_key", "store_bytes"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")


def safe_key(key: str) -> str:
    """A logged key as a file-name fragment (``val/img`` -> ``val_img``)."""
    return _UNSAFE.sub("_", key).strip("_") or "media"


def store_bytes(root: Path, data: bytes, sha: str) -> None:
    """Write ``data`` at ``root/sha`` unless it is there (atomic: temp file, then rename)."""
    dest = root / sha
    if dest.exists():
        return
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def blob_path(root: Path, sha: str) -> Path:
    """Where the bytes with this SHA-256 are; ``FileNotFoundError`` when they are not."""
    path = root / sha
    if not path.is_file():
        raise FileNotFoundError(f"media file {sha} is not in the artifact folder {root}.")
    return path


class MediaSink:
    """Where a run's media bytes go: its store's artifact folder (``None``: disabled mode,
    nothing is written). Records each stored file as ``(name, sha256, size)``."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.files: list[dict[str, Any]] = []

    def put(self, stem: str, ext: str, data: bytes) -> dict[str, Any]:
        """Store ``data``; its name is ``<stem>_<first 20 hex of sha256>.<ext>`` (W&B's style)."""
        sha = hashlib.sha256(data).hexdigest()
        if self.root is not None:
            store_bytes(self.root, data, sha)
        entry: dict[str, Any] = {
            "path": f"{stem}_{sha[:20]}.{ext}",
            "sha256": sha,
            "size": len(data),
        }
        self.files.append(entry)
        return entry


class Media:
    """Base class of the values ``run.log`` stores as files or inline JSON with a ``_type``."""

    _type: ClassVar[str] = "media"

    def to_ref(self, sink: MediaSink, key: str, step: int) -> dict[str, Any]:
        """The JSON reference to store in the history row (writing files through ``sink``)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<parabola.{type(self).__name__}>"
