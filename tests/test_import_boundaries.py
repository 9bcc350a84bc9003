"""Which package may import which (STYLE.md), checked by walking every module's imports with ast.

* samplers, pruners and search_space never import parabola.storages or parabola.study: they see
  trials through the narrow ``StudyView`` handed to them.
* nothing outside parabola.server and parabola.cli imports them (the core, tracking, ...).
* storage backends (_sql, _in_memory) are reached only through BaseStorage/get_storage.
* visualization and importance read FrozenTrials and histories through public, trial/study-level
  types only.
* ``import parabola`` pulls in no heavy dependency.

Imports under ``if TYPE_CHECKING:`` and inside functions count: a lazy import is still a
dependency.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import parabola

PACKAGE_DIR = Path(parabola.__file__).parent


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. parabola.samplers._random
    target: str  # the imported module, e.g. parabola.storages._base
    line: int

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports_of(path: Path) -> list[Import]:
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Import(module, alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.append(Import(module, base, node.lineno))
            # ``from parabola import storages`` imports the submodule parabola.storages.
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if _is_parabola_module(candidate):
                    found.append(Import(module, candidate, node.lineno))
        elif (
            # ``importlib.import_module("parabola.x")`` with a literal name is an import too: a
            # lazy import by name must not slip past these rules.
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and node.args[0].value.startswith("parabola")
        ):
            found.append(Import(module, node.args[0].value, node.lineno))
    return found


def _is_parabola_module(name: str) -> bool:
    if not name.startswith("parabola."):
        return False
    rel = Path(*name.split(".")[1:])
    return (PACKAGE_DIR / rel).is_dir() or (PACKAGE_DIR / rel).with_suffix(".py").is_file()


ALL_IMPORTS = [imp for path in sorted(PACKAGE_DIR.rglob("*.py")) for imp in _imports_of(path)]


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_walker_sees_known_imports() -> None:
    # Guard against a walker that silently finds nothing (a test that cannot fail).
    targets = {(i.module, i.target) for i in ALL_IMPORTS}
    assert ("parabola.study._study", "parabola.storages._base") in targets
    assert ("parabola.samplers._random", "parabola.samplers._base") in targets
    assert len(ALL_IMPORTS) > 50


@pytest.mark.parametrize(
    "package", ["parabola.samplers", "parabola.pruners", "parabola.search_space"]
)
def test_samplers_and_pruners_never_reach_storage_or_study(package: str) -> None:
    bad = [
        str(i)
        for i in ALL_IMPORTS
        if _within(i.module, package)
        and (_within(i.target, "parabola.storages") or _within(i.target, "parabola.study"))
    ]
    assert bad == [], "use the StudyView handed to the sampler/pruner instead:\n" + "\n".join(bad)


def test_nothing_but_server_and_cli_imports_server_or_cli() -> None:
    outer = ("parabola.server", "parabola.cli", "parabola.ui")
    # ``python -m parabola`` is the command line's other entry point.
    importers = (*outer, "parabola.__main__")
    bad = [
        str(i)
        for i in ALL_IMPORTS
        if not any(_within(i.module, o) for o in importers)
        and any(_within(i.target, o) for o in outer)
    ]
    assert bad == [], "the core never imports the server or the CLI:\n" + "\n".join(bad)


# The one sanctioned way down into a top layer: Study.optimize(client=...) is the public API of
# the distributed engine, so the study hands the call over, by name and only when a client is
# given (neither the engine nor Dask loads otherwise). Nothing else below may reach up.
_DISPATCH = {("parabola.study._study", "parabola.distributed")}


def test_nothing_below_the_top_layers_imports_drop_in_or_integrations() -> None:
    # The switch and the framework callbacks sit on top (STYLE.md); the command line may run them.
    top = ("parabola.drop_in", "parabola.integrations", "parabola.distributed")
    allowed = (*top, "parabola.cli", "parabola.__main__")
    bad = [
        str(i)
        for i in ALL_IMPORTS
        if not any(_within(i.module, a) for a in allowed)
        and any(_within(i.target, t) for t in top)
        and (i.module, i.target) not in _DISPATCH
    ]
    assert bad == [], "\n".join(bad)


def test_nothing_below_imports_the_distributed_engine() -> None:
    # parabola.distributed sits on top (STYLE.md): only the dispatch in Study.optimize reaches it.
    found = {
        (i.module, i.target)
        for i in ALL_IMPORTS
        if not _within(i.module, "parabola.distributed")
        and _within(i.target, "parabola.distributed")
    }
    assert found == _DISPATCH, found


def test_tracking_never_imports_study_or_trial() -> None:
    # The study owns the link from a trial to its run (parabola.study._trial_runs); tracking
    # sees studies and trials through protocols, so it can be used (and tested) without them.
    bad = [
        str(i)
        for i in ALL_IMPORTS
        if _within(i.module, "parabola.tracking")
        and (_within(i.target, "parabola.study") or _within(i.target, "parabola.trial"))
    ]
    assert bad == [], "\n".join(bad)


def test_trial_reaches_its_run_only_through_the_study() -> None:
    # No attribute set on a Trial from outside, no registry keyed by id(): a trial logs through
    # its study's TrialRuns, which imports tracking lazily.
    bad = [
        str(i)
        for i in ALL_IMPORTS
        if _within(i.module, "parabola.trial") and _within(i.target, "parabola.tracking")
    ]
    assert bad == [], "\n".join(bad)


CORE = (
    "parabola.study",
    "parabola.trial",
    "parabola.samplers",
    "parabola.pruners",
    "parabola.storages",
    "parabola.distributions",
    "parabola.search_space",
)


def test_core_never_imports_presentation_layers() -> None:
    upper = ("parabola.visualization", "parabola.importance", "parabola.testing")
    bad = [
        str(i)
        for i in ALL_IMPORTS
        if any(_within(i.module, c) for c in CORE) and any(_within(i.target, u) for u in upper)
    ]
    assert bad == [], "\n".join(bad)


def test_storage_backends_are_reached_only_through_the_contract() -> None:
    # Studies and tracking runs share one store through BaseStorage and get_storage ("one store,
    # two halves"); no one outside parabola.storages picks a backend module directly.
    backends = ("parabola.storages._sql", "parabola.storages._in_memory")
    bad = [
        str(i)
        for i in ALL_IMPORTS
        if not _within(i.module, "parabola.storages")
        and any(_within(i.target, b) for b in backends)
    ]
    assert bad == [], "\n".join(bad)


# What visualization/importance may use: public trial/study-level types and small utilities.
_READERS_MAY_IMPORT = (
    "parabola.trial",
    "parabola.study",
    "parabola.distributions",
    "parabola.exceptions",
    "parabola.logging",
    "parabola.search_space",
    "parabola.tracking",
    "parabola._stability",
    "parabola._study_direction",
)


@pytest.mark.parametrize("package", ["parabola.visualization", "parabola.importance"])
def test_readers_use_trial_and_study_level_types_only(package: str) -> None:
    own = [i for i in ALL_IMPORTS if _within(i.module, package)]
    if not (PACKAGE_DIR / package.split(".")[1]).exists():
        pytest.skip(f"{package} does not exist yet")
    allowed = (*_READERS_MAY_IMPORT, package, "parabola.importance")
    bad = []
    for i in own:
        if not _within(i.target, "parabola") or _within(i.target, package):
            continue
        if i.target == "parabola":
            continue
        # Only public modules of the allowed packages: no parabola.study._study and the like.
        public = not any(p.startswith("_") for p in i.target.split(".")[2:])
        if not (any(_within(i.target, a) for a in allowed) and public):
            bad.append(str(i))
    assert bad == [], "\n".join(bad)


def test_the_dashboard_uses_the_public_api_only() -> None:
    # parabola.ui reads the store through parabola.load_study, parabola.Api and the storage
    # contract (parabola.storages), never a private module of another package.
    own = [i for i in ALL_IMPORTS if _within(i.module, "parabola.ui")]
    assert own, "parabola.ui not found: the check would pass vacuously"
    bad = [
        str(i)
        for i in own
        if _within(i.target, "parabola")
        and not _within(i.target, "parabola.ui")
        and any(p.startswith("_") for p in i.target.split(".")[1:])
    ]
    assert bad == [], "\n".join(bad)


HEAVY = (
    "numpy",
    "pandas",
    "sqlalchemy",
    "scipy",
    "alembic",
    "tqdm",
    "psutil",
    "click",
    "starlette",
    "uvicorn",
    "jinja2",
    "plotly",
)


def _modules_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_import_parabola_is_light() -> None:
    loaded = _modules_after("import parabola")
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert heavy == []
    # Only the package itself, not its subpackages, is loaded.
    assert sorted(m for m in loaded if m.startswith("parabola.")) == []


def test_light_attributes_stay_light() -> None:
    loaded = _modules_after(
        "import parabola\n"
        "parabola.__version__\n"
        "parabola.exceptions.TrialPruned\n"
        "parabola.logging.set_verbosity(parabola.logging.WARNING)\n"
        "parabola.TrialPruned\n"
        "assert parabola.run is None\n"  # wandb.run before init: no tracking machinery loaded
    )
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY) == []


def test_heavy_modules_load_on_first_use() -> None:
    loaded = _modules_after(
        "import parabola\n"
        "s = parabola.create_study(storage=parabola.storages.InMemoryStorage())\n"
        "s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=1)\n"
    )
    assert "numpy" in loaded  # RandomSampler needs it: proof the check above can fail


def test_packages_that_re_export_load_their_parts_on_first_use() -> None:
    # parabola.pruners, .samplers and .tracking name their classes in __all__ but import each
    # module on first use: the study and tracking paths touch these packages (BasePruner,
    # init), and must not pay for every pruner's numpy or tracking's read API to do so.
    loaded = _modules_after(
        "import parabola.pruners, parabola.samplers, parabola.tracking\n"
        "parabola.pruners.BasePruner, parabola.samplers.BaseSampler\n"
    )
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY) == []
    parts = {m for m in loaded if m.startswith(("parabola.pruners.", "parabola.tracking."))}
    assert parts == {"parabola.pruners._base"}
    after_use = _modules_after("import parabola.pruners\nparabola.pruners.MedianPruner\n")
    assert "numpy" in after_use  # MedianPruner needs it: proof the check above can fail
