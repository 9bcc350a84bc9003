"""get_param_importances: defaults, normalisation, bad input, and what a study must provide."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from collections.abc import Container
from typing import Any

import pytest

import parabola
from parabola.exceptions import ExperimentalWarning
from parabola.importance import (
    BaseImportanceEvaluator,
    FanovaImportanceEvaluator,
    MeanDecreaseImpurityImportanceEvaluator,
    PedAnovaImportanceEvaluator,
    get_param_importances,
)
from parabola.study import StudyDirection
from parabola.trial import FrozenTrial, TrialState


def _objective(trial: parabola.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_float("y", 0, 1)
    return x**2 + y


def _study(n_trials: int = 60, storage: Any = None) -> parabola.Study:
    study = parabola.create_study(
        storage=storage or parabola.storages.InMemoryStorage(),
        sampler=parabola.samplers.RandomSampler(seed=0),
    )
    study.optimize(_objective, n_trials=n_trials)
    return study


def test_default_evaluator_is_ped_anova() -> None:
    study = _study()
    assert get_param_importances(study) == get_param_importances(
        study, evaluator=PedAnovaImportanceEvaluator()
    )


def test_normalize_false_returns_the_evaluators_numbers_and_warns_experimental() -> None:
    study = _study()
    with pytest.warns(ExperimentalWarning, match="normalize"):
        raw = get_param_importances(study, normalize=False)
    assert raw == PedAnovaImportanceEvaluator().evaluate(study)
    normalised = get_param_importances(study)
    total = sum(raw.values())
    assert normalised == pytest.approx({k: v / total for k, v in raw.items()})


class _Zeros(BaseImportanceEvaluator):
    def evaluate(self, study: Any, params: Any = None, *, target: Any = None) -> dict[str, float]:
        return {"a": 0.0, "b": 0.0, "c": 0.0}


def test_all_zero_importances_become_equal_shares() -> None:
    assert get_param_importances(_study(5), evaluator=_Zeros()) == {
        "a": 1 / 3,
        "b": 1 / 3,
        "c": 1 / 3,
    }


def test_evaluator_must_be_an_importance_evaluator() -> None:
    with pytest.raises(TypeError, match=r"evaluator must be .*BaseImportanceEvaluator"):
        get_param_importances(_study(5), evaluator=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="evaluator"):
        get_param_importances(_study(5), evaluator=PedAnovaImportanceEvaluator)  # type: ignore[arg-type]


def test_normalize_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="normalize must be True or False"):
        get_param_importances(_study(5), normalize="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "evaluator",
    [PedAnovaImportanceEvaluator(), FanovaImportanceEvaluator(seed=0),
     MeanDecreaseImpurityImportanceEvaluator(seed=0)],
    ids=["ped", "fanova", "mdi"],
)  # fmt: skip
def test_target_must_be_callable(evaluator: BaseImportanceEvaluator) -> None:
    with pytest.raises(TypeError, match="target must be None or a callable"):
        get_param_importances(_study(20), evaluator=evaluator, target=0)  # type: ignore[arg-type]


def test_target_is_used_instead_of_the_value() -> None:
    study = _study(200)
    # Only y matters to this target: lower y is better.
    with pytest.warns(UserWarning, match="low `target` values"):
        importances = get_param_importances(study, target=lambda t: t.params["y"])
    assert next(iter(importances)) == "y"


class _TrialsOnly:
    """The narrowest study an evaluator accepts: trials and directions, no storage."""

    def __init__(self, trials: list[FrozenTrial], directions: list[StudyDirection]) -> None:
        self._trials = trials
        self._directions = directions
        self.calls: list[tuple[bool, Any]] = []

    @property
    def directions(self) -> list[StudyDirection]:
        return list(self._directions)

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        self.calls.append((deepcopy, states))
        return [t for t in self._trials if states is None or t.state in states]


@pytest.mark.parametrize(
    "evaluator",
    [PedAnovaImportanceEvaluator(), FanovaImportanceEvaluator(seed=1),
     MeanDecreaseImpurityImportanceEvaluator(seed=1)],
    ids=["ped", "fanova", "mdi"],
)  # fmt: skip
def test_evaluators_read_only_frozen_trials(evaluator: BaseImportanceEvaluator) -> None:
    study = _study(80)
    view = _TrialsOnly(study.get_trials(), study.directions)
    view._trials.append(
        parabola.trial.create_trial(state=TrialState.FAIL, params={}, distributions={})
    )
    assert get_param_importances(view, evaluator=evaluator) == get_param_importances(
        study, evaluator=evaluator
    )
    assert view.calls and all(deepcopy is False for deepcopy, _ in view.calls)


def test_sqlite_study_gives_the_same_importances(tmp_path: Any) -> None:
    memory = _study(80)
    sqlite = _study(80, storage=f"sqlite:///{tmp_path / 'i.db'}")
    assert get_param_importances(sqlite) == pytest.approx(get_param_importances(memory))


def test_failed_pruned_and_running_trials_are_ignored() -> None:
    study = _study(80)
    before = get_param_importances(study)
    study.enqueue_trial({"x": 0.0, "y": 0.0})
    study.ask()  # RUNNING
    trial = study.ask()
    trial.suggest_float("x", -10, 10)
    study.tell(trial, state=TrialState.PRUNED)
    trial = study.ask()
    trial.suggest_float("x", -10, 10)
    study.tell(trial, state=TrialState.FAIL)
    assert get_param_importances(study) == before


def test_non_finite_values_are_skipped() -> None:
    study = _study(80)
    before = get_param_importances(study)
    for value in (float("inf"), float("-inf")):
        study.add_trial(
            parabola.trial.create_trial(
                params={"x": 1.0, "y": 0.5},
                distributions=study.trials[0].distributions,
                value=value,
            )
        )
    assert get_param_importances(study) == before


def _modules_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def _loaded_by(call: str) -> set[str]:
    """Modules that ``call`` loads after a study has been optimised (in a fresh process)."""
    return _modules_after(
        "import parabola, parabola.importance as imp\n"
        "s = parabola.create_study(storage=parabola.storages.InMemoryStorage())\n"
        "s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=20)\n"
        "before = set(sys.modules)\n"
        f"{call}\n"
        "for m in before: del sys.modules[m]\n"
    )


def test_imports_stay_lazy() -> None:
    assert "parabola.importance" not in _modules_after("import parabola")
    # The default evaluator needs numpy only: no scikit-learn, no scipy.
    default = _loaded_by("imp.get_param_importances(s)")
    assert not any(m.split(".")[0] in ("sklearn", "scipy") for m in default)
    # The forest evaluators load scikit-learn when built: proof the check above can fail.
    assert "sklearn" in _loaded_by("imp.FanovaImportanceEvaluator()")


@pytest.mark.parametrize(
    "cls", [FanovaImportanceEvaluator, MeanDecreaseImpurityImportanceEvaluator]
)
def test_forest_evaluators_say_which_extra_to_install(
    cls: type[BaseImportanceEvaluator], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.ensemble", None)
    with pytest.raises(ImportError, match=r"scikit-learn.*parabola\[importance\]"):
        cls()


def test_no_warning_on_an_ordinary_call() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get_param_importances(_study(100))
