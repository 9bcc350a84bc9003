"""The per-study trial cache of :class:`~parabola.storages.RDBStorage`.

It holds every trial of a study this process has read, indexed by number, as of the study's
change counter ``version``; finished trials in it never change again. The best trial of a
single-objective study is tracked incrementally, so ``best_trial`` costs no scan.

A finished trial read from the database is kept as its row (a tuple of ints and JSON text)
until something needs the object itself. Reading a study cold and returning copies of its
trials (``study.trials`` in a fresh process) then builds one object graph per trial, the one
handed out, instead of a cached graph plus a copy of it: decoding a row yields containers as
fresh as a deep copy's. The second copying read, or any read without copies (samplers), decodes
the rows into the cache for good, so repeated reads cost one copy per trial, as before.
"""

from __future__ import annotations

import json
from collections.abc import Container, Sequence
from typing import Any, cast

from parabola._study_direction import StudyDirection
from parabola.distributions import BaseDistribution
from parabola.storages._sql._codec import copy_trial, decode_distributions, trials_from_rows
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["FINISHED_VALUES", "StudyCache"]

_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
#: Stored values of the finished states (a row's ``state`` column).
FINISHED_VALUES = frozenset(s.value for s in _FINISHED)
_STATES = {s.value: s for s in TrialState}
_COMPLETE = TrialState.COMPLETE.value

#: A ``trials`` row in ``_statements.TRIAL_COLUMNS`` order, of a finished trial not yet decoded.
Row = tuple[Any, ...]
_Entry = FrozenTrial | Row


