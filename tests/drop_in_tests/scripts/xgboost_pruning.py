"""XGBoost with Optuna's pruning callback, as tuning scripts write it."""

import numpy as np
import optuna
import xgboost as xgb
from optuna.integration import XGBoostPruningCallback

rng = np.random.default_rng(0)
X = rng.normal(size=(300, 5))
y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
dtrain = xgb.DMatrix(X[:200], label=y[:200])
dvalid = xgb.DMatrix(X[200:], label=y[200:])


def objective(trial):
    params = {
        "objective": "binary:logistic",
        "eval_metric": "logloss",
        "max_depth": trial.suggest_int("max_depth", 1, 4),
        "eta": trial.suggest_float("eta", 0.01, 0.5, log=True),
        "verbosity": 0,
    }
    pruning = XGBoostPruningCallback(trial, "validation-logloss")
    booster = xgb.train(
        params,
        dtrain,
        num_boost_round=20,
        evals=[(dvalid, "validation")],
        callbacks=[pruning],
        verbose_eval=False,
    )
    return float(booster.eval(dvalid).split(":")[1])


study = optuna.create_study(
    study_name="xgb", pruner=optuna.pruners.MedianPruner(n_startup_trials=2)
)
study.enqueue_trial({"max_depth": 3, "eta": 0.3})
study.enqueue_trial({"max_depth": 3, "eta": 0.2})
study.enqueue_trial({"max_depth": 1, "eta": 0.01})  # far worse than the median: pruned
study.optimize(objective, n_trials=3)
