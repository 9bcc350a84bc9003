"""The dashboard against optuna-dashboard 0.21 and MLflow's UI server, same data, same run.

Usage::

    .venv/bin/python benchmarks/ui_bench.py                      # the target sizes
    .venv/bin/python benchmarks/ui_bench.py --trials 2000 --steps 20000 --big-steps 0 --quick

The anchors' stores (optuna-dashboard's study, MLflow's run) are cached between runs in
``--cache-dir`` (``~/.cache/parabola-ui-bench``), keyed by size: the first full-size run builds
them (about 20 minutes on a busy 2-core machine), later ones copy them in seconds;
``--build-only`` fills the cache and stops, ``--no-cache`` rebuilds. parabola's own store is
built fresh every run.

Every server is a real process on a free 127.0.0.1 port, asked over HTTP (gzip accepted, as a
browser does); browser figures come from Debian's headless Chromium driven by Selenium.

Study side (parabola vs optuna-dashboard, one SQLite study of ``--trials`` trials x 5 params,
same trials in each tool's own store): the study page's data request cold (first after start)
and warm, bytes on the wire, a poll when nothing changed, the importance request, and in the
browser the time to the first chart, the longest main-thread task and the JS heap.

Run side (parabola vs MLflow, one run of 10 metrics x ``--steps`` steps logged to each): server
start (time to the first answer, processes, memory), one chart's series of 320 points (MLflow's
sampled ``get-history-bulk-interval``, parabola's ``/series``), all ten charts, and the run page's
charts in the browser. parabola alone (no anchor holds it in reasonable time): a run of
``--big-steps`` steps (the target's million) and a project of ``--runs`` runs. Idle tab: CPU of
each server (and of the browser) over ``--idle`` seconds with the page open.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil

from parabola.storages import RunKey

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
N_METRICS = 10
CHART_POINTS = 320


# Servers ------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A server process we started (killed by pid, with its children, at the end)."""

    def __init__(self, name: str, argv: list[str], port: int, ready_path: str) -> None:
        self.name = name
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd=tempfile.gettempdir(),
        )
        deadline = started + 180
        while True:
            try:
                with urllib.request.urlopen(self.base + ready_path, timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"{name} did not start")
            time.sleep(0.05)
        self.start_s = time.perf_counter() - started
        # CPU to the first answer (steadier than wall time on a loaded machine).
        self.start_cpu_s = self.cpu_s()

    def processes(self) -> list[psutil.Process]:
        root = psutil.Process(self.proc.pid)
        return [root, *root.children(recursive=True)]

    def rss_mib(self) -> float:
        return sum(p.memory_info().rss for p in self.processes()) / 2**20

    def cpu_s(self) -> float:
        total = 0.0
        for p in self.processes():
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def stop(self) -> None:
        procs = self.processes()
        for p in reversed(procs):
            with contextlib.suppress(psutil.NoSuchProcess):
                p.send_signal(signal.SIGTERM)
        _, alive = psutil.wait_procs(procs, timeout=10)
        for p in alive:
            p.kill()


