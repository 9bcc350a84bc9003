"""Optuna tuning a Lightning model that logs to W&B, as such scripts are written: WandbLogger per
trial, Optuna's pruning callback on the validation loss."""

import lightning.pytorch as pl
import optuna
import torch
from lightning.pytorch.loggers import WandbLogger
from optuna.integration import PyTorchLightningPruningCallback
from optuna.pruners import ThresholdPruner


class Regressor(pl.LightningModule):
    def __init__(self, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Linear(1, 1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self.net(x), y))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def loader(seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(64, 1, generator=g)
    data = torch.utils.data.TensorDataset(x, 2 * x + 0.01 * torch.randn(64, 1, generator=g))
    return torch.utils.data.DataLoader(data, batch_size=16)


def objective(trial):
    lr = trial.suggest_float("lr", 1e-3, 100.0, log=True)
    logger = WandbLogger(project="pl", name=f"trial-{trial.number}", config={"lr": lr})
    trainer = pl.Trainer(
        max_epochs=3,
        logger=logger,
        accelerator="cpu",
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        log_every_n_steps=1,
        callbacks=[PyTorchLightningPruningCallback(trial, monitor="val_loss")],
    )
    try:
        trainer.fit(Regressor(lr), loader(0), loader(1))
    finally:
        logger.experiment.finish()
    return trainer.callback_metrics["val_loss"].item()


study = optuna.create_study(study_name="pl-tuning", pruner=ThresholdPruner(upper=10.0))
study.enqueue_trial({"lr": 0.5})
study.enqueue_trial({"lr": 90.0})  # diverges: pruned at the first validation
study.optimize(objective, n_trials=2)
