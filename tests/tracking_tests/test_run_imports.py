"""A script that starts a run, logs and finishes imports only what that path uses.

Checked in a real child interpreter on a real SQLite file, with system metrics on (the default):
no numpy, pandas, SciPy, plotly, nor psutil (the run ends before its first system sample is
due), and none of tracking's other parts (the read API, artifacts, media, the study link)
nor the running-trial class.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("numpy", "pandas", "scipy", "plotly", "psutil", "pynvml")
UNUSED_PARTS = (
    "parabola.tracking._api",
    "parabola.tracking._artifacts",
    "parabola.tracking._media",
    "parabola.tracking._study",
    "parabola.study",
    "parabola.samplers",
    "parabola.trial._trial",  # a run needs FrozenTrial at most (the store's types)
)

_SCRIPT = """
import json, sys, parabola
run = parabola.init(project="cold", storage=sys.argv[1], config={"lr": 0.1})
for i in range(100):
    run.log({"loss": 1.0 / (i + 1), "acc": i / 100})
run.summary["best"] = 1.0
run.finish()
def loaded(label):
    mods = set(sys.modules)
    return {
        "heavy": sorted({m.split(".")[0] for m in mods} & set(json.loads(sys.argv[2]))),
        "parts": sorted(p for p in json.loads(sys.argv[3]) if p in mods),
    }
after_run = loaded("run")
rows = parabola.Api(storage=sys.argv[1]).run(run.path).history(pandas=True)
assert len(rows) == 100
print(json.dumps({"run": after_run, "api": loaded("api")}))
"""


def test_init_log_finish_imports_only_what_it_uses(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PARABOLA_DISABLE_STATS"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _SCRIPT,
            f"sqlite:///{tmp_path / 'runs.db'}",
            json.dumps(HEAVY),
            json.dumps(UNUSED_PARTS),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["run"] == {"heavy": [], "parts": []}
    # Reading the history as a DataFrame loads pandas and the read API: the check can fail.
    assert "pandas" in seen["api"]["heavy"] and "parabola.tracking._api" in seen["api"]["parts"]
