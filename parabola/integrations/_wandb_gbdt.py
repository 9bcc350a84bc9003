"""W&B's XGBoost and LightGBM callbacks (``wandb.integration.xgboost.WandbCallback``,
``wandb.integration.lightgbm.wandb_callback``/``log_summary``), logging to the current run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parabola.integrations._framework import require

__all__ = ["WandbCallback", "log_summary", "wandb_callback"]


def _run(what: str) -> Any:
    import parabola

    run = parabola.run
    if run is None:
        raise RuntimeError(f"{what}: there is no current run; call wandb.init() first.")
    return run


def _log_importance(run: Any, names: list[str], values: list[float], key: str) -> None:
    from parabola.tracking._media import Table, plot

    table = Table(
        columns=["Feature", "Importance"],
        data=[[n, float(v)] for n, v in zip(names, values, strict=True)],
    )
    run.log({key: plot.bar(table, "Feature", "Importance", title="Feature Importance")})


def _xgb_base() -> Any:
    return require("WandbCallback (xgboost)", "xgboost").callback.TrainingCallback


def _make_xgb_callback() -> type:
    # Built on first use: xgboost's TrainingCallback is the base class, and importing
    # wandb.integration.xgboost must not need xgboost until a callback is made.
    base = _xgb_base()

    class WandbCallback(base):  # type: ignore[misc, valid-type]
        """Log each boosting round's evaluation metrics (``<data>-<metric>``) to the current run;
        at the end, the best score/iteration to the summary and the feature importances as a
        table + bar chart (W&B's ``wandb.integration.xgboost.WandbCallback``)."""

        def __init__(
            self,
            log_model: bool = False,
            log_feature_importance: bool = True,
            importance_type: str = "gain",
            define_metric: bool = True,
        ) -> None:
            super().__init__()
            self.log_feature_importance = log_feature_importance
            self.importance_type = importance_type
            self.log_model = log_model
            self.run = _run("WandbCallback")

        def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
            row: dict[str, float] = {}
            for data, metrics in evals_log.items():
                for name, scores in metrics.items():
                    last = scores[-1]
                    row[f"{data}-{name}"] = float(last[0] if isinstance(last, tuple) else last)
            self.run.log({**row, "epoch": epoch})
            return False

        def after_training(self, model: Any) -> Any:
            if self.log_feature_importance:
                scores = model.get_score(importance_type=self.importance_type)
                _log_importance(self.run, list(scores), list(scores.values()), "Feature Importance")
            best_score = getattr(model, "best_score", None)
            if best_score is not None:
                self.run.summary["best_score"] = float(best_score)
                self.run.summary["best_iteration"] = int(model.best_iteration)
            return model

    return WandbCallback


_xgb_callback: type | None = None


def WandbCallback(*args: Any, **kwargs: Any) -> Any:
    """W&B's ``wandb.integration.xgboost.WandbCallback``: log XGBoost's evaluation metrics per
    round, and the feature importances and best score at the end, to the current run."""
    global _xgb_callback
    if _xgb_callback is None:
        _xgb_callback = _make_xgb_callback()
    return _xgb_callback(*args, **kwargs)


def wandb_callback(log_params: bool = True, define_metric: bool = True) -> Callable[[Any], None]:
    """W&B's ``wandb.integration.lightgbm.wandb_callback``: a LightGBM callback logging each
    iteration's validation results (``<data>_<metric>``, with ``iteration``) and, first, the
    parameters to the run's config."""
    require("wandb_callback (lightgbm)", "lightgbm")
    run = _run("wandb_callback")
    state = {"params_logged": False}

    def _callback(env: Any) -> None:
        if log_params and not state["params_logged"]:
            run.config.update(dict(env.params), allow_val_change=True)
            state["params_logged"] = True
        row = {f"{entry[0]}_{entry[1]}": float(entry[2]) for entry in env.evaluation_result_list}
        run.log({**row, "iteration": env.iteration})

    return _callback


def log_summary(
    model: Any, feature_importance: bool = True, save_model_checkpoint: bool = False
) -> None:
    """W&B's ``wandb.integration.lightgbm.log_summary``: the best iteration and score to the
    summary, and the feature importances as a table + bar chart."""
    run = _run("log_summary")
    if not hasattr(model, "feature_importance"):
        raise TypeError(
            f"log_summary(model=...): expected a lightgbm Booster, got {type(model).__name__}."
        )
    run.summary["best_iteration"] = int(model.best_iteration)
    for data, metrics in (model.best_score or {}).items():
        for name, value in metrics.items():
            run.summary[f"best_score.{data}_{name}"] = float(value)
    if feature_importance:
        names = list(model.feature_name())
        _log_importance(run, names, list(model.feature_importance()), "Feature Importance")
