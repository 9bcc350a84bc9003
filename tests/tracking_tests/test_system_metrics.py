"""System metrics: W&B key names, the first sample a second in (none for a shorter run, which then
never imports psutil), one per interval, a closing one at finish."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import parabola
from parabola.storages import BaseStorage
from parabola.tracking import Settings, _system
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


def test_run_gets_a_first_sample_soon_after_start_and_a_closing_one(
    store: BaseStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_system, "FIRST_SAMPLE_DELAY", 0.1)  # one second in production
    with parabola.init(project="sys", storage=store, settings={"x_disable_stats": False}) as run:
        run.log({"a": 1})
        time.sleep(0.5)  # the first sample is taken by the background thread
    api_run = parabola.Api(storage=store).run(run.path)
    events = api_run.history(stream="events")
    assert len(events) == 2  # the first (default interval 15 s: no second one) and the closing
    assert set(events.columns) >= KEYS
    assert {"_runtime", "_timestamp"} <= set(events.columns)
    assert events["_runtime"].iloc[0] >= 0.1
    assert api_run.history(stream="system").equals(events)
    assert set(api_run.system_metrics) >= KEYS
    assert "system.cpu" not in api_run.history().columns  # kept out of the default stream


@pytest.mark.slow
def test_the_first_sample_comes_a_second_after_start(store: BaseStorage) -> None:
    assert _system.FIRST_SAMPLE_DELAY == 1.0
    with parabola.init(project="sys", storage=store, settings={"x_disable_stats": False}) as run:
        time.sleep(2.0)
    events = parabola.Api(storage=store).run(run.path).history(stream="system")
    assert len(events) == 2
    assert 1.0 <= events["_runtime"].iloc[0] < 2.0


_SHORT_RUN = """
import json, sys, parabola
with parabola.init(project="sys", storage=sys.argv[1]) as run:
    for i in range(100):
        run.log({"loss": 1.0 / (i + 1)})
rows = parabola.Api(storage=sys.argv[1]).run(run.path).history(stream="system", pandas=False)
print(json.dumps({"psutil": "psutil" in sys.modules, "system_rows": len(rows)}))
"""


def test_a_run_shorter_than_the_first_sample_has_none_and_never_imports_psutil(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PARABOLA_DISABLE_STATS"}
    env["PARABOLA_ARTIFACTS"] = str(tmp_path / "artifacts")
    out = subprocess.run(
        [sys.executable, "-c", _SHORT_RUN, f"sqlite:///{tmp_path / 'runs.db'}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"psutil": False, "system_rows": 0}


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
