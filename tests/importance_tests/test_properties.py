"""Property tests (hypothesis) of the pure maths under the evaluators."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.tree import DecisionTreeRegressor

from parabola.importance._fanova._decomposition import main_effect_variance, tree_boxes
from parabola.importance._ped_anova._parzen import grid_pdf, pearson_divergence

_counts = st.lists(st.integers(min_value=0, max_value=30), min_size=2, max_size=50).filter(
    lambda c: sum(c) > 0
)


@settings(deadline=None)  # a loaded CI machine must not turn slowness into a failure
@given(counts=_counts, categorical=st.booleans(), prior=st.sampled_from([0.0, 0.5, 1.0, 3.0]))
def test_grid_pdf_is_a_distribution(counts: list[int], categorical: bool, prior: float) -> None:
    pdf = grid_pdf(np.array(counts), categorical, prior)
    assert pdf.shape == (len(counts),)
    assert np.all(pdf >= 0)
    assert abs(pdf.sum() - 1.0) < 1e-9


@settings(deadline=None)
@given(counts=_counts, categorical=st.booleans())
def test_divergence_is_zero_against_itself_and_positive_otherwise(
    counts: list[int], categorical: bool
) -> None:
    pdf = grid_pdf(np.array(counts), categorical, 1.0) + 1e-12
    assert abs(pearson_divergence(pdf, pdf)) < 1e-12
    uniform = np.full(len(counts), 1.0 / len(counts))
    assert pearson_divergence(pdf, uniform) >= 0.0


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), depth=st.integers(1, 6), n=st.integers(5, 60))
def test_main_effects_never_exceed_the_tree_variance(seed: int, depth: int, n: int) -> None:
    # Functional ANOVA: main effects are orthogonal parts of the variance, so their sum is at
    # most the total (equal for an additive tree).
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, 3))
    y = rng.normal(size=n)
    t = DecisionTreeRegressor(max_depth=depth, random_state=seed).fit(x, y).tree_
    bounds = np.array([[0.0, 1.0]] * 3)
    boxes = tree_boxes(
        t.children_left, t.children_right, t.feature, t.threshold, t.value[:, 0, 0], bounds
    )
    effects = [main_effect_variance(boxes, [c], bounds) for c in range(3)]
    assert all(e >= 0 for e in effects)
    assert sum(effects) <= boxes.variance * (1 + 1e-9) + 1e-15
    if depth == 1:  # one split: an additive tree, its only main effect is everything
        assert abs(sum(effects) - boxes.variance) <= 1e-12 * max(1.0, boxes.variance)
