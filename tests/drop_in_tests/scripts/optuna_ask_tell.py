"""Ask-and-tell with explicit distributions and exceptions, as integration code writes it."""

import optuna
from optuna.distributions import FloatDistribution, IntDistribution
from optuna.exceptions import DuplicatedStudyError
from optuna.samplers import RandomSampler
from optuna.storages import InMemoryStorage

study = optuna.create_study(study_name="ask-tell", sampler=RandomSampler(seed=0))
space = {"lr": FloatDistribution(1e-4, 1e-1, log=True), "layers": IntDistribution(1, 4)}
for _ in range(6):
    trial = study.ask(space)
    study.tell(trial, trial.params["lr"] * trial.params["layers"])
try:
    optuna.create_study(study_name="ask-tell")
except DuplicatedStudyError:
    print("duplicate refused")
scratch = optuna.create_study(storage=InMemoryStorage())
scratch.optimize(lambda t: t.suggest_int("n", 0, 3), n_trials=2)
print(len(study.trials), len(scratch.trials))
