"""Record Optuna 5.0's importances on fixed trial sets, for the tests that run without Optuna.

``make test`` (CI) has no anchors installed, so ``test_recorded_expectations.py`` replays these
files: the same trials go into parabola, and its importances must equal what real Optuna
computed (PED-ANOVA to 1e-9; the forests to 1e-9 when scikit-learn is the recorded version,
else the same top 3 and a Spearman correlation >= 0.9). Regenerate after changing a case:

    .venv/bin/python tests/importance_tests/make_importance_fixtures.py

Needs the anchors (``pip install -e '.[bench]'``). Optuna's fANOVA makes this take ~30 s.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _cases import additive_case, build, many_choices_case, mixed_case, pack, target_of  # noqa: E402

FIXTURES = HERE / "fixtures"


def _maximize(case: dict[str, Any]) -> dict[str, Any]:
    return {**case, "directions": ["maximize"]}


def ped_anova_specs() -> list[dict[str, Any]]:
    """(id, case, evaluator kwargs, params, target) for PED-ANOVA."""
    mixed = mixed_case(0, 200)
    return [
        {"id": "mixed-default", "case": mixed},
        {
            "id": "mixed-quantiles",
            "case": mixed,
            "kwargs": {"target_quantile": 0.25, "region_quantile": 0.75},
        },
        {"id": "mixed-global", "case": mixed, "kwargs": {"evaluate_on_local": False}},
        {"id": "mixed-params", "case": mixed, "params": ["int_log", "cat", "float"]},
        {"id": "mixed-maximize", "case": _maximize(mixed_case(1, 150))},
        {"id": "mixed-ties", "case": mixed_case(2, 150, ties=True)},
        {"id": "conditional", "case": mixed_case(3, 200, conditional=True)},
        {
            "id": "conditional-params",
            "case": mixed_case(3, 200, conditional=True),
            "params": ["cond", "r"],
        },
        {"id": "mo2-pareto", "case": mixed_case(4, 150, n_objectives=2)},
        {"id": "mo3-pareto", "case": mixed_case(5, 120, n_objectives=3)},
        {
            "id": "mo2-pareto-quantiles",
            "case": mixed_case(6, 150, n_objectives=2, conditional=True),
            "kwargs": {"target_quantile": 0.2, "region_quantile": 0.6},
        },
        {"id": "mo2-target", "case": mixed_case(4, 150, n_objectives=2), "target": "neg_values1"},
        {"id": "few-trials", "case": mixed_case(7, 12, conditional=True)},
        {"id": "one-trial", "case": mixed_case(8, 1)},
    ]


def forest_specs() -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = []
    for seed in range(10):
        case, true = additive_case(seed, 100, n_params=6)
        specs.append(
            {
                "id": f"additive-{seed}",
                "case": case,
                "evaluator": "FanovaImportanceEvaluator",
                "kwargs": {"seed": seed},
                "true": true,
            }
        )
    specs += [
        {
            "id": "mixed-fanova",
            "case": mixed_case(9, 100),
            "evaluator": "FanovaImportanceEvaluator",
            "kwargs": {"seed": 1},
        },
        {
            "id": "mo2-fanova-target",
            "case": mixed_case(10, 80, n_objectives=2, conditional=True),
            "evaluator": "FanovaImportanceEvaluator",
            "kwargs": {"seed": 2},
            "target": "values0",
        },
        {
            # 12 one-hot columns: parabola sums this product grid pairwise, not cell by cell.
            "id": "many-choices-fanova",
            "case": many_choices_case(11, 120),
            "evaluator": "FanovaImportanceEvaluator",
            "kwargs": {"seed": 0},
        },
        {
            "id": "mixed-mdi",
            "case": mixed_case(9, 100),
            "evaluator": "MeanDecreaseImpurityImportanceEvaluator",
            "kwargs": {"seed": 1},
        },
        {
            "id": "additive-mdi",
            "case": additive_case(3, 100, n_params=6)[0],
            "evaluator": "MeanDecreaseImpurityImportanceEvaluator",
            "kwargs": {"seed": 0},
            "params": ["p0", "p2", "p4"],
        },
    ]
    return specs


def record(spec: dict[str, Any], optuna: Any) -> dict[str, Any]:
    evaluator_name = spec.get("evaluator", "PedAnovaImportanceEvaluator")
    kwargs = spec.get("kwargs", {})
    study = build(optuna, spec["case"])
    call = {"params": spec.get("params"), "target": target_of(spec.get("target"))}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluator = getattr(optuna.importance, evaluator_name)(**kwargs)
        raw = optuna.importance.get_param_importances(
            study, evaluator=evaluator, normalize=False, **call
        )
    messages = sorted(
        {str(w.message) for w in caught if w.category is UserWarning}  # not Experimental
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Every forest case has a seed, so this refit is the same forest.
        normalized = optuna.importance.get_param_importances(
            study, evaluator=getattr(optuna.importance, evaluator_name)(**kwargs), **call
        )
    return {
        "id": spec["id"],
        "evaluator": evaluator_name,
        "kwargs": kwargs,
        "params": spec.get("params"),
        "target": spec.get("target"),
        "true": spec.get("true"),
        "expected_raw": {k: float(v) for k, v in raw.items()},
        "expected_normalized": {k: float(v) for k, v in normalized.items()},
        "warnings": messages,
    }


def main() -> int:
    import numpy
    import optuna
    import sklearn

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    versions = {
        "optuna": optuna.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
    }
    FIXTURES.mkdir(exist_ok=True)
    for name, specs in (("ped_anova", ped_anova_specs()), ("forests", forest_specs())):
        trial_sets: dict[str, Any] = {}  # one copy of each trial set, however many cases use it
        records = []
        for spec in specs:
            packed = pack(spec["case"])
            key = next((k for k, v in trial_sets.items() if v == packed), spec["id"])
            trial_sets[key] = packed
            records.append({**record(spec, optuna), "trials": key})
        path = FIXTURES / f"{name}.json"
        document = {"versions": versions, "trial_sets": trial_sets, "cases": records}
        path.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent.parent)} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
