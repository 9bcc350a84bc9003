"""LightGBM with Optuna's pruning callback (optuna_integration's import path)."""

import lightgbm as lgb
import numpy as np
import optuna
from optuna_integration import LightGBMPruningCallback

rng = np.random.default_rng(0)
X = rng.normal(size=(300, 5))
y = X[:, 0] * 2 + X[:, 1] + 0.1 * rng.normal(size=300)
train = lgb.Dataset(X[:200], label=y[:200])
valid = lgb.Dataset(X[200:], label=y[200:], reference=train)


def objective(trial):
    params = {
        "objective": "regression",
        "metric": "l2",
        "learning_rate": trial.suggest_float("learning_rate", 1e-3, 0.5, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 2, 16),
        "verbosity": -1,
    }
    booster = lgb.train(
        params,
        train,
        num_boost_round=20,
        valid_sets=[valid],
        callbacks=[LightGBMPruningCallback(trial, "l2")],
    )
    return float(np.mean((booster.predict(X[200:]) - y[200:]) ** 2))


study = optuna.create_study(
    study_name="lgbm", pruner=optuna.pruners.MedianPruner(n_startup_trials=2)
)
study.enqueue_trial({"learning_rate": 0.3, "num_leaves": 8})
study.enqueue_trial({"learning_rate": 0.2, "num_leaves": 8})
study.enqueue_trial({"learning_rate": 0.001, "num_leaves": 2})  # barely learns: pruned
study.optimize(objective, n_trials=3)
