"""A training loop logging to W&B, as repositories write it."""

import math

import wandb

config = {"lr": 0.01, "epochs": 5, "arch": "mlp"}
run = wandb.init(project="basic", config=config, tags=["baseline"], notes="drop-in")
for epoch in range(wandb.config.epochs):
    loss = math.exp(-epoch * wandb.config["lr"] * 50)
    wandb.log({"epoch": epoch, "train/loss": loss, "train/acc": 1 - loss})
wandb.run.summary["best_loss"] = loss
wandb.alert(title="done", text=f"final loss {loss:.3f}")
wandb.finish()
