# ruff: noqa: I001 -- the switch must stay the first import, before optuna and wandb
import parabola.drop_in  # noqa: F401

import optuna
import wandb


study = optuna.create_study(study_name="first-line")
study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
with wandb.init(project="first-line") as run:
    run.log({"best": study.best_value})
print(type(study).__module__, type(run).__module__)
