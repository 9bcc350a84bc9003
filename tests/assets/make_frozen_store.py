"""Write ``parabola-v<revision>.db``: a frozen store of the current schema revision.

Run once per schema revision, *before* changing the schema, and commit the file:

    .venv/bin/python tests/assets/make_frozen_store.py

``tests/storages_tests/test_migrations.py`` upgrades every frozen store and checks its content
(``EXPECTED`` below is what each file holds).
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import parabola
from parabola.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from parabola.storages import RDBStorage, RunKey, RunRecord, RunState
from parabola.storages._sql._models import HEAD

START = datetime.datetime(2026, 11, 30, 12, 0, 0, 123456)


def build(path: Path) -> None:
    storage = RDBStorage(f"sqlite:///{path}")
    study = parabola.create_study(storage=storage, study_name="frozen", direction="maximize")
    study.set_user_attr("owner", "tests")
    dists = {
        "x": FloatDistribution(-1.0, 1.0),
        "n": IntDistribution(1, 9, step=2),
        "c": CategoricalDistribution(["a", "b"]),
    }
    for i in range(3):
        trial = parabola.create_trial(
            value=float(i),
            params={"x": i / 4, "n": 2 * i + 1, "c": "ab"[i % 2]},
            distributions=dists,
            user_attrs={"i": i},
            intermediate_values={0: 0.5 * i, 1: float(i)},
        )
        study.add_trial(trial)
    study.enqueue_trial({"x": 0.0})
    storage.create_run(
        RunRecord(
            run_id="run1",
            project="proj",
            entity="me",
            name="frozen-run",
            state=RunState.FINISHED,
            created_at=START,
            heartbeat_at=START,
            finished_at=START + datetime.timedelta(minutes=1),
            config={"lr": 0.01},
            summary={"loss": 0.25},
            tags=["frozen"],
        )
    )
    storage.append_run_history(
        RunKey("me", "proj", "run1"), [{"_step": s, "loss": 1.0 / (s + 1)} for s in range(10)]
    )
    storage.close()


if __name__ == "__main__":
    out = Path(__file__).with_name(f"parabola-v{HEAD}.db")
    if out.exists():
        sys.exit(f"{out} exists: a frozen store is never regenerated.")
    build(out)
    print(f"wrote {out}")
