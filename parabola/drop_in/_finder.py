"""The ``sys.meta_path`` finder that makes ``optuna``/``wandb`` imports resolve to parabola.

It sits first on ``sys.meta_path`` and answers only for the top-level names in
:data:`parabola.drop_in._paths.TOP_LEVEL`; every other import goes to the usual finders. A path
in the table resolves to its parabola module (the loader swaps the module in ``sys.modules``,
which the import system then returns) or to a thin :class:`AliasModule`. A path under those
names that is not in the table raises ``ModuleNotFoundError`` naming the missing feature.

It also answers ``importlib.metadata`` look-ups for the aliased distributions when the real
package is not installed, since frameworks gate their W&B support on the distribution's version
(Lightning's ``RequirementCache("wandb>=0.12.10")``).
"""

from __future__ import annotations

# Only modules Python has loaded already at start-up (or nearly): this runs in every process
# the switch is on in, and importlib.abc/importlib.metadata alone cost milliseconds. The finder
# and loader follow the import protocols by duck typing; importlib.metadata is needed only once
# someone asks it for a distribution, and has then been imported by them.
import importlib
import importlib.machinery
import sys
import types
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from parabola.drop_in._paths import ALIASES, MISSING, TOP_LEVEL, VERSIONS, Alias

if TYPE_CHECKING:
    import importlib.abc
    import importlib.metadata

__all__ = ["AliasModule", "DropInFinder", "missing_feature"]


def missing_feature(path: str) -> str:
    """The message for a covered-package name parabola does not provide."""
    feature = MISSING.get(path)
    top = path.partition(".")[0]
    what = f"{feature} ({path})" if feature else path
    return (
        f"parabola's drop-in for {top!r} does not provide {what}. The switch "
        f"(parabola.drop_in) maps {top} to parabola, which has no such name; see docs/drop-in.md "
        "for the covered names, or run without the switch to use the real package."
    )


def _resolve(ref: str) -> Any:
    if ref.startswith("="):
        return ref[1:]
    module_name, _, attribute = ref.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


class AliasModule(types.ModuleType):
    """A thin module for a covered path: attributes resolve on first access (see ``_paths``)."""

    def __init__(self, name: str, alias: Alias) -> None:
        super().__init__(name)
        self.__dict__["_parabola_alias"] = alias
        if name in VERSIONS:
            self.__dict__["__version__"] = VERSIONS[name]
        # A package: ``import wandb.sdk.lib`` needs a __path__ on every parent. It is empty, so
        # only this finder ever answers for the children.
        self.__path__: list[str] = []

    def __getattr__(self, name: str) -> Any:
        alias: Alias = self.__dict__["_parabola_alias"]
        ref = alias.names.get(name)
        if ref is not None:
            value = _resolve(ref)
        elif alias.fallback is not None and not name.startswith("__"):
            fallback = importlib.import_module(alias.fallback)
            value = getattr(fallback, name, _MISSING_VALUE)
            if value is _MISSING_VALUE or (
                # Only the fallback's public names, not its private helpers.
                hasattr(fallback, "__all__") and name not in fallback.__all__
            ):
                raise AttributeError(missing_feature(f"{self.__name__}.{name}"))
        else:
            if name.startswith("__"):
                raise AttributeError(name)
            raise AttributeError(missing_feature(f"{self.__name__}.{name}"))
        # Module-level dynamic names (run, config, summary) change with init/finish.
        if name not in ("run", "config", "summary"):
            self.__dict__[name] = value
        return value

    def __dir__(self) -> list[str]:
        alias: Alias = self.__dict__["_parabola_alias"]
        names = set(alias.names)
        if alias.fallback is not None:
            names |= set(getattr(importlib.import_module(alias.fallback), "__all__", ()))
        return sorted(names | set(self.__dict__))


_MISSING_VALUE = object()


class _Loader:
    def __init__(self, alias: Alias) -> None:
        self._alias = alias

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        if self._alias.module is None:
            return AliasModule(spec.name, self._alias)
        return None  # a placeholder, replaced in exec_module

    def exec_module(self, module: types.ModuleType) -> None:
        target = self._alias.module
        if target is None:
            return
        try:
            real = importlib.import_module(target)
        except ModuleNotFoundError as e:
            if e.name is not None and e.name.split(".")[0] != "parabola":
                raise  # an optional dependency of the parabola module (plotly...) is missing
            raise ModuleNotFoundError(missing_feature(module.__name__), name=module.__name__) from e
        # The import system returns whatever sits in sys.modules after exec_module: the parabola
        # module itself, so objects and isinstance checks are shared with direct users.
        sys.modules[module.__name__] = real


class DropInFinder:
    """Answers imports of ``optuna``, ``optuna_integration``, ``wandb`` and their submodules."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] not in TOP_LEVEL:
            return None
        alias = ALIASES.get(fullname)
        if alias is None:
            # name=None: with name=fullname, importlib swallows the error in "from pkg import x"
            # and reports a bare "cannot import name" instead of the feature.
            raise ModuleNotFoundError(missing_feature(fullname))
        is_package = alias.module is None
        loader = cast("importlib.abc.Loader", _Loader(alias))  # a Loader by duck typing
        spec = importlib.machinery.ModuleSpec(fullname, loader, is_package=is_package)
        if is_package:
            spec.submodule_search_locations = []
        return spec

    def find_distributions(self, context: Any = None) -> Iterable[importlib.metadata.Distribution]:
        name = getattr(context, "name", None)
        if name is None:
            return ()
        key = name.replace("-", "_").lower()
        if key not in VERSIONS:
            return ()
        from parabola.drop_in._metadata import alias_distributions

        return alias_distributions(key, context)

    def invalidate_caches(self) -> None:
        pass
