"""A study big enough for the study page's point budget (more trials than it draws)."""

from __future__ import annotations

import random
from pathlib import Path

import parabola


def big_study(path: Path, n: int = 1500) -> tuple[str, int]:
    """A SQLite store at ``path`` with one study of ``n`` complete trials; (url, study id)."""
    url = f"sqlite:///{path}"
    parabola.logging.set_verbosity(parabola.logging.WARNING)
    study = parabola.create_study(study_name="big", storage=url)
    rng = random.Random(0)
    dist = parabola.distributions.FloatDistribution(-5, 5)
    study.add_trials(
        [
            parabola.trial.create_trial(
                params={"x": (x := rng.uniform(-5, 5)), "y": (y := rng.uniform(-5, 5))},
                distributions={"x": dist, "y": dist},
                value=x * x + y * y,
            )
            for _ in range(n)
        ]
    )
    return url, study._study_id
