"""Callbacks for the frameworks that report to a trial: Optuna-integration's pruning callbacks.

``optuna.integration.XGBoostPruningCallback`` and ``optuna_integration``'s names resolve here
through the drop-in switch. Each callback needs its framework (the ``frameworks`` extra) and is
loaded on first use, so importing this package needs none of them.

Example:
    >>> import parabola.integrations
    >>> sorted(parabola.integrations.__all__)[:2]
    ['LightGBMPruningCallback', 'PyTorchLightningPruningCallback']
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

__all__ = ["LightGBMPruningCallback", "PyTorchLightningPruningCallback", "XGBoostPruningCallback"]

_LAZY = {
    "LightGBMPruningCallback": "parabola.integrations._lightgbm",
    "PyTorchLightningPruningCallback": "parabola.integrations._lightning",
    "XGBoostPruningCallback": "parabola.integrations._xgboost",
}

if _typing.TYPE_CHECKING:
    from parabola.integrations._lightgbm import (
        LightGBMPruningCallback as LightGBMPruningCallback,
    )
    from parabola.integrations._lightning import (
        PyTorchLightningPruningCallback as PyTorchLightningPruningCallback,
    )
    from parabola.integrations._xgboost import (
        XGBoostPruningCallback as XGBoostPruningCallback,
    )


def __getattr__(name: str) -> _typing.Any:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'parabola.integrations' has no attribute '{name}'") from None
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({n for n in globals() if n.startswith("__")} | set(__all__))
