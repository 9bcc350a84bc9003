"""``HyperbandPruner``: several Successive Halving brackets with different aggressiveness.

Bracket assignment is deterministic and needs no storage: a trial goes to the bracket found by
``zlib.crc32(f"{study_name}_{trial_number}") % total_budget`` walked over the brackets'
budgets, the same rule as Optuna, so every worker (thread or process) agrees on it without
coordination. Each bracket's Successive Halving only compares trials of the same bracket.
"""

from __future__ import annotations

import math
import threading
import zlib
from collections.abc import Container
from typing import TYPE_CHECKING, Any

from parabola.pruners._base import BasePruner
from parabola.pruners._checks import check_int
from parabola.pruners._successive_halving import SuccessiveHalvingPruner
from parabola.samplers._view import ForwardingStudyView
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

if TYPE_CHECKING:
    from parabola.samplers._view import StudyView

__all__ = ["HyperbandPruner"]


class HyperbandPruner(BasePruner):
    """Hyperband on top of asynchronous Successive Halving.

    Args:
        min_resource: Steps before the first rung of the most aggressive bracket (``>= 1``).
        max_resource: Steps of a full trial, or ``"auto"``: the longest COMPLETE trial's last
            step + 1, estimated once a trial completes (no pruning before that).
        reduction_factor: ``>= 2``.
        bootstrap_count: Forwarded to each bracket (needs an int ``max_resource``).

    Example:
        >>> import parabola
        >>> pruner = parabola.pruners.HyperbandPruner(min_resource=1, max_resource=27)
        >>> pruner.n_brackets
        4
    """

    def __init__(
        self,
        min_resource: int = 1,
        max_resource: str | int = "auto",
        reduction_factor: int = 3,
        bootstrap_count: int = 0,
    ) -> None:
        owner = "HyperbandPruner"
        self._min_resource = check_int(owner, "min_resource", min_resource, 1)
        if isinstance(max_resource, str):
            if max_resource != "auto":
                raise ValueError(
                    f"{owner}(max_resource=...): expected an int >= 1 or 'auto', got "
                    f"{max_resource!r}."
                )
        else:
            check_int(owner, "max_resource", max_resource, 1)
        self._reduction_factor = check_int(owner, "reduction_factor", reduction_factor, 2)
        self._bootstrap_count = check_int(owner, "bootstrap_count", bootstrap_count, 0)
        if self._bootstrap_count > 0 and max_resource == "auto":
            raise ValueError(
                f"{owner}(bootstrap_count=..., max_resource=...): bootstrap_count > 0 needs an "
                "int max_resource, not 'auto'."
            )
        self._max_resource: int | None = None if max_resource == "auto" else int(max_resource)
        self._pruners: list[SuccessiveHalvingPruner] = []
        self._budgets: list[int] = []
        self._lock = threading.Lock()
        if self._max_resource is not None:
            self._build()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]  # locks cannot be pickled
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def n_brackets(self) -> int | None:
        """Number of brackets, once ``max_resource`` is known."""
        return len(self._pruners) or None

    def _build(self) -> None:
        assert self._max_resource is not None
        ratio = max(self._max_resource / self._min_resource, 1.0)
        # The epsilon guards exact powers (27 / 1 with factor 3) against rounding down.
        n = math.floor(math.log(ratio, self._reduction_factor) + 1e-9) + 1
        for bracket in range(n):
            s = n - 1 - bracket
            self._budgets.append(math.ceil(n * self._reduction_factor**s / (s + 1)))
            self._pruners.append(
                SuccessiveHalvingPruner(
                    min_resource=self._min_resource,
                    reduction_factor=self._reduction_factor,
                    min_early_stopping_rate=bracket,
                    bootstrap_count=self._bootstrap_count,
                )
            )

    def bracket_id(self, study_name: str, trial_number: int) -> int:
        """The bracket of a trial (``0`` until the brackets exist)."""
        if not self._pruners:
            return 0
        n = zlib.crc32(f"{study_name}_{trial_number}".encode()) % sum(self._budgets)
        for bracket, budget in enumerate(self._budgets):
            n -= budget
            if n < 0:
                return bracket
        raise AssertionError("unreachable: the budgets sum to the modulus")

    def prune(self, study: StudyView, trial: FrozenTrial) -> bool:
        with self._lock:
            if not self._pruners:
                completed = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                steps = [t.last_step for t in completed if t.last_step is not None]
                if not steps:
                    return False
                self._max_resource = max(steps) + 1
                self._build()
        bracket = self.bracket_id(study.study_name, trial.number)
        view = _BracketView(study, self, bracket)
        return self._pruners[bracket].prune(view, trial)


class _BracketView(ForwardingStudyView):
    """The study as one bracket sees it: only the trials assigned to that bracket."""

    __slots__ = ("_bracket", "_pruner")

    def __init__(self, study: StudyView, pruner: HyperbandPruner, bracket: int) -> None:
        super().__init__(study)
        self._pruner = pruner
        self._bracket = bracket

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        name = self._study.study_name
        return [
            t
            for t in self._study.get_trials(deepcopy=deepcopy, states=states)
            if self._pruner.bracket_id(name, t.number) == self._bracket
        ]
