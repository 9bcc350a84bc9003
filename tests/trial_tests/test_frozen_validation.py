"""FrozenTrial validation of ``intermediate_values`` (review regression)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import parabola


@pytest.mark.parametrize(
    "values",
    [{"a": 1.0}, {True: 1.0}, {1.5: 1.0}, {0: "1.0"}, {0: None}, {0: False}],
)
def test_bad_intermediate_values_are_rejected(values: dict[Any, Any]) -> None:
    with pytest.raises(ValueError, match="intermediate_values"):
        parabola.create_trial(value=1.0, intermediate_values=values)


def test_numpy_and_int_intermediate_values_are_accepted() -> None:
    trial = parabola.create_trial(
        value=1.0, intermediate_values={np.int64(0): np.float32(0.5), 1: 2}
    )
    study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
    study.add_trial(trial)
    assert study.trials[0].intermediate_values == {0: 0.5, 1: 2}
