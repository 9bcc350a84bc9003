"""``Run.summary``: one value per key, the last logged unless ``define_metric`` says otherwise."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from parabola.tracking._values import to_storable

__all__ = ["Summary"]


class KeysAsAttributes:
    """``obj.key`` reads, sets and deletes ``obj["key"]`` (W&B's ``summary.best = x``).

    Names starting with ``_`` stay ordinary attributes, so implementations keep private state.
    """

    if TYPE_CHECKING:  # provided by the class this is mixed into (a dict, or Summary)

        def __getitem__(self, key: str) -> Any: ...
        def __setitem__(self, key: str, value: Any) -> None: ...
        def __delitem__(self, key: str) -> None: ...

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"summary has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def __delattr__(self, name: str) -> None:
        if name.startswith("_"):
            object.__delattr__(self, name)
            return
        try:
            del self[name]
        except KeyError:
            raise AttributeError(f"summary has no key {name!r}") from None


class Summary(KeysAsAttributes):
    """Dict-like run summary; set keys to record final results (``summary["best"] = 0.9``).

    Attribute access works too, as in W&B: ``summary.best = 0.9`` sets ``summary["best"]``.

    Every committed ``log`` row updates it (last value per key, or the aggregates asked for with
    ``define_metric``); values set by hand stay until that key is logged again.

    Example:
        >>> import parabola
        >>> run = parabola.init(mode="disabled")
        >>> run.log({"loss": 0.5}); run.log({"loss": 0.25})
        >>> run.summary["loss"]
        0.25
        >>> run.summary["best_loss"] = 0.25
        >>> run.summary.best_epoch = 1
        >>> run.summary["best_epoch"]
        1
    """

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        self._data: dict[str, Any] = dict(items or {})
        self._lock = threading.Lock()
        self._dirty = False
        # Set by the run that owns this summary: turns a media value (Image, Table...) into the
        # reference a logged one gets, its bytes in the run's artifact folder (W&B allows
        # ``summary["best_image"] = wandb.Image(...)``). None: media values are refused.
        self._store_media: Callable[[str, Any], Any] | None = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"summary keys must be str, got {key!r} ({type(key).__name__}).")
        media = sys.modules.get("parabola.tracking._media")
        if media is not None and self._store_media is not None and media.holds_media(value):
            stored = self._store_media(key, value)
        else:
            stored = to_storable(value, f"summary[{key!r}]")
        with self._lock:
            self._data[key] = stored
            self._dirty = True

    def __delitem__(self, key: str) -> None:
        with self._lock:
            del self._data[key]
            self._dirty = True

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def keys(self) -> list[str]:
        return list(self._data)

    def values(self) -> list[Any]:
        return list(self._data.values())

    def items(self) -> list[tuple[str, Any]]:
        return list(self._data.items())

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def update(self, d: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        """Set several keys at once."""
        if d is not None and not isinstance(d, Mapping):
            raise TypeError(f"summary.update(d=...): expected a dict, got {type(d).__name__}.")
        for key, value in {**(d or {}), **kwargs}.items():
            self[key] = value

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._data)

    def _take_dirty(self, changed: bool = False) -> dict[str, Any] | None:
        """A copy of the data if it changed since the last call (or ``changed``), else None."""
        with self._lock:
            if not (self._dirty or changed):
                return None
            self._dirty = False
            return dict(self._data)
