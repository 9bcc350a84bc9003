"""Record Optuna 5.0's figures for the cases of ``viz_cases.py`` into
``fixtures/optuna_traces.json`` (what ``test_recorded_parity.py`` compares against in CI, where
Optuna is not installed).

Run after changing a case or upgrading the anchor::

    .venv/bin/python tests/visualization_tests/make_visualization_fixtures.py
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import optuna  # noqa: E402
import viz_cases  # noqa: E402
import viz_scenarios  # noqa: E402
from viz_traces import summarize  # noqa: E402


def main() -> None:
    warnings.simplefilter("ignore")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    recorded = {"optuna": optuna.__version__, "cases": {}}
    for case, plot, make, kwargs in viz_cases.CASES:
        fig = getattr(optuna.visualization, plot)(viz_scenarios.to_optuna(make()), **kwargs())
        recorded["cases"][case] = summarize(fig)
    out = HERE / "fixtures" / "optuna_traces.json"
    out.write_text(json.dumps(recorded, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(recorded['cases'])} figures -> {out} ({out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
