"""The ``cmaes`` library's optimisers, without the package's eager ``scipy.stats``.

``import cmaes`` runs the package's ``__init__``, which imports every optimiser the library
has. One of them, ``CMAwM`` (CMA-ES with margin), imports ``scipy.stats`` when SciPy is
installed, which loads ``scipy.optimize`` and most of ``scipy.stats``' distributions: 0.4-1.0
s of CPU, more than all the sampling of a 250-trial CMA-ES study, and the largest import of a
default 300-trial study, which hands over to CMA-ES at trial 250 (``benchmarks/README.md``,
"Default sampler"). Plain and separable CMA-ES and the warm start need none of it: their
modules import only numpy.

So, when nothing has imported ``cmaes`` yet, :func:`submodule` registers the package as a
*bare* module (created from its spec, its ``__init__`` not run), imports the one submodule it
needs, and takes the bare package out of ``sys.modules`` again. A later ``import cmaes`` (the
margin variant here, Optuna, the user) runs the real ``__init__`` as always, which finds the
submodule already loaded, so ``cmaes.CMA`` is the class used here. Should another thread use
the package while it is bare, its first missing attribute runs the real ``__init__`` there
and then (PEP 562's module ``__getattr__``). If ``cmaes`` is already imported, or is laid out
otherwise, the plain import is used: the shortcut changes when code runs, never which. One
difference stays: the fresh package lacks the attributes ``_cma``, ``_sepcma`` and
``_warm_start`` (Python sets a submodule's attribute on its package only when it loads the
submodule), so ``cmaes._cma`` reached as an attribute fails while ``import cmaes._cma as m``
and ``from cmaes._cma import CMA`` work; the library's public names are all there.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

__all__ = ["cma_class", "cmawm_class", "sep_cma_class", "submodule", "warm_start_mgd"]

# Re-entrant: the package's __init__, run from the module __getattr__ below, imports its
# submodules, which read attributes of the package.
_LOCK = threading.RLock()

# A missing library fails here, when this sampler's module is imported, as ``import cmaes``
# did before the import was deferred (``AutoSampler`` then falls back to TPE), not at the
# first CMA-ES trial. Finding the spec runs none of the package's code.
if importlib.util.find_spec("cmaes") is None:
    raise ImportError("CmaEsSampler needs the cmaes package (pip install cmaes)")


def _register_bare_package() -> ModuleType:
    """``sys.modules["cmaes"]``: the package, its ``__init__`` deferred to first use."""
    spec = importlib.util.find_spec("cmaes")
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError("the cmaes package is not installed (pip install cmaes)")
    loader = spec.loader
    package = importlib.util.module_from_spec(spec)

    def __getattr__(name: str) -> Any:
        with _LOCK:
            if package.__dict__.get("__getattr__") is __getattr__:
                # First use: run the real __init__ (without this hook, so that what it
                # lacks while it runs is an ordinary AttributeError).
                del package.__dict__["__getattr__"]
                try:
                    loader.exec_module(package)
                except BaseException:
                    # As a failed import does: no half-initialised package stays behind.
                    if sys.modules.get("cmaes") is package:
                        del sys.modules["cmaes"]
                    raise
        return getattr(package, name)

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules["cmaes"] = package
    return package


def submodule(name: str) -> ModuleType:
    """``cmaes.<name>``, importing the package's ``__init__`` only if it already ran."""
    full = f"cmaes.{name}"
    loaded = sys.modules.get(full)
    if loaded is not None:
        return loaded
    with _LOCK:
        if "cmaes" in sys.modules:
            return importlib.import_module(full)
        package = _register_bare_package()
        try:
            return importlib.import_module(full)
        finally:
            # Unless something used the package meanwhile (so it is the real one now), take
            # the bare module out again: whoever imports ``cmaes`` next gets a fresh package
            # whose __init__ runs at once, as without this module (its submodules' imports
            # included), and finds this submodule loaded.
            if sys.modules.get("cmaes") is package and "__getattr__" in package.__dict__:
                del sys.modules["cmaes"]


def _attr(module: str, name: str) -> Any:
    try:
        return getattr(submodule(module), name)
    except (ImportError, AttributeError):
        # Another layout of the library: its public name, through the package.
        return getattr(importlib.import_module("cmaes"), name)


def cma_class() -> Any:
    """``cmaes.CMA``."""
    return _attr("_cma", "CMA")


def sep_cma_class() -> Any:
    """``cmaes.SepCMA``."""
    return _attr("_sepcma", "SepCMA")


def warm_start_mgd() -> Any:
    """``cmaes.get_warm_start_mgd``."""
    return _attr("_warm_start", "get_warm_start_mgd")


def cmawm_class() -> Any:
    """``cmaes.CMAwM``, through the package: with SciPy installed it uses ``scipy.stats``."""
    return importlib.import_module("cmaes").CMAwM
