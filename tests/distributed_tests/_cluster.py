"""Real Dask processes on 127.0.0.1 for the tests: a ``dask scheduler`` and ``dask worker``s.

Every process is started by the test and stopped by its pid (SIGKILL if SIGTERM is ignored),
also when the test fails, so no scheduler or worker outlives the suite.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DASK = str(Path(sys.executable).with_name("dask"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop one process by its pid: SIGTERM, then SIGKILL after 5 s."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(5)


@dataclass
class Cluster:
    """A scheduler and workers, each a separate process; ``address`` is the scheduler's."""

    log_dir: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    scheduler: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with open(self.log_dir / f"{name}.log", "ab") as log:  # the child keeps its own fd
            return subprocess.Popen(
                [DASK, *args], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.log_dir
            )

    def start_scheduler(self) -> None:
        self.scheduler = self._spawn(
            "scheduler",
            ["scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"],
            self.env,
        )
        _wait_for_port(self.port, self.scheduler)

    def start_worker(self, nthreads: int = 2, extra_env: dict[str, str] | None = None) -> None:
        """Start one worker process (no nanny: the pid is the worker itself)."""
        name = f"worker-{len(self.workers)}"
        self.workers.append(
            self._spawn(
                name,
                [
                    "worker",
                    self.address,
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    str(nthreads),
                    "--no-nanny",
                    "--no-dashboard",
                    "--name",
                    name,
                    "--death-timeout",
                    "10",
                ],
                {**self.env, **(extra_env or {})},
            )
        )

    def kill_scheduler(self) -> None:
        assert self.scheduler is not None
        os.kill(self.scheduler.pid, signal.SIGKILL)
        self.scheduler.wait(5)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.log_dir.glob("*.log"))
        )

    def stop(self) -> None:
        for proc in [*self.workers, *([self.scheduler] if self.scheduler else [])]:
            stop(proc)


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process {proc.args} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@contextlib.contextmanager
def dask_cluster(log_dir: Path, n_workers: int, nthreads: int = 2) -> Iterator[Cluster]:
    """A started scheduler with ``n_workers`` worker processes; all stopped afterwards."""
    env = dict(os.environ)
    env.pop("PARABOLA_STORAGE", None)
    # The workers import parabola (and the test objectives' module) from the checkout.
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    cluster = Cluster(log_dir=log_dir, env=env)
    try:
        cluster.start_scheduler()
        for _ in range(n_workers):
            cluster.start_worker(nthreads)
        yield cluster
    finally:
        cluster.stop()
