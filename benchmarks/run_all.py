"""Run every benchmark in this folder, one after another, each with its default settings.

Usage: ``make bench`` (installs the anchors from the ``bench`` extra first), or
``.venv/bin/python benchmarks/run_all.py [name ...]`` to run some of them. Each benchmark prints
its own table with ratios against the anchor; see benchmarks/README.md for recorded results.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "import_time",
    "storage_bench",
    "tpe_cost",
    "tpe_quality",
    "pruning_steps",
    "tracking_bench",
    "optuna_import",
    "importance_bench",
    "dropin_bench",
]


def main(argv: list[str]) -> int:
    chosen = argv or BENCHMARKS
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {BENCHMARKS}", file=sys.stderr)
        return 2
    failed = []
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        if subprocess.run([sys.executable, str(HERE / f"{name}.py")]).returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {failed}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
