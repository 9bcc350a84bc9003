"""What a person sees: the dashboard in a real headless Chromium (Debian's), driven by Selenium.

The server is a real one on a free 127.0.0.1 port (``run_server``). Skipped when Chromium or
chromedriver is not installed (CI installs both).
"""

from __future__ import annotations

import io
import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from parabola.storages import RunKey, RunRecord, RunState, RunUpdate
from parabola.ui import DashboardServer, run_server
from tests.ui_tests._seed import Seeded

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver",
)


def make_driver(width: int = 1400, height: int = 1400) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--window-size={width},{height}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


@pytest.fixture(scope="module")
def server(seeded: Seeded) -> Iterator[DashboardServer]:
    with run_server(seeded.url) as s:
        yield s


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    d = make_driver()
    try:
        yield d
    finally:
        d.quit()  # ends chromium and chromedriver (started by this fixture only)


def wait_for(condition: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out waiting for the page"
        time.sleep(0.1)


def errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def nonblank(png: bytes) -> int:
    """How many distinct colours a screenshot holds (a blank area has one or two)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    colors = image.getcolors(maxcolors=1_000_000) or []
    return len(colors)


def _run_url(path: tuple[str, str, str]) -> str:
    return "runs/" + "/".join(path)


@pytest.mark.parametrize(
    "page",
    [
        "",
        "projects/{e}/proj",
        "{run}",
        "studies/{study}",
        "studies/{study}/trials/0",
        "{trial_run}",
    ],
)
def test_pages_load_without_console_errors(
    server: DashboardServer, driver: Any, seeded: Seeded, page: str
) -> None:
    url = server.url + page.format(
        e=seeded.run_path[0],
        run=_run_url(seeded.run_path),
        trial_run=_run_url(seeded.trial_run_path),
        study=seeded.study_id,
    )
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    wait_for(lambda: driver.execute_script("return document.readyState") == "complete")
    time.sleep(1.0)  # let the page's fetches and charts finish
    assert errors(driver) == []
    assert driver.find_element("id", "error").get_attribute("hidden") is not None
    # XSS payloads in names, tags, config and user attributes never ran.
    assert driver.execute_script("return window.__xss === undefined") is True


def test_run_charts_render(server: DashboardServer, driver: Any, seeded: Seeded) -> None:
    driver.get(server.url + _run_url(seeded.run_path))
    charts = wait_for(lambda: driver.find_elements("css selector", "#charts .chart[data-drawn]"))
    wait_for(lambda: len(driver.find_elements("css selector", "#charts .chart[data-drawn]")) == 2)
    for chart in charts:
        assert nonblank(chart.screenshot_as_png) > 20
        assert int(chart.get_attribute("data-points")) > 10
    system = wait_for(
        lambda: driver.find_elements("css selector", "#system-charts .chart[data-drawn]")
    )
    assert nonblank(system[0].screenshot_as_png) > 20
    # The config value holding markup is shown as text.
    config = driver.find_element("id", "config").text
    assert '<img src=x onerror="window.__xss=2">' in config


def test_study_figures_render(server: DashboardServer, driver: Any, seeded: Seeded) -> None:
    driver.get(server.url + f"studies/{seeded.study_id}")
    history = wait_for(
        lambda: driver.find_elements(
            "css selector", '[data-panel="history"] .figure[data-drawn="1"]'
        )
    )
    assert nonblank(history[0].screenshot_as_png) > 20
    rows = wait_for(lambda: driver.find_elements("css selector", "#trials tbody tr"))
    assert len(rows) == 12
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "state-filter")).select_by_visible_text("PRUNED")
    wait_for(lambda: len(driver.find_elements("css selector", "#trials tbody tr")) == 0)


def test_a_filter_narrows_the_runs_table(
    server: DashboardServer, driver: Any, seeded: Seeded
) -> None:
    from selenium.webdriver.common.keys import Keys

    driver.get(server.url + f"projects/{seeded.run_path[0]}/proj")
    wait_for(lambda: len(driver.find_elements("css selector", "#runs tbody tr")) == 4)
    box = driver.find_element("id", "filters")
    box.send_keys(json.dumps({"config.lr": {"$gt": 0.025}}))
    box.send_keys(Keys.ENTER)
    wait_for(lambda: len(driver.find_elements("css selector", "#runs tbody tr")) == 2)
    # A malformed filter shows the server's sentence, and the table stays as it was.
    box.clear()
    box.send_keys("{nope")
    box.send_keys(Keys.ENTER)
    message = wait_for(lambda: driver.find_element("id", "error").text)
    assert "filters: not valid JSON" in message
    assert len(driver.find_elements("css selector", "#runs tbody tr")) == 2


def test_a_live_run_chart_gains_points(
    server: DashboardServer, driver: Any, seeded: Seeded
) -> None:
    from parabola.storages._base import utcnow

    store = seeded.storage
    now = utcnow()
    store.create_run(RunRecord("live1", "proj", "e", "live run", RunState.RUNNING, now, now))
    store.append_run_history(
        RunKey("e", "proj", "live1"), [{"_step": i, "loss": 1.0 / (i + 1)} for i in range(10)]
    )
    driver.get(server.url + "runs/e/proj/live1")
    chart = wait_for(lambda: driver.find_elements("css selector", "#charts .chart[data-drawn]"))[0]
    assert chart.get_attribute("data-points") == "10"
    assert driver.find_element("id", "live").is_displayed()
    store.append_run_history(
        RunKey("e", "proj", "live1"), [{"_step": 10 + i, "loss": 0.01} for i in range(15)]
    )
    store.update_run(RunKey("e", "proj", "live1"), RunUpdate(heartbeat_at=utcnow()))
    wait_for(lambda: chart.get_attribute("data-points") == "25", timeout=15)


def test_a_dotdot_file_path_is_refused(
    server: DashboardServer, driver: Any, seeded: Seeded
) -> None:
    e, p, r = seeded.run_path
    driver.get(server.url + _run_url(seeded.run_path))
    wait_for(lambda: driver.find_elements("css selector", "#files a"))
    statuses = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const base = arguments[0];
        Promise.all([base + "..%2F..%2Fstore.db", base + "%2E%2E/%2E%2E/store.db",
                     base + "notes.txt"].map((u) => fetch(u).then((x) => x.status)))
          .then(done);
        """,
        f"/files/{e}/{p}/{r}/",
    )
    assert statuses[0] in (400, 404) and statuses[1] in (400, 404)
    assert statuses[2] == 200  # the run's own file is served
    driver.get(server.url + f"files/{e}/{p}/{r}/../../../../store.db")
    assert "SQLite" not in driver.page_source


