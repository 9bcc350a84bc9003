"""A tidy demo store for the README's screenshots (no hostile strings, realistic curves)."""

from __future__ import annotations

import math
import random
from pathlib import Path

import parabola
from parabola.storages import RunKey, get_storage


def demo_store(path: Path) -> tuple[str, tuple[str, str, str], int]:
    """Create the store; return its URL, a run's path and the study's id."""
    url = f"sqlite:///{path}"
    store = get_storage(url)
    parabola.logging.set_verbosity(parabola.logging.WARNING)
    study = parabola.create_study(study_name="mlp-sweep", storage=store)

    def objective(trial: parabola.Trial) -> float:
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        width = trial.suggest_int("width", 16, 256, log=True)
        dropout = trial.suggest_float("dropout", 0.0, 0.5)
        loss = 1.0
        for epoch in range(10):
            loss = 0.2 + abs(math.log10(lr) + 2.2) * 0.3 + dropout * 0.2 + 8 / width
            loss *= 1 + 1.5 * math.exp(-epoch / 2)
            trial.report(loss, epoch)
            trial.log({"val_loss": loss}, step=epoch)
        return loss

    study.optimize(objective, n_trials=60)
    rng = random.Random(0)
    run_path = ("", "", "")
    for seed in range(3):
        with parabola.init(
            project="mlp",
            name=f"baseline-seed{seed}",
            group="baseline",
            config={"lr": 0.003, "width": 128, "seed": seed, "optimizer": "adam"},
            tags=["baseline"],
            notes="Reference run for the sweep.",
            storage=store,
            settings={"x_disable_stats": True},
        ) as run:
            for step in range(2000):
                base = 2.0 * math.exp(-step / 400) + 0.25
                run.log(
                    {
                        "train/loss": base + rng.gauss(0, 0.05),
                        "val/loss": base * 1.1 + rng.gauss(0, 0.03),
                        "val/acc": 1 - base / 2.5 + rng.gauss(0, 0.01),
                        "lr": 0.003 * (0.5 ** (step // 500)),
                    }
                )
            store.append_run_history(
                RunKey(run.entity, run.project, run.id),
                [
                    {"_step": s, "system.cpu": 40 + 20 * math.sin(s / 5), "system.memory": 31.5}
                    for s in range(60)
                ],
                stream="system",
            )
            run_path = (run.entity, run.project, run.id)
    return url, run_path, store.get_study_id_from_name("mlp-sweep")
