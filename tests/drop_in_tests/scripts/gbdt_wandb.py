"""W&B's own XGBoost and LightGBM callbacks, as boosting scripts use them."""

import lightgbm as lgb
import numpy as np
import wandb
import xgboost as xgb
from wandb.integration.lightgbm import log_summary, wandb_callback
from wandb.integration.xgboost import WandbCallback

rng = np.random.default_rng(0)
X = rng.normal(size=(200, 4))
y = X[:, 0] - X[:, 2] + 0.1 * rng.normal(size=200)

with wandb.init(project="gbdt", name="xgboost"):
    dtrain, dvalid = xgb.DMatrix(X[:150], label=y[:150]), xgb.DMatrix(X[150:], label=y[150:])
    xgb.train(
        {"eta": 0.3, "eval_metric": "rmse", "verbosity": 0},
        dtrain,
        num_boost_round=5,
        evals=[(dvalid, "valid")],
        early_stopping_rounds=3,
        callbacks=[WandbCallback()],
    )

with wandb.init(project="gbdt", name="lightgbm"):
    train = lgb.Dataset(X[:150], label=y[:150])
    valid = lgb.Dataset(X[150:], label=y[150:], reference=train)
    params = {"objective": "regression", "metric": "l2", "verbosity": -1, "learning_rate": 0.3}
    booster = lgb.train(
        params, train, num_boost_round=5, valid_sets=[valid], callbacks=[wandb_callback()]
    )
    log_summary(booster)
