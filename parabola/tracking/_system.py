"""System metrics: a background sampler writing W&B-named keys to the run's ``system`` stream.

The first sample is taken one second after the run starts (or one interval, if
``x_stats_sampling_interval`` is shorter), then one every interval (15 s by default), and a
closing one at ``finish`` once the run has any. That mirrors W&B, measured with wandb 0.31
offline: its monitor records a first sample within a second of the start (without CPU %, which
needs an interval), then one every 15 s. A run shorter than a second has no system metrics:
psutil is the costliest import a run would pay otherwise (about 0.04 s of CPU at idle, 0.1 s
under load, a sixth to a third of a whole 100-row script), and it measures nothing useful that
fast. psutil loads in the monitor thread when the first sample is due. Keys follow W&B:
``system.cpu`` (system-wide CPU % since the previous sample; absent from a process's first
sample when it comes less than 50 ms after the sampler started), ``system.memory`` (system
memory %), ``system.disk`` (root disk use %), ``system.network.sent``/``recv`` (bytes since
the run started),
``system.proc.memory.rssMB``/``availableMB``/``percent``, ``system.proc.cpu.threads`` and, when
``nvidia-ml-py`` is installed and a driver answers, ``system.gpu.N.gpu`` (utilisation %),
``.memory`` (memory-controller %), ``.memoryAllocated`` (% of memory used),
``.memoryAllocatedBytes``, ``.temp`` (C), ``.powerWatts`` and ``.powerPercent``.
psutil and pynvml are imported only when the first sample is taken, never at ``import parabola``
nor by ``init``.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import threading
import time
from typing import Any

__all__ = ["FIRST_SAMPLE_DELAY", "SystemSampler", "sample_system"]

# Seconds from a run's start to its first system sample (W&B's first comes within a second).
FIRST_SAMPLE_DELAY = 1.0

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
    """psutil handles shared by every run of the process."""

    def __init__(self) -> None:
        import psutil

        self.psutil = psutil
        self.proc = psutil.Process(os.getpid())
        psutil.cpu_percent(interval=None)  # prime: the next call measures since now
        self._primed_at = time.monotonic()

    def network(self) -> tuple[int, int]:
        net = self.psutil.net_io_counters()
        return (net.bytes_sent, net.bytes_recv) if net is not None else (0, 0)

    def sample(self, net0: tuple[int, int]) -> dict[str, Any]:
        ps = self.psutil
        out: dict[str, Any] = {}
        try:
            # CPU % is a rate: right after priming there is no interval to measure it over,
            # so the very first sample of a process may lack it rather than report 0.
            if time.monotonic() - self._primed_at >= 0.05:
                out["system.cpu"] = float(ps.cpu_percent(interval=None))
            vm = ps.virtual_memory()
            out["system.memory"] = float(vm.percent)
            out["system.proc.memory.availableMB"] = vm.available / _MB
            with self.proc.oneshot():
                out["system.proc.memory.rssMB"] = self.proc.memory_info().rss / _MB
                out["system.proc.memory.percent"] = float(self.proc.memory_percent())
                out["system.proc.cpu.threads"] = int(self.proc.num_threads())
            out["system.disk"] = float(ps.disk_usage("/").percent)
            sent, recv = self.network()
            out["system.network.sent"] = int(sent - net0[0])
            out["system.network.recv"] = int(recv - net0[1])
        except Exception as e:  # a metric that cannot be read must never break the run
            _logger.debug("parabola: system metric failed: %r", e)
        _gpu_metrics(out)
        return out


_probe: _Probe | None = None
_probe_lock = threading.Lock()


def _get_probe() -> _Probe:
    global _probe
    with _probe_lock:
        if _probe is None:
            _probe = _Probe()
        return _probe


def sample_system() -> dict[str, Any]:
    """One sample of the system metrics (network counters since now)."""
    probe = _get_probe()
    time.sleep(max(0.0, 0.06 - (time.monotonic() - probe._primed_at)))  # let CPU % be measured
    return probe.sample(probe.network())


class SystemSampler:
    """One run's subscription to the process-wide monitor thread.

    Samples go into ``sink`` (the writer's ``system`` deque): the first ``FIRST_SAMPLE_DELAY``
    seconds after the start (or ``interval``, if shorter), then one every ``interval`` seconds,
    and a closing one in :meth:`stop` if any was taken. A single daemon thread
    serves every run of the process, so many short runs do not each start a thread.
    """

    def __init__(
        self, sink: collections.deque[dict[str, Any]], interval: float, start_time: float
    ) -> None:
        self._sink = sink
        self.interval = interval
        self._start = start_time
        self._n = 0
        self._net0: tuple[int, int] | None = None
        self._lock = threading.Lock()
        # Monotonic time of the next sample. Not "now": a run over before the first sample is
        # due never imports psutil (see the module docstring).
        self.next_due = time.monotonic() + min(interval, FIRST_SAMPLE_DELAY)
        self.closed = False
        _monitor().add(self)

    def take(self) -> None:
        with self._lock:
            if self.closed:
                return
            self._take_locked()

    def _take_locked(self) -> None:
        probe = _get_probe()
        if self._net0 is None:
            self._net0 = probe.network()
        row = probe.sample(self._net0)
        now = time.time()
        row["_step"] = self._n
        row["_runtime"] = now - self._start
        row["_timestamp"] = now
        self._n += 1
        self._sink.append(row)

    def stop(self, final_sample: bool = True) -> None:
        """Leave the monitor; take the closing sample in the caller's thread.

        There is no closing sample for a run that has none yet (over before the first was
        due): one lone sample would cost the psutil import the schedule exists to avoid.
        """
        _monitor().remove(self)
        with self._lock:
            if self.closed:
                return
            self.closed = True
            if final_sample and self._n > 0:
                try:
                    self._take_locked()
                except Exception as e:  # pragma: no cover - psutil missing or broken
                    _logger.warning("parabola: final system sample failed: %r", e)

    def abandon(self) -> None:
        self.closed = True


class _Monitor:
    """The process-wide sampling thread (started on first use, restarted after fork)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: list[SystemSampler] = []
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, sub: SystemSampler) -> None:
        with self._lock:
            self._subs.append(sub)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="parabola-system", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def remove(self, sub: SystemSampler) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def _loop(self) -> None:
        while True:
            now = time.monotonic()
            with self._lock:
                due = [s for s in self._subs if s.next_due <= now]
            for sub in due:
                try:
                    sub.take()
                except Exception as e:  # pragma: no cover - psutil missing or broken
                    _logger.warning("parabola: system metrics failed: %r", e)
                    sub.closed = True
                sub.next_due = now + sub.interval
            with self._lock:
                waits = [s.next_due for s in self._subs]
            timeout = max(0.0, min(waits) - time.monotonic()) if waits else None
            self._wake.wait(timeout)
            self._wake.clear()


_the_monitor: _Monitor | None = None


def _monitor() -> _Monitor:
    global _the_monitor
    if _the_monitor is None:
        _the_monitor = _Monitor()
    return _the_monitor


def _reset_after_fork() -> None:
    global _the_monitor, _probe, _probe_lock
    _the_monitor = None
    _probe = None
    _probe_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
