"""Runs across threads and processes: SIGKILL, exit hooks, fork, spawn, several threads."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import pytest

import parabola
from parabola.storages import BaseStorage, RunKey

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and fork")


def _child(code: str, url: str) -> subprocess.Popen[str]:
    script = textwrap.dedent(code).replace("URL", repr(url))
    env = {**os.environ, "PARABOLA_DISABLE_STATS": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_sigkill_loses_at_most_a_second_and_shows_crashed(sqlite_url: str) -> None:
    proc = _child(
        """
        import time, parabola
        run = parabola.init(project="k", id="killed", storage=URL,
                            settings={"flush_interval": 0.1, "heartbeat_interval": 0.2})
        print("ready", flush=True)
        i = 0
        while True:
            run.log({"i": i, "t": time.time()})
            i += 1
            time.sleep(0.001)
        """,
        sqlite_url,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    killed_at = time.time()
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)  # also closes the pipes
    api = parabola.Api(storage=sqlite_url)
    run = api.run("k/killed")
    rows = list(run.scan_history())
    assert len(rows) > 100
    assert rows[-1]["t"] >= killed_at - 1.0, f"lost {killed_at - rows[-1]['t']:.2f} s of rows"
    assert [r["i"] for r in rows] == list(range(len(rows)))  # no gap, no duplicate
    deadline = time.monotonic() + 10
    while run.state != "crashed" and time.monotonic() < deadline:
        time.sleep(0.2)
        run = api.run("k/killed")
    assert run.state == "crashed"
    assert api.runs("k", {"state": "crashed"})[0].id == "killed"


@pytest.mark.parametrize(
    ("ending", "state", "exit_code"),
    [
        ("pass", "finished", 0),
        ("raise SystemExit(0)", "finished", 0),
        ("1 / 0", "failed", 1),
        ("import sys; sys.exit()", "finished", 0),
        ("import sys; sys.exit(3)", "failed", 3),
        ("import sys; sys.exit('bye')", "failed", 1),
    ],
)
def test_interpreter_exit_flushes_and_finishes(
    sqlite_url: str, ending: str, state: str, exit_code: int
) -> None:
    proc = _child(
        f"""
        import parabola
        run = parabola.init(project="x", id="atexit", storage=URL,
                            settings={{"flush_interval": 30}})
        for i in range(1000):
            run.log({{"i": i}})
        {ending}
        """,
        sqlite_url,
    )
    proc.communicate(timeout=60)
    assert proc.returncode == exit_code
    run = parabola.Api(storage=sqlite_url).run("x/atexit")
    assert run.state == state
    assert run.exit_code == exit_code
    assert len(list(run.scan_history())) == 1000


def _exit_in_thread() -> None:
    with contextlib.suppress(SystemExit):  # unhandled, pytest would report it as a warning
        sys.exit(5)


def test_sys_exit_is_wrapped_only_while_a_run_is_live(sqlite_url: str) -> None:
    original = sys.exit
    run = parabola.init(project="x", storage=sqlite_url)
    assert sys.exit is not original
    # sys.exit in another thread only ends that thread: it must not become the exit code.
    t = threading.Thread(target=_exit_in_thread)
    t.start()
    t.join()
    from parabola.tracking import _state

    assert _state._exit_status() == 0
    run.finish()
    assert sys.exit is original


def _failing_child(url: str) -> None:
    run = parabola.init(project="p", id="bad", storage=url)
    run.log({"i": 1})
    raise RuntimeError("boom")


def test_multiprocessing_child_that_raises_marks_its_run_failed(sqlite_url: str) -> None:
    proc = multiprocessing.get_context("fork").Process(target=_failing_child, args=(sqlite_url,))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 1
    run = parabola.Api(storage=sqlite_url).run("p/bad")
    assert (run.state, run.exit_code, len(run.history())) == ("failed", 1, 1)


def test_forked_child_does_not_touch_the_parents_run(sqlite_url: str) -> None:
    parent = parabola.init(project="f", id="parent", storage=sqlite_url)
    parent.log({"who": "parent"})
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                parent.log({"who": "child"})  # ignored, with a warning
                parabola.log({"who": "child-module"})
            assert any("forked process" in str(w.message) for w in caught)
            with parabola.init(project="f", id="child", storage=sqlite_url) as child:
                child.log({"who": "child"})
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    parent.log({"who": "parent-again"})
    parent.finish()
    api = parabola.Api(storage=sqlite_url)
    assert [r["who"] for r in api.run("f/parent").scan_history()] == ["parent", "parent-again"]
    child = api.run("f/child")
    assert child.state == "finished" and [r["who"] for r in child.scan_history()] == ["child"]


def _spawned(url: str, index: int) -> None:
    with parabola.init(
        project="s", id=f"spawned-{index}", storage=url, settings={"x_disable_stats": True}
    ) as run:
        for i in range(50):
            run.log({"i": i})


def test_spawned_subprocesses_write_their_own_runs(sqlite_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_spawned, args=(sqlite_url, k)) for k in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(90)
        assert p.exitcode == 0
    runs = parabola.Api(storage=sqlite_url).runs("s", {"state": "finished"})
    assert sorted(r.id for r in runs) == ["spawned-0", "spawned-1"]
    assert all(len(r.history()) == 50 for r in runs)


def test_threads_logging_to_one_run(store: BaseStorage) -> None:
    run = parabola.init(project="t", storage=store)

    def work(k: int) -> None:
        for i in range(500):
            run.log({f"thread{k}": i})

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.finish()
    rows = store.get_run_history(RunKey(run.entity, "t", run.id))
    assert [r["_step"] for r in rows] == list(range(2000))
    for k in range(4):
        assert [r[f"thread{k}"] for r in rows if f"thread{k}" in r] == list(range(500))


def test_runs_in_threads_each_with_its_own_run(store: BaseStorage) -> None:
    paths: list[str] = []

    def work(k: int) -> None:
        run = parabola.init(project="t", reinit="create_new", storage=store)
        for i in range(100):
            run.log({"k": k, "i": i})
        run.finish()
        paths.append(run.id)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    api = parabola.Api(storage=store)
    assert len(api.runs("t", {"state": "finished"})) == 3
    assert all(len(api.run(f"t/{p}").history()) == 100 for p in paths)


def test_writer_survives_a_failing_store_and_finish_reports_it(tmp_path: Path) -> None:
    from parabola.storages import InMemoryStorage

    class Flaky(InMemoryStorage):
        fail = True

        def append_run_history(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if self.fail:
                raise OSError("disk full")
            return super().append_run_history(*args, **kwargs)

    store = Flaky()
    run = parabola.init(project="w", storage=store, settings={"flush_interval": 0.02})
    run.log({"a": 1})
    time.sleep(0.2)  # the writer fails, keeps the row and retries
    store.fail = False
    run.log({"a": 2})
    run.finish()
    assert [r["a"] for r in store.get_run_history(RunKey(run.entity, "w", run.id))] == [1, 2]
    store.fail = True
    run2 = parabola.init(project="w", storage=store, reinit=True)
    run2.log({"a": 1})
    with pytest.raises(OSError, match="disk full"):
        run2.finish()
    # Nothing was reported finished: a second finish() raises again while the store fails...
    with pytest.raises(OSError, match="disk full"):
        run2.finish()
    assert store.get_run(RunKey(run2.entity, "w", run2.id)).state.value == "running"
    # ...and writes the queued row once it works.
    store.fail = False
    run2.finish()
    assert [r["a"] for r in store.get_run_history(RunKey(run2.entity, "w", run2.id))] == [1]
    assert store.get_run(RunKey(run2.entity, "w", run2.id)).state.value == "finished"
