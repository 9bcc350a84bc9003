"""The Pareto maths behind plot_pareto_front, plot_parallel_coordinate and
plot_hypervolume_history, against brute force."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from parabola.visualization._pareto import hypervolume, non_domination_rank, pareto_mask


def _brute_mask(loss: np.ndarray) -> np.ndarray:
    n = len(loss)
    return np.array(
        [
            not any(
                np.all(loss[j] <= loss[i]) and np.any(loss[j] < loss[i]) for j in range(n) if j != i
            )
            for i in range(n)
        ],
        dtype=bool,
    )


points = st.integers(1, 30).flatmap(
    lambda n: st.lists(
        st.lists(st.integers(0, 6).map(float), min_size=2, max_size=2), min_size=n, max_size=n
    )
)


@settings(max_examples=60, deadline=None)
@given(points, st.integers(2, 4))
def test_pareto_mask_matches_brute_force(pts: list[list[float]], d: int) -> None:
    rng = np.random.default_rng(len(pts))
    loss = np.array(pts) if d == 2 else rng.integers(0, 5, size=(len(pts), d)).astype(float)
    assert pareto_mask(loss).tolist() == _brute_mask(loss).tolist()


def test_non_domination_ranks() -> None:
    loss = np.array([[0, 3], [1, 1], [3, 0], [2, 2], [3, 3], [4, 4], [1, 1]], dtype=float)
    assert non_domination_rank(loss).tolist() == [0, 0, 0, 1, 2, 3, 0]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12), st.integers(2, 3), st.integers(0, 10_000))
def test_hypervolume_counts_the_dominated_cells(n: int, d: int, seed: int) -> None:
    # On an integer grid the dominated volume is the number of dominated unit cells.
    rng = np.random.default_rng(seed)
    pts = rng.integers(0, 5, size=(n, d)).astype(float)
    ref = np.full(d, 5.0)
    cells = np.stack(np.meshgrid(*[np.arange(5)] * d, indexing="ij"), axis=-1).reshape(-1, d)
    covered = sum(bool(np.any(np.all(pts <= c, axis=1))) for c in cells.astype(float))
    assert hypervolume(pts, ref) == covered


def test_points_beyond_the_reference_count_nothing() -> None:
    assert hypervolume(np.array([[2.0, 0.0]]), np.array([1.0, 1.0])) == 0.0
    assert hypervolume(np.zeros((0, 2)), np.array([1.0, 1.0])) == 0.0


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.booleans(), st.sampled_from(["all", "some", "none"]))
def test_two_objective_history_equals_prefix_hypervolumes(
    seed: int, ties: bool, constrained: str
) -> None:
    # Constraints on every trial, on some (the others have no system attributes: feasible),
    # or on none (then no trial's constraints are read).
    import parabola
    from parabola.visualization import StudySnapshot
    from parabola.visualization._hypervolume_history import hypervolume_history

    rng = np.random.default_rng(seed)
    trials = []
    for i in range(40):
        v = rng.integers(0, 6, 2).astype(float) if ties else rng.uniform(0, 1, 2)
        c = float(rng.uniform(-1, 0.3))
        has = constrained == "all" or (constrained == "some" and i % 3 == 0)
        t = parabola.trial.create_trial(
            params={},
            distributions={},
            values=[float(v[0]), float(v[1])],
            system_attrs={"constraints": [c]} if has else {},
        )
        t.number = i
        trials.append(t)
    ref = np.array([5.0, 0.5]) if ties else np.array([0.9, 0.2])
    _, got = hypervolume_history(StudySnapshot(trials, ["minimize", "maximize"]), ref.tolist())
    signs = np.array([1.0, -1.0])
    feasible: list[np.ndarray] = []
    expected = []
    for t in trials:
        if all(c <= 0 for c in t.constraints.values()):
            feasible.append(signs * np.array(t.values))
        expected.append(hypervolume(np.array(feasible).reshape(-1, 2), signs * ref))
    assert np.allclose(got, expected, rtol=1e-9, atol=1e-12)


def _sweep_mask(loss: np.ndarray) -> np.ndarray:
    """The 2-D rule one point at a time: sorted by (first, second) objective, a point is on
    the front when its second objective is below every earlier one's, or it repeats the last
    front point. NaN compares false everywhere, so it never lowers the bar."""
    on_front = [False] * len(loss)
    best, last = np.inf, None
    for i in np.lexsort((loss[:, 1], loss[:, 0])).tolist():
        a, b = loss[i].tolist()
        if b < best:
            on_front[i], best, last = True, b, (a, b)
        elif last is not None and (a, b) == last:
            on_front[i] = True
    return np.array(on_front, dtype=bool)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from([0.0, 1.0, 2.0, 3.0, np.inf, -np.inf, np.nan]), min_size=2, max_size=2
        ),
        min_size=1,
        max_size=25,
    )
)
def test_pareto_mask_with_non_finite_values(pts: list[list[float]]) -> None:
    # The vectorised 2-D sweep: NaN in either objective, infinities and repeated rows.
    loss = np.array(pts)
    assert pareto_mask(loss).tolist() == _sweep_mask(loss).tolist()


def test_value_array_is_numpy_s_conversion() -> None:
    from parabola.visualization._pareto_front import _value_array

    rows = [[1.0, float("nan")], [float("inf"), -0.0], [3, 4.5]]
    assert np.array_equal(_value_array(rows, 2), np.array(rows, dtype=float), equal_nan=True)
    assert _value_array([], 2).shape == np.array([], dtype=float).shape
    with_none = [[1.0, None]]  # numpy's own conversion decides (here: NaN)
    assert np.array_equal(
        _value_array(with_none, 2), np.array(with_none, dtype=float), equal_nan=True
    )
