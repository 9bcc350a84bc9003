"""Record what Optuna 5.0 does in each parity scenario, for the CI tests that cannot install it.

    .venv/bin/python scripts/record_optuna_expectations.py   # needs the bench extra (Optuna 5.0)

Writes ``tests/study_tests/optuna_expectations.json``; ``tests/study_tests/
test_optuna_recorded.py`` compares parabola with it, and ``test_optuna_parity.py`` checks that
it is still what the installed Optuna does.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.study_tests.parity_scenarios import SCENARIOS, normalise  # noqa: E402

OUT = ROOT / "tests" / "study_tests" / "optuna_expectations.json"


def main() -> None:
    import optuna

    if optuna.__version__ != "5.0.0":
        sys.exit(f"needs Optuna 5.0.0 (the anchor), found {optuna.__version__}")
    recorded = {}
    for name, run in SCENARIOS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            recorded[name] = normalise(run(optuna))
    OUT.write_text(
        json.dumps({"optuna": optuna.__version__, "scenarios": recorded}, indent=1) + "\n"
    )
    print(f"wrote {len(recorded)} scenarios to {OUT}")


if __name__ == "__main__":
    main()
