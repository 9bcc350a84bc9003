"""Tracking benchmark: parabola vs wandb 0.31 (offline) vs MLflow (SQLite), side by side.

Every measurement runs in a fresh interpreter (``--worker``), one tool at a time, in the same
invocation, so the ratios compare like with like on the same machine state:

* **steps**: ``import`` + ``init``, then ``--steps`` rows of ``--metrics`` scalars, then
  ``finish``. Reports steps/s through finish, CPU seconds per step summed over the process and
  every helper process it started (psutil, children included), and bytes on disk per logged value.
  MLflow logs ``--mlflow-steps`` rows (its SQLite store is ~100x slower); its per-step figures are
  comparable, its totals are not.
* **read**: a fresh interpreter reads the whole history back into a pandas DataFrame. parabola:
  ``Api().run(path).history(samples=n)``. wandb has no offline reader in its public API (its
  ``Api`` needs a server); we parse its ``.wandb`` transaction log with its own protobuf
  ``Record`` class and a LevelDB-log reader (``_read_wandb_log`` below), which is what
  ``wandb sync`` does. MLflow: ``MlflowClient.get_metric_history`` per key.
* **import_init**: ``import`` + ``init`` alone, ``--repeats`` fresh interpreters, median; once in
  a new folder (the store is created) and once more in the same folder (it exists). Every
  worker runs with compiled bytecode cached (``PYTHONPYCACHEPREFIX`` in the bench folder), as
  for an installed package.
* **hpo**: ``--hpo-runs`` short runs of 100 steps in one process; the cost of ``init`` plus
  ``finish`` per run (mean over runs 2..n; the first run is reported apart).

Usage::

    .venv/bin/python benchmarks/tracking_bench.py                 # full size
    .venv/bin/python benchmarks/tracking_bench.py --steps 2000 --mlflow-steps 200 \\
        --hpo-runs 5 --repeats 1                                 # smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from parabola.storages import RunKey

TOOLS = ("parabola", "wandb", "mlflow")


# Workers (run in a fresh interpreter) --------------------------------------------------------
class _CpuMeter:
    """CPU seconds of this process plus all its descendants (sampled while they live)."""

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self._me = psutil.Process()
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._base = self.total()
        self._thread.start()

    def _kids(self) -> float:
        for child in self._me.children(recursive=True):
            try:
                t = child.cpu_times()
                self._last[child.pid] = t.user + t.system
            except self._psutil.Error:
                pass
        return sum(self._last.values())

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self._kids()

    def total(self) -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system + self._kids()

    def used(self) -> float:
        self._stop.set()
        return self.total() - self._base


def _row(i: int, keys: list[str]) -> dict[str, float]:
    return {k: i * 0.001 + j for j, k in enumerate(keys)}


def _dir_bytes(path: Path, pattern: str = "*") -> int:
    return sum(p.stat().st_size for p in path.rglob(pattern) if p.is_file())


def worker_steps(tool: str, workdir: Path, n: int, n_metrics: int) -> dict[str, Any]:
    keys = [f"metric_{j}" for j in range(n_metrics)]
    os.chdir(workdir)
    t0 = time.perf_counter()
    if tool == "parabola":
        import parabola as wandb

        run = wandb.init(project="bench")
        path = run.path
    elif tool == "wandb":
        import wandb  # type: ignore[no-redef]

        run = wandb.init(project="bench", dir=str(workdir))
        path = run.path
    else:
        import mlflow

        mlflow.set_tracking_uri(f"sqlite:///{workdir / 'mlflow.db'}")
        active = mlflow.start_run()
        path = active.info.run_id
    t_init = time.perf_counter() - t0
    meter = _CpuMeter()
    t1 = time.perf_counter()
    if tool == "mlflow":
        for i in range(n):
            mlflow.log_metrics(_row(i, keys), step=i)
    else:
        for i in range(n):
            run.log(_row(i, keys))
    t_log = time.perf_counter() - t1
    if tool == "mlflow":
        mlflow.end_run()
    else:
        run.finish()
    t_total = time.perf_counter() - t1
    cpu = meter.used()
    if tool == "parabola":
        disk = _dir_bytes(workdir, "parabola.db*")
    elif tool == "wandb":
        disk = _dir_bytes(workdir, "run-*.wandb")
        # W&B's 'latest-run' symlink points at the same file: count it once.
        disk = sum(p.stat().st_size for p in workdir.glob("wandb/offline-run-*/run-*.wandb"))
    else:
        disk = _dir_bytes(workdir, "mlflow.db*")
    if tool == "wandb":
        wandb.teardown()
    return {
        "tool": tool,
        "steps": n,
        "metrics": n_metrics,
        "path": path,
        "import_init_s": t_init,
        "log_s": t_log,
        "through_finish_s": t_total,
        "steps_per_s": n / t_total,
        "cpu_s": cpu,
        "cpu_per_step_us": cpu / n * 1e6,
        "disk_bytes": disk,
        "bytes_per_value": disk / (n * n_metrics),
    }


def _read_wandb_log(path: Path) -> list[dict[str, Any]]:
    """History rows of a ``.wandb`` file: LevelDB-log framing around protobuf ``Record``s."""
    from wandb.proto import wandb_internal_pb2 as pb

    data = path.read_bytes()
    block, header = 32768, 7
    pos = 7  # file header: ':W&B' + magic 0xBEE1 + version
    rows: list[dict[str, Any]] = []
    pending = b""
    while pos + header <= len(data):
        left = block - pos % block
        if left < header:
            pos += left
            continue
        _crc, length, kind = struct.unpack_from("<IHB", data, pos)
        pos += header
        chunk = data[pos : pos + length]
        pos += length
        if kind == 0 and length == 0:  # zero padding at the end of a block
            pos += block - pos % block if pos % block else 0
            continue
        if kind in (1, 2):  # FULL, FIRST
            pending = chunk
        else:  # MIDDLE, LAST
            pending += chunk
        if kind in (1, 4):
            rec = pb.Record()
            rec.ParseFromString(pending)
            if rec.WhichOneof("record_type") == "history":
                rows.append(
                    {
                        (item.key or ".".join(item.nested_key)): json.loads(item.value_json)
                        for item in rec.history.item
                    }
                )
    return rows


def worker_read(tool: str, workdir: Path, path: str) -> dict[str, Any]:
    os.chdir(workdir)
    import pandas as pd

    # Imports are not part of reading: each tool's modules are loaded before the clock starts.
    if tool == "parabola":
        import parabola
        import parabola.storages._sql
        import parabola.tracking

        t0 = time.perf_counter()
        run = parabola.Api().run(path)  # opening the store is part of reading
        df = run.history(samples=10**9)
    elif tool == "wandb":
        import wandb  # noqa: F401
        from wandb.proto import wandb_internal_pb2  # noqa: F401

        (log,) = list(workdir.glob("wandb/offline-run-*/run-*.wandb"))
        t0 = time.perf_counter()
        df = pd.DataFrame(_read_wandb_log(log))
    else:
        from mlflow.tracking import MlflowClient

        client = MlflowClient(tracking_uri=f"sqlite:///{workdir / 'mlflow.db'}")
        t0 = time.perf_counter()
        keys = list(client.get_run(path).data.metrics)
        columns = {}
        for key in keys:
            hist = client.get_metric_history(path, key)
            columns[key] = pd.Series({m.step: m.value for m in hist})
        df = pd.DataFrame(columns)
    elapsed = time.perf_counter() - t0
    return {"tool": tool, "read_s": elapsed, "rows": len(df), "columns": len(df.columns)}


def worker_import_init(tool: str, workdir: Path) -> dict[str, Any]:
    os.chdir(workdir)
    t0 = time.perf_counter()
    if tool == "parabola":
        import parabola as wandb

        run = wandb.init(project="bench")
    elif tool == "wandb":
        import wandb  # type: ignore[no-redef]

        run = wandb.init(project="bench", dir=str(workdir))
    else:
        import mlflow

        mlflow.set_tracking_uri(f"sqlite:///{workdir / 'mlflow.db'}")
        mlflow.start_run()
    elapsed = time.perf_counter() - t0
    if tool == "mlflow":
        mlflow.end_run()
    else:
        run.finish()
        if tool == "wandb":
            wandb.teardown()
    return {"tool": tool, "import_init_s": elapsed}


def worker_hpo(tool: str, workdir: Path, runs: int, n_metrics: int) -> dict[str, Any]:
    keys = [f"metric_{j}" for j in range(n_metrics)]
    os.chdir(workdir)
    costs: list[float] = []
    if tool == "parabola":
        import parabola as wandb
    elif tool == "wandb":
        import wandb  # type: ignore[no-redef]
    else:
        import mlflow

        mlflow.set_tracking_uri(f"sqlite:///{workdir / 'mlflow.db'}")
    for r in range(runs):
        t0 = time.perf_counter()
        if tool == "mlflow":
            mlflow.start_run()
        elif tool == "wandb":
            run = wandb.init(project="hpo", dir=str(workdir), reinit="finish_previous")
        else:
            run = wandb.init(project="hpo", reinit="finish_previous")
        t_start = time.perf_counter() - t0
        for i in range(100):
            if tool == "mlflow":
                mlflow.log_metrics(_row(i + r, keys), step=i)
            else:
                run.log(_row(i + r, keys))
        t1 = time.perf_counter()
        if tool == "mlflow":
            mlflow.end_run()
        else:
            run.finish()
        costs.append(t_start + time.perf_counter() - t1)
    if tool == "wandb":
        wandb.teardown()
    steady = costs[1:] or costs
    return {
        "tool": tool,
        "runs": runs,
        "first_run_ms": costs[0] * 1e3,
        "start_finish_ms": statistics.mean(steady) * 1e3,
    }


def micro(n_metrics: int) -> None:
    """Where parabola's time per step goes (timeit, best of 5; one process, no disk)."""
    import timeit

    import parabola
    from parabola.storages._sql._history import encode_chunk  # the SQL store's row encoder

    keys = [f"metric_{j}" for j in range(n_metrics)]
    row = _row(1, keys)
    run = parabola.init(mode="disabled")
    rows = [
        {**_row(i, keys), "_step": i, "_runtime": 0.1 * i, "_timestamp": 1.7e9 + i}
        for i in range(1000)
    ]
    cases = {
        "build the row dict in the loop": (lambda: _row(7, keys), 100_000),
        "Run.log (disabled mode: no writer)": (lambda: run.log(row), 100_000),
        "SQL encode_chunk, per row (1000-row chunks)": (lambda: encode_chunk(rows), 100),
    }
    for label, (fn, number) in cases.items():
        best = min(timeit.repeat(fn, number=number, repeat=5)) / number
        per_row = best / (1000 if "encode" in label else 1)
        print(f"{label}: {per_row * 1e6:.2f} us")
    import pandas as pd

    import parabola.tracking._api as api

    many = [
        {**_row(i, keys), "_step": i, "_runtime": 0.1 * i, "_timestamp": 1.7e9 + i}
        for i in range(100_000)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        store = f"sqlite:///{tmp}/micro.db"
        with parabola.init(
            project="micro", storage=store, reinit=True, settings={"x_disable_stats": True}
        ) as r:
            for i in range(100_000):
                r.log(_row(i, keys))
        backend = parabola.Api(storage=store)._storage
        best = min(
            timeit.repeat(
                lambda: backend.get_run_history(RunKey(r.entity, "micro", r.id)), number=1, repeat=3
            )
        )
        print(f"SQL get_run_history, 100,000 rows (store side of a read): {best:.3f} s")
        best = min(
            timeit.repeat(
                lambda: backend.get_run_history_columns(RunKey(r.entity, "micro", r.id)),
                number=1,
                repeat=3,
            )
        )
        print(f"SQL get_run_history_columns, 100,000 rows (the columnar read): {best:.3f} s")
        cols = backend.get_run_history_columns(RunKey(r.entity, "micro", r.id))
        best = min(timeit.repeat(lambda: pd.DataFrame(cols, copy=False), number=1, repeat=3))
        print(f"columns -> DataFrame, 100,000 rows: {best:.3f} s")
        api_run = parabola.Api(storage=store).run(f"{r.entity}/micro/{r.id}")
        best = min(timeit.repeat(lambda: api_run.history(samples=100_000), number=1, repeat=3))
        print(f"Api run.history(samples=100_000), store already open: {best:.3f} s")
    best = min(timeit.repeat(lambda: api._frame(many), number=1, repeat=3))
    print(f"rows -> DataFrame, 100,000 rows (tracking side of a read): {best:.3f} s")
    assert isinstance(api._frame(many[:2]), pd.DataFrame)


# Driver ----------------------------------------------------------------------------------
def _spawn(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
    )
    if out.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{out.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "WANDB_MODE": "offline",
            "WANDB_SILENT": "true",
            "WANDB_DIR": str(workdir),
            "WANDB_CACHE_DIR": str(workdir / "cache"),
            "WANDB_CONFIG_DIR": str(workdir / "config"),
            "PARABOLA_STORAGE": f"sqlite:///{workdir / 'parabola.db'}",
            "PARABOLA_ARTIFACTS": str(workdir / "artifacts"),
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "DO_NOT_TRACK": "true",
            "GIT_PYTHON_REFRESH": "quiet",
        }
    )
    env.pop("PARABOLA_MODE", None)
    # Bytecode caches as after a pip install (which compiles .pyc files) for every tool: with
    # PYTHONDONTWRITEBYTECODE set (as on our shared machine) an editable parabola would be
    # recompiled from source in every fresh interpreter (~0.08 s) while the installed anchors
    # load their .pyc. The cache lives in the bench folder; each tool's first worker (steps,
    # untimed for import) fills it, so timed imports read it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(workdir.parent.parent / "pycache")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--mlflow-steps", type=int, default=2_000)
    parser.add_argument("--metrics", type=int, default=10)
    parser.add_argument("--hpo-runs", type=int, default=30)
    parser.add_argument("--mlflow-hpo-runs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--dir", default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--json", default=None, help="also write the raw results here")
    parser.add_argument("--micro", action="store_true", help="only the per-step breakdown")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.micro:
        micro(args.metrics)
        return

    if args.worker:
        kind, tool, workdir, *rest = args.worker
        wd = Path(workdir)
        if kind == "steps":
            res = worker_steps(tool, wd, int(rest[0]), int(rest[1]))
        elif kind == "read":
            res = worker_read(tool, wd, rest[0])
        elif kind == "import_init":
            res = worker_import_init(tool, wd)
        else:
            res = worker_hpo(tool, wd, int(rest[0]), int(rest[1]))
        print(json.dumps(res))
        return

    base = Path(args.dir or tempfile.mkdtemp(prefix="tracking-bench-"))
    tools = [t for t in args.tools.split(",") if t]
    results: dict[str, dict[str, Any]] = {t: {} for t in tools}
    for tool in tools:
        n = args.mlflow_steps if tool == "mlflow" else args.steps
        wd = base / tool / "steps"
        wd.mkdir(parents=True, exist_ok=True)
        print(f"[{tool}] {n} steps x {args.metrics} metrics ...", file=sys.stderr, flush=True)
        steps = _spawn(["steps", tool, str(wd), str(n), str(args.metrics)], _env(wd))
        read = _spawn(["read", tool, str(wd), steps["path"]], _env(wd))
        inits, warm = [], []
        for k in range(args.repeats):
            # Cold: a fresh folder (the store or run folder is created). Warm: the same folder
            # again, as for every run after a project's first (the store already exists).
            wdi = base / tool / f"init{k}"
            wdi.mkdir(parents=True, exist_ok=True)
            inits.append(_spawn(["import_init", tool, str(wdi)], _env(wdi))["import_init_s"])
            warm.append(_spawn(["import_init", tool, str(wdi)], _env(wdi))["import_init_s"])
        runs = args.mlflow_hpo_runs if tool == "mlflow" else args.hpo_runs
        wdh = base / tool / "hpo"
        wdh.mkdir(parents=True, exist_ok=True)
        hpo = _spawn(["hpo", tool, str(wdh), str(runs), str(args.metrics)], _env(wdh))
        results[tool] = {
            **steps,
            **read,
            "import_init_median_s": statistics.median(inits),
            "import_init_all_s": inits,
            "import_init_warm_median_s": statistics.median(warm),
            "import_init_warm_all_s": warm,
            **{f"hpo_{k}": v for k, v in hpo.items()},
        }
        print(json.dumps(results[tool]), file=sys.stderr, flush=True)
    _report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    if args.dir is None:
        shutil.rmtree(base, ignore_errors=True)


def _report(results: dict[str, dict[str, Any]]) -> None:
    rows = [
        ("steps/s through finish", "steps_per_s", "{:,.0f}", "higher"),
        ("CPU per step, all processes (us)", "cpu_per_step_us", "{:,.1f}", "lower"),
        ("bytes on disk per value", "bytes_per_value", "{:,.2f}", "lower"),
        ("read whole history to DataFrame (s)", "read_s", "{:,.3f}", "lower"),
        ("import + init, new store (s, median)", "import_init_median_s", "{:,.3f}", "lower"),
        ("import + init, existing store (s)", "import_init_warm_median_s", "{:,.3f}", "lower"),
        ("HPO run start+finish (ms)", "hpo_start_finish_ms", "{:,.1f}", "lower"),
    ]
    tools = list(results)
    head = (
        "| metric | "
        + " | ".join(tools)
        + " | "
        + " | ".join(f"parabola/{t}" for t in tools if t != "parabola")
        + " |"
    )
    print(head)
    print("|" + "---|" * (1 + len(tools) + len([t for t in tools if t != "parabola"])))
    for label, key, fmt, _better in rows:
        cells = [fmt.format(results[t][key]) if key in results[t] else "-" for t in tools]
        ratios = []
        for t in tools:
            if t == "parabola":
                continue
            a, b = results.get("parabola", {}).get(key), results[t].get(key)
            ratios.append(f"{a / b:.3g}x" if a and b else "-")
        print(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    for t in tools:
        r = results[t]
        print(
            f"\n{t}: {r.get('steps')} steps, {r.get('rows')} rows read, first HPO run "
            f"{r.get('hpo_first_run_ms', 0):.1f} ms, import+init runs {r.get('import_init_all_s')}"
        )


if __name__ == "__main__":
    main()