def test_screenshot_pages(tmp_path: Path) -> None:
    """The README's pictures: a run page and a study page of a demo store, by this browser.

    Writes ``docs/images/`` only when ``UI_SCREENSHOTS`` names that folder; otherwise into a
    temporary folder, so the test still checks the pictures are not blank.
    """
    import os

    out = Path(os.environ.get("UI_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    from tests.ui_tests._demo import demo_store

    url, run_path, study_id = demo_store(tmp_path / "demo.db")
    d = make_driver(1280, 1500)
    try:
        with run_server(url) as s:
            d.get(s.url + _run_url(run_path))
            wait_for(lambda: len(d.find_elements("css selector", ".chart[data-drawn]")) >= 4)
            time.sleep(1.0)
            d.save_screenshot(str(out / "dashboard-run.png"))
            d.get(s.url + f"studies/{study_id}")
            wait_for(
                lambda: len(d.find_elements("css selector", '.figure[data-drawn="1"]')) >= 4,
                timeout=60,
            )
            time.sleep(1.0)
            d.save_screenshot(str(out / "dashboard-study.png"))
    finally:
        d.quit()
    for name in ("dashboard-run.png", "dashboard-study.png"):
        assert nonblank((out / name).read_bytes()) > 50


_ORDER = """
window.__order = [];
new MutationObserver(() => {
  const seen = new Set(window.__order);
  const chart = document.querySelector('.figure[data-drawn="1"]');
  if (!seen.has("chart") && chart) window.__order.push("chart");
  const row = document.querySelector("#trials tbody tr");
  if (!seen.has("table") && row) window.__order.push("table");
}).observe(document, { childList: true, subtree: true, attributes: true });
"""


def test_study_page_draws_its_first_chart_before_the_trials_table(
    server: DashboardServer, seeded: Seeded
) -> None:
    d = make_driver()
    try:
        d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _ORDER})
        d.get(server.url + f"studies/{seeded.study_id}")
        order = wait_for(
            lambda: (o := d.execute_script("return window.__order")) and len(o) == 2 and o
        )
        assert order == ["chart", "table"]
        assert errors(d) == []
    finally:
        d.quit()


def test_big_study_first_view_draws_a_budget_and_the_full_figure_on_ask(
    tmp_path: Path,
) -> None:
    from tests.ui_tests._big import big_study

    url, study_id = big_study(tmp_path / "big.db")
    d = make_driver()
    try:
        with run_server(url) as s:
            d.get(s.url + f"studies/{study_id}")
            panel = '[data-panel="history"]'
            figure = wait_for(
                lambda: d.find_elements("css selector", f'{panel} .figure[data-drawn="1"]')
            )[0]
            assert int(figure.get_attribute("data-points")) <= 1002
            note = d.find_element("css selector", f"{panel} .points")
            assert note.is_displayed() and "of 1,500 points drawn" in note.text
            # The points are drawn (SVG markers), as many as the answer said.
            markers = d.find_elements("css selector", f"{panel} .scatterlayer .trace .point")
            assert len(markers) == int(figure.get_attribute("data-points"))
            note.find_element("tag name", "button").click()
            wait_for(lambda: figure.get_attribute("data-points") == "all")
            wait_for(lambda: not note.is_displayed())
            markers = d.find_elements("css selector", f"{panel} .scatterlayer .trace .point")
            assert len(markers) == 1500
            assert errors(d) == []
    finally:
        d.quit()
