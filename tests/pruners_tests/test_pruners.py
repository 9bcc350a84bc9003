"""Each pruner's decisions on handcrafted intermediate values, and argument validation."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import parabola
from parabola.exceptions import ExperimentalWarning
from parabola.pruners import (
    BasePruner,
    HyperbandPruner,
    MedianPruner,
    NopPruner,
    PatientPruner,
    PercentilePruner,
    SuccessiveHalvingPruner,
    ThresholdPruner,
    WilcoxonPruner,
)
from parabola.pruners._wilcoxon import signed_rank_pvalue
from parabola.samplers import RandomSampler
from parabola.storages import InMemoryStorage
from parabola.trial import TrialState, create_trial


def _study(pruner: BasePruner, direction: str = "minimize", name: str | None = None) -> Any:
    return parabola.create_study(
        storage=InMemoryStorage(),
        sampler=RandomSampler(seed=0),
        pruner=pruner,
        direction=direction,
        study_name=name,
    )


def _complete(study: Any, curve: dict[int, float], **system_attrs: Any) -> None:
    value = curve[max(curve)] if curve else 0.0
    study.add_trial(create_trial(value=value, intermediate_values=curve, system_attrs=system_attrs))


def _running(study: Any, curve: dict[int, float]) -> Any:
    trial = study.ask()
    for step, value in curve.items():
        trial.report(value, step)
    return trial


def _experimental(factory: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        return factory()


# Median and percentile -------------------------------------------------------------------
def test_median_prunes_above_the_median_at_the_same_step() -> None:
    study = _study(MedianPruner(n_startup_trials=3))
    for v in (1.0, 2.0, 3.0):
        _complete(study, {0: v, 1: v})
    assert _running(study, {0: 2.5}).should_prune() is True
    assert _running(study, {0: 1.5}).should_prune() is False


def test_median_maximize_flips_the_comparison() -> None:
    study = _study(MedianPruner(n_startup_trials=3), "maximize")
    for v in (1.0, 2.0, 3.0):
        _complete(study, {0: v})
    assert _running(study, {0: 1.5}).should_prune() is True
    assert _running(study, {0: 2.5}).should_prune() is False


def test_median_waits_for_startup_trials() -> None:
    study = _study(MedianPruner(n_startup_trials=4))
    for v in (1.0, 2.0, 3.0):
        _complete(study, {0: v})
    assert _running(study, {0: 100.0}).should_prune() is False


def test_median_warmup_steps() -> None:
    study = _study(MedianPruner(n_startup_trials=1, n_warmup_steps=2))
    _complete(study, {0: 0.0, 1: 0.0, 2: 0.0})
    trial = _running(study, {0: 9.0, 1: 9.0})
    assert trial.should_prune() is False
    trial.report(9.0, 2)
    assert trial.should_prune() is True


def test_median_interval_steps_postpones_checks() -> None:
    study = _study(MedianPruner(n_startup_trials=1, interval_steps=2))
    _complete(study, {0: 10.0, **{s: 0.0 for s in range(1, 6)}})
    trial = _running(study, {0: 9.0})
    assert trial.should_prune() is False
    trial.report(9.0, 1)
    assert trial.should_prune() is False  # step 1 is not a checkpoint
    trial.report(9.0, 3)  # checkpoint 2 was skipped: the first report after it is checked
    assert trial.should_prune() is True


def test_median_uses_the_best_value_so_far() -> None:
    study = _study(MedianPruner(n_startup_trials=1))
    _complete(study, {0: 1.0, 1: 1.0})
    assert _running(study, {0: 0.5, 1: 9.0}).should_prune() is False


def test_median_n_min_trials() -> None:
    study = _study(MedianPruner(n_startup_trials=1, n_min_trials=3))
    _complete(study, {0: 0.0})
    _complete(study, {0: 0.0})
    assert _running(study, {0: 9.0}).should_prune() is False
    _complete(study, {0: 0.0})
    assert _running(study, {0: 9.0}).should_prune() is True


def test_median_step_nobody_reported_is_not_pruned() -> None:
    study = _study(MedianPruner(n_startup_trials=1))
    _complete(study, {0: 0.0})
    assert _running(study, {5: 9.0}).should_prune() is False


def test_all_nan_intermediate_values_are_pruned() -> None:
    study = _study(MedianPruner(n_startup_trials=1))
    _complete(study, {0: 0.0})
    assert _running(study, {0: math.nan}).should_prune() is True


@pytest.mark.parametrize(
    ("direction", "value", "expected"),
    [
        ("minimize", 2.5, True),
        ("minimize", 1.5, False),
        ("maximize", 3.5, True),
        ("maximize", 4.5, False),
    ],
)
def test_percentile_25(direction: str, value: float, expected: bool) -> None:
    study = _study(PercentilePruner(25.0, n_startup_trials=5), direction)
    for v in (1.0, 2.0, 3.0, 4.0, 5.0):
        _complete(study, {0: v})
    # 25th percentile is 2.0 (minimize); the 75th, 4.0, when maximising.
    assert _running(study, {0: value}).should_prune() is expected


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"percentile": 101.0}, "percentile"),
        ({"percentile": -1.0}, "percentile"),
        ({"percentile": 50.0, "n_startup_trials": -1}, "n_startup_trials"),
        ({"percentile": 50.0, "n_warmup_steps": -1}, "n_warmup_steps"),
        ({"percentile": 50.0, "interval_steps": 0}, "interval_steps"),
        ({"percentile": 50.0, "n_min_trials": 0}, "n_min_trials"),
    ],
)
def test_percentile_validation_names_the_argument(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        PercentilePruner(**kwargs)


def test_median_repr_and_default() -> None:
    study = parabola.create_study(storage=InMemoryStorage())
    assert isinstance(study.pruner, MedianPruner)
    assert "n_startup_trials=5" in repr(MedianPruner())


# Threshold ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "value", "expected"),
    [
        ({"upper": 1.0}, 2.0, True),
        ({"upper": 1.0}, 0.5, False),
        ({"lower": 0.0}, -1.0, True),
        ({"lower": 0.0}, 1.0, False),
        ({"lower": 0.0, "upper": 1.0}, math.nan, True),
    ],
)
def test_threshold(kwargs: dict[str, Any], value: float, expected: bool) -> None:
    study = _study(ThresholdPruner(**kwargs))
    assert _running(study, {0: value}).should_prune() is expected


def test_threshold_warmup_and_interval() -> None:
    study = _study(ThresholdPruner(upper=1.0, n_warmup_steps=1, interval_steps=2))
    trial = _running(study, {0: 5.0})
    assert trial.should_prune() is False  # warm-up
    trial.report(5.0, 1)
    assert trial.should_prune() is True  # first checkpoint is step 1
    trial.report(5.0, 2)
    assert trial.should_prune() is False  # not a checkpoint
    trial.report(5.0, 3)
    assert trial.should_prune() is True


def test_threshold_validation() -> None:
    with pytest.raises(TypeError, match=r"lower.*upper"):
        ThresholdPruner()
    with pytest.raises(ValueError, match=r"lower must be <= upper"):
        ThresholdPruner(lower=2.0, upper=1.0)
    with pytest.raises(ValueError, match="n_warmup_steps"):
        ThresholdPruner(upper=1.0, n_warmup_steps=-1)
    with pytest.raises(ValueError, match="interval_steps"):
        ThresholdPruner(upper=1.0, interval_steps=0)
    with pytest.raises(TypeError, match="upper"):
        ThresholdPruner(upper="1")  # type: ignore[arg-type]


# Patient -----------------------------------------------------------------------------------
def test_patient_prunes_after_patience_without_improvement() -> None:
    pruner = _experimental(lambda: PatientPruner(None, patience=2))
    study = _study(pruner)
    stalled = {0: 5.0, 1: 4.0, 2: 3.0, 3: 3.5, 4: 3.2, 5: 3.1}
    assert _running(study, stalled).should_prune() is True
    improving = {0: 5.0, 1: 4.0, 2: 3.0, 3: 3.5, 4: 3.2, 5: 2.9}
    assert _running(study, improving).should_prune() is False
    assert _running(study, {0: 5.0, 1: 6.0, 2: 7.0}).should_prune() is False  # too few steps


def test_patient_min_delta_and_maximize() -> None:
    pruner = _experimental(lambda: PatientPruner(None, patience=2, min_delta=0.2))
    study = _study(pruner)
    # Stalled when min(before) + min_delta < min(last patience + 1 values).
    assert _running(study, {0: 3.0, 1: 3.1, 2: 3.3, 3: 3.4}).should_prune() is False
    assert _running(study, {0: 3.0, 1: 3.25, 2: 3.3, 3: 3.4}).should_prune() is True
    study = _study(_experimental(lambda: PatientPruner(None, patience=1)), "maximize")
    assert _running(study, {0: 3.0, 1: 2.0, 2: 2.5}).should_prune() is True


def test_patient_defers_to_the_wrapped_pruner() -> None:
    study = _study(_experimental(lambda: PatientPruner(NopPruner(), patience=1)))
    assert _running(study, {0: 1.0, 1: 2.0, 2: 3.0}).should_prune() is False


def test_patient_validation() -> None:
    with pytest.raises(ValueError, match="patience"):
        _experimental(lambda: PatientPruner(None, patience=-1))
    with pytest.raises(ValueError, match="min_delta"):
        _experimental(lambda: PatientPruner(None, patience=1, min_delta=-1.0))
    with pytest.raises(TypeError, match="wrapped_pruner"):
        _experimental(lambda: PatientPruner("median", patience=1))  # type: ignore[arg-type]
    with pytest.warns(ExperimentalWarning):
        PatientPruner(None, patience=1)


# Successive halving ------------------------------------------------------------------------
def test_successive_halving_rungs() -> None:
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    study = _study(pruner)
    for v in (1.0, 2.0, 3.0):
        _complete(study, {0: v, 1: v}, completed_rung_0=v)
    early = _running(study, {0: 9.0})
    assert early.should_prune() is False  # rung 0 is at step 1
    bad = _running(study, {0: 2.5, 1: 2.5})
    # Competing at rung 0: [1, 2, 2.5, 3]; the top half is <= 2.
    assert bad.should_prune() is True
    good = _running(study, {0: 1.5, 1: 1.5})
    assert good.should_prune() is False
    frozen = study._storage.get_trial(good._trial_id)
    assert frozen.system_attrs["completed_rung_0"] == 1.5
    # Promoted: rung 1 is at step 2, so step 1 does not reach it.
    assert "completed_rung_1" not in frozen.system_attrs


def test_successive_halving_min_early_stopping_rate_and_bootstrap() -> None:
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2, min_early_stopping_rate=1)
    study = _study(pruner)
    _complete(study, {0: 1.0, 1: 1.0, 2: 1.0}, completed_rung_0=1.0)
    assert _running(study, {0: 9.0, 1: 9.0}).should_prune() is False  # first rung at step 2
    assert _running(study, {0: 9.0, 1: 9.0, 2: 9.0}).should_prune() is True

    study = _study(SuccessiveHalvingPruner(min_resource=1, bootstrap_count=3))
    assert _running(study, {0: 0.0, 1: 0.0}).should_prune() is True  # fewer than 3 at the rung


def test_successive_halving_auto_min_resource() -> None:
    pruner = SuccessiveHalvingPruner()
    study = _study(pruner)
    assert _running(study, {0: 1.0, 5: 1.0}).should_prune() is False  # nothing complete yet
    _complete(study, {399: 1.0})
    _running(study, {0: 1.0}).should_prune()
    assert pruner._min_resource == 3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"min_resource": 0}, "min_resource"),
        ({"min_resource": "big"}, "min_resource"),
        ({"reduction_factor": 1}, "reduction_factor"),
        ({"min_early_stopping_rate": -1}, "min_early_stopping_rate"),
        ({"bootstrap_count": -1}, "bootstrap_count"),
        ({"bootstrap_count": 1}, "bootstrap_count"),
    ],
)
def test_successive_halving_validation(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SuccessiveHalvingPruner(**kwargs)


# Hyperband ---------------------------------------------------------------------------------
def test_hyperband_brackets_and_budgets() -> None:
    pruner = HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    assert pruner.n_brackets == 4
    assert pruner._budgets == [27, 12, 6, 4]  # ceil(4 * 3**s / (s + 1)), s = 3..0
    ids = [pruner.bracket_id("study", n) for n in range(3000)]
    assert ids == [pruner.bracket_id("study", n) for n in range(3000)]  # deterministic
    counts = np.bincount(ids, minlength=4) / 3000
    assert np.allclose(counts, np.array([27, 12, 6, 4]) / 49, atol=0.03)
    assert [pruner.bracket_id("other", n) for n in range(50)] != ids[:50]


def test_hyperband_compares_only_within_a_bracket() -> None:
    pruner = HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3)
    study = _study(pruner, name="hb")
    bracket0 = [n for n in range(200) if pruner.bracket_id("hb", n) == 0]
    # Fill the study so that the next asked trial falls in bracket 0 and the earlier trials
    # of bracket 0 all did better at rung 0 (step 1); trials of other brackets did worse.
    target = bracket0[3]
    for n in range(target):
        v = 0.0 if pruner.bracket_id("hb", n) == 0 else 100.0
        _complete(study, {0: v, 1: v}, completed_rung_0=v)
    trial = _running(study, {0: 50.0, 1: 50.0})
    assert trial.number == target
    assert trial.should_prune() is True
    # Lower than every bracket-0 value is promoted even though other brackets have more.
    study2 = _study(HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3), name="hb")
    for n in range(target):
        v = 1.0 if pruner.bracket_id("hb", n) == 0 else -100.0
        _complete(study2, {0: v, 1: v}, completed_rung_0=v)
    assert _running(study2, {0: 0.5, 1: 0.5}).should_prune() is False


def test_hyperband_auto_waits_for_a_complete_trial() -> None:
    pruner = HyperbandPruner()
    study = _study(pruner)
    assert _running(study, {0: 1.0, 1: 1.0}).should_prune() is False
    assert pruner.n_brackets is None
    _complete(study, {s: 1.0 for s in range(81)})
    _running(study, {0: 1.0}).should_prune()
    assert pruner.n_brackets == 5  # log3(81) + 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"min_resource": 0}, "min_resource"),
        ({"max_resource": "big"}, "max_resource"),
        ({"reduction_factor": 1}, "reduction_factor"),
        ({"bootstrap_count": 1}, "bootstrap_count"),
    ],
)
def test_hyperband_validation(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        HyperbandPruner(**kwargs)


# Wilcoxon ----------------------------------------------------------------------------------
def _wilcoxon(**kwargs: Any) -> WilcoxonPruner:
    return _experimental(lambda: WilcoxonPruner(**kwargs))  # type: ignore[no-any-return]


def test_wilcoxon_prunes_significantly_worse_trials() -> None:
    study = _study(_wilcoxon(p_threshold=0.1))
    _complete(study, {i: float(i % 3) for i in range(10)})
    worse = _running(study, {i: float(i % 3) + 1.0 + 0.01 * i for i in range(10)})
    assert worse.should_prune() is True
    better = _running(study, {i: float(i % 3) - 1.0 for i in range(10)})
    assert better.should_prune() is False


def test_wilcoxon_startup_steps_and_maximize() -> None:
    study = _study(_wilcoxon(n_startup_steps=5))
    _complete(study, {i: 0.0 for i in range(10)})
    assert _running(study, {i: 5.0 for i in range(4)}).should_prune() is False
    study = _study(_wilcoxon(), "maximize")
    _complete(study, {i: 10.0 for i in range(10)})
    assert _running(study, {i: 1.0 + 0.1 * i for i in range(10)}).should_prune() is True


def test_wilcoxon_non_finite_values_warn_and_keep() -> None:
    study = _study(_wilcoxon())
    _complete(study, {i: 0.0 for i in range(5)})
    trial = _running(study, {0: math.inf, 1: 1.0})
    with pytest.warns(UserWarning, match="will not prune"):
        assert trial.should_prune() is False


def test_wilcoxon_validation() -> None:
    with pytest.raises(ValueError, match="p_threshold"):
        _wilcoxon(p_threshold=1.5)
    with pytest.raises(ValueError, match="n_startup_steps"):
        _wilcoxon(n_startup_steps=-1)


@pytest.mark.parametrize("seed", range(4))
def test_signed_rank_pvalue_matches_scipy(seed: int) -> None:
    from scipy import stats

    rng = np.random.RandomState(seed)
    # With ties scipy enumerates sign flips (slow for n > 8) or approximates (n > 13).
    sizes = (4, 7, 20) if seed % 2 else (3, 9, 20, 60)
    for n in sizes:
        d = rng.randn(n) + 0.3
        if seed % 2:
            d = np.round(d, 1)  # ties and zeros
        for alt in ("less", "greater"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = stats.wilcoxon(d, alternative=alt, zero_method="zsplit").pvalue
            assert signed_rank_pvalue(d, alt) == pytest.approx(expected, abs=1e-9)


# Multi-objective ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pruner",
    [MedianPruner(), PercentilePruner(10.0), SuccessiveHalvingPruner(min_resource=1)],
)
def test_multi_objective_is_refused(pruner: BasePruner) -> None:
    study = parabola.create_study(
        storage=InMemoryStorage(), pruner=pruner, directions=["minimize", "minimize"]
    )
    trial = create_trial(values=[0.0, 0.0], intermediate_values={0: 1.0, 1: 1.0})
    study.add_trial(create_trial(values=[0.0, 0.0], intermediate_values={0: 1.0, 1: 1.0}))
    with pytest.raises(NotImplementedError, match="multi-objective"):
        pruner.prune(study, trial)
    assert trial.state == TrialState.COMPLETE


@pytest.mark.parametrize(
    "pruner",
    [
        MedianPruner(n_startup_trials=1),
        HyperbandPruner(min_resource=1, max_resource=9),
        SuccessiveHalvingPruner(min_resource=1),
        ThresholdPruner(upper=1.0),
    ],
)
def test_pruners_pickle(pruner: BasePruner) -> None:
    import pickle

    clone = pickle.loads(pickle.dumps(pruner))
    decisions = []
    for p in (pruner, clone):
        study = _study(p, name="pickled")
        for v in (0.0, 1.0, 2.0):
            _complete(study, {0: v, 1: v, 2: v}, completed_rung_0=v)
        decisions.append([_running(study, {0: v, 1: v}).should_prune() for v in (0.5, 5.0)])
    assert decisions[0] == decisions[1]
    assert True in decisions[0]
