"""Slow study figures built in the background when a study changes, before anyone asks.

Parameter importance fits a model over every complete trial (about a second for 10,000 trials)
and the history figure is the study page's first chart. :class:`Precompute` is told each time a
request sees a study's change token (:func:`parabola.ui._studies.change_token`); when the token
is new it builds those figures in one background thread, into the same
:class:`~parabola.ui._figures.FigureCache` entries the figure requests read. A request that
comes while one is being built waits for it instead of building it again, so the work is
done once per change of the study, off the request path.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parabola.storages import BaseStorage
    from parabola.ui._activity import Activity
    from parabola.ui._figures import FigureCache

__all__ = ["PRECOMPUTED", "Precompute"]

# In the order they are built: the first chart of the page, then the slowest figure.
PRECOMPUTED = ("history", "importance")
_log = logging.getLogger("parabola.ui")
# The longest a figure's build waits for the requests in flight to end.
_YIELD_S = 2.0


class Precompute:
    """Builds :data:`PRECOMPUTED` figures (default options) for each new token of a study.

    Args:
        storage: The dashboard's store.
        figures: The cache the figure requests read (keys ``(study_id, token, name, ())``).
        activity: The server's requests in flight: each figure waits (a bounded time) until
            none is, so a cold request is not slowed by work nobody asked for yet.
    """

    def __init__(
        self, storage: BaseStorage, figures: FigureCache, activity: Activity | None = None
    ) -> None:
        self._storage = storage
        self._figures = figures
        self._activity = activity
        self._seen: dict[int, str] = {}
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[tuple[int, str]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.built = 0  # figures this thread built (not found already cached); read by tests

    def study_seen(self, study_id: int, token: str) -> None:
        """Note that ``study_id`` is at ``token``; queue its figures if the token is new."""
        with self._lock:
            if self._seen.get(study_id) == token:
                return
            self._seen[study_id] = token
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name="parabola-ui-precompute", daemon=True
                )
                self._thread.start()
        self._jobs.put((study_id, token))

    def _work(self) -> None:
        while True:
            study_id, token = self._jobs.get()
            with self._lock:
                if self._seen.get(study_id) != token:
                    continue  # the study changed again since: build for the newer token only
            try:
                self._build(study_id, token)
            except Exception as e:  # a deleted study, a broken store: the request will say
                _log.debug("parabola ui: precomputing study %s failed: %s", study_id, e)

    def _build(self, study_id: int, token: str) -> None:
        from parabola.ui import _figures, _studies

        study = _studies.load(self._storage, study_id)
        for name in PRECOMPUTED:
            if self._activity is not None:
                # Yield to the requests in flight (a cold study answer among them).
                self._activity.wait_idle(_YIELD_S)
            with self._lock:
                if self._seen.get(study_id) != token:
                    return

            def build(name: str = name) -> bytes:
                answer = _figures.figure_answer(study, name, {})
                self.built += 1
                return answer

            self._figures.get_or_build((study_id, token, name, ()), build)
