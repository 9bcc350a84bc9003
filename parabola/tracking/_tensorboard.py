"""``init(sync_tensorboard=True)``: the scalars a run's TensorBoard writers record join its history.

While the run is open, every TensorBoard event writer created in the process (torch's
``SummaryWriter``, Lightning's and Hugging Face's TensorBoard loggers all use tensorboard's
``EventFileWriter``) is noted. At ``finish`` they are flushed, their event files read (with
tensorboard's own reader, in the ``frameworks`` extra) and each TensorBoard step becomes a row
with the scalars and ``global_step``. Event files written under the run's ``dir`` since the run
started are read too. Without tensorboard installed, ``init`` raises instead of accepting the flag
and losing the metrics.
"""

from __future__ import annotations

import importlib
import os
import time
import weakref
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parabola.tracking._run import Run

__all__ = ["TensorBoardSync", "check_tensorboard", "read_scalars"]

_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", "site-packages"}
_MAX_DEPTH = 6
_active: list[TensorBoardSync] = []
_patched = False


def check_tensorboard() -> None:
    """Raise ``ImportError`` unless tensorboard's event-file reader can be imported."""
    try:
        importlib.import_module("tensorboard.backend.event_processing.event_file_loader")
    except ImportError:
        raise ImportError(
            "init(sync_tensorboard=True) reads the TensorBoard event files the run writes and "
            "needs the tensorboard package (pip install tensorboard, or parabola[frameworks]); "
            "install it, or drop sync_tensorboard and log the metrics with run.log()."
        ) from None


def _patch_writer() -> None:
    """Note each EventFileWriter's log folder while a syncing run is open."""
    global _patched
    if _patched:
        return
    cls = importlib.import_module("tensorboard.summary.writer.event_file_writer").EventFileWriter
    original = cls.__init__

    def __init__(self: Any, logdir: str, *args: Any, **kwargs: Any) -> None:
        original(self, logdir, *args, **kwargs)
        for sync in _active:
            sync.writers.append(weakref.ref(self))
            sync.logdirs.add(os.path.abspath(logdir))

    cls.__init__ = __init__
    _patched = True


def read_scalars(paths: list[Path]) -> dict[int, dict[str, float]]:
    """``{step: {tag: value}}`` of the scalar summaries in TensorBoard event files."""
    # importlib: tensorboard is optional and untyped.
    loader = importlib.import_module("tensorboard.backend.event_processing.event_file_loader")
    tensor_util = importlib.import_module("tensorboard.util.tensor_util")

    rows: dict[int, dict[str, float]] = defaultdict(dict)
    for path in paths:
        for event in loader.EventFileLoader(str(path)).Load():
            if not event.HasField("summary"):
                continue
            for value in event.summary.value:
                if value.HasField("simple_value"):
                    rows[int(event.step)][value.tag] = float(value.simple_value)
                elif (
                    value.HasField("tensor") and value.metadata.plugin_data.plugin_name == "scalars"
                ):
                    array = tensor_util.make_ndarray(value.tensor)
                    if array.size == 1:
                        rows[int(event.step)][value.tag] = float(array.reshape(()))
    return dict(rows)


class TensorBoardSync:
    """Reads the run's TensorBoard scalars into its history when the run finishes."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.started = time.time()
        self.writers: list[weakref.ref[Any]] = []
        self.logdirs: set[str] = set()

    def start(self) -> None:
        _patch_writer()
        _active.append(self)
        self.run._finish_hooks.append(self.sync)

    def _event_files(self) -> list[Path]:
        found: set[Path] = set()
        for logdir in self.logdirs:
            found |= {p for p in Path(logdir).rglob("events.out.tfevents.*") if p.is_file()}
        root = Path(self.run.dir)
        base_depth = len(root.parts)
        for folder, dirs, files in os.walk(root):
            depth = len(Path(folder).parts) - base_depth
            dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and depth < _MAX_DEPTH]
            for f in files:
                p = Path(folder, f)
                if f.startswith("events.out.tfevents.") and p.stat().st_mtime >= self.started - 1:
                    found.add(p)
        return sorted(found)

    def sync(self) -> None:
        if self in _active:
            _active.remove(self)
        for ref in self.writers:
            writer = ref()
            if writer is not None:
                writer.flush()
        rows = read_scalars(self._event_files())
        for step in sorted(rows):
            self.run.log({**rows[step], "global_step": step})
