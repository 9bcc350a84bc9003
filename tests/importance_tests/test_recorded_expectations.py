"""parabola against Optuna 5.0's recorded importances (runs in CI, where Optuna is absent).

``make_importance_fixtures.py`` ran real Optuna on the trial sets in ``fixtures/``; here the same
trials go into parabola. PED-ANOVA must give the same numbers to 1e-9 and the same warnings. The
forest evaluators must too when scikit-learn is the recorded version (same seed, same forest); with
another scikit-learn the forests differ, and fANOVA must still rank like Optuna's: the same
top parameter and top-3 set in every case, and a median Spearman correlation of at least 0.9.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import parabola
from tests.importance_tests._cases import build, target_of, unpack

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _load(name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    document = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    cases = [{**c, "case": unpack(document["trial_sets"][c["trials"]])} for c in document["cases"]]
    return document["versions"], cases


PED_VERSIONS, PED_CASES = _load("ped_anova")
FOREST_VERSIONS, FOREST_CASES = _load("forests")


def _run(record: dict[str, Any], normalize: bool) -> tuple[dict[str, float], list[str]]:
    study = build(parabola, record["case"])
    evaluator = getattr(parabola.importance, record["evaluator"])(**record["kwargs"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = parabola.importance.get_param_importances(
            study,
            evaluator=evaluator,
            params=record["params"],
            target=target_of(record["target"]),
            normalize=normalize,
        )
    messages = sorted({str(w.message) for w in caught if w.category is UserWarning})
    return result, messages


def _spearman(a: list[float], b: list[float]) -> float:
    ra = np.argsort(np.argsort(a)).astype(float)
    rb = np.argsort(np.argsort(b)).astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


def test_fixtures_were_recorded_from_optuna_5() -> None:
    assert PED_VERSIONS["optuna"].startswith("5.0")
    assert len(PED_CASES) >= 10 and len(FOREST_CASES) >= 10


@pytest.mark.parametrize("record", PED_CASES, ids=[c["id"] for c in PED_CASES])
def test_ped_anova_equals_optuna_to_1e_9(record: dict[str, Any]) -> None:
    raw, messages = _run(record, normalize=False)
    expected = record["expected_raw"]
    assert set(raw) == set(expected)
    for name, value in expected.items():
        assert raw[name] == pytest.approx(value, abs=1e-9, rel=0), name
    # Where Optuna's order is defined (no ties), ours is the same.
    if len(set(expected.values())) == len(expected):
        assert list(raw) == list(expected)
    assert messages == record["warnings"]
    normalized, _ = _run(record, normalize=True)
    for name, value in record["expected_normalized"].items():
        assert normalized[name] == pytest.approx(value, abs=1e-9, rel=0), name


def test_some_recorded_ped_anova_cases_are_not_trivial() -> None:
    # Guard against fixtures where everything is 0 (a comparison that cannot fail).
    nontrivial = [c for c in PED_CASES if max(c["expected_raw"].values(), default=0) > 1e-3]
    assert len(nontrivial) >= 8


SAME_SKLEARN = FOREST_VERSIONS["scikit-learn"] == __import__("sklearn").__version__


@pytest.mark.parametrize("record", FOREST_CASES, ids=[c["id"] for c in FOREST_CASES])
def test_forest_evaluators_match_optuna(record: dict[str, Any]) -> None:
    raw, _ = _run(record, normalize=False)
    expected = record["expected_raw"]
    assert set(raw) == set(expected)
    names = sorted(expected)
    if SAME_SKLEARN:
        # Same scikit-learn, same seed: Optuna's forest, so Optuna's numbers and order.
        for name in names:
            assert raw[name] == pytest.approx(expected[name], abs=1e-9, rel=0), name
        assert list(raw)[:3] == list(expected)[:3]
        if record["evaluator"] == "FanovaImportanceEvaluator":
            assert _spearman([raw[n] for n in names], [expected[n] for n in names]) >= 0.9
    elif record["evaluator"] == "FanovaImportanceEvaluator":
        # Another scikit-learn grows other trees: the top parameters must still be Optuna's
        # (the order inside the top 3 and of the near-zero tail is the forest's noise: with a
        # different seed it moves for Optuna itself, see benchmarks/README.md).
        assert next(iter(raw)) == next(iter(expected))
        assert set(list(raw)[:3]) == set(list(expected)[:3])


def test_fanova_rankings_agree_with_optuna_overall() -> None:
    # Across the recorded fANOVA cases, the rank correlation with Optuna's importances: 1.0
    # with the recorded scikit-learn; the median must stay >= 0.9 with any other.
    correlations = []
    for record in FOREST_CASES:
        if record["evaluator"] != "FanovaImportanceEvaluator":
            continue
        raw, _ = _run(record, normalize=False)
        names = sorted(record["expected_raw"])
        correlations.append(
            _spearman([raw[n] for n in names], [record["expected_raw"][n] for n in names])
        )
    assert len(correlations) >= 10
    assert float(np.median(correlations)) >= 0.9
    if SAME_SKLEARN:
        assert min(correlations) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "record",
    [c for c in FOREST_CASES if c["true"] is not None],
    ids=[c["id"] for c in FOREST_CASES if c["true"] is not None],
)
def test_fanova_finds_the_known_top_parameter(record: dict[str, Any]) -> None:
    # The additive problems have known variance shares; both fANOVAs should agree with them on
    # the most important parameter and broadly on the order.
    raw, _ = _run(record, normalize=True)
    names = [f"p{i}" for i in range(len(record["true"]))]
    true = dict(zip(names, record["true"], strict=True))
    assert max(raw, key=raw.__getitem__) == max(true, key=true.__getitem__)
    assert _spearman([raw[n] for n in names], [true[n] for n in names]) >= 0.7
