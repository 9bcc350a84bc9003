"""Collection rules for the doctests in ``parabola/`` (``--doctest-modules``, see pyproject).

Test fixtures for ``tests/`` live in ``tests/conftest.py``; this file only makes docstring
examples safe and honest to run:

* only importable modules are collected (not alembic's env.py and migration scripts);
* a module whose *optional* third-party dependency is missing (an extra not installed) is not
  collected, while a module that fails to import for any other reason is still an error; a
  module that imports without its extra lists what its examples need in
  ``__doctest_requires__`` (e.g. ``("plotly",)``);
* every doctest runs in its own temporary directory with ``PARABOLA_STORAGE`` unset, so an
  example calling ``create_study()`` never writes ``./parabola.db`` into the checkout, and a
  tracking run an example leaves open is finished afterwards.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.doctest import DoctestItem

# Collecting the package imports parabola.drop_in, whose import is the drop-in switch; "0" keeps
# it off so that tests importing the real optuna/wandb (the anchors) get them. Subprocess tests of
# the switch set the variable themselves.
os.environ.setdefault("PARABOLA_DROP_IN", "0")

_PACKAGE = Path(__file__).parent / "parabola"
_TESTS = Path(__file__).parent / "tests"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(_PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name == "conftest.py":
        # --doctest-modules would import every conftest.py as a module named "conftest", and
        # two of them in one run clash ("import file mismatch"); they hold no doctests.
        return True
    if (
        collection_path.suffix == ".py"
        and collection_path.is_relative_to(_TESTS)
        and not collection_path.name.startswith("test_")
    ):
        # The test tree's helpers and scripts hold no doctests; collecting them as doctest
        # modules would import scripts written for the anchors (``import optuna`` at the top of
        # a fixture recorder), which CI's ``make test`` does not install. Tests still import
        # the helpers they use.
        return True
    if collection_path.suffix != ".py" or not collection_path.is_relative_to(_PACKAGE):
        return None
    # Only real modules of the package: scripts shipped as data (alembic's env.py and
    # migrations live in a folder without __init__.py) are not importable on their own.
    folders = collection_path.relative_to(_PACKAGE).parents
    if not collection_path.stem.isidentifier() or any(
        not (_PACKAGE / folder / "__init__.py").is_file() for folder in folders
    ):
        return True
    try:
        module = importlib.import_module(_module_name(collection_path))
    except ModuleNotFoundError as e:
        if e.name is not None and e.name.split(".")[0] != "parabola":
            return True  # an optional dependency is not installed
    except Exception:
        pass  # collect it anyway: pytest then reports the import error against the module
    else:
        # A module that imports without its extra (it loads the dependency on first use, as
        # parabola.visualization loads plotly) names what its examples need.
        for dependency in getattr(module, "__doctest_requires__", ()):
            if importlib.util.find_spec(dependency) is None:
                return True
    return None


@pytest.fixture(autouse=True)
def _doctest_in_tmp_dir(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    if not isinstance(request.node, DoctestItem):
        yield
        return
    monkeypatch.chdir(tmp_path_factory.mktemp("doctest"))
    monkeypatch.delenv("PARABOLA_STORAGE", raising=False)
    yield
    # A tracking run left open by an example would be returned by the next example's
    # parabola.init() (W&B semantics); finish it so examples stay independent of their order.
    if "parabola.tracking" in sys.modules:
        import parabola

        if parabola.run is not None:
            parabola.finish()