class StudyCache:
    """What this process knows of one study's trials, as of ``version`` (-1: nothing yet)."""

    __slots__ = (
        "_best",
        "_copied_rows",
        "_entries",
        "_raw",
        "id_to_number",
        "param_dists",
        "unfinished",
        "version",
    )

    def __init__(self) -> None:
        self.version = -1
        # By number: a FrozenTrial, or the row of a finished trial not decoded yet.
        self._entries: list[_Entry] = []
        # Numbers of the entries that are rows (decoding them must not scan a large study).
        self._raw: set[int] = set()
        # Whether a copying read has already decoded rows without keeping the trials.
        self._copied_rows = False
        self.id_to_number: dict[int, int] = {}
        self.param_dists: dict[str, BaseDistribution] = {}
        # (value, number) of the best COMPLETE trial of a single-objective study.
        self._best: tuple[float, int] | None = None
        # Numbers of WAITING/RUNNING trials: ask() looks for WAITING ones on every call, and
        # that must not cost a scan of a 100k-trial study.
        self.unfinished: set[int] = set()

    def __len__(self) -> int:
        return len(self._entries)

    def trial_id(self, number: int) -> int:
        """The id of trial ``number`` (``IndexError`` if there is none)."""
        entry = self._entries[number]
        return int(entry[0]) if type(entry) is tuple else entry._trial_id  # type: ignore[union-attr]

    # Filling ------------------------------------------------------------------------------
    def _place(self, number: int, entry: _Entry) -> None:
        entries = self._entries
        if number < len(entries):
            if type(entries[number]) is tuple:
                self._raw.discard(number)
            entries[number] = entry
        else:
            # Rows arrive ordered by number and numbers are gapless, so this is an append.
            assert number == len(entries), (number, len(entries))
            entries.append(entry)

    def put(self, trial: FrozenTrial, directions: list[StudyDirection] | None) -> None:
        """Insert or replace ``trial`` (new trials must come in number order)."""
        number = trial.number
        self._place(number, trial)
        self.id_to_number[trial._trial_id] = number
        if trial.state.is_finished():
            self.unfinished.discard(number)
        else:
            self.unfinished.add(number)
        for name, dist in trial._distributions.items():
            if name not in self.param_dists:
                self.param_dists[name] = dist
        if trial.state == TrialState.COMPLETE and trial._values is not None:
            self._update_best(trial._values[0], number, directions)

    def put_rows(
        self,
        fetched: Sequence[Sequence[Any]],
        live: dict[int, FrozenTrial],
        directions: list[StudyDirection] | None,
    ) -> None:
        """Insert or replace the trials of ``rows`` (ordered by number).

        Finished trials are kept as their rows; ``live`` holds the decoded WAITING/RUNNING
        trials by id (they change, and are read as objects).
        """
        if not fetched:
            return
        # Kept rows are told from trials by their type: tuples (what the drivers return).
        rows = cast(
            "Sequence[Row]",
            fetched if type(fetched[0]) is tuple else [tuple(r) for r in fetched],
        )
        entries = self._entries
        start = len(entries)
        if not live and rows[0][2] == start and rows[-1][2] == start + len(rows) - 1:
            # Only new, finished trials (numbers are unique, so these are start, start + 1,
            # ...): a study's first read, or what other workers finished since the last one.
            entries.extend(rows)
            numbers = range(start, len(entries))
            self._raw.update(numbers)
            self.id_to_number.update(zip([r[0] for r in rows], numbers, strict=True))
        else:
            id_to_number, unfinished, place = self.id_to_number, self.unfinished, self._place
            for row in rows:
                trial_id, number = row[0], row[2]
                if row[3] in FINISHED_VALUES:
                    place(number, row)
                    self._raw.add(number)
                    unfinished.discard(number)
                else:
                    self.put(live[trial_id], directions)
                id_to_number[trial_id] = number
        finished = [r for r in rows if r[3] in FINISHED_VALUES]
        param_dists = self.param_dists
        last_text: str | None = None
        for text in [r[8] for r in finished]:
            if text is not None and text != last_text:  # one lookup per run of equal text
                last_text = text
                for name, dist in decode_distributions(text).items():
                    if name not in param_dists:
                        param_dists[name] = dist
        if directions is not None and len(directions) == 1:
            complete = [r for r in finished if r[3] == _COMPLETE and r[4] is not None]
            if complete:
                values = json.loads("[" + ",".join([r[4] for r in complete]) + "]")
                firsts = [v[0] for v in values]
                # The best of the batch: ties go to the lower number, as in _update_best.
                if directions[0] == StudyDirection.MAXIMIZE:
                    value, neg = max(zip(firsts, [-r[2] for r in complete], strict=True))
                    self._update_best(value, -neg, directions)
                else:
                    value, number = min(zip(firsts, [r[2] for r in complete], strict=True))
                    self._update_best(value, number, directions)

    def _update_best(
        self, value: float, number: int, directions: list[StudyDirection] | None
    ) -> None:
        if directions is None or len(directions) != 1:
            return
        best = self._best
        if best is not None:
            best_value, best_number = best
            maximize = directions[0] == StudyDirection.MAXIMIZE
            better = value > best_value if maximize else value < best_value
            if not (better or (value == best_value and number < best_number)):
                return
        self._best = (value, number)

    def _decode_all(self) -> None:
        """Decode every row into the cache (from now on, reads copy the kept trials)."""
        if not self._raw:
            return
        entries = self._entries
        at = sorted(self._raw)
        for n, trial in zip(at, trials_from_rows([entries[n] for n in at]), strict=True):
            entries[n] = trial
        self._raw.clear()

    # Reading ------------------------------------------------------------------------------
    def select(self, states: Container[TrialState] | None, deepcopy: bool) -> list[FrozenTrial]:
        """The trials in ``states`` (all when ``None``), ordered by number; with ``deepcopy``,
        copies that share nothing with the cache."""
        entries = self._entries
        picked: list[_Entry]
        if states is None:
            picked = entries
        elif not any(s in states for s in _FINISHED):
            # Only unfinished trials wanted (``ask`` looks up WAITING ones on every call):
            # those are never rows, so nothing needs decoding.
            picked = [entries[n] for n in sorted(self.unfinished)]
            picked = [t for t in picked if t.state in states]  # type: ignore[union-attr]
            if not deepcopy:
                return picked  # type: ignore[return-value]
            return [copy_trial(t) for t in picked]  # type: ignore[arg-type]
        else:
            picked = [
                e
                for e in entries
                if (_STATES[e[3]] if type(e) is tuple else e.state) in states  # type: ignore[union-attr]
            ]
        if self._raw and picked and (not deepcopy or self._copied_rows):
            self._decode_all()
            return self.select(states, deepcopy)
        if not deepcopy:
            # No rows are left (decoded above); never hand out the cache's own list.
            return list(picked) if picked is entries else picked  # type: ignore[arg-type,return-value]
        if not self._raw:
            return [copy_trial(t) for t in picked]  # type: ignore[arg-type]
        # The first copying read of rows: decode them into fresh trials, which nothing else
        # holds (a second such read keeps them, see the module docstring).
        self._copied_rows = True
        fresh = iter(trials_from_rows([e for e in picked if type(e) is tuple]))
        return [next(fresh) if type(e) is tuple else copy_trial(e) for e in picked]  # type: ignore[arg-type]

    def finished_copy(self, number: int) -> FrozenTrial | None:
        """A copy of trial ``number`` if it is finished (a cached trial never changes then)."""
        entry = self._entries[number]
        if type(entry) is tuple:
            return trials_from_rows([entry])[0]
        assert isinstance(entry, FrozenTrial)
        return copy_trial(entry) if entry.state.is_finished() else None

    def best(self) -> FrozenTrial | None:
        """A copy of the best COMPLETE trial so far (single-objective studies), or ``None``."""
        return None if self._best is None else self.finished_copy(self._best[1])