def get(url: str) -> tuple[float, int, bytes, int]:
    """(seconds, bytes on the wire, decoded body, status) of one GET with gzip accepted."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as r:
            raw = r.read()
            status = r.status
            encoding = r.headers.get("Content-Encoding")
    except urllib.error.HTTPError as e:
        raw, status, encoding = e.read(), e.code, None
    elapsed = time.perf_counter() - t
    body = gzip.decompress(raw) if encoding == "gzip" else raw
    return elapsed, len(raw), body, status


def median(xs: list[float]) -> float:
    s = sorted(xs)
    return s[len(s) // 2]


# Data ---------------------------------------------------------------------------------------------
def study_trials(n: int) -> list[tuple[dict[str, float], float]]:
    rng = random.Random(0)
    out = []
    for _ in range(n):
        params = {f"x{i}": rng.uniform(-5, 5) for i in range(5)}
        out.append((params, sum(v * v for v in params.values())))
    return out


def build_study(lib: Any, url: str, n: int) -> None:
    """The benchmark's study of ``n`` trials in ``lib``'s store (optuna or parabola)."""
    lib.logging.set_verbosity(lib.logging.WARNING)
    data = study_trials(n)
    dist = lib.distributions.FloatDistribution(-5, 5)
    study = lib.create_study(study_name="bench", storage=url)
    trials = [
        lib.trial.create_trial(
            params=params,
            distributions={k: dist for k in params},
            value=value,
            state=lib.trial.TrialState.COMPLETE,
        )
        for params, value in data
    ]
    for i in range(0, n, 1000):
        study.add_trials(trials[i : i + 1000])


def history_rows(steps: int, start: int = 0) -> list[dict[str, float]]:
    return [
        {
            "_step": s,
            **{
                f"m{j}": math.sin(s / 1000 + j) + (50.0 if s % 99_991 == 7 else 0.0)
                for j in range(N_METRICS)
            },
        }
        for s in range(start, start + steps)
    ]


def build_parabola_run(url: str, run_id: str, steps: int) -> None:
    # As a training script writes it: numpy loaded, so each chunk gets its envelope summary
    # (a numpy-free writer's chunks are charted from their rows). Without this line the
    # --parabola-only run, which loads no anchor, measured the row path.
    import numpy  # noqa: F401

    from parabola.storages import RunRecord, RunState, get_storage
    from parabola.storages._base import utcnow

    store = get_storage(url)
    now = utcnow()
    store.create_run(RunRecord(run_id, "bench", "e", run_id, RunState.FINISHED, now, now))
    for start in range(0, steps, 50_000):
        store.append_run_history(
            RunKey("e", "bench", run_id), history_rows(min(50_000, steps - start), start)
        )


def big_runs(args: argparse.Namespace) -> list[str]:
    """The names of the ``--big-runs`` copies of the ``--big-steps`` run."""
    return ["run1m", *(f"run1m-{i}" for i in range(1, args.big_runs))]


def build_mlflow_run(db: Path, steps: int) -> str:
    """A finished MLflow run of 10 metrics x ``steps`` steps in the SQLite file ``db``; its id."""
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{db}"
    client = MlflowClient(tracking_uri=uri)
    run = client.create_run(experiment_id="0")
    ts = int(time.time() * 1000)
    batch: list[Any] = []
    for start in range(0, steps, 10_000):
        for row in history_rows(min(10_000, steps - start), start):
            s = int(row["_step"])
            for j in range(N_METRICS):
                batch.append(Metric(f"m{j}", row[f"m{j}"], ts + s, s))
                if len(batch) == 1000:
                    client.log_batch(run.info.run_id, metrics=batch)
                    batch = []
    if batch:
        client.log_batch(run.info.run_id, metrics=batch)
    client.set_terminated(run.info.run_id)
    return str(run.info.run_id)


# Anchor stores are cached on disk between runs: optuna adds trials one transaction each and MLflow
# logs 10 metric rows per step, so at the target sizes building them takes longer than the whole
# measurement. The key holds the size and CACHE_VERSION (bump it when the data above changes);
# each run measures a fresh copy on tmpfs, so a server writing to its store never alters the cache.
CACHE_VERSION = 1


def cached_store(
    cache_dir: Path | None, name: str, size: int, folder: Path, build: Any
) -> tuple[Path, str]:
    """``folder/name.db`` built by ``build(path) -> extra`` or copied from the cache; (path, extra).

    A cache entry is ``<name>-<size>-v<CACHE_VERSION>.db`` plus ``.json`` (the extra, such as
    MLflow's run id), written under temporary names and renamed last, so an interrupted build
    is never taken for a finished one.
    """
    target = folder / f"{name}.db"
    if cache_dir is None:
        return target, str(build(target) or "")
    stem = cache_dir / f"{name}-{size}-v{CACHE_VERSION}"
    db, meta = stem.with_suffix(".db"), stem.with_suffix(".json")
    if not (db.exists() and meta.exists()):
        cache_dir.mkdir(parents=True, exist_ok=True)
        for stale in (db, meta):
            stale.unlink(missing_ok=True)
        partial = cache_dir / f".{stem.name}.partial.db"
        t = time.perf_counter()
        # Built where the run's data lives (tmpfs: no fsync per commit), then copied.
        extra = str(build(target) or "")
        shutil.copyfile(target, partial)
        partial.rename(db)
        meta.write_text(json.dumps({"extra": extra, "build_s": time.perf_counter() - t}))
        print(f"{name} ({size}) built and cached in {cache_dir}", flush=True)
        return target, extra
    print(f"{name} ({size}) taken from the cache {db}", flush=True)
    shutil.copyfile(db, target)
    return target, str(json.loads(meta.read_text())["extra"])


def build_runs(url: str, n: int) -> None:
    from parabola.storages import RunRecord, RunState, get_storage
    from parabola.storages._base import utcnow

    store = get_storage(url)
    rng = random.Random(1)
    for i in range(n):
        now = utcnow()
        store.create_run(
            RunRecord(
                f"r{i:05d}",
                "many",
                "e",
                f"run-{i}",
                RunState.FINISHED,
                now,
                now,
                config={
                    "lr": rng.uniform(1e-4, 1e-1),
                    "width": rng.choice([64, 128, 256]),
                    "opt": rng.choice(["adam", "sgd"]),
                },
                summary={"loss": rng.random(), "acc": rng.random(), "_step": 99},
                group=f"g{i % 10}",
            )
        )


# Browser ------------------------------------------------------------------------------------------
_OBSERVER = (
    "window.__lt=[];try{new PerformanceObserver(l=>{for(const e of l.getEntries())"
    "window.__lt.push(e.duration)}).observe({type:'longtask',buffered:true})}catch(e){}"
)


def make_driver() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--window-size=1400,1200",
        "--enable-precise-memory-info",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(
        options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    )


def browser_page(
    driver: Any, url: str, ready_js: str, timeout: float = 120, settled_js: str = "true"
) -> dict[str, Any]:
    try:
        return _browser_page(driver, url, ready_js, timeout, settled_js)
    except Exception as e:  # a page that stalls the browser past the driver's timeout
        return {
            "first_chart_s": None,
            "longest_task_ms": None,
            "heap_mib": None,
            "error": type(e).__name__,
        }


def _browser_page(
    driver: Any, url: str, ready_js: str, timeout: float, settled_js: str
) -> dict[str, Any]:
    """Time from navigation to ``ready_js`` being true, the longest task, the JS heap; then
    waits (at most ``timeout``) for ``settled_js``, so idle sampling starts on a quiet page."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _OBSERVER})
    t = time.perf_counter()
    driver.get(url)
    while not driver.execute_script(f"return !!({ready_js})"):
        if time.perf_counter() - t > timeout:
            return {"first_chart_s": None, "longest_task_ms": None, "heap_mib": None}
        time.sleep(0.05)
    first = time.perf_counter() - t
    time.sleep(2.0)
    longest = driver.execute_script("return Math.max(0, ...(window.__lt || []))")
    heap = driver.execute_script("return performance.memory.usedJSHeapSize") / 2**20
    settled = time.perf_counter()
    while not driver.execute_script(f"return !!({settled_js})"):
        if time.perf_counter() - settled > timeout:
            break
        time.sleep(0.2)
    all_s = time.perf_counter() - t
    time.sleep(2.0)
    return {"first_chart_s": first, "longest_task_ms": longest, "heap_mib": heap, "all_s": all_s}


def browser_cpu_s(driver: Any) -> float:
    pid = driver.service.process.pid
    total = 0.0
    for p in psutil.Process(pid).children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def idle_cpu(driver: Any, server: Server, seconds: float) -> tuple[float, float]:
    """% of one core used by the server and by the browser while the open tab idles."""
    s0, b0 = server.cpu_s(), browser_cpu_s(driver)
    time.sleep(seconds)
    return (
        100 * (server.cpu_s() - s0) / seconds,
        100 * (browser_cpu_s(driver) - b0) / seconds,
    )


# The benchmark ------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    # tmpfs when there is one: SQLite commits (optuna adds trials one transaction each) then
    # cost no fsync, for every tool alike.
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(prefix="ui_bench_", dir=shm if shm.is_dir() else None))
    out: dict[str, Any] = {"args": vars(args)}
    servers: list[Server] = []
    driver = None

    def start(name: str, argv: list[str], ready: str) -> Server:
        port = free_port()
        server = Server(name, [a.replace("{port}", str(port)) for a in argv], port, ready)
        servers.append(server)
        return server

    def save(partial: dict[str, Any]) -> None:
        if args.json:
            args.json.write_text(json.dumps(partial, indent=1, default=str))

    anchors = not args.parabola_only
    try:
        t = time.perf_counter()
        import parabola

        cache = None if args.no_cache else args.cache_dir
        if anchors:
            import optuna

            o_db, _ = cached_store(
                cache,
                "optuna",
                args.trials,
                folder,
                lambda p: build_study(optuna, f"sqlite:///{p}", args.trials),
            )
            o_url = f"sqlite:///{o_db}"
        # parabola's store is built fresh each run (seconds), so its cold figures are cold.
        p_url = f"sqlite:///{folder / 'parabola.db'}"
        build_study(parabola, p_url, args.trials)
        print(f"studies ready ({time.perf_counter() - t:.0f} s)", flush=True)
        build_parabola_run(p_url, "run100k", args.steps)
        if anchors:
            m_db, m_run = cached_store(
                cache, "mlflow", args.steps, folder, lambda p: build_mlflow_run(p, args.steps)
            )
            m_uri = f"sqlite:///{m_db}"
        print(f"runs ready ({time.perf_counter() - t:.0f} s)", flush=True)
        if args.big_steps:
            for name in big_runs(args):
                build_parabola_run(p_url, name, args.big_steps)
        build_runs(p_url, args.runs)
        out["build_s"] = time.perf_counter() - t
        print(f"data built in {out['build_s']:.0f} s", flush=True)

        pb_argv = [str(VENV_BIN / "parabola"), "ui", p_url, "--port", "{port}"]
        # Extra starts on the same store, stopped at once: start time is noisy under load.
        starts = []
        for _ in range(args.start_repeat):
            extra = start("parabola", pb_argv, "/api/projects")
            starts.append((extra.start_s, extra.start_cpu_s))
            extra.stop()
            servers.remove(extra)
        pb = start("parabola", pb_argv, "/api/projects")
        starts.append((pb.start_s, pb.start_cpu_s))
        out["parabola.starts_wall_cpu_s"] = starts
        out["load_average"] = list(os.getloadavg())
        if anchors:
            od = start(
                "optuna-dashboard",
                [
                    str(VENV_BIN / "optuna-dashboard"),
                    o_url,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "{port}",
                ],
                "/api/meta",
            )
            ml = start(
                "mlflow",
                [
                    str(VENV_BIN / "mlflow"),
                    "server",
                    "--backend-store-uri",
                    m_uri,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "{port}",
                    "--workers",
                    "1",
                ],
                "/health",
            )
        for s in (pb, od, ml) if anchors else (pb,):
            out[f"{s.name}.start_s"] = s.start_s
            out[f"{s.name}.start_cpu_s"] = s.start_cpu_s
            out[f"{s.name}.processes"] = len(s.processes())
            out[f"{s.name}.rss_mib_at_start"] = s.rss_mib()
        if anchors:
            print(
                f"started: parabola {pb.start_s:.2f} s, optuna-dashboard {od.start_s:.2f} s, "
                f"mlflow {ml.start_s:.2f} s",
                flush=True,
            )

        # Study: the data request, cold then warm.
        sid = 1
        for name, url in (
            ("parabola", f"{pb.base}/api/studies/{sid}"),
            ("optuna-dashboard", f"{od.base}/api/studies/{sid}?after=0" if anchors else ""),
        ):
            if not url:
                continue
            server = pb if name == "parabola" else od
            c0 = server.cpu_s()
            cold, wire, body, status = get(url)
            assert status == 200, (name, status, body[:200])
            out[f"{name}.study_cold_s"] = cold
            out[f"{name}.study_cold_server_cpu_s"] = server.cpu_s() - c0
            out[f"{name}.study_wire_mb"] = wire / 1e6
            out[f"{name}.study_json_mb"] = len(body) / 1e6
            out[f"{name}.study_warm_s"] = median([get(url)[0] for _ in range(args.repeat)])
        data = json.loads(get(f"{pb.base}/api/studies/{sid}")[2])
        token = data["token"]
        c0 = pb.cpu_s()
        out["parabola.poll_s"] = median(
            [get(f"{pb.base}/api/studies/{sid}/poll?token={token}")[0] for _ in range(20)]
        )
        out["parabola.poll_cpu_s"] = (pb.cpu_s() - c0) / 20
        if anchors:
            # optuna-dashboard's page polls its data request with after=<trials it has>.
            out["optuna-dashboard.poll_s"] = median(
                [get(f"{od.base}/api/studies/{sid}?after={args.trials}")[0] for _ in range(5)]
            )
        t_imp, _, body, status = get(f"{pb.base}/api/studies/{sid}/figures/importance")
        assert status == 200 and json.loads(body)["available"], body[:300]
        out["parabola.importance_s"] = t_imp
        if anchors:
            t_imp, _, body, status = get(f"{od.base}/api/studies/{sid}/param_importances")
            out["optuna-dashboard.importance_s"] = t_imp if status == 200 else None
        print("study requests done", flush=True)
        save(out)

        # Run: one chart, then all ten (parabola: the first chart builds the run's envelope).
        for name, chart_url in (
            (
                "parabola",
                lambda k: (
                    f"{pb.base}/api/runs/e/bench/run100k/series?key=m{k}&points={CHART_POINTS // 2}"
                ),
            ),
            (
                "mlflow",
                lambda k: (
                    f"{ml.base}/ajax-api/2.0/mlflow/metrics/get-history-bulk-"
                    f"interval?run_ids={m_run}&metric_key=m{k}&max_results={CHART_POINTS}"
                ),
            ),
        ):
            if name == "mlflow" and not anchors:
                continue
            server = pb if name == "parabola" else ml
            c0 = server.cpu_s()
            first, _, body, status = get(chart_url(0))
            assert status == 200, (name, body[:300])
            out[f"{name}.chart_first_s"] = first
            out[f"{name}.chart_first_cpu_s"] = server.cpu_s() - c0
            c0 = server.cpu_s()
            t = time.perf_counter()
            for k in range(N_METRICS):
                get(chart_url(k))
            out[f"{name}.ten_charts_s"] = time.perf_counter() - t
            out[f"{name}.ten_charts_cpu_s"] = server.cpu_s() - c0
        body = json.loads(get(f"{pb.base}/api/runs/e/bench/run100k/series?key=m3&points=160")[2])
        out["parabola.chart_points"] = body["n_points"]
        out["parabola.spike_kept"] = max(body["y"]) > 40
        if args.big_steps:
            big = lambda k, run="run1m": (  # noqa: E731
                f"{pb.base}/api/runs/e/bench/{run}/series?key=m{k}&points=160"
            )
            # The first chart of each copy of the run: each is cold (its envelope is read
            # from the store), so the copies repeat that one figure.
            firsts, cpus = [], []
            for name in big_runs(args):
                c0 = pb.cpu_s()
                firsts.append(get(big(0, name))[0])
                cpus.append(pb.cpu_s() - c0)
            out["parabola.big_first_all_s"] = firsts
            out["parabola.big_first_s"] = median(firsts)
            out["parabola.big_first_cpu_s"] = median(cpus)
            out["parabola.big_chart_warm_s"] = median([get(big(1))[0] for _ in range(5)])
            c0 = pb.cpu_s()
            t = time.perf_counter()
            for k in range(N_METRICS):
                get(big(k))
            out["parabola.big_ten_charts_s"] = time.perf_counter() - t
            out["parabola.big_ten_charts_cpu_s"] = pb.cpu_s() - c0
            zoom = (
                f"{pb.base}/api/runs/e/bench/run1m/series?key=m2&points=160"
                "&min_step=400000&max_step=410000"
            )
            out["parabola.big_zoom_s"] = get(zoom)[0]
            body = json.loads(get(big(4))[2])
            out["parabola.big_spike_kept"] = max(body["y"]) > 40
        c0 = pb.cpu_s()
        t_runs = [get(f"{pb.base}/api/runs?project=e/many&limit=1000")[0] for _ in range(3)]
        out["parabola.runs_table_s"] = median(t_runs)
        out["parabola.runs_table_cpu_s"] = (pb.cpu_s() - c0) / 3
        out["parabola.rss_mib_after_requests"] = pb.rss_mib()
        print("run requests done", flush=True)
        save(out)

        if not args.skip_browser:
            driver = make_driver()
            driver.set_script_timeout(60)
            ready_parabola = "document.querySelector('.figure[data-drawn=\"1\"]')"
            ready_plotly = "document.querySelector('.js-plotly-plot .main-svg')"
            # Panels draw as they scroll into view: settled = every panel in the window drawn.
            all_panels = (
                "[...document.querySelectorAll('.panel .figure')].filter((f) => "
                "f.getBoundingClientRect().top < innerHeight).every((f) => f.childElementCount)"
            )
            out["parabola.study_browser"] = browser_page(
                driver, f"{pb.base}/studies/{sid}", ready_parabola, settled_js=all_panels
            )
            out["parabola.study_idle_cpu_pct"] = idle_cpu(driver, pb, args.idle)
            out["optuna-dashboard.study_browser"] = browser_page(
                driver, f"{od.base}/dashboard/studies/{sid}", ready_plotly
            )
            out["optuna-dashboard.study_idle_cpu_pct"] = idle_cpu(driver, od, args.idle)
            out["parabola.run_browser"] = browser_page(
                driver,
                f"{pb.base}/runs/e/bench/run100k",
                "document.querySelectorAll('#charts .chart[data-drawn]').length >= 10",
            )
            out["parabola.run_idle_cpu_pct"] = idle_cpu(driver, pb, args.idle)
            out["mlflow.run_browser"] = browser_page(
                driver,
                f"{ml.base}/#/experiments/0/runs/{m_run}/model-metrics",
                "document.querySelectorAll('.js-plotly-plot .main-svg, canvas').length >= 1",
                timeout=90,
            )
            out["mlflow.run_idle_cpu_pct"] = idle_cpu(driver, ml, args.idle)
            print("browser done", flush=True)
            save(out)
        for s in servers:
            out[f"{s.name}.rss_mib_at_end"] = s.rss_mib()
    finally:
        if driver is not None:
            driver.quit()
        for s in servers:
            s.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return out


