"""Loading the ``cmaes`` optimisers without the package's eager ``scipy.stats`` import.

Each check runs in a fresh interpreter: what is imported is process state.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def _run(code: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_a_cmaes_study_leaves_scipy_stats_unloaded_and_the_package_whole() -> None:
    r = _run(
        """
        import json, pickle, sys
        PUBLIC = ("CMA", "SepCMA", "CMAwM", "get_warm_start_mgd", "__version__")
        import parabola
        parabola.logging.set_verbosity(parabola.logging.WARNING)
        sampler = parabola.samplers.CmaEsSampler(seed=0)
        memory = parabola.storages.InMemoryStorage()
        study = parabola.create_study(sampler=sampler, storage=memory)
        objective = lambda t: t.suggest_float("x", -1, 1) ** 2 + t.suggest_float("y", -1, 1) ** 2
        study.optimize(objective, n_trials=30)
        stats_before = "scipy.stats" in sys.modules
        bare_left = "cmaes" in sys.modules
        import cmaes  # the real package, whole: its __init__ runs now
        from parabola.samplers._cmaes import _lib
        same = cmaes.CMA is _lib.cma_class() and cmaes.SepCMA is _lib.sep_cma_class()
        # pickle finds the optimiser's class by its import path: it must be the same object.
        optimizer = _lib.cma_class()(mean=[0.0, 0.0], sigma=1.0)
        restored = pickle.loads(pickle.dumps(optimizer))
        print(json.dumps({
            "stats_before": stats_before,
            "bare_left": bare_left,
            "stats_after": "scipy.stats" in sys.modules,
            "same": same,
            "public": all(hasattr(cmaes, n) for n in PUBLIC),
            "pickled": type(restored) is cmaes.CMA,
        }))
        """
    )
    assert r == {
        "stats_before": False,
        "bare_left": False,
        "stats_after": True,
        "same": True,
        "public": True,
        "pickled": True,
    }


def test_the_margin_variant_and_an_earlier_import_use_the_package() -> None:
    r = _run(
        """
        import json, sys
        import cmaes  # imported first, by someone else: used as it is
        import parabola
        parabola.logging.set_verbosity(parabola.logging.WARNING)
        from parabola.samplers._cmaes import _lib
        sampler = parabola.samplers.CmaEsSampler(seed=0, with_margin=True)
        memory = parabola.storages.InMemoryStorage()
        study = parabola.create_study(sampler=sampler, storage=memory)
        objective = lambda t: t.suggest_int("k", -5, 5) ** 2 + t.suggest_float("y", -1, 1) ** 2
        study.optimize(objective, n_trials=20)
        print(json.dumps({
            "same": _lib.cma_class() is cmaes.CMA and _lib.cmawm_class() is cmaes.CMAwM,
            "finished": len(study.trials),
        }))
        """
    )
    assert r == {"same": True, "finished": 20}


def test_another_thread_using_the_bare_package_gets_the_real_one() -> None:
    # While a submodule loads, ``cmaes`` is the bare package; its first missing attribute
    # runs the real __init__ (here forced by reading one from the package while bare).
    r = _run(
        """
        import json, sys
        from parabola.samplers._cmaes import _lib
        package = _lib._register_bare_package()
        bare = "CMA" not in package.__dict__
        cls = package.CMA  # first use: the real __init__ runs
        import cmaes
        print(json.dumps({"bare": bare, "real": cmaes is package and cls is cmaes.CMA,
                          "hook_gone": "__getattr__" not in package.__dict__}))
        """
    )
    assert r == {"bare": True, "real": True, "hook_gone": True}


def test_without_the_library_the_module_fails_at_import_and_the_default_falls_back() -> None:
    # As with the former ``import cmaes`` at the top of the module: a missing library is an
    # ImportError when the sampler's module loads, which ``AutoSampler`` reads as "no CMA-ES
    # in this build" (TPE after gp_trials), not a failure at the hand-over.
    r = _run(
        """
        import json, sys
        sys.modules["cmaes"] = None  # the library is not installed
        try:
            import parabola.samplers._cmaes
            failed = None
        except ImportError as e:
            failed = str(e)
        from parabola.samplers import _auto
        print(json.dumps({"failed": failed, "fallback": _auto._cmaes_class() is None}))
        """
    )
    assert r == {
        "failed": "CmaEsSampler needs the cmaes package (pip install cmaes)",
        "fallback": True,
    }
