"""Helpers of the fault-injection tests: child processes, tmpfs mounts, dropped connections."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests._postgres import in_ci

ROOT = Path(__file__).resolve().parents[2]


def spawn(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start ``python -c code args...`` in the repository root, with pipes for its output."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(proc: subprocess.Popen[str], prefix: str) -> str:
    """Read the child's stdout until a line starts with ``prefix``; fail if it exits first."""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(prefix):
            return line.strip()
    _out, err = proc.communicate(timeout=30)
    raise AssertionError(f"child exited ({proc.returncode}) before {prefix!r}:\n{err}")


def _mount_or_skip(args: list[str], what: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        message = f"cannot {what} ({result.stderr.strip()}); the fault tests need root"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (``mount -o size=...``) at ``path``, unmounted afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    _mount_or_skip(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], "mount")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


def remount(path: Path, options: str) -> None:
    _mount_or_skip(["mount", "-o", f"remount,{options}", str(path)], f"remount {options}")


def fill_disk(folder: Path) -> Path:
    """Write a file into ``folder`` until the file system is full; return the file."""
    filler = folder / f"filler-{uuid.uuid4().hex[:6]}"
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError:
            pass
        try:  # the last few bytes too
            while True:
                f.write(b"\0" * 512)
        except OSError:
            pass
    return filler


def terminate_backends(url: str) -> int:
    """``pg_terminate_backend`` every other connection to the database of ``url``."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
    finally:
        engine.dispose()
    return len(rows)


def forget_cached_stores(url: str) -> None:
    """Drop this process's cached store objects for ``url`` (their files may be gone)."""
    from parabola.storages import _sql

    for key in [k for k in _sql._opened if url in k[0]]:
        _sql._opened.pop(key).engine.dispose()
