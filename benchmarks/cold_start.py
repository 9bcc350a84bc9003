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
* ``read_scan_10k``: the same, then one more read without copies (``get_trials(deepcopy=False)``,
  what ``trials_dataframe()``, the plots and the samplers read): the case where a store that
  keeps finished trials as rows must decode them a second time.
* ``steps_10k``: where ``open_read_10k``'s CPU goes: the child reports
  ``time.process_time()`` after ``import parabola``, ``load_study`` and ``.trials`` (the rest of
  the whole-process figure is the interpreter's start and exit), and the minor page faults of
  ``.trials``. Medians over ``--runs``.
* ``run_100_rows``: a script that starts a run, logs 100 rows and finishes, against wandb 0.31
  in offline mode. wandb offline also starts a service process; its CPU is counted only when the
  benchmark's child waited for it, so wandb's figure is a lower bound and the ratio is in
  wandb's favour.
* ``cli_help`` / ``cli_db_current``: ``parabola --help`` and ``parabola db current`` on a store
  (no anchor: the targets are absolute, <= 0.15 s of CPU).
* ``python_empty``: ``python -c pass``, the floor every process pays, and the imports of
  SQLAlchemy and of parabola's SQL store alone (a SQLite store no longer imports SQLAlchemy).

``--baseline DIR`` adds a third process to the two 10k cases, alternated with the other two:
parabola imported from ``DIR/parabola`` instead of this checkout (for a before/after on one
machine at one load), e.g. after ``git archive <commit> parabola | tar -x -C DIR``.
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
if sys.argv[2] == "scan":
    assert len(study.get_trials(deepcopy=False)) == 10_000
"""
# The same read, with parabola imported from the source tree argv[2] (the checkout's editable
# finder removed from the import system, so it cannot resolve ``parabola`` first).
READ_PARABOLA_FROM = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in str(getattr(f, "__module__", ""))]
sys.path.insert(0, sys.argv[3])
import parabola
assert parabola.__file__.startswith(sys.argv[3]), parabola.__file__
study = parabola.load_study(study_name="big", storage=sys.argv[1])
assert len(study.trials) == 10_000
if sys.argv[2] == "scan":
    assert len(study.get_trials(deepcopy=False)) == 10_000
"""
READ_OPTUNA = """
import sys, optuna
study = optuna.load_study(study_name="big", storage=sys.argv[1])
assert len(study.trials) == 10_000
if sys.argv[2] == "scan":
    assert len(study.get_trials(deepcopy=False)) == 10_000
"""
READ_STEPS = """
import resource, sys, time
t0 = time.process_time()
import parabola
t1 = time.process_time()
study = parabola.load_study(study_name="big", storage=sys.argv[1])
t2 = time.process_time()
f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
assert len(study.trials) == 10_000
f1 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
t3 = time.process_time()
print(t0, t1 - t0, t2 - t1, t3 - t2, f1 - f0)
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
    parser.add_argument("--baseline", default=None, help="a parabola source tree to compare")
    args = parser.parse_args()
    only = set(
        args.only or ["python_empty", "open_read_10k", "read_scan_10k", "run_100_rows", "cli"]
    )
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
        reads = [
            (case, mode, label)
            for case, mode, label in (
                ("open_read_10k", "read", "open + read a 10k-trial SQLite study"),
                ("read_scan_10k", "scan", "open + read + read without copies, 10k trials"),
            )
            if case in only
        ]
        if reads or "steps_10k" in only:
            p_db, o_db = os.path.join(tmp, "p.db"), os.path.join(tmp, "o.db")
            storage_bench._build_parabola_10k(p_db)
            storage_bench._build_optuna_10k(o_db)
            if args.baseline:
                baseline = str(Path(args.baseline).resolve())
                subprocess.run([PY, "-m", "compileall", "-q", baseline], check=True)
        for _case, mode, label in reads:
            ours, anchor, base = [], [], []
            for _ in range(args.runs):
                anchor.append(_measure([PY, "-c", READ_OPTUNA, f"sqlite:///{o_db}", mode]))
                ours.append(_measure([PY, "-c", READ_PARABOLA, f"sqlite:///{p_db}", mode]))
                if args.baseline:
                    argv = [PY, "-c", READ_PARABOLA_FROM, f"sqlite:///{p_db}", mode, baseline]
                    base.append(_measure(argv))
            rows.append(_table_row(label, ours, anchor, "Optuna"))
            if args.baseline:
                rows.append(
                    _table_row(f"the same, parabola from {args.baseline}", base, anchor, "Optuna")
                )
            print("\n".join(rows[-2 if args.baseline else -1 :]), flush=True)
        if "steps_10k" in only:
            steps: list[list[float]] = []
            wholes: list[float] = []
            for _ in range(args.runs):
                env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                out = subprocess.run(
                    [PY, "-c", READ_STEPS, f"sqlite:///{p_db}"],
                    env=env,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                    check=True,
                ).stdout
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                wholes.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
                steps.append([float(x) for x in out.split()])
            med = [statistics.median(col) for col in zip(*steps, strict=True)]
            whole = statistics.median(wholes)
            rest = whole - sum(med[:4])
            print(
                f"steps_10k (medians of {args.runs}): before the script {med[0]:.3f} s, "
                f"import parabola {med[1]:.3f} s, load_study {med[2]:.3f} s, "
                f".trials {med[3]:.3f} s ({med[4]:.0f} minor faults), exit and the rest "
                f"{rest:.3f} s; whole process {whole:.3f} s",
                flush=True,
            )
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
