"""What a figure is built from: trials plus the study's directions, never a store.

Every ``plot_*`` function takes a :class:`TrialSource`. A :class:`parabola.study.Study` is one
(it has ``study_name``, ``directions``, ``metric_names`` and ``get_trials``); so is a
:class:`StudySnapshot`, which holds already-loaded :class:`~parabola.trial.FrozenTrial` objects.
The dashboard (or any caller that has the trials in hand) builds figures from snapshots, so the
plotting code reads each study exactly once, through ``get_trials``, and touches no storage.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from parabola.study import StudyDirection
from parabola.trial import FrozenTrial, TrialState

__all__ = ["StudySnapshot", "TrialSource", "load_trials"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)


@runtime_checkable
class TrialSource(Protocol):
    """The read interface every plot needs: what ``Study`` offers, minus the store.

    Plots call ``get_trials(deepcopy=False)`` once per source and never mutate the trials.
    """

    @property
    def study_name(self) -> str:
        """The name shown in legends when several studies are compared."""

    @property
    def directions(self) -> list[StudyDirection]:
        """One direction per objective."""

    @property
    def metric_names(self) -> list[str] | None:
        """Names of the objectives (``Study.set_metric_names``), or ``None``."""

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """The trials ordered by number, optionally only those in ``states``."""


@dataclass(frozen=True)
class StudySnapshot:
    """Trials already in memory, with the directions needed to read them: a :class:`TrialSource`.

    Args:
        trials: The trials, in any order (they are sorted by number).
        directions: One direction per objective; ``StudyDirection`` members or the strings
            ``"minimize"``/``"maximize"``.
        study_name: Shown in legends when several studies are compared.
        metric_names: Names of the objectives, or ``None``.

    Example:
        >>> import parabola
        >>> from parabola.visualization import StudySnapshot, plot_optimization_history
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> snap = StudySnapshot(study.get_trials(deepcopy=False), ["minimize"])
        >>> len(plot_optimization_history(snap).data[0].x)
        3
    """

    trials: Sequence[FrozenTrial]
    directions: Sequence[StudyDirection | str] = field(default=(StudyDirection.MINIMIZE,))
    study_name: str = "study"
    metric_names: Sequence[str] | None = None

    def __post_init__(self) -> None:
        if not self.directions:
            raise ValueError("StudySnapshot(directions=...): expected at least one direction.")
        parsed = [_direction(d) for d in self.directions]
        if self.metric_names is not None and len(self.metric_names) != len(parsed):
            raise ValueError(
                f"StudySnapshot(metric_names=...): expected {len(parsed)} names (one per "
                f"direction), got {len(self.metric_names)}."
            )
        for t in self.trials:
            if not isinstance(t, FrozenTrial):
                raise TypeError(
                    f"StudySnapshot(trials=...): expected FrozenTrial objects, got {type(t)!r}."
                )
        object.__setattr__(self, "directions", parsed)
        object.__setattr__(self, "trials", sorted(self.trials, key=lambda t: t.number))
        if self.metric_names is not None:
            object.__setattr__(self, "metric_names", list(self.metric_names))

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """The trials ordered by number (``deepcopy`` is accepted for ``Study`` parity)."""
        import copy

        trials = [t for t in self.trials if states is None or t.state in states]
        return copy.deepcopy(trials) if deepcopy else trials


def _direction(d: StudyDirection | str) -> StudyDirection:
    if isinstance(d, StudyDirection) and d is not StudyDirection.NOT_SET:
        return d
    if isinstance(d, str) and d.lower() in ("minimize", "maximize"):
        return StudyDirection.MINIMIZE if d.lower() == "minimize" else StudyDirection.MAXIMIZE
    raise ValueError(
        f"StudySnapshot(directions=...): expected 'minimize' or 'maximize', got {d!r}."
    )


def load_trials(source: TrialSource) -> list[FrozenTrial]:
    """The source's trials (no copy: plots never mutate them), checking the argument's type."""
    if not isinstance(source, TrialSource):
        raise TypeError(
            "study: expected a parabola Study or a parabola.visualization.StudySnapshot (any "
            f"object with study_name, directions, metric_names and get_trials), got {source!r}."
        )
    return source.get_trials(deepcopy=False)
