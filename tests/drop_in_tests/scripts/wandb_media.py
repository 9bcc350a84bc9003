"""Media, tables and charts logged through W&B, as evaluation scripts write them."""

import numpy as np
import wandb

rng = np.random.default_rng(0)
with wandb.init(project="media", config={"classes": ["cat", "dog"]}) as run:
    for step in range(3):
        img = (rng.random((32, 32, 3)) * 255).astype(np.uint8)
        wandb.log(
            {
                "sample": wandb.Image(img, caption=f"step {step}"),
                "weights": wandb.Histogram(rng.normal(size=500)),
                "loss": 1.0 / (step + 1),
            }
        )
    table = wandb.Table(columns=["id", "image", "label", "score"])
    for i in range(4):
        table.add_data(i, wandb.Image(rng.random((8, 8))), ["cat", "dog"][i % 2], float(i) / 4)
    y_true = np.array([0, 1, 1, 0])
    probs = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.9, 0.1]])
    run.log(
        {
            "predictions": table,
            "cm": wandb.plot.confusion_matrix(
                probs=probs, y_true=y_true, class_names=["cat", "dog"]
            ),
            "roc": wandb.plot.roc_curve(y_true, probs, labels=["cat", "dog"]),
        }
    )
    art = wandb.Artifact("eval-set", type="dataset")
    with art.new_file("labels.txt") as f:
        f.write("cat\ndog\n")
    run.log_artifact(art)
