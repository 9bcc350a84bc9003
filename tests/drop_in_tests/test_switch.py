"""The switch in fresh interpreters: every covered path, identity with parabola's objects, the
notice, missing names, activation after the real packages were imported, and no real packages."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from parabola.drop_in._paths import ALIASES, TOP_LEVEL
from tests.drop_in_tests._helpers import ROOT, RunPy

NOTICE = "parabola: drop-in switch active"

# Covered paths whose parabola module needs an optional extra that may be missing.
_OPTIONAL = {"optuna.visualization", "optuna.visualization.matplotlib", "optuna.importance"}


def test_every_covered_path_imports_and_resolves_to_parabola(run_py: RunPy) -> None:
    code = f"""
import importlib, json, sys
import parabola.drop_in
out = {{}}
for path in {sorted(ALIASES)!r}:
    try:
        mod = importlib.import_module(path)
    except ModuleNotFoundError as e:
        out[path] = "missing-dep:" + str(e.name)
        continue
    out[path] = type(mod).__module__ + "|" + mod.__name__
print(json.dumps(out))
"""
    result = run_py("-c", code)
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(out) == set(ALIASES)
    for path, value in out.items():
        if value.startswith("missing-dep:"):
            assert path in _OPTIONAL, (path, value)
            assert not value.endswith(("optuna", "wandb")), value
            continue
        kind, name = value.split("|")
        alias = ALIASES[path]
        if alias.module is not None:
            assert name == alias.module, path  # the parabola module itself
        else:
            assert kind == "parabola.drop_in._finder" and name == path, path


def test_names_are_parabolas_own_objects(run_py: RunPy) -> None:
    code = """
import parabola.drop_in
from optuna.samplers import TPESampler
from optuna.pruners import MedianPruner
from optuna.trial import TrialState, FrozenTrial
from optuna.distributions import FloatDistribution
from optuna.exceptions import TrialPruned
import optuna, wandb, parabola, parabola.samplers, parabola.tracking
from wandb.sdk.lib import RunDisabled
from wandb.wandb_run import Run
from wandb.sdk.lib.config_util import ConfigError
assert TPESampler is parabola.samplers.TPESampler
assert optuna.samplers is parabola.samplers
assert optuna.create_study is parabola.create_study
assert optuna.TrialPruned is TrialPruned is parabola.TrialPruned
assert optuna.logging.set_verbosity is parabola.logging.set_verbosity
assert wandb.init is parabola.init and wandb.Api is parabola.tracking.Api
assert Run is parabola.tracking.Run and ConfigError is parabola.tracking.ConfigError
assert wandb.run is None and hasattr(wandb, "run")
import importlib.metadata as md
print(optuna.__version__, wandb.__version__, md.version("wandb"))
"""
    result = run_py("-c", code)
    optuna_v, wandb_v, _ = result.stdout.split()
    assert (optuna_v, wandb_v) == ("5.0.0", "0.31.0")
    assert result.stderr.count(NOTICE) == 1


def test_the_notice_is_printed_once_per_process_tree(run_py: RunPy) -> None:
    code = """
import subprocess, sys
import parabola.drop_in
import parabola.drop_in as again
again.activate()
child_code = "import optuna; print(optuna.create_study.__module__)"
child = subprocess.run(
    [sys.executable, "-c", child_code], capture_output=True, text=True, check=True
)
print(child.stdout.strip())
print("child-stderr:", child.stderr.count("drop-in switch active"))
"""
    result = run_py("-c", code)
    assert result.stderr.count(NOTICE) == 1
    # The child got the switch through PARABOLA_DROP_IN=1 (the .pth hook) and kept quiet.
    assert "parabola.study" in result.stdout
    assert "child-stderr: 0" in result.stdout


@pytest.mark.parametrize(
    ("statement", "error", "feature"),
    [
        ("import wandb; wandb.sweep", "AttributeError", "W&B sweeps"),
        ("import wandb; wandb.no_such_thing", "AttributeError", "wandb.no_such_thing"),
        ("import optuna.terminator", "ModuleNotFoundError", "Terminator"),
        ("from optuna.integration import LightGBMTuner", "ModuleNotFoundError", "LightGBMTuner"),
        ("import optuna.samplers.no_such", "ModuleNotFoundError", "optuna.samplers.no_such"),
        ("import wandb.integration.keras", "ModuleNotFoundError", "Keras"),
        ("from wandb.sdk.lib import no_such", "ModuleNotFoundError", "wandb.sdk.lib.no_such"),
    ],
)
def test_a_name_parabola_lacks_says_so(
    run_py: RunPy, statement: str, error: str, feature: str
) -> None:
    code = f"""
