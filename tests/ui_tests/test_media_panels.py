"""The run page's media panels: logged images, tables, histograms, charts and alerts.

In-process through Starlette's TestClient for the JSON and the files, and one headless
Chromium check (skipped without Debian's chromium and chromedriver) that an image renders and
a table shows its rows. The store is this module's own: a run that logged media with XSS
payloads in captions, column names and cells.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.testclient import TestClient

import parabola
from parabola.ui import DashboardServer, create_app, run_server
from tests.ui_tests._seed import XSS
from tests.ui_tests.test_browser import CHROMEDRIVER, CHROMIUM, errors, make_driver, wait_for


@dataclass
class MediaRun:
    url: str
    path: tuple[str, str, str]
    pixels: list[Any]  # the image logged at each step


def _log_media(folder: Path) -> MediaRun:
    url = f"sqlite:///{folder / 'media.db'}"
    pixels = []
    with parabola.init(
        project="media",
        entity="me",
        name="media run",
        storage=url,
        settings={"x_disable_stats": True},
    ) as run:
        for step in range(3):
            image = np.zeros((8, 12, 3), dtype=np.uint8)
            image[:, : 4 * (step + 1)] = (200, 40 * step, 10)
            pixels.append(image)
            run.log(
                {
                    "sample": parabola.Image(image, caption=f"step {step} {XSS}"),
                    "weights": parabola.Histogram(np.arange(20) + 5 * step),
                    "loss": 1.0 / (step + 1),
                }
            )
        table = parabola.Table(
            columns=["id", XSS], data=[[i, XSS if i == 1 else f"row {i}"] for i in range(7)]
        )
        xy = parabola.Table(columns=["x", "y"], data=[[i, i * i] for i in range(10)])
        run.log(
            {
                "preds": table,
                "curve": parabola.plot.line(xy, "x", "y", title=XSS),
                "cm": parabola.plot.confusion_matrix(
                    y_true=[0, 1, 1, 0], preds=[0, 1, 0, 0], class_names=["cat", XSS]
                ),
            }
        )
        run.alert(title=XSS, text="loss is " + XSS, level="WARN")
        path = (run.entity, run.project, run.id)
    return MediaRun(url, path, pixels)


@pytest.fixture(scope="module")
def media_run(tmp_path_factory: pytest.TempPathFactory) -> MediaRun:
    return _log_media(tmp_path_factory.mktemp("ui-media"))


@pytest.fixture(scope="module")
def client(media_run: MediaRun) -> Iterator[TestClient]:
    with TestClient(create_app(media_run.url), raise_server_exceptions=False) as c:
        yield c


def _api(path: tuple[str, str, str]) -> str:
    return "/api/runs/" + "/".join(path)


def test_the_media_endpoint_lists_every_reference(client: TestClient, media_run: MediaRun) -> None:
    m = client.get(_api(media_run.path) + "/media").json()
    images = m["images"]["sample"]
    assert [i["step"] for i in images] == [0, 1, 2]
    assert images[0]["path"].startswith("media/images/sample_0_")
    assert images[2]["caption"] == f"step 2 {XSS}"  # data, as logged
    assert (images[0]["width"], images[0]["height"]) == (12, 8)
    hist = m["histograms"]["weights"]
    assert [h["step"] for h in hist] == [0, 1, 2]
    assert sum(hist[0]["values"]) == 20 and len(hist[0]["bins"]) == len(hist[0]["values"]) + 1
    (table,) = m["tables"]["preds"]
    assert table["step"] == 3 and table["nrows"] == 7 and table["columns"] == ["id", XSS]
    (curve,) = m["charts"]["curve"]
    assert curve["spec"] == "wandb/line/v0"
    assert curve["fields"] == {"x": "x", "y": "y"}
    assert curve["string_fields"]["title"] == XSS
    assert curve["table"]["path"].endswith(".table.json")
    assert m["charts"]["cm"][0]["spec"] == "wandb/confusion_matrix/v1"
    assert "loss" not in m["images"] and "loss" not in m["tables"]
    (alert,) = m["alerts"]
    assert (alert["title"], alert["level"]) == (XSS, "WARN")


def test_an_image_is_served_inline_with_its_content_type(
    client: TestClient, media_run: MediaRun
) -> None:
    from PIL import Image

    m = client.get(_api(media_run.path) + "/media").json()
    for i, ref in enumerate(m["images"]["sample"]):
        r = client.get("/media/" + "/".join(media_run.path) + "/" + ref["path"])
        assert r.status_code == 200
        assert r.headers["content-type"] == "image/png"
        assert r.headers["content-disposition"].startswith("inline")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(r.content))), media_run.pixels[i])


def test_a_table_file_is_a_download_not_a_page(client: TestClient, media_run: MediaRun) -> None:
    ref = client.get(_api(media_run.path) + "/media").json()["tables"]["preds"][0]
    r = client.get("/media/" + "/".join(media_run.path) + "/" + ref["path"])
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment")


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "media/../../../etc/passwd",
        "media/images/..%2F..%2Fetc%2Fpasswd",
        "media/images/%2E%2E/%2E%2E/x.png",
    ],
)
def test_a_dotdot_path_is_refused(client: TestClient, media_run: MediaRun, name: str) -> None:
    base = "/".join(media_run.path)
    for url in (f"/media/{base}/{name}", f"{_api(media_run.path)}/table?path={name}.table.json"):
        r = client.get(url)
        assert r.status_code in (400, 404), url
        assert "root:" not in r.text


def test_an_unknown_file_is_404(client: TestClient, media_run: MediaRun) -> None:
    r = client.get("/media/" + "/".join(media_run.path) + "/media/images/nope.png")
    assert r.status_code == 404


def test_table_rows_are_data_and_bounded(client: TestClient, media_run: MediaRun) -> None:
    ref = client.get(_api(media_run.path) + "/media").json()["tables"]["preds"][0]
    r = client.get(_api(media_run.path) + "/table", params={"path": ref["path"], "rows": 3})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    t = r.json()
    assert t["columns"] == ["id", XSS]
    assert t["data"] == [[0, "row 0"], [1, XSS], [2, "row 2"]]
    assert (t["nrows"], t["truncated"]) == (7, True)
    whole = client.get(_api(media_run.path) + "/table", params={"path": ref["path"]}).json()
    assert len(whole["data"]) == 7 and whole["truncated"] is False
    too_many = client.get(
        _api(media_run.path) + "/table", params={"path": ref["path"], "rows": 10**6}
    )
    assert too_many.status_code == 400
    image = client.get(_api(media_run.path) + "/media").json()["images"]["sample"][0]["path"]
    not_table = client.get(_api(media_run.path) + "/table", params={"path": image})
    assert not_table.status_code == 400


def test_the_run_page_has_the_media_sections(client: TestClient, media_run: MediaRun) -> None:
    r = client.get("/runs/" + "/".join(media_run.path))
    assert r.status_code == 200
    for section in ('id="media"', 'id="media-images"', 'id="media-tables"', 'id="alerts"'):
        assert section in r.text


# ------------------------------------------------------------------------------ in a browser
browser = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver",
)


@pytest.fixture(scope="module")
def server(media_run: MediaRun) -> Iterator[DashboardServer]:
    with run_server(media_run.url) as s:
        yield s


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    d = make_driver()
    try:
        yield d
    finally:
        d.quit()  # ends chromium and chromedriver (started by this fixture only)


@browser
def test_media_render_in_a_browser(
    server: DashboardServer, driver: Any, media_run: MediaRun
) -> None:
    driver.get_log("browser")
    driver.get(server.url + "runs/" + "/".join(media_run.path))
    card = wait_for(lambda: driver.find_elements("css selector", '.media-card[data-key="sample"]'))[
        0
    ]
    img = card.find_element("tag name", "img")
    wait_for(lambda: driver.execute_script("return arguments[0].naturalWidth", img) == 12)
    assert card.get_attribute("data-step") == "2"  # the latest step first
    assert card.find_element("class name", "caption").text == f"step 2 {XSS}"
    # The slider moves to another step's image and caption.
    slider = card.find_element("css selector", "input[type=range]")
    driver.execute_script(
        "arguments[0].value = 0; arguments[0].dispatchEvent(new Event('input'))", slider
    )
    wait_for(lambda: card.get_attribute("data-step") == "0")
    assert card.find_element("class name", "caption").text == f"step 0 {XSS}"
    assert "sample_0_" in img.get_attribute("src")
    # The table shows its rows, the XSS cell and column name as text, and sorts.
    rows = wait_for(
        lambda: driver.find_elements("css selector", '.media-table[data-key="preds"] tbody tr')
    )
    assert len(rows) == 7
    table = driver.find_element("css selector", '.media-table[data-key="preds"]')
    assert XSS in [c.text for c in table.find_elements("css selector", "td")]
    heads = table.find_elements("css selector", "th")
    assert [h.text for h in heads] == ["id", XSS]
    heads[0].click()
    heads[0].click()  # descending
    first = table.find_element("css selector", "tbody tr td")
    assert first.text == "6"
    # The charts and histograms were drawn; alerts listed; no payload ran.
    wait_for(
        lambda: len(driver.find_elements("css selector", "#media-charts .chart[data-drawn]")) == 2
    )
    wait_for(lambda: driver.find_elements("css selector", "#media-histograms .chart[data-drawn]"))
    assert XSS in driver.find_element("id", "alerts").text
    time.sleep(0.5)
    assert driver.execute_script("return window.__xss === undefined") is True
    assert errors(driver) == []
