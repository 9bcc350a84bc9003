"""How long ``import parabola`` takes next to ``import optuna`` (and ``import wandb``).

The target: ``import parabola`` takes no longer than ``import optuna``. Each module is
imported in a fresh interpreter, ``--runs`` times, round-robin so that machine load affects every
candidate alike. Two figures per candidate, both medians:

* ``import``: seconds spent in the ``import`` statement itself, timed inside the process;
* ``process``: wall time of the whole ``python -c "import X"`` process (includes interpreter
  start-up, which is the same for everyone; ``python -c pass`` is shown as the baseline).

Run it with::

    .venv/bin/python benchmarks/import_time.py --runs 15

Because parabola loads its parts lazily, two more rows per library time ``import X`` together
with what a script does next: touching ``X.create_study``, and creating an in-memory study and
running one trial. Candidates that are not installed are skipped.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import time

CANDIDATES = ("parabola", "optuna", "wandb")
# Extra rows for parabola and optuna: what a script does right after the import, timed together
# with it, so parabola's lazy loading is not credited twice.
FIRST_USE = ("parabola", "optuna")
EXTRAS = {
    "+create_study": "{m}.create_study\n",
    "+first_trial": (
        "{m}.logging.set_verbosity({m}.logging.WARNING)\n"
        "{m}.create_study(storage={m}.storages.InMemoryStorage()).optimize(\n"
        "    lambda t: t.suggest_float('x', 0, 1), n_trials=1)\n"
    ),
}

_TIMED = (
    "import time as _t\n"
    "_s = _t.perf_counter()\n"
    "import {module}\n"
    "{touch}"
    "print(_t.perf_counter() - _s)\n"
)


def _split(row: str) -> tuple[str, str]:
    for suffix in EXTRAS:
        if row.endswith(suffix):
            return row.removesuffix(suffix), suffix
    return row, ""


def _one_run(row: str | None) -> tuple[float, float]:
    """Return (seconds inside the timed statements, seconds for the whole process)."""
    if row is None:
        code = "pass"
    else:
        module, suffix = _split(row)
        touch = EXTRAS[suffix].format(m=module) if suffix else ""
        code = _TIMED.format(module=module, touch=touch)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    wall = time.perf_counter() - start
    inside = 0.0 if row is None else float(result.stdout.strip().splitlines()[-1])
    return inside, wall


def measure(runs: int) -> dict[str, dict[str, float]]:
    """Median import and process times per installed candidate (and the ``pass`` baseline)."""
    present = [m for m in CANDIDATES if importlib.util.find_spec(m) is not None]
    rows = [*present, *(m + x for x in EXTRAS for m in FIRST_USE if m in present)]
    samples: dict[str, list[tuple[float, float]]] = {r: [] for r in [*rows, "(python -c pass)"]}
    for row in rows:  # warm the OS file cache and .pyc files once, untimed
        _one_run(row)
    for _ in range(runs):
        for row in rows:
            samples[row].append(_one_run(row))
        samples["(python -c pass)"].append(_one_run(None))
    return {
        name: {
            "import_s": statistics.median(s[0] for s in values),
            "process_s": statistics.median(s[1] for s in values),
            "runs": float(len(values)),
        }
        for name, values in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per module (>= 10)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.runs < 10:
        parser.error("--runs must be >= 10 (medians of fewer runs are too noisy here)")

    results = measure(args.runs)
    missing = [m for m in CANDIDATES if m not in results]
    if args.json:
        print(json.dumps({"results": results, "not_installed": missing}, indent=2))
        return

    print(f"python {sys.version.split()[0]}, {args.runs} fresh processes each, medians")
    print(f"{'row':<24} {'import (s)':>11} {'process (s)':>12}")
    for name, r in results.items():
        print(f"{name:<24} {r['import_s']:>11.3f} {r['process_s']:>12.3f}")
    pairs = [("parabola", "optuna"), ("parabola", "wandb")]
    pairs += [("parabola" + x, "optuna" + x) for x in EXTRAS]
    for ours, anchor in pairs:
        if ours not in results or anchor not in results:
            continue
        a, b = results[ours], results[anchor]
        print(
            f"{ours} / {anchor}: import {a['import_s'] / b['import_s']:.2f}x, "
            f"process {a['process_s'] / b['process_s']:.2f}x"
        )
    for name in missing:
        print(f"{name}: not installed, skipped")
    base = results.get("parabola")
    if base is not None and "optuna" in results:
        ok = base["import_s"] <= results["optuna"]["import_s"]
        print(f"target (import parabola <= import optuna): {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
