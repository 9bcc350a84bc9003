"""TrialSeeder: per-trial randomness for the sampler copies each Dask worker holds."""

from __future__ import annotations

import pickle

from parabola.distributed._seeding import TrialSeeder
from parabola.samplers import AutoSampler


def _sub_sampler_draws(sampler: AutoSampler) -> list[float]:
    return [float(s._rng.uniform()) for s in sampler._samplers.values() if hasattr(s, "_rng")]


def test_auto_sampler_sub_samplers_are_built_and_reseeded_per_trial() -> None:
    a = AutoSampler(seed=3)
    b = pickle.loads(pickle.dumps(a))  # each worker unpickles its own copy
    seed_a, seed_b = TrialSeeder(a), TrialSeeder(b)
    # Built before the first trial, so a sub-sampler never starts a trial unseeded.
    assert {"TPESampler", "GPSampler"} <= set(a._samplers)
    seed_a.reseed(4)
    seed_b.reseed(4)
    draws = _sub_sampler_draws(a)
    assert draws and draws == _sub_sampler_draws(b)  # trial 4 draws alike on every worker
    seed_b.reseed(5)
    assert _sub_sampler_draws(b) != draws  # and trial 5 draws otherwise
