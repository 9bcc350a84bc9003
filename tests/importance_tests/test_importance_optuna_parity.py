"""Differential tests: parabola.importance against optuna.importance 5.0 on identical trials.

optuna is an anchor (the ``bench`` extra), so this module skips without it; ``make
test-anchors`` runs it. The fixtures replayed by ``test_recorded_expectations.py`` carry the
same comparison into CI.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

import parabola
from tests.importance_tests._cases import (
    additive_case,
    build,
    many_choices_case,
    mixed_case,
    target_of,
)

optuna = pytest.importorskip("optuna")


def _importances(
    module: Any, case: dict[str, Any], evaluator: str, kwargs: dict[str, Any], **call: Any
) -> tuple[dict[str, float], set[str]]:
    study = build(module, case)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = module.importance.get_param_importances(
            study,
            evaluator=getattr(module.importance, evaluator)(**kwargs),
            normalize=False,
            **call,
        )
    return dict(result), {str(w.message) for w in caught if w.category is UserWarning}


def _assert_same(case: dict[str, Any], evaluator: str, kwargs: dict[str, Any], **call: Any) -> None:
    ours, our_warnings = _importances(parabola, case, evaluator, kwargs, **call)
    theirs, their_warnings = _importances(optuna, case, evaluator, kwargs, **call)
    assert set(ours) == set(theirs)
    for name, value in theirs.items():
        assert ours[name] == pytest.approx(float(value), abs=1e-9, rel=0), name
    assert our_warnings == their_warnings


_Q = "target_quantile"
_R = "region_quantile"

PED_SCENARIOS: list[tuple[str, Callable[[], dict[str, Any]], dict[str, Any], dict[str, Any]]] = [
    ("mixed-300", lambda: mixed_case(11, 300), {}, {}),
    ("mixed-1000", lambda: mixed_case(12, 1000), {}, {}),
    ("mixed-31-ceil", lambda: mixed_case(13, 31), {}, {}),  # 0.1 * 31: the ceil of a float
    ("quantiles", lambda: mixed_case(14, 200), {_Q: 0.3, _R: 0.9}, {}),
    ("global", lambda: mixed_case(15, 200), {"evaluate_on_local": False}, {}),
    ("ties", lambda: mixed_case(16, 300, ties=True), {}, {}),
    ("conditional", lambda: mixed_case(17, 300, conditional=True), {}, {}),
    ("conditional-small", lambda: mixed_case(18, 25, conditional=True), {}, {}),
    ("mo2", lambda: mixed_case(19, 300, n_objectives=2), {}, {}),
    ("mo2-quantiles", lambda: mixed_case(20, 300, n_objectives=2), {_Q: 0.3, _R: 0.7}, {}),
    ("mo3", lambda: mixed_case(21, 200, n_objectives=3, conditional=True), {}, {}),
    ("mo3-quantiles", lambda: mixed_case(22, 200, n_objectives=3), {_Q: 0.2, _R: 0.5}, {}),
    ("mo2-ties", lambda: mixed_case(23, 200, n_objectives=2, ties=True), {}, {}),
    ("target", lambda: mixed_case(24, 200, n_objectives=2), {}, {"target": target_of("values1")}),
    ("params", lambda: mixed_case(25, 200, conditional=True), {}, {"params": ["cond", "r", "cat"]}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "kwargs", "call"),
    [pytest.param(c, k, a, id=i) for i, c, k, a in PED_SCENARIOS],
)
def test_ped_anova_same_numbers_and_warnings(
    case: Callable[[], dict[str, Any]], kwargs: dict[str, Any], call: dict[str, Any]
) -> None:
    _assert_same(case(), "PedAnovaImportanceEvaluator", kwargs, **call)


_PED = "PedAnovaImportanceEvaluator"
_FANOVA = "FanovaImportanceEvaluator"
_MDI = "MeanDecreaseImpurityImportanceEvaluator"
_ALL = [_PED, _FANOVA, _MDI]
_FORESTS = [_FANOVA, _MDI]


def _constant_objective() -> dict[str, Any]:
    case = additive_case(43, 20, 3)[0]
    return {**case, "trials": [{**t, "values": [1.0]} for t in case["trials"]]}


@pytest.mark.parametrize("evaluator", _FORESTS)
@pytest.mark.parametrize(
    ("case", "call"),
    [
        pytest.param(lambda: mixed_case(30, 150), {}, id="mixed"),
        pytest.param(lambda: additive_case(31, 150, n_params=8)[0], {}, id="additive"),
        pytest.param(lambda: mixed_case(32, 120, conditional=True), {}, id="conditional-skipped"),
        pytest.param(
            lambda: mixed_case(33, 120, n_objectives=2), {"target": target_of("values1")}, id="mo"
        ),
        pytest.param(lambda: mixed_case(34, 120), {"params": ["cat", "float"]}, id="params"),
        pytest.param(lambda: many_choices_case(35, 120), {}, id="many-choices"),
    ],
)  # fmt: skip
def test_forest_evaluators_same_numbers_with_a_seed(
    evaluator: str, case: Callable[[], dict[str, Any]], call: dict[str, Any]
) -> None:
    _assert_same(case(), evaluator, {"seed": 5}, **call)


def test_mdi_labels_params_in_their_own_order_unlike_optuna() -> None:
    # A deliberate difference: Optuna 5.0's MDI fits the columns in sorted-name order but labels
    # the importances in the order of ``params``, so an unsorted ``params`` swaps the labels.
    # parabola labels each importance with its own parameter.
    case = mixed_case(34, 120)
    call = {"params": ["float", "cat"]}
    ours, _ = _importances(parabola, case, _MDI, {"seed": 5}, **call)
    theirs, _ = _importances(optuna, case, _MDI, {"seed": 5}, **call)
    assert ours["cat"] == pytest.approx(theirs["float"], abs=1e-12)
    assert ours["float"] == pytest.approx(theirs["cat"], abs=1e-12)
    sorted_call = {"params": ["cat", "float"]}
    assert _importances(parabola, case, _MDI, {"seed": 5}, **sorted_call)[0] == pytest.approx(
        _importances(optuna, case, _MDI, {"seed": 5}, **sorted_call)[0], abs=1e-12
    )


def _error(module: Any, case: dict[str, Any], evaluator: str, **call: Any) -> BaseException:
    study = build(module, case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as info:
            module.importance.get_param_importances(
                study, evaluator=getattr(module.importance, evaluator)(), **call
            )
    return info.value


@pytest.mark.parametrize(
    ("scenario", "evaluators", "case", "call"),
    [
        ("unknown param", _ALL, lambda: mixed_case(40, 30), {"params": ["float", "nope"]}),
        ("params not a list", _ALL, lambda: mixed_case(40, 30), {"params": "float"}),
        ("params not names", _ALL, lambda: mixed_case(40, 30), {"params": [1]}),
        ("multi-objective, no target", _FORESTS, lambda: mixed_case(41, 30, n_objectives=2), {}),
        ("dynamic", _FORESTS, lambda: mixed_case(42, 60, conditional=True), {"params": ["r"]}),
        ("constant objective", [_FANOVA], _constant_objective, {}),
    ],
)  # fmt: skip
def test_same_errors_as_optuna(
    scenario: str, evaluators: list[str], case: Callable[[], dict[str, Any]], call: dict[str, Any]
) -> None:
    for evaluator in evaluators:
        ours = _error(parabola, case(), evaluator, **call)
        theirs = _error(optuna, case(), evaluator, **call)
        assert type(ours) is type(theirs), (scenario, evaluator)
        # Ours may say more (the argument's name first); Optuna's words are all there.
        assert str(theirs) in str(ours), (scenario, evaluator)


def test_not_an_evaluator_is_a_type_error_in_both() -> None:
    for module in (parabola, optuna):
        study = build(module, mixed_case(44, 5))
        with pytest.raises(TypeError):
            module.importance.get_param_importances(study, evaluator=object())


def test_too_few_trials_same_result_and_warning() -> None:
    for n in (0, 1):
        case = mixed_case(45, max(n, 1))
        if n == 0:
            case = {**case, "trials": []}
        _assert_same(case, "PedAnovaImportanceEvaluator", {})
        _assert_same(case, "FanovaImportanceEvaluator", {"seed": 0})


def test_normalized_results_and_order_match() -> None:
    case = mixed_case(46, 400)
    results = []
    for module in (parabola, optuna):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results.append(module.importance.get_param_importances(build(module, case)))
    ours, theirs = results
    assert list(ours) == list(theirs)
    assert ours == pytest.approx(theirs, abs=1e-9)
