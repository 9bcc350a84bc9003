"""The main job: the user's seed tutorial, end to end, on the default store (./parabola.db).

It is the Spanish Optuna + W&B tutorial with only the imports changed. Run it with ``make run``.
"""

from __future__ import annotations

import warnings

import parabola as optuna

# The seed uses the 2021-era suggest_uniform; it still works and warns once, naming
# suggest_float. We show that warning a single time rather than once per trial.
warnings.simplefilter("once", FutureWarning)

rango = {"min": -10, "max": 10}


def optimize_squared(trial: optuna.Trial) -> float:
    x = trial.suggest_uniform("x", rango["min"], rango["max"])
    return x**2 + 1  # nuestra función a optimizar


def main() -> None:
    study = optuna.create_study(direction="minimize")
    study.optimize(optimize_squared, n_trials=50)

    print("x óptimo: ", study.best_params)
    print("y óptimo", study.best_value)
    print(study.trials_dataframe())


if __name__ == "__main__":
    main()
