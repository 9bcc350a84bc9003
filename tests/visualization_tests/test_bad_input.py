"""Bad input gets Optuna's error or warning, naming the argument; empty studies give empty
figures with Optuna's log line."""

from __future__ import annotations

from typing import Any

import pytest
import viz_scenarios

import parabola
import parabola.visualization as pv

pytest.importorskip("plotly")

SINGLE_TARGET_PLOTS = [
    "plot_optimization_history",
    "plot_slice",
    "plot_contour",
    "plot_rank",
    "plot_edf",
]
PARAM_PLOTS = ["plot_slice", "plot_contour", "plot_rank", "plot_parallel_coordinate"]


@pytest.fixture(scope="module")
def single() -> pv.StudySnapshot:
    return viz_scenarios.to_parabola(viz_scenarios.single())


@pytest.fixture(scope="module")
def multi() -> pv.StudySnapshot:
    return viz_scenarios.to_parabola(viz_scenarios.multi())


@pytest.mark.parametrize("plot", SINGLE_TARGET_PLOTS)
def test_multi_objective_needs_target(plot: str, multi: Any) -> None:
    with pytest.raises(ValueError, match="please specify the `target`"):
        getattr(pv, plot)(multi)


@pytest.mark.parametrize("plot", SINGLE_TARGET_PLOTS)
def test_target_with_default_name_warns(plot: str, multi: Any) -> None:
    with pytest.warns(UserWarning, match="`target_name` is the default value"):
        getattr(pv, plot)(multi, target=lambda t: t.values[0])


@pytest.mark.parametrize("plot", PARAM_PLOTS)
def test_unknown_parameter_is_named(plot: str, single: Any) -> None:
    with pytest.raises(ValueError, match="Parameter nope does not exist in your study"):
        getattr(pv, plot)(single, params=["x", "nope"])


@pytest.mark.parametrize("plot", PARAM_PLOTS)
def test_params_as_a_string_is_a_type_error(plot: str, single: Any) -> None:
    with pytest.raises(TypeError, match="params"):
        getattr(pv, plot)(single, params="x")


def test_study_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match="study: expected"):
        pv.plot_optimization_history(42)  # type: ignore[arg-type]


def test_hypervolume_needs_multi_objective_and_a_matching_point(single: Any, multi: Any) -> None:
    with pytest.raises(ValueError, match="Study must be multi-objective"):
        pv.plot_hypervolume_history(single, reference_point=[1.0])
    with pytest.raises(ValueError, match="dimension of the reference point"):
        pv.plot_hypervolume_history(multi, reference_point=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="reference_point"):
        pv.plot_hypervolume_history(multi, reference_point=["a", "b"])


def test_pareto_front_rules(multi: Any) -> None:
    with pytest.raises(ValueError, match="The length of `target_names` is supposed to be 2"):
        pv.plot_pareto_front(multi, target_names=["a"])
    with pytest.raises(ValueError, match="only supports 2 or 3 targets"):
        pv.plot_pareto_front(multi, targets=lambda t: (1.0, 2.0, 3.0, 4.0))
    with pytest.raises(ValueError, match="`targets` should return a sequence"):
        pv.plot_pareto_front(multi, targets=lambda t: 1.0)  # type: ignore[arg-type,return-value]
    with pytest.warns(FutureWarning, match="constraints_func"):
        fig = pv.plot_pareto_front(multi, constraints_func=lambda t: [t.values[0] - 0.5])
    assert [tr.hovertemplate.split("<extra>")[1] for tr in fig.data] == [
        "Infeasible Trial</extra>",
        "Feasible Trial</extra>",
        "Best Trial</extra>",
    ]
    four = parabola.visualization.StudySnapshot([], directions=["minimize"] * 4)
    with pytest.raises(ValueError, match="only supports 2 or 3 objective studies"):
        pv.plot_pareto_front(four)


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_timeline_n_recent_trials(n: Any, single: Any) -> None:
    with pytest.raises(ValueError, match="n_recent_trials must be a positive integer or None"):
        pv.plot_timeline(single, n_recent_trials=n)


def test_snapshot_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match=r"directions=.*'minimize' or 'maximize'"):
        pv.StudySnapshot([], directions=["up"])
    with pytest.raises(ValueError, match="directions"):
        pv.StudySnapshot([], directions=[])
    with pytest.raises(ValueError, match="metric_names"):
        pv.StudySnapshot([], directions=["minimize"], metric_names=["a", "b"])
    with pytest.raises(TypeError, match=r"trials=.*FrozenTrial"):
        pv.StudySnapshot([object()], directions=["minimize"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("plot", "kwargs", "log"),
    [
        ("plot_optimization_history", {}, "There are no complete trials."),
        ("plot_intermediate_values", {}, "Study instance does not contain trials."),
        ("plot_slice", {}, "Your study does not have any completed trials."),
        ("plot_contour", {}, "Your study does not have any completed trials."),
        ("plot_rank", {}, "Your study does not have any completed trials."),
        ("plot_parallel_coordinate", {}, "Your study does not have any completed trials."),
        ("plot_edf", {}, "There are no complete trials."),
        ("plot_param_importances", {}, "Study instance does not contain completed trials."),
        ("plot_timeline", {}, "Your study does not have any trials."),
    ],
)
def test_empty_study_gives_an_empty_figure_and_says_why(
    plot: str, kwargs: dict[str, Any], log: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fig = getattr(pv, plot)(viz_scenarios.to_parabola(viz_scenarios.empty()), **kwargs)
    assert len(fig.data) == 0
    assert log in capsys.readouterr().err


def test_no_completed_trials_pareto_and_hypervolume(capsys: pytest.CaptureFixture[str]) -> None:
    empty = pv.StudySnapshot([], directions=["minimize", "maximize"])
    fig = pv.plot_pareto_front(empty)
    assert [len(tr.x) for tr in fig.data] == [0, 0]
    assert "does not have any completed trials" in capsys.readouterr().err
    fig = pv.plot_hypervolume_history(empty, reference_point=[1.0, 0.0])
    assert len(fig.data[0].x) == 0
    assert "does not have any completed trials" in capsys.readouterr().err


def test_nonfinite_values_are_left_out_with_a_log_line(capsys: pytest.CaptureFixture[str]) -> None:
    scenario = viz_scenarios.single(n=6)
    trials = viz_scenarios.to_parabola(scenario).get_trials()
    trials[0].values = [float("inf")]
    fig = pv.plot_slice(pv.StudySnapshot(trials, ["minimize"]), params=["x"])
    assert 0 not in fig.data[0].marker.color.tolist()
    assert "Trial 0 is omitted in visualization" in capsys.readouterr().err


def test_contour_warns_when_two_params_never_coexist() -> None:
    d = parabola.distributions
    trials = [
        parabola.trial.create_trial(
            params={"a" if i % 2 else "b": float(i)},
            distributions={"a" if i % 2 else "b": d.FloatDistribution(0, 10)},
            value=float(i),
        )
        for i in range(6)
    ]
    for i, t in enumerate(trials):
        t.number = i
    with pytest.warns(UserWarning, match="`a` and `b` cannot co-exist"):
        pv.plot_contour(pv.StudySnapshot(trials, ["minimize"]))


def test_missing_plotly_is_a_clear_import_error(
    monkeypatch: pytest.MonkeyPatch, single: Any
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)
    assert pv.is_available() is False
    with pytest.raises(ImportError, match=r"needs plotly.*pip install 'parabola\[plot\]'"):
        pv.plot_slice(single)
