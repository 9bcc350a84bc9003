"""Every endpoint of the dashboard, in-process through Starlette's TestClient."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from parabola.ui import create_app
from tests.ui_tests._seed import XSS, Seeded


@pytest.fixture(scope="module")
def client(seeded: Seeded) -> Iterator[TestClient]:
    # raise_server_exceptions=False: the test sees what a browser would (a 500 is a failure
    # of the assertions below, not an exception that hides the answer).
    with TestClient(create_app(seeded.url), raise_server_exceptions=False) as c:
        yield c


def _api(path: tuple[str, str, str]) -> str:
    return "/api/runs/" + "/".join(path)


@pytest.mark.parametrize(
    "url",
    ["/", "/projects/{e}/proj", "/runs/{e}/{p}/{r}", "/studies/{s}", "/studies/{s}/trials/0"],
)
def test_pages_render_with_escaped_names(client: TestClient, seeded: Seeded, url: str) -> None:
    e, p, r = seeded.run_path
    response = client.get(url.format(e=e, p=p, r=r, s=seeded.study_id))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<script>window.__xss" not in response.text  # names are escaped by the template
    assert '<script src="/static/app.js" defer></script>' in response.text


def test_page_context_is_json_in_an_attribute(client: TestClient, seeded: Seeded) -> None:
    e, p, r = seeded.run_path
    text = client.get(f"/runs/{e}/{p}/{r}").text
    assert 'data-context="{&#34;kind&#34;: &#34;run&#34;' in text


def test_static_assets_and_plotly_are_served_locally(client: TestClient) -> None:
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert "plotly" in js.text[:2000].lower()
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/nope.js").status_code == 404


def test_plotly_is_cached_by_the_browser(client: TestClient, seeded: Seeded) -> None:
    page = client.get(f"/studies/{seeded.study_id}").text
    url = re.search(r'<script id="plotly-js" src="([^"]+)" defer>', page)
    assert url is not None and re.fullmatch(r"/static/plotly-[0-9][\w.]*\.min\.js", url[1])
    versioned = client.get(url[1])
    assert versioned.status_code == 200 and len(versioned.content) > 1_000_000
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert versioned.headers["content-type"].startswith("text/javascript")
    etag = versioned.headers["etag"]
    again = client.get(url[1], headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    # The unversioned name (kept for links) is revalidated each time instead.
    plain = client.get("/static/plotly.min.js")
    assert plain.headers["cache-control"] == "no-cache" and plain.headers["etag"] == etag
    assert client.get("/static/plotly.min.js", headers={"if-none-match": etag}).status_code == 304


def test_pages_load_app_js_before_plotly_both_deferred(client: TestClient, seeded: Seeded) -> None:
    page = client.get(f"/studies/{seeded.study_id}").text
    app_js, plotly_js = page.index('src="/static/app.js" defer'), page.index('id="plotly-js"')
    assert app_js < plotly_js
    assert "plotly" not in client.get("/").text  # the home page draws no chart


def test_projects(client: TestClient) -> None:
    projects = client.get("/api/projects").json()
    by_name = {p["project"]: p for p in projects}
    assert by_name["proj"]["n_runs"] == 4
    assert "sweep" in by_name


def test_runs_table_columns_and_escaping(client: TestClient, seeded: Seeded) -> None:
    e = seeded.run_path[0]
    table = client.get("/api/runs", params={"project": f"{e}/proj"}).json()
    assert table["total"] == 4 and len(table["runs"]) == 4
    assert {"lr", "layers", XSS} <= set(table["config_columns"])
    assert {"loss", "acc"} <= set(table["summary_columns"])
    run = table["runs"][0]
    assert run["name"].endswith(XSS) and XSS in run["tags"]  # data comes back verbatim


def test_runs_filters_are_wandb_filters(client: TestClient, seeded: Seeded) -> None:
    e = seeded.run_path[0]
    q = {"project": f"{e}/proj", "filters": json.dumps({"config.lr": {"$gt": 0.025}})}
    table = client.get("/api/runs", params=q).json()
    assert sorted(r["config"]["lr"] for r in table["runs"]) == [0.03, 0.04]
    q = {"project": f"{e}/proj", "filters": json.dumps({"tags": "baseline"})}
    assert client.get("/api/runs", params=q).json()["total"] == 2
    q = {"project": f"{e}/proj", "filters": json.dumps({"group": "g1"}), "order": "+config.lr"}
    assert [r["config"]["layers"] for r in client.get("/api/runs", params=q).json()["runs"]] == [
        2,
        4,
    ]


def test_runs_paging(client: TestClient, seeded: Seeded) -> None:
    e = seeded.run_path[0]
    q = {"project": f"{e}/proj", "limit": "2", "offset": "3", "order": "+created_at"}
    table = client.get("/api/runs", params=q).json()
    assert table["total"] == 4 and len(table["runs"]) == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"filters": "{bad"}, "filters: not valid JSON"),
        ({"filters": "[1]"}, "expected a JSON object"),
        ({"filters": json.dumps({"config.lr": {"$nope": 1}})}, "$nope"),
        ({"limit": "1000000"}, "limit: expected 1..5000"),
        ({"limit": "ten"}, "limit: expected an integer"),
        ({"offset": "-1"}, "offset"),
        ({"order": "+"}, "order"),
        ({"project": "a/b/c"}, "path"),
    ],
)
def test_runs_bad_requests_are_400(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    response = client.get("/api/runs", params=params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_runs_csv(client: TestClient, seeded: Seeded) -> None:
    e = seeded.run_path[0]
    response = client.get("/api/runs.csv", params={"project": f"{e}/proj"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:4] == ["entity", "project", "id", "name"]
    assert "config.lr" in rows[0] and "summary.loss" in rows[0]
    assert len(rows) == 5


def test_csv_neutralises_formulas() -> None:
    from parabola.ui._runs import runs_csv

    table = {
        "config_columns": ["cmd"],
        "summary_columns": [],
        "runs": [
            {
                "entity": "e",
                "project": "p",
                "id": "r",
                "name": '=HYPERLINK("x")',
                "state": "finished",
                "created_at": "",
                "group": None,
                "job_type": None,
                "tags": [],
                "config": {"cmd": "+1"},
                "summary": {},
            }
        ],
    }
    rows = list(csv.reader(io.StringIO(runs_csv(table))))
    assert rows[1][3] == '\'=HYPERLINK("x")' and rows[1][-1] == "'+1"


def test_run_detail(client: TestClient, seeded: Seeded) -> None:
    d = client.get(_api(seeded.run_path)).json()
    assert d["state"] == "finished" and d["group"] == "g0" and d["job_type"] == "train"
    assert d["notes"] == XSS and XSS in d["tags"] and d["config"][XSS] == XSS
    assert d["metrics"] == ["acc", "loss"]
    assert d["system_metrics"] == ["cpu"]
    assert [f["name"] for f in d["files"]] == ["notes.txt"]
    assert d["last_step"] == 199
    assert d["study_id"] is None


def test_run_of_a_trial_links_back(client: TestClient, seeded: Seeded) -> None:
    d = client.get(_api(seeded.trial_run_path)).json()
    assert d["study_id"] == seeded.study_id and d["trial_number"] == 0


def test_unknown_run_is_404(client: TestClient, seeded: Seeded) -> None:
    e = seeded.run_path[0]
    for url in (
        f"/api/runs/{e}/proj/nope",
        f"/runs/{e}/proj/nope",
        f"/api/runs/{e}/proj/nope/poll",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "proj/" in response.text


def test_series_keeps_the_spike_and_respects_the_budget(client: TestClient, seeded: Seeded) -> None:
    s = client.get(_api(seeded.run_path) + "/series", params={"key": "loss", "points": "10"})
    body = s.json()
    assert s.status_code == 200 and body["n_points"] <= 22
    assert max(body["y"]) > 100 and 123 in body["step"]
    assert body["step"][0] == 0 and body["step"][-1] == 199


def test_series_zoom_rebuckets_the_range(client: TestClient, seeded: Seeded) -> None:
    q = {"key": "loss", "min_step": "100", "max_step": "110", "points": "500"}
    body = client.get(_api(seeded.run_path) + "/series", params=q).json()
    assert body["step"] == list(range(100, 111))  # a narrow zoom: every row of the range


@pytest.mark.parametrize("x_axis", ["_runtime", "_timestamp", "acc"])
def test_series_other_x_axes(client: TestClient, seeded: Seeded, x_axis: str) -> None:
    q = {"key": "loss", "x": x_axis, "points": "20"}
    body = client.get(_api(seeded.run_path) + "/series", params=q).json()
    assert body["x_axis"] == x_axis and len(body["x"]) == len(body["y"]) > 0
    assert all(isinstance(v, float) for v in body["x"])
    if x_axis == "acc":
        assert body["x"] == sorted(body["x"])  # acc = step / 200 grows with the step


def test_system_series(client: TestClient, seeded: Seeded) -> None:
    q = {"key": "cpu", "stream": "system"}
    assert client.get(_api(seeded.run_path) + "/series", params=q).json()["y"] == [
        10.0,
        11.0,
        12.0,
        13.0,
        14.0,
    ]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"key": "nope"}, 404),
        ({"key": "loss", "points": "1"}, 400),
        ({"key": "loss", "points": "999999"}, 400),
        ({"key": "loss", "min_step": "x"}, 400),
        ({"key": "loss", "min_step": "5", "max_step": "1"}, 400),
        ({"key": "loss", "stream": "other"}, 400),
        ({"key": "loss", "x": "nope"}, 404),
    ],
)
def test_series_bad_requests(
    client: TestClient, seeded: Seeded, params: dict[str, str], status: int
) -> None:
    response = client.get(_api(seeded.run_path) + "/series", params=params)
    assert response.status_code == status
    assert response.json()["error"]


def test_group_series_band(client: TestClient, seeded: Seeded) -> None:
    e = seeded.run_path[0]
    runs = client.get("/api/runs", params={"project": f"{e}/proj"}).json()["runs"]
    paths = ",".join(f"{r['entity']}/{r['project']}/{r['id']}" for r in runs)
    g = client.get("/api/series/group", params={"runs": paths, "key": "loss", "points": "50"})
    body = g.json()
    assert g.status_code == 200 and body["n_runs"] == 4 and len(body["x"]) == 50
    bands = zip(body["min"], body["mean"], body["max"], strict=True)
    assert all(lo <= m <= hi for lo, m, hi in bands)
    assert max(body["max"]) > 100  # the spike is in the band
    bad = client.get("/api/series/group", params={"runs": "x", "key": "loss"})
    assert bad.status_code == 400
    assert client.get("/api/series/group", params={"key": "loss"}).status_code == 400
    missing = client.get("/api/series/group", params={"runs": f"{e}/proj/nope", "key": "loss"})
    assert missing.status_code == 404


def test_run_poll(client: TestClient, seeded: Seeded) -> None:
    p = client.get(_api(seeded.run_path) + "/poll").json()
    assert p["state"] == "finished" and p["last_step"] == 199


def test_file_download(client: TestClient, seeded: Seeded) -> None:
    e, p, r = seeded.run_path
    response = client.get(f"/files/{e}/{p}/{r}/notes.txt")
    assert response.status_code == 200 and response.text == "hello from a run\n"
    assert "attachment" in response.headers["content-disposition"]
    assert client.get(f"/files/{e}/{p}/{r}/other.txt").status_code == 404


@pytest.mark.parametrize(
    "name", ["../store.db", "..%2Fstore.db", "a/../../store.db", "%2E%2E/%2E%2E/etc/passwd"]
)
def test_file_paths_cannot_escape(client: TestClient, seeded: Seeded, name: str) -> None:
    e, p, r = seeded.run_path
    response = client.get(f"/files/{e}/{p}/{r}/{name}")
    assert response.status_code in (400, 404)
    assert "hello" not in response.text and "SQLite" not in response.text


def test_studies_list(client: TestClient, seeded: Seeded) -> None:
    studies = {s["study_id"]: s for s in client.get("/api/studies").json()}
    s = studies[seeded.study_id]
    assert s["study_name"] == "study " + XSS and s["n_trials"] == 12
    assert s["directions"] == ["minimize"] and s["states"] == {"COMPLETE": 12}
    assert s["best"]["value"] is not None
    assert studies[seeded.multi_id]["directions"] == ["minimize", "maximize"]
    assert studies[seeded.multi_id]["best"] is None


def test_study_data_is_column_wise(client: TestClient, seeded: Seeded) -> None:
    d = client.get(f"/api/studies/{seeded.study_id}").json()
    assert d["n_trials"] == 12 and d["params"] == ["kind", "x"] and d["user_attrs"] == ["why"]
    t = d["trials"]
    assert t["number"] == list(range(12)) and set(t["state"]) == {"COMPLETE"}
    assert len(t["params"]["x"]) == 12 and t["user_attrs"]["why"][0] == XSS
    assert t["n_intermediate"] == [4] * 12
    assert d["first_unfinished"] == 12
    assert len(d["runs"]) >= 3
    part = client.get(f"/api/studies/{seeded.study_id}", params={"since": "10"}).json()
    assert part["trials"]["number"] == [10, 11]


def test_study_poll(client: TestClient, seeded: Seeded) -> None:
    token = client.get(f"/api/studies/{seeded.study_id}").json()["token"]
    same = client.get(f"/api/studies/{seeded.study_id}/poll", params={"token": token}).json()
    assert same == {"changed": False, "token": token, "first_unfinished": 12}
    other = client.get(f"/api/studies/{seeded.study_id}/poll", params={"token": "x"}).json()
    assert other["changed"] is True


def test_figure_panels_use_parabola_visualization(client: TestClient, seeded: Seeded) -> None:
    panels = client.get(f"/api/studies/{seeded.study_id}/figures").json()
    names = [p["name"] for p in panels]
    assert names[:4] == ["history", "slice", "importance", "intermediate"]
    assert len(names) == 11 and names[-1] == "parallel"
    by_name = {p["name"]: p for p in panels}
    assert by_name["pareto"]["applies"] is False
    history = client.get(f"/api/studies/{seeded.study_id}/figures/history").json()
    assert history["available"] is True
    assert history["figure"]["data"] and "layout" in history["figure"]


@pytest.mark.parametrize(
    "name",
    [
        "history",
        "intermediate",
        "slice",
        "parallel",
        "contour",
        "importance",
        "edf",
        "rank",
        "timeline",
    ],
)
def test_every_single_objective_figure(client: TestClient, seeded: Seeded, name: str) -> None:
    import parabola.visualization as vis
    from parabola.ui._figures import _PANELS

    function = _PANELS[name].function.split(":")[1]
    body = client.get(f"/api/studies/{seeded.study_id}/figures/{name}").json()
    if not hasattr(vis, function):
        assert body["available"] is False and "not available" in body["reason"]
        pytest.skip(f"parabola.visualization has no {function} yet")
    assert body["available"] is True, body
    assert body["figure"]["data"]


@pytest.mark.parametrize("name", ["pareto", "hypervolume", "history"])
def test_multi_objective_figures(client: TestClient, seeded: Seeded, name: str) -> None:
    import parabola.visualization as vis
    from parabola.ui._figures import _PANELS

    body = client.get(f"/api/studies/{seeded.multi_id}/figures/{name}").json()
    if not hasattr(vis, _PANELS[name].function.split(":")[1]):
        pytest.skip("not in parabola.visualization yet")
    assert body["available"] is True, body


def test_figure_options_and_errors(client: TestClient, seeded: Seeded) -> None:
    base = f"/api/studies/{seeded.study_id}/figures"
    assert client.get(base + "/slice", params={"params": "x"}).json()["available"] is True
    assert client.get(base + "/nope").status_code == 404
    assert client.get(base + "/history", params={"bogus": "1"}).status_code == 400
    assert client.get(base + "/history", params={"target": "7"}).status_code == 400
    assert client.get("/api/studies/999/figures/history").status_code == 404
    multi = f"/api/studies/{seeded.multi_id}/figures/history"
    assert client.get(multi, params={"target": "1"}).json()["available"] is True
    # A single-objective study has no Pareto front: a sentence, not an error.
    single = client.get(base + "/pareto").json()
    assert single["available"] is False and "multi-objective" in single["reason"]


def test_trial_detail_and_link_to_its_run(client: TestClient, seeded: Seeded) -> None:
    t = client.get(f"/api/studies/{seeded.study_id}/trials/0").json()
    assert t["number"] == 0 and t["state"] == "COMPLETE" and set(t["params"]) == {"x", "kind"}
    assert t["user_attrs"]["why"] == XSS
    assert [s for s, _ in t["intermediate_values"]] == [0, 1, 2, 3]
    assert t["run"] is not None
    linked = client.get(f"/api/runs/{t['run']['entity']}/{t['run']['project']}/{t['run']['id']}")
    assert linked.json()["trial_number"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "/api/studies/999",
        "/api/studies/999/poll",
        "/api/studies/999/trials/0",
        "/api/studies/1/trials/999",
        "/studies/999",
        "/studies/1/trials/999",
        "/api/studies/999/curves",
    ],
)
def test_unknown_study_or_trial_is_404(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/api/studies/abc", "/studies/abc", "/api/nope", "/nope"])
def test_unknown_routes_are_404(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 404


def test_study_curves_from_linked_runs(client: TestClient, seeded: Seeded) -> None:
    base = f"/api/studies/{seeded.study_id}/curves"
    keys = client.get(base).json()
    assert "loss" in keys["keys"] and keys["curves"] == []
    body = client.get(base, params={"key": "loss"}).json()
    assert sorted({c["trial"] for c in body["curves"]}) == [0, 1, 2]
    assert all(len(c["x"]) == 4 for c in body["curves"])
    assert client.get(base, params={"limit": "0"}).status_code == 400


def test_empty_store(tmp_path: object) -> None:
    from parabola.storages import InMemoryStorage

    with TestClient(create_app(InMemoryStorage())) as c:
        assert c.get("/api/studies").json() == [] and c.get("/api/projects").json() == []
        assert c.get("/").status_code == 200
        assert c.get("/api/runs").json()["total"] == 0


def test_gzip_for_big_answers(client: TestClient, seeded: Seeded) -> None:
    response = client.get(f"/api/studies/{seeded.study_id}", headers={"accept-encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"


GARBAGE = ["", "x", "-1", "1e99", "%00", "<script>", "../..", "9" * 30, "[]", "{}", "null"]


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_parameters_never_get_a_500(client: TestClient, seeded: Seeded, value: str) -> None:
    run = _api(seeded.run_path)
    sid = seeded.study_id
    urls = [
        ("/api/runs", {"project": value}),
        ("/api/runs", {"filters": value}),
        ("/api/runs", {"order": value}),
        ("/api/runs", {"limit": value, "offset": value}),
        ("/api/runs.csv", {"filters": value}),
        (run + "/series", {"key": value}),
        (run + "/series", {"key": "loss", "x": value, "points": value}),
        (run + "/series", {"key": "loss", "min_step": value, "max_step": value}),
        (run + "/series", {"key": "loss", "stream": value}),
        ("/api/series/group", {"runs": value, "key": value}),
        (f"/api/studies/{sid}", {"since": value}),
        (f"/api/studies/{sid}/poll", {"token": value}),
        (f"/api/studies/{sid}/figures/slice", {"params": value}),
        (f"/api/studies/{sid}/figures/history", {"target": value}),
        (f"/api/studies/{sid}/curves", {"key": value, "points": value, "limit": value}),
        (f"/api/runs/{value}/{value}/{value}", {}),
        (f"/files/{value}/{value}/{value}/{value}", {}),
    ]
    for url, params in urls:
        response = client.get(url, params=params)
        assert response.status_code < 500, (url, params, response.text)
        if response.status_code >= 400 and url.startswith("/api/"):
            assert response.json()["error"], (url, params)
