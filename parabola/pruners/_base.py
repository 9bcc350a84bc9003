"""``BasePruner``: decides whether a running trial should stop early.

``Trial.should_prune()`` calls :meth:`BasePruner.prune` with the study (seen through
:class:`~parabola.samplers.StudyView`) and a snapshot of the trial including its
intermediate values. Pruners must be side-effect free on the study and thread-safe.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from parabola.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from parabola.samplers._view import StudyView

__all__ = ["BasePruner"]


class BasePruner(abc.ABC):
    """Abstract pruner: implement :meth:`prune`."""

    @abc.abstractmethod
    def prune(self, study: StudyView, trial: FrozenTrial) -> bool:
        """Return ``True`` if ``trial`` should be stopped now."""
