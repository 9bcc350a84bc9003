"""Regressions found by reviewing the tracking half: each test showed one bug and now guards
against its return."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import warnings
from pathlib import Path

import parabola

_QUIET = {"x_disable_stats": True}


def test_lower_step_does_not_move_resume_point(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    run = parabola.init(project="p", id="r1", storage=url, settings=_QUIET)
    for i in range(10):
        run.log({"a": i})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        run.log({"a": -1}, step=3)
    run.finish()
    assert parabola.Api(storage=url).run("p/r1").lastHistoryStep == 9
    resumed = parabola.init(project="p", id="r1", resume="allow", storage=url, settings=_QUIET)
    assert resumed.step == 10
    resumed.finish()


def _child_without_finish(url: str) -> None:
    run = parabola.init(project="p", id="child", storage=url, settings=_QUIET)
    for i in range(20):
        run.log({"i": i})


def test_forked_multiprocessing_child_flushes_on_exit(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    proc = multiprocessing.get_context("fork").Process(target=_child_without_finish, args=(url,))
    proc.start()
    proc.join(60)
    run = parabola.Api(storage=url).run("p/child")
    assert len(run.history()) == 20
    assert run.state == "finished"


def test_sys_exit_nonzero_marks_run_failed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    code = (
        "import parabola, sys\n"
        f"r = parabola.init(project='p', id='ex', storage={url!r}, "
        "settings={'x_disable_stats': True})\n"
        "r.log({'a': 1})\n"
        "sys.exit(1)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert out.returncode == 1
    assert parabola.Api(storage=url).run("p/ex").state == "failed"


def test_glob_summary_leaves_reserved_keys_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    run = parabola.init(project="p", id="g1", storage=url, settings=_QUIET)
    run.define_metric("*", summary="max")
    for i in range(5):
        run.log({"loss": i})
    assert run.summary["loss"] == {"max": 4}
    run.finish()
    assert parabola.Api(storage=url).run("p/g1").lastHistoryStep == 4
    resumed = parabola.init(project="p", id="g1", resume="allow", storage=url, settings=_QUIET)
    assert resumed.step == 5
    resumed.finish()


def test_summary_attribute_assignment_is_stored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    run = parabola.init(project="p", id="s1", storage=url, settings=_QUIET)
    run.summary.best = 0.9  # W&B style
    run.finish()
    assert parabola.Api(storage=url).run("p/s1").summary.get("best") == 0.9
