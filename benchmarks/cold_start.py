"""Cold start: what a user waits for is the whole process, measured as whole processes.

Each case runs as a fresh ``python`` process (interpreter start, imports, the work, exit), the
anchor's process alternating with parabola's, ``--runs`` times each; the table gives the median
CPU time (user + system of the process and of the children it waited for) and wall time, and
the ratio parabola / anchor (< 1: parabola is cheaper).

    .venv/bin/python benchmarks/cold_start.py --runs 5

Cases:

* ``open_read_10k``: open a 10,000-trial SQLite study and read every trial (``load_study`` +
  ``.trials``), against Optuna 5.0 on the same trials in its own schema (written with bulk SQL,
  as in ``storage_bench.py``).
* ``run_100_rows``: a script that starts a run, logs 100 rows and finishes, against wandb 0.31
  in offline mode. wandb offline also starts a service process; its CPU is counted only when the
  benchmark's child waited for it, so wandb's figure is a lower bound and the ratio is in
  wandb's favour.
* ``cli_help`` / ``cli_db_current``: ``parabola --help`` and ``parabola db current`` on a store
  (no anchor: the targets are absolute, <= 0.15 s of CPU).
* ``python_empty``: ``python -c pass``, the floor every process pays, and the imports of
  SQLAlchemy and of parabola's SQL store alone (a SQLite store no longer imports SQLAlchemy).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
PARABOLA_CLI = str(Path(PY).with_name("parabola"))

READ_PARABOLA = """
import sys, parabola
study = parabola.load_study(study_name="big", storage=sys.argv[1])
assert len(study.trials) == 10_000
"""
READ_OPTUNA = """
import sys, optuna
study = optuna.load_study(study_name="big", storage=sys.argv[1])
assert len(study.trials) == 10_000
"""
RUN_PARABOLA = """
import sys, parabola
run = parabola.init(project="cold", storage=sys.argv[1])
for i in range(100):
    run.log({"loss": 1.0 / (i + 1), "acc": i / 100})
run.finish()
"""
RUN_WANDB = """
import sys, wandb
run = wandb.init(project="cold", mode="offline", dir=sys.argv[2])
for i in range(100):
    run.log({"loss": 1.0 / (i + 1), "acc": i / 100})
run.finish()
"""


def _compile_sources() -> None:
    """Byte-compile parabola's sources once, as ``pip install`` does for a wheel.

    The anchors come from wheels, whose ``.pyc`` files pip wrote at install time; parabola is
    installed editable from this checkout. Where ``PYTHONDONTWRITEBYTECODE`` is set (it is on
    our shared machine) every parabola process would otherwise compile its sources again, a
    cost no installed user pays; the children below also run with that variable removed.
    """
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "parabola")], check=True)


def _measure(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one whole child process."""
    child_env = {**os.environ, **(env or {})}
    child_env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, env=child_env, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[:3]} failed:\n{proc.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _table_row(
    label: str,
    ours: list[tuple[float, float]],
    anchor: list[tuple[float, float]] | None,
    anchor_name: str,
) -> str:
    cpu = statistics.median(c for c, _ in ours)
    wall = statistics.median(w for _, w in ours)
    if anchor is None:
        return f"| {label} | {cpu:.3f} s | {wall:.3f} s | - | - | - |"
    a_cpu = statistics.median(c for c, _ in anchor)
    a_wall = statistics.median(w for _, w in anchor)
    return (
        f"| {label} | {cpu:.3f} s | {wall:.3f} s | {anchor_name} {a_cpu:.3f} s / {a_wall:.3f} s "
        f"| **{cpu / a_cpu:.3f}x** | {wall / a_wall:.3f}x |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    only = set(args.only or ["python_empty", "open_read_10k", "run_100_rows", "cli"])
    _compile_sources()
    sys.path.insert(0, str(HERE))
    import storage_bench  # the 10k-trial builders, shared

    rows = [
        "| case (whole process) | parabola CPU | parabola wall | anchor CPU / wall | CPU ratio "
        "| wall ratio |",
        "|---|---|---|---|---|---|",
    ]
    quiet = {"PARABOLA_VERBOSITY": "warning", "WANDB_SILENT": "true"}
    with tempfile.TemporaryDirectory() as tmp:
        if "python_empty" in only:
            ours = [_measure([PY, "-c", "pass"]) for _ in range(args.runs)]
            rows.append(_table_row("`python -c pass` (floor)", ours, None, ""))
            ours = [_measure([PY, "-c", "import sqlalchemy"]) for _ in range(args.runs)]
            rows.append(_table_row("`python -c 'import sqlalchemy'`", ours, None, ""))
            ours = [_measure([PY, "-c", "import parabola.storages._sql"]) for _ in range(args.runs)]
            rows.append(
                _table_row("`import parabola.storages._sql` (the SQL store)", ours, None, "")
            )
            print("\n".join(rows), flush=True)
        if "open_read_10k" in only:
            p_db, o_db = os.path.join(tmp, "p.db"), os.path.join(tmp, "o.db")
            storage_bench._build_parabola_10k(p_db)
            storage_bench._build_optuna_10k(o_db)
            ours, anchor = [], []
            for _ in range(args.runs):
                anchor.append(_measure([PY, "-c", READ_OPTUNA, f"sqlite:///{o_db}"]))
                ours.append(_measure([PY, "-c", READ_PARABOLA, f"sqlite:///{p_db}"]))
            rows.append(_table_row("open + read a 10k-trial SQLite study", ours, anchor, "Optuna"))
            print(rows[-1], flush=True)
        if "run_100_rows" in only:
            ours, anchor = [], []
            for r in range(args.runs):
                wdir = os.path.join(tmp, f"wandb{r}")
                os.makedirs(wdir)
                anchor.append(_measure([PY, "-c", RUN_WANDB, "", wdir], quiet))
                url = f"sqlite:///{os.path.join(tmp, f'runs{r}.db')}"
                ours.append(_measure([PY, "-c", RUN_PARABOLA, url], quiet))
            rows.append(_table_row("init + 100 x log + finish", ours, anchor, "wandb offline"))
            print(rows[-1], flush=True)
        if "cli" in only:
            url = f"sqlite:///{os.path.join(tmp, 'cli.db')}"
            subprocess.run(
                [PY, "-c", "import sys, parabola; parabola.storages.RDBStorage(sys.argv[1])", url],
                check=True,
            )
            ours = [_measure([PARABOLA_CLI, "--help"]) for _ in range(args.runs)]
            rows.append(_table_row("`parabola --help`", ours, None, ""))
            ours = [
                _measure([PARABOLA_CLI, "db", "current", "--storage", url])
                for _ in range(args.runs)
            ]
            rows.append(_table_row("`parabola db current`", ours, None, ""))
            print("\n".join(rows[-2:]), flush=True)


if __name__ == "__main__":
    main()
