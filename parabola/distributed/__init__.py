"""Distributed optimisation: a study's trials on the workers of a Dask cluster.

Reached through ``study.optimize(objective, n_trials=..., client=dask_client)`` (the
``parabola[dask]`` extra); ``import parabola`` never imports Dask. Workers read and write the
study's store directly (PostgreSQL, or SQLite when every worker is on the driver's machine);
the scheduler only carries the trial loops. See ``docs/distributed.md``.
"""

from __future__ import annotations

from parabola.distributed._driver import optimize

__all__ = ["optimize"]
