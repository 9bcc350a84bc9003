"""The default sampler and pruner are built on first use, so reading a study stays light.

``load_study`` + ``.trials``/``best_trial`` must not import numpy (nor SciPy, plotly, psutil):
the process-level checks run a real child interpreter on a real SQLite file. The in-process
checks pin what laziness must not change: one sampler object per study, thread safety, type
errors naming the argument, pickling, seeded reproducibility.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import parabola
from parabola.pruners import MedianPruner, NopPruner
from parabola.samplers import RandomSampler
from parabola.storages import InMemoryStorage

HEAVY = ("numpy", "pandas", "scipy", "plotly", "psutil")


def _heavy_after(code: str, *args: str) -> dict[str, list[str]]:
    """Run ``code`` in a fresh interpreter; it calls ``check(label)`` to record heavy modules."""
    script = (
        "import json, sys\n"
        f"HEAVY = {HEAVY!r}\n"
        "seen = {}\n"
        "def check(label):\n"
        "    seen[label] = sorted({m.split('.')[0] for m in sys.modules} & set(HEAVY))\n"
        f"{code}\n"
        "print(json.dumps(seen))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, list[str]] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture
def stored_study(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'read.db'}"
    study = parabola.create_study(study_name="s", storage=url, sampler=RandomSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=20)
    return url


def test_reading_a_study_imports_no_numerical_module(stored_study: str) -> None:
    seen = _heavy_after(
        "import parabola\n"
        "study = parabola.load_study(study_name='s', storage=sys.argv[1])\n"
        "assert len(study.trials) == 20\n"
        "study.best_trial, study.best_value, study.best_params, study.directions\n"
        "study.get_trials(deepcopy=False), study.user_attrs\n"
        "check('read')\n"
        "study.trials_dataframe()\n"
        "check('dataframe')\n",
        stored_study,
    )
    assert seen["read"] == []
    # pandas (and numpy under it) load for the dataframe: proof the check above can fail.
    assert {"numpy", "pandas"} <= set(seen["dataframe"])


def test_create_study_and_listing_import_no_numerical_module(tmp_path: Path) -> None:
    seen = _heavy_after(
        "import parabola\n"
        "study = parabola.create_study(study_name='new', storage=sys.argv[1])\n"
        "parabola.get_all_study_summaries(sys.argv[1]), parabola.get_all_study_names(sys.argv[1])\n"
        "check('created')\n",
        f"sqlite:///{tmp_path / 'new.db'}",
    )
    assert seen["created"] == []


def test_the_defaults_are_built_once_on_first_use() -> None:
    study = parabola.create_study(storage=InMemoryStorage())
    assert study._sampler is None and study._pruner is None  # nothing built yet
    sampler = study.sampler
    assert study.sampler is sampler  # the same object on every access
    assert isinstance(study.pruner, MedianPruner)
    assert study.pruner is study.pruner
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert study.sampler is sampler


def test_threads_racing_for_the_default_get_one_sampler() -> None:
    study = parabola.create_study(storage=InMemoryStorage())
    barrier = threading.Barrier(8)
    got: list[object] = []

    def grab() -> None:
        barrier.wait()
        got.append(study.sampler)

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in got}) == 1


def test_given_sampler_and_pruner_are_kept_and_checked() -> None:
    sampler, pruner = RandomSampler(seed=1), NopPruner()
    study = parabola.create_study(storage=InMemoryStorage(), sampler=sampler, pruner=pruner)
    assert study.sampler is sampler and study.pruner is pruner
    with pytest.raises(TypeError, match="sampler must be an instance of BaseSampler"):
        parabola.create_study(storage=InMemoryStorage(), sampler="tpe")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="pruner must be an instance of BasePruner"):
        study.pruner = "median"  # type: ignore[assignment]
    replacement = RandomSampler(seed=2)
    study.sampler = replacement
    assert study.sampler is replacement


def test_seeded_runs_reproduce() -> None:
    def params(seed: int) -> list[float]:
        study = parabola.create_study(storage=InMemoryStorage(), sampler=RandomSampler(seed=seed))
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
        return [t.params["x"] for t in study.trials]

    assert params(3) == params(3) != params(4)


def test_pickling_keeps_the_sampler_or_its_absence() -> None:
    storage = InMemoryStorage()
    lazy = parabola.create_study(storage=storage, study_name="lazy")
    copy = pickle.loads(pickle.dumps(lazy))
    assert copy._sampler is None  # still unbuilt: the receiving process builds its own
    assert copy.sampler is copy.sampler

    seeded = parabola.create_study(
        storage=storage, study_name="seeded", sampler=RandomSampler(seed=5)
    )
    twin = pickle.loads(pickle.dumps(seeded))
    assert isinstance(twin.sampler, RandomSampler)
    seeded.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    twin.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    # The pickled copy (with its own copy of the in-memory store) carries the same stream.
    assert seeded.trials[0].params == twin.trials[0].params


def test_a_study_pickled_with_eager_defaults_still_loads() -> None:
    study = parabola.create_study(storage=InMemoryStorage(), sampler=RandomSampler(seed=0))
    state = study.__getstate__()
    # The layout before the defaults were lazy: public attributes, no lock.
    state["sampler"], state["pruner"] = state.pop("_sampler"), NopPruner()
    del state["_pruner"]
    old = parabola.Study.__new__(parabola.Study)
    old.__setstate__(state)
    assert isinstance(old.sampler, RandomSampler) and isinstance(old.pruner, NopPruner)
