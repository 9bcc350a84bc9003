"""parabola: Optuna's optimisation API and W&B's tracking API over one local store.

``import parabola as optuna`` and ``import parabola as wandb`` both work. Nothing heavy is imported
here: each public name is loaded on first use (PEP 562), which keeps ``import parabola`` fast.

Example:
    >>> import parabola
    >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
    >>> study.optimize(lambda t: t.suggest_float("x", -10, 10) ** 2 + 1, n_trials=5)
    >>> len(study.trials)
    5
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> (module, attribute); attribute None means the module itself.
_LAZY: dict[str, tuple[str, str | None]] = {
    "Study": ("parabola.study", "Study"),
    "Trial": ("parabola.trial", "Trial"),
    "TrialPruned": ("parabola.exceptions", "TrialPruned"),
    "copy_study": ("parabola.study", "copy_study"),
    "create_study": ("parabola.study", "create_study"),
    "create_trial": ("parabola.trial", "create_trial"),
    "delete_study": ("parabola.study", "delete_study"),
    "distributions": ("parabola.distributions", None),
    "exceptions": ("parabola.exceptions", None),
    "get_all_study_names": ("parabola.study", "get_all_study_names"),
    "get_all_study_summaries": ("parabola.study", "get_all_study_summaries"),
    "load_study": ("parabola.study", "load_study"),
    "logging": ("parabola.logging", None),
    "pruners": ("parabola.pruners", None),
    "samplers": ("parabola.samplers", None),
    "search_space": ("parabola.search_space", None),
    "storages": ("parabola.storages", None),
    "study": ("parabola.study", None),
    "trial": ("parabola.trial", None),
}

__all__ = sorted([*_LAZY, "__version__"])

if TYPE_CHECKING:
    from parabola import (
        distributions,
        exceptions,
        logging,
        pruners,
        samplers,
        search_space,
        storages,
        study,
        trial,
    )
    from parabola.exceptions import TrialPruned
    from parabola.study import (
        Study,
        copy_study,
        create_study,
        delete_study,
        get_all_study_names,
        get_all_study_summaries,
        load_study,
    )
    from parabola.trial import Trial, create_trial


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'parabola' has no attribute '{name}'") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
