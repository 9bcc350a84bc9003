"""The storage contract suite catches broken storages (it is not vacuous)."""

from __future__ import annotations

import pytest

from parabola.storages import InMemoryStorage
from parabola.testing.storages import StorageContract
from parabola.trial import FrozenTrial, TrialState


class _ReusesNumbers(InMemoryStorage):
    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        trial_id = super().create_new_trial(study_id, template_trial)
        self._get_trial_ref(trial_id).number = 0
        return trial_id


class _FinishedIsNotFinal(InMemoryStorage):
    def check_trial_is_updatable(self, trial_id: int, trial_state: TrialState) -> None:
        return None


class _SharesObjects(InMemoryStorage):
    def get_trial(self, trial_id: int) -> FrozenTrial:
        return self._get_trial_ref(trial_id)


def test_contract_passes_on_a_correct_storage() -> None:
    StorageContract().test_trial_numbers_and_defaults(InMemoryStorage())


@pytest.mark.parametrize(
    ("broken", "test"),
    [
        (_ReusesNumbers, "test_trial_numbers_and_defaults"),
        (_FinishedIsNotFinal, "test_finished_is_final"),
        (_SharesObjects, "test_returned_trials_are_copies"),
    ],
)
def test_contract_catches_broken_storages(broken: type[InMemoryStorage], test: str) -> None:
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        getattr(StorageContract(), test)(broken())