def _f(v: Any, digits: int = 3) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def report_parabola(r: dict[str, Any]) -> str:
    """The server figures of a ``--parabola-only`` run, one per line."""
    starts = ", ".join(f"{w:.2f} s / {c:.2f} s CPU" for w, c in r["parabola.starts_wall_cpu_s"])
    la = ", ".join(f"{x:.1f}" for x in r["load_average"])
    lines = [
        f"load average at start: {la}",
        f"server start, wall / CPU to the first answer: {starts} (target <= 1 s)",
        f"server memory after the requests: {_f(r.get('parabola.rss_mib_after_requests'), 1)} MiB, "
        f"at end {_f(r.get('parabola.rss_mib_at_end'), 1)} MiB (target <= 200)",
        f"study data cold: {_f(r['parabola.study_cold_s'])} s, server CPU "
        f"{_f(r['parabola.study_cold_server_cpu_s'])} s (target <= 0.5)",
        f"study data warm: {_f(r['parabola.study_warm_s'])} s (target <= 0.1); "
        f"{_f(r['parabola.study_wire_mb'])} MB on the wire (target <= 1.6)",
        f"poll, nothing new: {_f(r['parabola.poll_s'], 4)} s, server CPU "
        f"{_f(r['parabola.poll_cpu_s'], 4)} s (target <= 0.010)",
        f"importance: {_f(r['parabola.importance_s'])} s",
        f"100k-step run: first chart {_f(r['parabola.chart_first_s'])} s "
        f"(CPU {_f(r['parabola.chart_first_cpu_s'])}), ten {_f(r['parabola.ten_charts_s'])} s",
    ]
    if "parabola.big_first_s" in r:
        lines.append(
            f"{r['args']['big_steps']:,}-step run: first chart {_f(r['parabola.big_first_s'])} s "
            f"(CPU {_f(r['parabola.big_first_cpu_s'])}; each run: "
            f"{' / '.join(_f(x) for x in r.get('parabola.big_first_all_s', []))}), one more "
            f"{_f(r['parabola.big_chart_warm_s'])} s, ten {_f(r['parabola.big_ten_charts_s'])} s "
            f"(CPU {_f(r['parabola.big_ten_charts_cpu_s'])}), zoom {_f(r['parabola.big_zoom_s'])} "
            f"s, spike kept {_f(r['parabola.big_spike_kept'])} (targets 0.030 / 0.300)"
        )
    lines.append(
        f"runs table, {r['args']['runs']} runs: {_f(r['parabola.runs_table_s'])} s "
        f"(CPU {_f(r['parabola.runs_table_cpu_s'])}; target <= 0.300)"
    )
    return "\n".join(lines)


