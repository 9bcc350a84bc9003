"""Drop-in benchmark: the switch's start-up cost, and logging media vs wandb 0.31 offline.

Every measurement is a whole, fresh interpreter, tools one after another in the same invocation:

* **startup**: wall time of a whole ``python -c ...`` process, ``--startup-runs`` of each
  variant interleaved (so drift hits all alike), median. What the switch adds is the median of
  ``PARABOLA_DROP_IN=1`` minus the same process without it, for two programs: an empty one
  (the switch then pays for importing parabola itself) and one that imports parabola anyway
  (the switch's own cost). Side by side: ``import optuna``/``import wandb`` under the switch vs
  the real packages, and ``parabola run`` vs ``python`` on an empty script.
* **image** / **table**: one run per worker logs ``--images`` 512x512 RGB images (random
  pixels, a new array each time) or one 10,000-row table (int, float, str, bool columns). Time:
  from just before the first ``Image(...)``/``Table(...)`` to the return of ``finish()`` (so
  wandb's background writer is included), and the median ``log`` call alone (construction
  included). Disk: bytes of the run's folder once the worker has exited, minus those of an
  empty run of the same tool (init + finish), so only what the media added counts. System
  metrics off for both.
  ``--repeats`` workers per tool and case, median.

Usage::

    .venv/bin/python benchmarks/dropin_bench.py                    # full size
    .venv/bin/python benchmarks/dropin_bench.py --startup-runs 5 --images 3 --repeats 1  # smoke
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


# Workers ---------------------------------------------------------------------------------------
def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _worker(tool: str, case: str, n_images: int, rows: int, out: Path) -> dict[str, Any]:
    import numpy as np

    if tool == "wandb":
        import wandb

        run = wandb.init(project="bench", settings=wandb.Settings(x_disable_stats=True))
        mod: Any = wandb
    else:
        import parabola

        run = parabola.init(project="bench", settings={"x_disable_stats": True})
        mod = parabola
    rng = np.random.default_rng(0)
    calls: list[float] = []
    start = time.perf_counter()
    if case == "image":
        for _ in range(n_images):
            pixels = rng.integers(0, 256, (512, 512, 3), dtype=np.uint8)
            t = time.perf_counter()
            run.log({"img": mod.Image(pixels)})
            calls.append(time.perf_counter() - t)
    elif case == "table":
        data = [[i, float(i) * 0.5, f"label-{i % 10}", i % 2 == 0] for i in range(rows)]
        t = time.perf_counter()
        run.log({"table": mod.Table(columns=["id", "x", "label", "flag"], data=data)})
        calls.append(time.perf_counter() - t)
    run.finish()
    total = time.perf_counter() - start
    return {
        "total_s": total,
        "log_s": statistics.median(calls) if calls else 0.0,
        "bytes": _folder_bytes(out),
    }


# Orchestration ---------------------------------------------------------------------------------
def _env(workdir: Path, pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARABOLA_", "_PARABOLA_"))}
    env.update(
        {
            "WANDB_MODE": "offline",
            "WANDB_SILENT": "true",
            "WANDB_DIR": str(workdir),
            "WANDB_CACHE_DIR": str(workdir / "cache"),
            "WANDB_CONFIG_DIR": str(workdir / "config"),
            "PARABOLA_STORAGE": f"sqlite:///{workdir / 'parabola.db'}",
            "PARABOLA_ARTIFACTS": str(workdir / "artifacts"),
        }
    )
    # Compiled bytecode for every tool, as after a pip install (see tracking_bench.py: this
    # machine sets PYTHONDONTWRITEBYTECODE, which would recompile the editable parabola).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def _run_worker(tool: str, case: str, args: argparse.Namespace, base: Path) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"{tool}-{case}-", dir=base))
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        tool,
        case,
        "--images",
        str(args.images),
        "--rows",
        str(args.rows),
        "--out",
        str(workdir),
    ]
    out = subprocess.run(
        cmd, env=_env(workdir, base / "pycache"), cwd=workdir, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"worker {tool} {case} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    # Disk after the process has exited: SQLite's write-ahead log is folded into the database
    # then, and wandb-core has written everything; what stays is what the run costs.
    result["bytes"] = _folder_bytes(workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    return result


def _time_process(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the whole process, from wait4's rusage)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def startup(runs: int, base: Path) -> dict[str, dict[str, float]]:
    """Median whole-process wall and CPU time (ms) of each variant."""
    env = _env(base, base / "pycache")
    on = {**env, "PARABOLA_DROP_IN": "1"}
    empty = base / "empty.py"
    empty.write_text("")
    py = sys.executable
    cli = str(Path(py).with_name("parabola"))
    variants: dict[str, tuple[list[str], dict[str, str]]] = {
        "python -c pass": ([py, "-c", "pass"], env),
        "PARABOLA_DROP_IN=1 python -c pass": ([py, "-c", "pass"], on),
        "python -c 'import parabola'": ([py, "-c", "import parabola"], env),
        "PARABOLA_DROP_IN=1 python -c 'import parabola'": ([py, "-c", "import parabola"], on),
        "python -c 'import parabola.drop_in'": ([py, "-c", "import parabola.drop_in"], env),
        "real: python -c 'import optuna'": ([py, "-c", "import optuna"], env),
        "switch: PARABOLA_DROP_IN=1 python -c 'import optuna'": ([py, "-c", "import optuna"], on),
        "real: python -c 'import wandb'": ([py, "-c", "import wandb"], env),
        "switch: PARABOLA_DROP_IN=1 python -c 'import wandb'": ([py, "-c", "import wandb"], on),
        "python empty.py": ([py, str(empty)], env),
        "parabola run empty.py": ([cli, "run", str(empty)], env),
    }
    for cmd, e in variants.values():  # warm the bytecode cache and the OS page cache
        _time_process(cmd, e)
    walls: dict[str, list[float]] = {name: [] for name in variants}
    cpus: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, (cmd, e) in variants.items():
            wall, cpu = _time_process(cmd, e)
            walls[name].append(wall * 1000)
            cpus[name].append(cpu * 1000)
    return {
        "wall": {name: statistics.median(v) for name, v in walls.items()},
        "cpu": {name: statistics.median(v) for name, v in cpus.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--startup-runs", type=int, default=40)
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--worker", nargs=2, metavar=("TOOL", "CASE"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        tool, case = args.worker
        print(json.dumps(_worker(tool, case, args.images, args.rows, args.out)))
        return

    base = Path(tempfile.mkdtemp(prefix="dropin-bench-"))
    try:
        results: dict[str, Any] = {"startup_ms": startup(args.startup_runs, base)}
        print(f"start-up, median of {args.startup_runs} whole processes (ms), wall and CPU:")
        for kind in ("wall", "cpu"):
            s = results["startup_ms"][kind]
            print(f" {kind}:")
            for name, ms in s.items():
                print(f"  {ms:8.1f}  {name}")
            own = (
                s["PARABOLA_DROP_IN=1 python -c 'import parabola'"]
                - s["python -c 'import parabola'"]
            )
            total = s["PARABOLA_DROP_IN=1 python -c pass"] - s["python -c pass"]
            print(f"  switch on a program that imports parabola: +{own:.1f} ms (target < 5 ms)")
            print(f"  switch on an empty program (parabola's import included): +{total:.1f} ms")
            for name in ("optuna", "wandb"):
                real = s[f"real: python -c 'import {name}'"]
                sw = s[f"switch: PARABOLA_DROP_IN=1 python -c 'import {name}'"]
                print(f"  import {name}: switch {sw:.1f} vs real {real:.1f} ms = {sw / real:.3f}x")
            results[f"switch_own_{kind}_ms"] = own
            results[f"switch_total_{kind}_ms"] = total

        for case in ("empty", "image", "table"):
            for tool in ("parabola", "wandb"):
                runs = [_run_worker(tool, case, args, base) for _ in range(args.repeats)]
                results[f"{tool}_{case}"] = {
                    k: statistics.median(r[k] for r in runs) for k in runs[0]
                } | {"runs": runs}
        print(f"\nmedia, median of {args.repeats} runs per tool (fresh interpreters):")
        print("| case | metric | parabola | wandb | parabola/wandb |")
        print("|---|---|---:|---:|---:|")
        for case, label in (
            ("image", f"{args.images} x 512x512 images"),
            ("table", f"{args.rows:,}-row table"),
        ):
            p, w = results[f"parabola_{case}"], results[f"wandb_{case}"]
            pb = p["bytes"] - results["parabola_empty"]["bytes"]
            wb = w["bytes"] - results["wandb_empty"]["bytes"]
            results[f"{case}_added_bytes"] = {"parabola": pb, "wandb": wb}
            rows = [
                ("log call, median (ms)", p["log_s"] * 1000, w["log_s"] * 1000),
                ("first value to finish() returned (s)", p["total_s"], w["total_s"]),
                ("disk added (bytes)", pb, wb),
            ]
            for metric, a, b in rows:
                print(f"| {label} | {metric} | {a:,.1f} | {b:,.1f} | {a / b:.3f}x |")
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
