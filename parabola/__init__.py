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

# Private aliases: the public namespace must be exactly __all__ (tests/test_public_api.py).
import importlib as _importlib
import typing as _typing

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
    "importance": ("parabola.importance", None),
    "get_all_study_names": ("parabola.study", "get_all_study_names"),
    "get_all_study_summaries": ("parabola.study", "get_all_study_summaries"),
    "importers": ("parabola.importers", None),
    "load_study": ("parabola.study", "load_study"),
    "logging": ("parabola.logging", None),
    "pruners": ("parabola.pruners", None),
    "samplers": ("parabola.samplers", None),
    "search_space": ("parabola.search_space", None),
    "storages": ("parabola.storages", None),
    "study": ("parabola.study", None),
    "trial": ("parabola.trial", None),
    "visualization": ("parabola.visualization", None),
    # Tracking (W&B's names): ``import parabola as wandb``.
    "Api": ("parabola.tracking", "Api"),
    "Artifact": ("parabola.tracking", "Artifact"),
    "Run": ("parabola.tracking", "Run"),
    "Settings": ("parabola.tracking", "Settings"),
    "define_metric": ("parabola.tracking", "define_metric"),
    "finish": ("parabola.tracking", "finish"),
    "init": ("parabola.tracking", "init"),
    "log": ("parabola.tracking", "log"),
    "log_artifact": ("parabola.tracking", "log_artifact"),
    "login": ("parabola.tracking", "login"),
    "save": ("parabola.tracking", "save"),
    "tracking": ("parabola.tracking", None),
    # Media, tables and W&B's smaller names (parabola.tracking._media, _extras, _watch).
    "Audio": ("parabola.tracking._media", "Audio"),
    "Histogram": ("parabola.tracking._media", "Histogram"),
    "Html": ("parabola.tracking._media", "Html"),
    "Image": ("parabola.tracking._media", "Image"),
    "Table": ("parabola.tracking._media", "Table"),
    "Video": ("parabola.tracking._media", "Video"),
    "alert": ("parabola.tracking._extras", "alert"),
    "load_media": ("parabola.tracking._media", "load_media"),
    "log_model": ("parabola.tracking._extras", "log_model"),
    "plot": ("parabola.tracking._media", "plot"),
    "restore": ("parabola.tracking._extras", "restore"),
    "unwatch": ("parabola.tracking._watch", "unwatch"),
    "use_artifact": ("parabola.tracking._extras", "use_artifact"),
    "watch": ("parabola.tracking._watch", "watch"),
}

# The current tracking run and its config/summary (``wandb.run``...): looked up on every access,
# never cached in globals(), since they change with each init/finish.
_DYNAMIC = ("config", "run", "summary")

__all__ = sorted([*_LAZY, *_DYNAMIC, "__version__"])

if _typing.TYPE_CHECKING:
    # ``X as X`` marks an explicit re-export: mypy cannot read the computed __all__, and without
    # it strict users get 'Module "parabola" does not explicitly export attribute ...'.
    from parabola import (
        distributions as distributions,
    )
    from parabola import (
        exceptions as exceptions,
    )
    from parabola import (
        importance as importance,
    )
    from parabola import (
        importers as importers,
    )
    from parabola import (
        logging as logging,
    )
    from parabola import (
        pruners as pruners,
    )
    from parabola import (
        samplers as samplers,
    )
    from parabola import (
        search_space as search_space,
    )
    from parabola import (
        storages as storages,
    )
    from parabola import (
        study as study,
    )
    from parabola import (
        tracking as tracking,
    )
    from parabola import (
        trial as trial,
    )
    from parabola import (
        visualization as visualization,
    )
    from parabola.exceptions import TrialPruned as TrialPruned
    from parabola.study import (
        Study as Study,
    )
    from parabola.study import (
        copy_study as copy_study,
    )
    from parabola.study import (
        create_study as create_study,
    )
    from parabola.study import (
        delete_study as delete_study,
    )
    from parabola.study import (
        get_all_study_names as get_all_study_names,
    )
    from parabola.study import (
        get_all_study_summaries as get_all_study_summaries,
    )
    from parabola.study import (
        load_study as load_study,
    )
    from parabola.tracking import (
        Api as Api,
    )
    from parabola.tracking import (
        Artifact as Artifact,
    )
    from parabola.tracking import (
        Run as Run,
    )
    from parabola.tracking import (
        Settings as Settings,
    )
    from parabola.tracking import (
        define_metric as define_metric,
    )
    from parabola.tracking import (
        finish as finish,
    )
    from parabola.tracking import (
        init as init,
    )
    from parabola.tracking import (
        log as log,
    )
    from parabola.tracking import (
        log_artifact as log_artifact,
    )
    from parabola.tracking import (
        login as login,
    )
    from parabola.tracking import (
        save as save,
    )
    from parabola.tracking._extras import (
        alert as alert,
    )
    from parabola.tracking._extras import (
        log_model as log_model,
    )
    from parabola.tracking._extras import (
        restore as restore,
    )
    from parabola.tracking._extras import (
        use_artifact as use_artifact,
    )
    from parabola.tracking._media import (
        Audio as Audio,
    )
    from parabola.tracking._media import (
        Histogram as Histogram,
    )
    from parabola.tracking._media import (
        Html as Html,
    )
    from parabola.tracking._media import (
        Image as Image,
    )
    from parabola.tracking._media import (
        Table as Table,
    )
    from parabola.tracking._media import (
        Video as Video,
    )
    from parabola.tracking._media import (
        load_media as load_media,
    )
    from parabola.tracking._media import (
        plot as plot,
    )
    from parabola.tracking._watch import (
        unwatch as unwatch,
    )
    from parabola.tracking._watch import (
        watch as watch,
    )
    from parabola.trial import (
        Trial as Trial,
    )
    from parabola.trial import (
        create_trial as create_trial,
    )

    run: Run | None
    config: tracking.Config
    summary: tracking.Summary


def __getattr__(name: str) -> _typing.Any:
    if name in _DYNAMIC:
        return _current_run_attr(name)
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'parabola' has no attribute '{name}'") from None
    module = _importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def _current_run_attr(name: str) -> _typing.Any:
    import sys

    state = sys.modules.get("parabola.tracking._state")  # not loaded: no run was ever started
    current = state.current_run() if state is not None else None
    if name == "run":
        return current
    if current is None:
        return _NoRun(name)
    return getattr(current, name)


class _NoRun:
    """``parabola.config``/``summary`` before ``init``: any use says to call ``init`` first."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _fail(self, *args: _typing.Any, **kwargs: _typing.Any) -> _typing.NoReturn:
        raise RuntimeError(
            f"parabola.{self._name} belongs to the current run and there is none: call "
            "parabola.init() first."
        )

    __getitem__ = __setitem__ = __setattr__ = __contains__ = __iter__ = __len__ = _fail

    def __getattr__(self, attr: str) -> _typing.Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        self._fail()

    def __repr__(self) -> str:
        return f"<parabola.{self._name}: no current run (call parabola.init())>"


def __dir__() -> list[str]:
    # The curated API plus dunders; helper globals and submodules loaded as a side effect of
    # imports (parabola.testing, ...) stay out of tab completion.
    return sorted({n for n in globals() if n.startswith("__")} | set(__all__))
