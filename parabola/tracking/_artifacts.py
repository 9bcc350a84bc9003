"""Files and artifacts: copied into a content-addressed folder next to the store.

A file's bytes live once at ``<artifact root>/<sha256>`` whatever the number of runs that save
it (see :func:`parabola.tracking._store.artifact_root` for the root). The run keeps the list
of its files (name, sha256, size) in its record, where ``Api().run(...).files()`` finds them.
"""

from __future__ import annotations

import contextlib
import datetime
import glob as globlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["Artifact", "store_file"]

_CHUNK = 1 << 20


def store_file(root: Path, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Copy ``path`` into ``root`` under its SHA-256; return ``{"sha256", "size"}``."""
    src = Path(path)
    if not src.is_file():
        raise FileNotFoundError(f"No such file to save: {os.fspath(path)!r}.")
    digest = hashlib.sha256()
    with open(src, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    sha = digest.hexdigest()
    root.mkdir(parents=True, exist_ok=True)
    dest = root / sha
    if not dest.exists():
        # Copy to a temporary name then rename: readers never see a half-written blob.
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".tmp-")
        os.close(fd)
        try:
            shutil.copyfile(src, tmp)
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return {"sha256": sha, "size": src.stat().st_size}


def expand_save(
    glob_str: str | os.PathLike[str], base_path: str | None, use_glob: bool
) -> list[tuple[str, Path]]:
    """``(name, path)`` pairs for ``Run.save``: names are relative to ``base_path`` (default:
    the folder of the glob), as in W&B."""
    pattern = os.fspath(glob_str)
    paths = sorted(globlib.glob(pattern, recursive=True)) if use_glob else [pattern]
    paths = [p for p in paths if os.path.isfile(p)]
    base = base_path if base_path is not None else os.path.dirname(pattern.split("*", 1)[0])
    out = []
    for p in paths:
        try:
            name = os.path.relpath(p, base) if base else os.path.basename(p)
        except ValueError:  # different drives on Windows
            name = os.path.basename(p)
        if name.startswith(".."):
            name = os.path.basename(p)
        out.append((name.replace(os.sep, "/"), Path(p)))
    return out


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None).isoformat()


class Artifact:
    """A named, typed set of files to log with ``Run.log_artifact`` (W&B's ``Artifact``).

    Example:
        >>> import parabola, pathlib, tempfile
        >>> d = pathlib.Path(tempfile.mkdtemp()); (d / "w.txt").write_text("1")
        1
        >>> art = parabola.Artifact("weights", type="model")
        >>> art.add_file(str(d / "w.txt"))
        >>> [name for name, _ in art.entries]
        ['w.txt']
    """

    def __init__(
        self,
        name: str,
        type: str = "unspecified",
        description: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name or "/" in name or ":" in name:
            raise ValueError(
                f"Artifact(name=...): expected a non-empty str without '/' or ':', got {name!r}."
            )
        if not isinstance(type, str) or not type:
            raise ValueError(f"Artifact(type=...): expected a non-empty str, got {type!r}.")
        self.name = name
        self.type = type
        self.description = description
        self.metadata = dict(metadata or {})
        self.entries: list[tuple[str, Path]] = []
        self._scratch: Path | None = None  # new_file's folder, made on first use

    def add_file(self, local_path: str | os.PathLike[str], name: str | None = None) -> None:
        """Add one file, stored under ``name`` (default: its base name)."""
        path = Path(local_path)
        if not path.is_file():
            raise FileNotFoundError(f"Artifact.add_file: no such file {os.fspath(local_path)!r}.")
        self.entries.append((name or path.name, path))

    @contextlib.contextmanager
    def new_file(
        self, name: str, mode: str = "x", encoding: str | None = None
    ) -> Iterator[IO[Any]]:
        """Open a new file to write into the artifact (W&B's ``Artifact.new_file``).

        Example:
            >>> import parabola
            >>> art = parabola.Artifact("notes", type="text")
            >>> with art.new_file("readme.txt") as f:
            ...     _ = f.write("hello")
            >>> [name for name, _ in art.entries]
            ['readme.txt']
        """
        if not isinstance(name, str) or not name or name.startswith("/") or ".." in name.split("/"):
            raise ValueError(
                f"Artifact.new_file(name=...): expected a relative path, got {name!r}."
            )
        if any(existing == name for existing, _ in self.entries):
            raise ValueError(f"Artifact.new_file(name=...): the artifact has a file {name!r}.")
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="parabola-artifact-"))
        path = self._scratch / name
        path.parent.mkdir(parents=True, exist_ok=True)
        binary = "b" in mode
        with open(path, mode, encoding=None if binary else (encoding or "utf-8")) as f:
            yield f
        self.entries.append((name, path))

    def add_dir(self, local_path: str | os.PathLike[str], name: str | None = None) -> None:
        """Add every file under a folder, keeping relative paths (prefixed by ``name``)."""
        root = Path(local_path)
        if not root.is_dir():
            raise NotADirectoryError(f"Artifact.add_dir: no such folder {os.fspath(local_path)!r}.")
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root).as_posix()
            self.entries.append((f"{name}/{rel}" if name else rel, path))


def artifact_from_path(
    path: str | os.PathLike[str], name: str | None, type: str | None
) -> Artifact:
    """Wrap a file or folder path passed to ``log_artifact`` in an :class:`Artifact`."""
    p = Path(path)
    art = Artifact(name or p.name.replace(":", "_") or "artifact", type=type or "unspecified")
    if p.is_dir():
        art.add_dir(p)
    elif p.is_file():
        art.add_file(p)
    else:
        raise FileNotFoundError(f"log_artifact: no such file or folder {os.fspath(path)!r}.")
    return art


def store_artifact(
    root: Path, art: Artifact, version: int, aliases: Iterable[str] | None
) -> dict[str, Any]:
    """Copy the artifact's files; return the JSON entry kept in the run record."""
    files = []
    digest = hashlib.sha256()
    for name, path in art.entries:
        stored = store_file(root, path)
        files.append({"name": name, **stored})
        digest.update(f"{name}\0{stored['sha256']}\n".encode())
    return {
        "name": art.name,
        "type": art.type,
        "version": f"v{version}",
        "aliases": sorted({"latest", *(aliases or [])}),
        "description": art.description,
        "metadata": art.metadata,
        "digest": digest.hexdigest(),
        "files": files,
        "created_at": now_iso(),
    }
