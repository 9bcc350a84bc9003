"""Contract test suites shipped with parabola (they need pytest, a development dependency).

* :mod:`parabola.testing.storages`: every storage backend must pass ``StorageContract``.
* :mod:`parabola.testing.samplers`: every sampler must pass ``SamplerContract``.
"""

from __future__ import annotations

__all__: list[str] = []
