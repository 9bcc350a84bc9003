"""``Run.config``: the run's hyperparameters, with attribute and item access (as in W&B)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from parabola.tracking._values import to_storable

RESERVED_CONFIG_KEYS = frozenset({"_parabola", "_wandb"})

__all__ = ["Config", "ConfigError", "config_from_arg"]


class ConfigError(ValueError):
    """A config key was changed without ``allow_val_change=True``."""


class Config:
    """Dict-like hyperparameters: ``config.lr``, ``config["lr"]``, ``config.update({...})``.

    Changing a key that already holds a different value raises :class:`ConfigError` unless
    ``allow_val_change=True`` is passed to :meth:`update` (W&B's rule: a run's hyperparameters
    should not silently change halfway).

    Example:
        >>> import parabola
        >>> run = parabola.init(mode="disabled", config={"lr": 0.1})
        >>> run.config.lr, run.config["lr"]
        (0.1, 0.1)
        >>> run.config.update({"layers": 3})
        >>> sorted(run.config.keys())
        ['layers', 'lr']
    """

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_lock", threading.Lock())
        object.__setattr__(self, "_dirty", False)
        if items:
            self.update(items, allow_val_change=True)
        object.__setattr__(self, "_dirty", False)

    # Mapping-style access -------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._set(key, value, allow_val_change=False)

    def __delitem__(self, key: str) -> None:
        with self._lock:
            del self._items[key]
            object.__setattr__(self, "_dirty", True)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._items[name]
        except KeyError:
            raise AttributeError(f"config has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._set(name, value, allow_val_change=False)

    def __repr__(self) -> str:
        return f"Config({self._items!r})"

    def keys(self) -> list[str]:
        return list(self._items)

    def values(self) -> list[Any]:
        return list(self._items.values())

    def items(self) -> list[tuple[str, Any]]:
        return list(self._items.items())

    def get(self, key: str, default: Any = None) -> Any:
        return self._items.get(key, default)

    def as_dict(self) -> dict[str, Any]:
        """A copy of the items as a plain dict."""
        with self._lock:
            return dict(self._items)

    def update(self, d: Any, allow_val_change: bool = False) -> None:
        """Set several keys from a dict or an ``argparse.Namespace``."""
        for key, value in config_from_arg(d, "config.update(d=...)").items():
            self._set(key, value, allow_val_change)

    def setdefaults(self, d: Mapping[str, Any]) -> None:
        """Set the keys of ``d`` that are not set yet."""
        for key, value in config_from_arg(d, "config.setdefaults(d=...)").items():
            if key not in self._items:
                self._set(key, value, True)

    def _set(self, key: str, value: Any, allow_val_change: bool) -> None:
        if not isinstance(key, str):
            raise TypeError(f"config keys must be str, got {key!r} ({type(key).__name__}).")
        # Only the bookkeeping keys are reserved: frameworks log others with a leading "_"
        # (Hugging Face's model config has "_name_or_path"), and W&B stores them.
        if key in RESERVED_CONFIG_KEYS:
            raise ValueError(f"config key {key!r} is reserved (parabola's and W&B's own keys).")
        stored = to_storable(value, f"config[{key!r}]")
        with self._lock:
            if not allow_val_change and key in self._items and self._items[key] != stored:
                raise ConfigError(
                    f"Attempted to change config key {key!r} from {self._items[key]!r} to "
                    f"{stored!r}; pass allow_val_change=True to config.update() to allow it."
                )
            self._items[key] = stored
            object.__setattr__(self, "_dirty", True)

    def _take_dirty(self) -> dict[str, Any] | None:
        """Return a copy if changed since the last call (for the writer), else ``None``."""
        with self._lock:
            if not self._dirty:
                return None
            object.__setattr__(self, "_dirty", False)
            return dict(self._items)


def config_from_arg(config: Any, what: str) -> dict[str, Any]:
    """Accept a dict, an ``argparse.Namespace`` or a path to a YAML file."""
    if config is None:
        return {}
    if isinstance(config, Config):
        return config.as_dict()
    # A Namespace exists only if its module was imported: look it up rather than import
    # argparse into every init for this one isinstance check.
    argparse = sys.modules.get("argparse")
    if argparse is not None and isinstance(config, argparse.Namespace):
        return dict(vars(config))
    if isinstance(config, (str, os.PathLike)):
        try:
            import yaml  # type: ignore[import-untyped]
        except ImportError:  # pragma: no cover - PyYAML is nearly always present
            raise ImportError(
                f"{what}: reading a YAML config needs PyYAML (pip install pyyaml)."
            ) from None
        with open(config, encoding="utf-8") as f:
            loaded = yaml.safe_load(f) or {}
        if not isinstance(loaded, dict):
            raise TypeError(f"{what}: the YAML file {config!s} must hold a mapping.")
        # W&B's config-defaults.yaml style {"lr": {"value": 0.1}} is unwrapped.
        return {
            k: (
                v["value"]
                if isinstance(v, dict) and set(v) <= {"value", "desc"} and "value" in v
                else v
            )
            for k, v in loaded.items()
        }
    if isinstance(config, Mapping):
        return dict(config)
    raise TypeError(
        f"{what}: expected a dict, an argparse.Namespace or a path to a YAML file, got "
        f"{config!r} ({type(config).__name__})."
    )
