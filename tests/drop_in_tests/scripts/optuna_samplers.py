"""An Optuna tuning script as repositories write it: submodule imports, a pruner, a callback."""

import argparse

import optuna
from optuna.pruners import MedianPruner
from optuna.samplers import TPESampler
from optuna.trial import TrialState

parser = argparse.ArgumentParser()
parser.add_argument("--trials", type=int, default=20)
args = parser.parse_args()

optuna.logging.set_verbosity(optuna.logging.WARNING)


def objective(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    value = (x - 2) ** 2 + (0 if kind == "a" else 1)
    for step in range(5):
        trial.report(value + 5 - step, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return value


study = optuna.create_study(
    study_name="samplers-demo",
    direction="minimize",
    sampler=TPESampler(seed=42, n_startup_trials=5),
    pruner=MedianPruner(n_startup_trials=5, n_warmup_steps=1),
)
study.optimize(objective, n_trials=args.trials)
complete = study.get_trials(deepcopy=False, states=[TrialState.COMPLETE])
pruned = study.get_trials(deepcopy=False, states=[TrialState.PRUNED])
print(f"best={study.best_value:.4f} complete={len(complete)} pruned={len(pruned)}")
