"""``NopPruner``: never prunes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parabola.pruners._base import BasePruner
from parabola.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from parabola.samplers._view import StudyView

__all__ = ["NopPruner"]


class NopPruner(BasePruner):
    """A pruner that never prunes; use it to switch pruning off explicitly.

    Example:
        >>> import parabola
        >>> parabola.pruners.NopPruner().prune(None, None)  # type: ignore[arg-type]
        False
    """

    def prune(self, study: StudyView, trial: FrozenTrial) -> bool:
        return False
