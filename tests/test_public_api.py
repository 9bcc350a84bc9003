"""The public namespace of parabola and of each public subpackage is exactly its ``__all__``.

This is httpx's habit (STYLE.md, habit 1): implementation lives in ``_private`` modules, the
package ``__init__`` re-exports a curated, sorted ``__all__``, and nothing else leaks out.
"""

from __future__ import annotations
import __future__

import importlib
import pkgutil
import types

import pytest

import parabola

# Names a module cannot avoid binding: ``from __future__ import annotations`` binds a feature.
_UNAVOIDABLE = {"annotations"}


def _public_submodules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(parabola.__path__, prefix="parabola."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts):
            continue
        names.append(info.name)
    return sorted(names)


def _import(name: str) -> types.ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        # Optional dependencies (an extra) may be missing; parabola's own modules may not.
        if e.name is None or e.name.split(".")[0] == "parabola":
            raise
        pytest.skip(f"{name} needs the optional dependency {e.name!r}")


def _public_names(module: types.ModuleType) -> set[str]:
    names = {n for n in dir(module) if not n.startswith("_")}
    if "__version__" in dir(module):
        names.add("__version__")
    for n in list(names):
        try:
            value = getattr(module, n)
        except ModuleNotFoundError as e:
            if e.name is None or e.name.split(".")[0] == "parabola":
                raise
            continue  # a lazily loaded name whose optional dependency (an extra) is missing
        future_feature = n in _UNAVOIDABLE and isinstance(value, __future__._Feature)
        # A package's own public subpackages/modules are reachable by import path; they need not
        # be re-exported (e.g. parabola.testing.samplers).
        own_submodule = (
            isinstance(value, types.ModuleType)
            and value.__name__ == f"{module.__name__}.{n}"
            and n not in getattr(module, "__all__", ())
        )
        if future_feature or own_submodule:
            names.discard(n)
    return names


SUBMODULES = _public_submodules()


def test_there_are_public_subpackages() -> None:
    for expected in ("parabola.study", "parabola.trial", "parabola.samplers", "parabola.pruners"):
        assert expected in SUBMODULES


def test_top_level_namespace_is_exactly_all() -> None:
    # Import every public subpackage first, so submodules bound as attributes are seen too.
    for name in SUBMODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name is None or e.name.split(".")[0] == "parabola":
                raise
    assert _public_names(parabola) == set(parabola.__all__)
    # vars() too, not just the curated dir(): no helper (importlib, typing) leaks.
    leaked = {
        n
        for n, v in vars(parabola).items()
        if not n.startswith("_")
        and n not in parabola.__all__
        and not (n in _UNAVOIDABLE and isinstance(v, __future__._Feature))
        and not (isinstance(v, types.ModuleType) and v.__name__ == f"parabola.{n}")
    }
    assert leaked == set()


@pytest.mark.parametrize("name", ["parabola", *SUBMODULES])
def test_all_is_sorted_unique_and_resolves(name: str) -> None:
    module = _import(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert list(exported) == sorted(exported), f"{name}.__all__ is not sorted"
    assert len(set(exported)) == len(exported), f"{name}.__all__ has duplicates"
    for attr in exported:
        try:
            getattr(module, attr)  # raises AttributeError if the name does not resolve
        except ModuleNotFoundError as e:
            # A lazily loaded name whose optional dependency (an extra) is missing resolves
            # to that error; parabola's own modules must always import.
            if e.name is None or e.name.split(".")[0] == "parabola":
                raise


@pytest.mark.parametrize("name", SUBMODULES)
def test_package_namespace_is_exactly_all(name: str) -> None:
    module = _import(name)
    if hasattr(module, "__path__"):
        # A package re-exports: everything public it shows is in __all__ and vice versa.
        assert _public_names(module) == set(module.__all__)
    else:
        # A plain public module (parabola.distributions): what it defines publicly is exported.
        defined = {
            n
            for n, v in vars(module).items()
            if not n.startswith("_")
            and isinstance(v, (type, types.FunctionType))
            and v.__module__ == name
        }
        assert defined <= set(module.__all__), (
            f"{name}: not in __all__: {defined - set(module.__all__)}"
        )


def test_optuna_top_level_names_are_present() -> None:
    # The names the seed and typical Optuna scripts use right after ``import optuna``.
    for attr in (
        "create_study",
        "load_study",
        "delete_study",
        "copy_study",
        "get_all_study_names",
        "get_all_study_summaries",
        "create_trial",
        "Study",
        "Trial",
        "TrialPruned",
        "distributions",
        "exceptions",
        "logging",
        "pruners",
        "samplers",
        "storages",
        "study",
        "trial",
    ):
        assert attr in parabola.__all__
        assert getattr(parabola, attr) is not None


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'parabola' has no attribute 'nope'"):
        _ = parabola.nope  # type: ignore[attr-defined]
    assert not hasattr(parabola, "nope")


def test_top_level_names_are_visible_to_type_checkers() -> None:
    # mypy cannot evaluate the computed __all__, so each lazy name must be declared under
    # ``if TYPE_CHECKING`` as an explicit re-export (``from m import X as X``) or annotated;
    # otherwise strict users get 'Module "parabola" does not explicitly export attribute'.
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(parabola))
    declared: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.ImportFrom, ast.Import)):
                    declared.update(a.name for a in inner.names if a.asname == a.name)
                elif isinstance(inner, ast.AnnAssign) and isinstance(inner.target, ast.Name):
                    declared.add(inner.target.id)
    missing = sorted(n for n in parabola.__all__ if not n.startswith("__") and n not in declared)
    assert missing == []