import parabola.drop_in
try:
    {statement}
except Exception as e:
    print(type(e).__name__)
    print(e)
else:
    print("no error")
"""
    out = run_py("-c", code).stdout.splitlines()
    assert out[0] == error, out
    assert feature in out[1] and "does not provide" in out[1], out


def test_activating_after_the_real_packages_were_imported(run_py: RunPy) -> None:
    pytest.importorskip("optuna")
    code = """
import optuna as real
import parabola.drop_in
import optuna
print(real.__name__, type(real.create_study).__module__, optuna.create_study.__module__)
"""
    result = run_py("-c", code)
    assert result.stdout.split() == ["optuna", "builtins", "parabola.study._create"]
    assert "modules of the real packages were already imported" in result.stderr


def test_zero_keeps_it_off_and_a_bad_value_is_an_error(run_py: RunPy) -> None:
    off = run_py(
        "-c", "import parabola.drop_in as d; print(d.is_active())", env={"PARABOLA_DROP_IN": "0"}
    )
    assert off.stdout.strip() == "False" and NOTICE not in off.stderr
    bad = run_py("-c", "import parabola.drop_in", env={"PARABOLA_DROP_IN": "maybe"}, check=False)
    assert bad.returncode != 0 and "PARABOLA_DROP_IN='maybe'" in bad.stderr


def _site_without_real_packages(tmp_path: Path) -> Path:
    """A copy of site-packages (as symlinks) without optuna, optuna_integration and wandb."""
    import sysconfig

    site = Path(sysconfig.get_paths()["purelib"])
    out = tmp_path / "site"
    out.mkdir()
    for entry in site.iterdir():
        top = entry.name.split("-")[0].split(".")[0].lower().replace("-", "_")
        if top in TOP_LEVEL or top == "optuna_integration" or entry.suffix == ".pth":
            continue
        (out / entry.name).symlink_to(entry)
    return out


def test_works_without_the_real_packages(run_py: RunPy, tmp_path: Path) -> None:
    site = _site_without_real_packages(tmp_path)
    code = """
import importlib.util, importlib.metadata as md
assert importlib.util.find_spec("wandb") is None and importlib.util.find_spec("optuna") is None
try:
    md.version("wandb")
except md.PackageNotFoundError:
    pass
else:
    raise AssertionError("the real wandb is visible")
import parabola.drop_in
import wandb, optuna
from optuna.samplers import RandomSampler
study = optuna.create_study(sampler=RandomSampler(seed=1))
study.optimize(lambda t: t.suggest_int("n", 0, 9), n_trials=3)
with wandb.init(project="no-real") as run:
    run.log({"n": len(study.trials)})
print(md.version("wandb"), md.version("optuna"), importlib.util.find_spec("wandb") is not None)
"""
    # -S: no site-packages processing (no editable finder, no .pth hook); the copy and the
    # checkout are the whole path.
    result = run_py("-S", "-c", code, env={"PYTHONPATH": os.pathsep.join([str(ROOT), str(site)])})
    assert result.stdout.split() == ["0.31.0", "5.0.0", "True"]
    import parabola

    runs = parabola.Api(storage=f"sqlite:///{tmp_path / 'parabola.db'}").runs("no-real")
    assert [r.summary_metrics["n"] for r in runs] == [3]


def test_deactivate_restores_the_real_packages(run_py: RunPy) -> None:
    pytest.importorskip("optuna")
    code = """
import parabola.drop_in as d
import optuna
assert optuna.__name__ == "optuna" and optuna.create_study.__module__.startswith("parabola")
d.deactivate()
import optuna
print(optuna.create_study.__module__, d.is_active())
"""
    assert run_py("-c", code).stdout.split() == ["optuna.study.study", "False"]


def test_python_version_is_the_one_running() -> None:
    # The subprocess tests use sys.executable: the same interpreter and venv as this run.
    assert Path(sys.executable).exists()