def report(r: dict[str, Any]) -> str:
    if r["args"].get("parabola_only"):
        return report_parabola(r)

    def ratio(a: Any, b: Any) -> str:
        return f"{b / a:.1f}x" if a and b else "n/a"

    lines = [
        "| figure | parabola | anchor | anchor / parabola | target |",
        "|---|---:|---:|---:|---|",
    ]

    def row(label: str, p: Any, a: Any, target: str, anchor: str) -> None:
        lines.append(f"| {label} | {_f(p)} | {_f(a)} ({anchor}) | {ratio(p, a)} | {target} |")

    od, ml = "optuna-dashboard", "mlflow"
    row("study data, cold (s)", r["parabola.study_cold_s"], r[f"{od}.study_cold_s"], "<= 0.5", od)
    row("study data, warm (s)", r["parabola.study_warm_s"], r[f"{od}.study_warm_s"], "<= 0.1", od)
    row(
        "study data on the wire (MB)",
        r["parabola.study_wire_mb"],
        r[f"{od}.study_wire_mb"],
        "<= 1.6",
        od,
    )
    row("study data JSON (MB)", r["parabola.study_json_mb"], r[f"{od}.study_json_mb"], "", od)
    row("poll, nothing new (s)", r["parabola.poll_s"], r[f"{od}.poll_s"], "<= 0.010", od)
    lines.append(f"| poll, server CPU per poll (s) | {_f(r.get('parabola.poll_cpu_s'), 4)} | | | |")
    row("importance (s)", r["parabola.importance_s"], r[f"{od}.importance_s"], "<= 1", od)
    for key, target in (
        ("first_chart_s", "<= 3"),
        ("longest_task_ms", "<= 200"),
        ("heap_mib", "<= 50"),
    ):
        p = r.get("parabola.study_browser", {}).get(key)
        a = r.get(f"{od}.study_browser", {}).get(key)
        row(f"study page in Chromium: {key}", p, a, target, od)
    if "parabola.study_idle_cpu_pct" in r:
        row(
            "idle study tab, server CPU (% core)",
            r["parabola.study_idle_cpu_pct"][0],
            r[f"{od}.study_idle_cpu_pct"][0],
            "<= 1",
            od,
        )
        row(
            "idle study tab, browser CPU (% core)",
            r["parabola.study_idle_cpu_pct"][1],
            r[f"{od}.study_idle_cpu_pct"][1],
            "",
            od,
        )
    row("server start (s)", r["parabola.start_s"], r[f"{ml}.start_s"], "<= 1", ml)
    row("server start, CPU (s)", r.get("parabola.start_cpu_s"), r.get(f"{ml}.start_cpu_s"), "", ml)
    row("server processes", r["parabola.processes"], r[f"{ml}.processes"], "1", ml)
    row(
        "server memory at end (MiB)",
        r["parabola.rss_mib_at_end"],
        r[f"{ml}.rss_mib_at_end"],
        "<= 200",
        ml,
    )
    row("first chart of a run (s)", r["parabola.chart_first_s"], r[f"{ml}.chart_first_s"], "", ml)
    row(
        "first chart, server CPU (s)",
        r["parabola.chart_first_cpu_s"],
        r[f"{ml}.chart_first_cpu_s"],
        "",
        ml,
    )
    row("ten charts after it (s)", r["parabola.ten_charts_s"], r[f"{ml}.ten_charts_s"], "", ml)
    row(
        "ten charts, server CPU (s)",
        r["parabola.ten_charts_cpu_s"],
        r[f"{ml}.ten_charts_cpu_s"],
        "",
        ml,
    )
    p = r.get("parabola.run_browser", {}).get("first_chart_s")
    a = r.get(f"{ml}.run_browser", {}).get("first_chart_s")
    row("run page charts in Chromium (s)", p, a, "<= 3", ml)
    if "parabola.run_idle_cpu_pct" in r:
        row(
            "idle run tab, server CPU (% core)",
            r["parabola.run_idle_cpu_pct"][0],
            r[f"{ml}.run_idle_cpu_pct"][0],
            "<= 1",
            ml,
        )
        row(
            "idle run tab, browser CPU (% core)",
            r["parabola.run_idle_cpu_pct"][1],
            r[f"{ml}.run_idle_cpu_pct"][1],
            "",
            ml,
        )
    p = r.get("parabola.study_browser", {}).get("all_s")
    lines.append("")
    lines.append(f"parabola study page, every figure drawn after {_f(p)} s.")
    lines.append("")
    lines.append(
        f"optuna-dashboard start {_f(r[f'{od}.start_s'])} s, "
        f"{r[f'{od}.processes']} process(es), {_f(r[f'{od}.rss_mib_at_end'], 0)} MiB."
    )
    lines.append(
        f"parabola chart: {r['parabola.chart_points']} points per series, spike kept: "
        f"{_f(r['parabola.spike_kept'])}."
    )
    if "parabola.big_first_s" in r:
        lines.append(
            f"parabola, one run of 10 x {r['args']['big_steps']:,} steps: first chart (builds the "
            f"run's envelope) {_f(r['parabola.big_first_s'])} s, one more chart "
            f"{_f(r['parabola.big_chart_warm_s'])} s, all ten {_f(r['parabola.big_ten_charts_s'])} "
            f"s, a 10,000-step zoom {_f(r['parabola.big_zoom_s'])} s, spike kept: "
            f"{_f(r['parabola.big_spike_kept'])} (targets: one chart <= 0.030 s, ten <= 0.300 s)."
        )
    lines.append(
        f"parabola runs table, {r['args']['runs']} runs: "
        f"{_f(r['parabola.runs_table_s'])} s (target <= 0.300)."
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument(
        "--steps", type=int, default=100_000, help="steps of the MLflow-compared run"
    )
    parser.add_argument("--big-steps", type=int, default=1_000_000)
    parser.add_argument(
        "--big-runs",
        type=int,
        default=1,
        help="copies of the --big-steps run, each charted cold: its first-chart figure is "
        "their median (one sample is noisy on a loaded machine)",
    )
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle-tab sampling")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument(
        "--parabola-only",
        action="store_true",
        help="time parabola's server alone (no anchors, no browser): for iterating",
    )
    parser.add_argument(
        "--start-repeat",
        type=int,
        default=2,
        help="extra parabola starts (wall and CPU to the first answer) before the measured one",
    )
    parser.add_argument("--quick", action="store_true", help="shorter idle sampling")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw figures here")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path.home() / ".cache" / "parabola-ui-bench",
        help="where the anchors' stores are kept between runs, keyed by size",
    )
    parser.add_argument("--no-cache", action="store_true", help="rebuild the anchors' stores")
    parser.add_argument(
        "--build-only", action="store_true", help="fill the cache for these sizes and stop"
    )
    args = parser.parse_args()
    if args.parabola_only:
        args.skip_browser = True
    if args.quick:
        args.idle = 3.0
        args.repeat = 3
    if args.build_only:
        import optuna

        shm = Path("/dev/shm")
        with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp:
            folder = Path(tmp)
            cached_store(
                args.cache_dir,
                "optuna",
                args.trials,
                folder,
                lambda p: build_study(optuna, f"sqlite:///{p}", args.trials),
            )
            cached_store(
                args.cache_dir,
                "mlflow",
                args.steps,
                folder,
                lambda p: build_mlflow_run(p, args.steps),
            )
        return 0
    result = run(args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str))
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
