"""Per-trial randomness for samplers copied to many workers.

A seeded sampler holds one random stream, seeded once. Every Dask task gets its own copy of the
sampler, so every copy would replay the same stream and propose the same values on every worker
(Optuna issue 4859: 7 distinct values in 20 trials). Before each trial the worker reseeds every
generator of its copy from the generator's state at the driver and the trial number: trial ``n``
draws the same numbers whichever worker runs it, and no two trials draw the same ones.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from parabola.samplers import BaseSampler

__all__ = ["TrialSeeder"]


class TrialSeeder:
    """Reseeds the generators of a sampler (and of the samplers it wraps) per trial number.

    Example:
        >>> from parabola.samplers import RandomSampler
        >>> a, b = RandomSampler(seed=1), RandomSampler(seed=1)
        >>> seed_a, seed_b = TrialSeeder(a), TrialSeeder(b)
        >>> seed_a.reseed(7); seed_b.reseed(7)
        >>> a._rng.uniform() == b._rng.uniform()
        True
        >>> seed_a.reseed(8); a._rng.uniform() != b._rng.uniform()
        True
    """

    def __init__(self, sampler: BaseSampler) -> None:
        self._generators: list[tuple[Any, int]] = [
            (rng, _fingerprint(rng)) for rng in _generators_of(sampler, set())
        ]

    def reseed(self, trial_number: int) -> None:
        """Give every generator a state derived from its original state and ``trial_number``."""
        for rng, fingerprint in self._generators:
            seq = np.random.SeedSequence([fingerprint, int(trial_number)])
            if isinstance(rng, np.random.RandomState):
                rng.seed(seq.generate_state(4))
            else:
                rng.bit_generator.state = type(rng.bit_generator)(seq).state


def _generators_of(obj: Any, seen: set[int]) -> list[Any]:
    """The numpy generators held by a sampler and, recursively, by the samplers it holds.

    Samplers held in a dict count too (``AutoSampler`` keeps its sub-samplers by name), and a
    sampler that builds its sub-samplers lazily builds them all first: one built later, in the
    middle of a trial, would replay its freshly seeded stream on every worker.
    """
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    build_all = getattr(obj, "_build_all_samplers", None)
    if callable(build_all):
        build_all()
    found: list[Any] = []
    for value in vars(obj).values():
        for item in value.values() if isinstance(value, dict) else (value,):
            if isinstance(item, (np.random.RandomState, np.random.Generator)):
                found.append(item)
            elif isinstance(item, BaseSampler):
                found.extend(_generators_of(item, seen))
    return found


def _fingerprint(rng: Any) -> int:
    if isinstance(rng, np.random.RandomState):
        _, keys, pos, *_ = rng.get_state(legacy=True)
        data = np.asarray(keys).tobytes() + int(pos).to_bytes(4, "little")
    else:
        data = json.dumps(rng.bit_generator.state, sort_keys=True, default=str).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")
