"""Tuning knobs of a run: how often rows are flushed, heartbeats sent and system metrics sampled.

Each knob can be set per run (``init(settings={...})`` or ``Settings(...)``) or for the whole
process through an environment variable; an explicit setting wins.

=============================  ==================================  =========
setting                        environment variable                default
=============================  ==================================  =========
``x_stats_sampling_interval``  ``PARABOLA_STATS_INTERVAL``         15 s
``x_disable_stats``            ``PARABOLA_DISABLE_STATS`` (=1)     False
``flush_interval``             ``PARABOLA_FLUSH_INTERVAL``         0.5 s
``heartbeat_interval``         ``PARABOLA_HEARTBEAT_INTERVAL``     10 s
=============================  ==================================  =========

A run whose heartbeat is older than ``2 * heartbeat_interval + 1`` seconds is read back as
``crashed``. W&B-only settings (``start_method``, ``console``, ``init_timeout``...) are accepted
and ignored so that existing ``wandb.Settings(...)`` calls keep working.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

__all__ = ["Settings", "resolve_settings", "stale_after"]


@dataclasses.dataclass
class Settings:
    """Per-run settings; unknown W&B settings are kept in ``extra`` and ignored.

    Example:
        >>> from parabola.tracking import Settings
        >>> Settings(x_stats_sampling_interval=5).x_stats_sampling_interval
        5.0
    """

    x_stats_sampling_interval: float | None = None
    x_disable_stats: bool | None = None
    flush_interval: float | None = None
    heartbeat_interval: float | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __init__(
        self,
        x_stats_sampling_interval: float | None = None,
        x_disable_stats: bool | None = None,
        flush_interval: float | None = None,
        heartbeat_interval: float | None = None,
        **extra: Any,
    ) -> None:
        self.x_stats_sampling_interval = _positive(
            "x_stats_sampling_interval", x_stats_sampling_interval
        )
        self.x_disable_stats = None if x_disable_stats is None else bool(x_disable_stats)
        self.flush_interval = _positive("flush_interval", flush_interval)
        self.heartbeat_interval = _positive("heartbeat_interval", heartbeat_interval)
        self.extra = dict(extra)


@dataclasses.dataclass(frozen=True)
class ResolvedSettings:
    stats_interval: float
    disable_stats: bool
    flush_interval: float
    heartbeat_interval: float


def resolve_settings(settings: Settings | Mapping[str, Any] | None) -> ResolvedSettings:
    """Combine explicit settings, environment variables and defaults."""
    if settings is None:
        s = Settings()
    elif isinstance(settings, Settings):
        s = settings
    elif isinstance(settings, Mapping):
        s = Settings(**dict(settings))
    else:
        raise TypeError(
            f"init(settings=...): expected a parabola.tracking.Settings or a dict, got "
            f"{settings!r} ({type(settings).__name__})."
        )
    return ResolvedSettings(
        stats_interval=_pick(s.x_stats_sampling_interval, "PARABOLA_STATS_INTERVAL", 15.0),
        disable_stats=bool(s.x_disable_stats)
        if s.x_disable_stats is not None
        else os.environ.get("PARABOLA_DISABLE_STATS", "").strip().lower() in ("1", "true", "yes"),
        flush_interval=_pick(s.flush_interval, "PARABOLA_FLUSH_INTERVAL", 0.5),
        heartbeat_interval=_pick(s.heartbeat_interval, "PARABOLA_HEARTBEAT_INTERVAL", 10.0),
    )


def stale_after(heartbeat_interval: float) -> float:
    """Seconds without a heartbeat after which a running run is considered crashed."""
    return 2.0 * heartbeat_interval + 1.0


def _pick(explicit: float | None, env: str, default: float) -> float:
    if explicit is not None:
        return explicit
    raw = os.environ.get(env, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"${env} must be a number of seconds, got {raw!r}.") from None
    if value <= 0:
        raise ValueError(f"${env} must be > 0, got {raw!r}.")
    return value


def _positive(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"Settings({name}=...): expected a number of seconds > 0, got {value!r}.")
    return float(value)
