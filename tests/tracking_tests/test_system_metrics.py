"""System metrics: W&B key names, a sample at start and at finish, the sampling interval."""

from __future__ import annotations

import time

import pytest

import parabola
from parabola.storages import BaseStorage
from parabola.tracking import Settings
from parabola.tracking._settings import resolve_settings
from parabola.tracking._system import sample_system

KEYS = {
    "system.cpu",
    "system.memory",
    "system.disk",
    "system.network.sent",
    "system.network.recv",
    "system.proc.memory.rssMB",
    "system.proc.memory.availableMB",
    "system.proc.memory.percent",
    "system.proc.cpu.threads",
}


def test_sample_has_wandb_key_names() -> None:
    sample = sample_system()
    assert set(sample) >= KEYS
    assert 0 <= sample["system.memory"] <= 100
    assert sample["system.proc.memory.rssMB"] > 1
    assert sample["system.proc.cpu.threads"] >= 1
    assert all(k.startswith("system.gpu.") for k in set(sample) - KEYS)


def test_run_gets_a_start_and_a_finish_sample(store: BaseStorage) -> None:
    with parabola.init(project="sys", storage=store, settings={"x_disable_stats": False}) as run:
        run.log({"a": 1})
        time.sleep(0.3)  # the start sample is taken by the background thread
    api_run = parabola.Api(storage=store).run(run.path)
    events = api_run.history(stream="events")
    assert len(events) == 2
    assert set(events.columns) >= KEYS
    assert {"_runtime", "_timestamp"} <= set(events.columns)
    assert api_run.history(stream="system").equals(events)
    assert set(api_run.system_metrics) >= KEYS
    assert "system.cpu" not in api_run.history().columns  # kept out of the default stream


def test_very_short_run_still_gets_the_finish_sample(store: BaseStorage) -> None:
    with parabola.init(project="sys", storage=store, settings={"x_disable_stats": False}) as run:
        pass
    assert len(parabola.Api(storage=store).run(run.path).history(stream="system")) >= 1


def test_sampling_interval_setting(store: BaseStorage) -> None:
    settings = Settings(x_stats_sampling_interval=0.1, x_disable_stats=False)
    with parabola.init(project="sys", storage=store, settings=settings) as run:
        time.sleep(0.65)
    n = len(parabola.Api(storage=store).run(run.path).history(stream="system"))
    assert 4 <= n <= 10


def test_stats_can_be_disabled(store: BaseStorage) -> None:
    with parabola.init(project="sys", storage=store) as run:  # conftest disables them
        pass
    assert parabola.Api(storage=store).run(run.path).history(stream="system").empty


def test_env_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARABOLA_STATS_INTERVAL", "2.5")
    monkeypatch.setenv("PARABOLA_HEARTBEAT_INTERVAL", "3")
    resolved = resolve_settings(None)
    assert resolved.stats_interval == 2.5 and resolved.heartbeat_interval == 3.0
    assert resolve_settings({"x_stats_sampling_interval": 7}).stats_interval == 7.0
    monkeypatch.setenv("PARABOLA_STATS_INTERVAL", "soon")
    with pytest.raises(ValueError, match="PARABOLA_STATS_INTERVAL"):
        resolve_settings(None)
    assert Settings(console="wrap").extra == {"console": "wrap"}  # W&B-only knobs are ignored


def test_psutil_is_not_imported_by_import_parabola() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import parabola, sys; parabola.run; "
            "print(any(m.split('.')[0] in ('psutil', 'pynvml') for m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == "False"


def test_gpu_metrics_through_a_fake_nvml(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    from parabola.tracking import _system

    fake = types.ModuleType("pynvml")
    fake.NVML_TEMPERATURE_GPU = 0  # type: ignore[attr-defined]
    fake.nvmlInit = lambda: None  # type: ignore[attr-defined]
    fake.nvmlDeviceGetCount = lambda: 2  # type: ignore[attr-defined]
    fake.nvmlDeviceGetHandleByIndex = lambda i: i  # type: ignore[attr-defined]
    fake.nvmlDeviceGetUtilizationRates = (  # type: ignore[attr-defined]
        lambda h: types.SimpleNamespace(gpu=40 + h, memory=10)
    )
    fake.nvmlDeviceGetMemoryInfo = (  # type: ignore[attr-defined]
        lambda h: types.SimpleNamespace(used=2 * 2**30, total=8 * 2**30)
    )
    fake.nvmlDeviceGetTemperature = lambda h, kind: 55  # type: ignore[attr-defined]
    fake.nvmlDeviceGetPowerUsage = lambda h: 150_000  # type: ignore[attr-defined]

    def no_limit(h: int) -> int:
        raise RuntimeError("not supported")

    fake.nvmlDeviceGetEnforcedPowerLimit = no_limit  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pynvml", fake)
    monkeypatch.setattr(_system, "_nvml_state", {})
    out: dict[str, float] = {}
    _system._gpu_metrics(out)
    assert out["system.gpu.0.gpu"] == 40 and out["system.gpu.1.gpu"] == 41
    assert out["system.gpu.0.memoryAllocated"] == 25.0
    assert out["system.gpu.1.temp"] == 55 and out["system.gpu.0.powerWatts"] == 150.0
    assert "system.gpu.0.powerPercent" not in out  # a failing query is skipped, not fatal


def test_no_gpu_metrics_without_a_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    from parabola.tracking import _system

    fake = types.ModuleType("pynvml")

    def fail() -> None:
        raise OSError("NVML Shared Library Not Found")

    fake.nvmlInit = fail  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pynvml", fake)
    monkeypatch.setattr(_system, "_nvml_state", {})
    out: dict[str, float] = {}
    _system._gpu_metrics(out)
    assert out == {}
