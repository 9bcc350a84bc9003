"""System metrics: a background sampler writing W&B-named keys to the run's ``system`` stream.

One sample is taken when the run starts, one every ``x_stats_sampling_interval`` seconds
(15 by default) and one at ``finish``, so even a one-second run has two. Keys follow W&B:
``system.cpu`` (system-wide CPU %), ``system.memory`` (system memory %), ``system.disk`` (root
disk use %), ``system.network.sent``/``recv`` (bytes since the run started),
``system.proc.memory.rssMB``/``availableMB``/``percent``, ``system.proc.cpu.threads`` and, when
``nvidia-ml-py`` is installed and a driver answers, ``system.gpu.N.gpu`` (utilisation %),
``.memory`` (memory-controller %), ``.memoryAllocated`` (% of memory used),
``.memoryAllocatedBytes``, ``.temp`` (C), ``.powerWatts`` and ``.powerPercent``.
psutil and pynvml are imported only when a sampler starts, never at ``import parabola``.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import threading
import time
from typing import Any

__all__ = ["SystemSampler", "sample_system"]

_logger = logging.getLogger("parabola.tracking")
_MB = 1024.0 * 1024.0
_nvml_state: dict[str, Any] = {}  # {"ok": bool, "module": pynvml, "count": int}
_nvml_lock = threading.Lock()


def _nvml() -> Any | None:
    """The initialised ``pynvml`` module, or ``None`` without the package or a driver."""
    with _nvml_lock:
        if "ok" not in _nvml_state:
            try:
                import pynvml

                pynvml.nvmlInit()
                _nvml_state.update(ok=True, module=pynvml, count=pynvml.nvmlDeviceGetCount())
            except Exception:  # not installed, no driver, no GPU: quietly no GPU metrics
                _nvml_state["ok"] = False
        return _nvml_state.get("module") if _nvml_state["ok"] else None


def _gpu_metrics(out: dict[str, Any]) -> None:
    nv = _nvml()
    if nv is None:
        return
    for i in range(int(_nvml_state.get("count", 0))):
        p = f"system.gpu.{i}."
        try:
            handle = nv.nvmlDeviceGetHandleByIndex(i)
        except Exception:
            continue
        try:
            util = nv.nvmlDeviceGetUtilizationRates(handle)
            out[p + "gpu"] = float(util.gpu)
            out[p + "memory"] = float(util.memory)
        except Exception:
            pass
        try:
            mem = nv.nvmlDeviceGetMemoryInfo(handle)
            out[p + "memoryAllocated"] = 100.0 * float(mem.used) / float(mem.total or 1)
            out[p + "memoryAllocatedBytes"] = float(mem.used)
        except Exception:
            pass
        with contextlib.suppress(Exception):
            out[p + "temp"] = float(nv.nvmlDeviceGetTemperature(handle, nv.NVML_TEMPERATURE_GPU))
        try:
            watts = nv.nvmlDeviceGetPowerUsage(handle) / 1000.0
            out[p + "powerWatts"] = float(watts)
            limit = nv.nvmlDeviceGetEnforcedPowerLimit(handle) / 1000.0
            out[p + "powerPercent"] = 100.0 * float(watts) / float(limit or 1)
        except Exception:
            pass


class _Probe:
    """psutil handles kept between samples (the process object and network baseline)."""

    def __init__(self) -> None:
        import psutil

        self.psutil = psutil
        self.proc = psutil.Process(os.getpid())
        net = psutil.net_io_counters()
        self.net0 = (net.bytes_sent, net.bytes_recv) if net is not None else (0, 0)
        psutil.cpu_percent(interval=None)  # prime: the next call measures since now

    def sample(self) -> dict[str, Any]:
        ps = self.psutil
        out: dict[str, Any] = {}
        try:
            out["system.cpu"] = float(ps.cpu_percent(interval=None))
            vm = ps.virtual_memory()
            out["system.memory"] = float(vm.percent)
            out["system.proc.memory.availableMB"] = vm.available / _MB
            with self.proc.oneshot():
                out["system.proc.memory.rssMB"] = self.proc.memory_info().rss / _MB
                out["system.proc.memory.percent"] = float(self.proc.memory_percent())
                out["system.proc.cpu.threads"] = int(self.proc.num_threads())
            out["system.disk"] = float(ps.disk_usage("/").percent)
            net = ps.net_io_counters()
            if net is not None:
                out["system.network.sent"] = int(net.bytes_sent - self.net0[0])
                out["system.network.recv"] = int(net.bytes_recv - self.net0[1])
        except Exception as e:  # a metric that cannot be read must never break the run
            _logger.debug("parabola: system metric failed: %r", e)
        _gpu_metrics(out)
        return out


def sample_system() -> dict[str, Any]:
    """One sample of the system metrics (for tests and ``parabola`` tools)."""
    return _Probe().sample()


class SystemSampler:
    """Samples into ``sink`` (the writer's ``system`` deque) from a daemon thread."""

    def __init__(
        self, sink: collections.deque[dict[str, Any]], interval: float, start_time: float
    ) -> None:
        self._sink = sink
        self._interval = interval
        self._start = start_time
        self._n = 0
        self._stop = threading.Event()
        self._probe: _Probe | None = None
        self._probe_lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="parabola-system", daemon=True)
        self._thread.start()

    def _take(self) -> None:
        with self._probe_lock:
            if self._probe is None:
                self._probe = _Probe()
            row = self._probe.sample()
            now = time.time()
            row["_step"] = self._n
            row["_runtime"] = now - self._start
            row["_timestamp"] = now
            self._n += 1
            self._sink.append(row)

    def _loop(self) -> None:
        try:
            self._take()
            while not self._stop.wait(self._interval):
                self._take()
        except Exception as e:  # pragma: no cover - psutil missing or broken
            _logger.warning("parabola: system metrics disabled: %r", e)

    def stop(self, final_sample: bool = True) -> None:
        """Stop the thread; take the closing sample in the caller's thread."""
        self._stop.set()
        self._thread.join(5.0)
        if final_sample:
            try:
                self._take()
            except Exception as e:  # pragma: no cover
                _logger.warning("parabola: final system sample failed: %r", e)

    def abandon(self) -> None:
        self._stop.set()
