"""The main job: the user's seed tutorial, end to end, on the default store (./parabola.db).

It is the Spanish Optuna + W&B tutorial with only the imports changed: the optimisation half
(Optuna's API) and the tracking half (W&B's API), both writing to the same local store, then the
run read back with ``wandb.Api()`` as the seed does. Run it with ``make run``.
"""

from __future__ import annotations

import warnings

import parabola as optuna
import parabola as wandb

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

    # Guardando los resultados en wandb (no account needed: the run goes to ./parabola.db).
    wandb.login()
    with wandb.init(project="nuevo-proyecto", tags=["optimización", "cuadrática"]) as run:
        for step, trial in enumerate(study.trials):
            run.log(trial.params, step=step)
            run.log({"y": trial.value})

        run.summary["best_y"] = study.best_value
        run.summary["best_params"] = study.best_params

    # Reading it back, as the seed's last cells do (run is specified by <entity>/<project>/<id>).
    api = wandb.Api()
    run = api.run(run.path)
    metrics_df = run.history()
    print(metrics_df)

    system_metrics = run.history(stream="events")
    print(system_metrics)

    print(run.summary)
    show_dashboard(study.study_name, run)


def show_dashboard(study_name: str, run: wandb.tracking.PublicRun) -> None:
    """Say where the dashboard shows this study and run, and how to start it.

    ``make run`` must end by itself, so the server is not started here (a detached one would
    outlive the job unnoticed): the job prints the command and the pages' addresses.
    """
    store = optuna.storages.get_storage(None)
    study_id = store.get_study_id_from_name(study_name)
    base = (run.url or "http://127.0.0.1:8080/").split("/runs/")[0]
    print()
    print(f"Run {'/'.join(run.path)} ({run.name}, {run.state}) and the study are in ./parabola.db.")
    print("See them in the dashboard: run `.venv/bin/parabola ui` (Ctrl+C stops it), then open")
    print(f"  {base}/  (studies and projects)")
    print(f"  {base}/studies/{study_id}  (the study: trials and figures)")
    print(f"  {run.url}  (the run: config, summary, charts)")


if __name__ == "__main__":
    main()
