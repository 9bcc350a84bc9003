"""The dashboard's guards: Host check, read-only default, writes, bounded requests, headers."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from parabola.ui import create_app
from parabola.ui._security import MAX_BODY, allowed_hosts_for, is_loopback
from tests.ui_tests._seed import XSS, Seeded

WRITE = {"X-Parabola-Write": "1"}


@pytest.fixture
def client(seeded: Seeded) -> TestClient:
    return TestClient(create_app(seeded.url), raise_server_exceptions=False)


def _api(path: tuple[str, str, str]) -> str:
    return "/api/runs/" + "/".join(path)


@pytest.mark.parametrize("host", ["evil.example", "attacker.com:8080", "127.0.0.2.nip.io"])
def test_dns_rebinding_hosts_are_refused(client: TestClient, host: str) -> None:
    response = client.get("/api/studies", headers={"host": host})
    assert response.status_code == 421
    assert "DNS rebinding" in response.text


@pytest.mark.parametrize("host", ["127.0.0.1:8080", "localhost:1234", "[::1]:8080", "localhost"])
def test_loopback_hosts_are_served(client: TestClient, host: str) -> None:
    assert client.get("/api/studies", headers={"host": host}).status_code == 200


def test_allowed_hosts_rules() -> None:
    assert allowed_hosts_for("0.0.0.0") is None  # every interface: any name (with a warning)
    hosts = allowed_hosts_for("192.168.1.5", ["proxy.lan"])
    assert hosts is not None and {"192.168.1.5", "proxy.lan", "127.0.0.1"} <= hosts
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.com")


def test_extra_allowed_host(seeded: Seeded) -> None:
    c = TestClient(create_app(seeded.url, allowed_hosts=("dash.internal",)))
    assert c.get("/api/studies", headers={"host": "dash.internal:80"}).status_code == 200
    assert c.get("/api/studies", headers={"host": "other.internal"}).status_code == 421


def test_read_only_by_default(client: TestClient, seeded: Seeded) -> None:
    url = _api(seeded.run_path)
    for response in (
        client.post(url + "/notes", json={"notes": "x"}, headers=WRITE),
        client.post(url + "/tags", json={"tags": ["x"]}, headers=WRITE),
        client.delete(url, headers=WRITE),
        client.put("/api/studies"),
    ):
        assert response.status_code == 403
        assert "read-only" in response.text
    assert client.get(url).json()["notes"] == XSS  # nothing changed


def test_writes_when_enabled(tmp_path: object) -> None:
    import pathlib

    from tests.ui_tests._seed import seed

    assert isinstance(tmp_path, pathlib.Path)
    s = seed(tmp_path / "w.db")
    c = TestClient(create_app(s.url, allow_writes=True), raise_server_exceptions=False)
    url = _api(s.run_path)
    # Without the header (what a cross-site form would send): refused.
    assert c.post(url + "/notes", json={"notes": "x"}).status_code == 403
    ok = c.post(url + "/notes", json={"notes": "new notes"}, headers=WRITE)
    assert ok.status_code == 200 and c.get(url).json()["notes"] == "new notes"
    ok = c.post(url + "/tags", json={"tags": ["a", "b", "a"]}, headers=WRITE)
    assert ok.json()["tags"] == ["a", "b"] and c.get(url).json()["tags"] == ["a", "b"]
    for body in ({"tags": "a"}, {"tags": [1]}, {"tags": [""]}, {"tags": ["x"] * 101}):
        assert c.post(url + "/tags", json=body, headers=WRITE).status_code == 400
    assert c.post(url + "/notes", json={"notes": 5}, headers=WRITE).status_code == 400
    bad_json = c.post(
        url + "/notes", content=b"{", headers={**WRITE, "content-type": "application/json"}
    )
    assert bad_json.status_code == 400
    form = c.post(url + "/notes", data={"notes": "x"}, headers=WRITE)
    assert form.status_code == 400 and "JSON" in form.json()["error"]
    assert c.delete(url, headers=WRITE).status_code == 200
    assert c.get(url).status_code == 404
    assert c.delete(url, headers=WRITE).status_code == 404


def test_bounded_requests(seeded: Seeded) -> None:
    c = TestClient(create_app(seeded.url, allow_writes=True), raise_server_exceptions=False)
    url = _api(seeded.run_path) + "/notes"
    big = c.post(
        url, content=b"x" * (MAX_BODY + 1), headers={**WRITE, "content-type": "application/json"}
    )
    assert big.status_code == 413
    long_query = c.get("/api/runs?filters=" + "a" * 9000)
    assert long_query.status_code == 414


def test_security_headers(client: TestClient) -> None:
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "server" not in {k.lower() for k in response.headers if k.lower() == "x-powered-by"}


def test_errors_carry_no_stack_trace(seeded: Seeded) -> None:
    from parabola.ui import _studies

    app = create_app(seeded.url)
    c = TestClient(app, raise_server_exceptions=False)
    original = _studies.study_list

    def broken(storage: object) -> object:
        raise RuntimeError("secret /home/user/path")

    _studies.study_list = broken  # type: ignore[assignment]
    try:
        response = c.get("/api/studies")
    finally:
        _studies.study_list = original
    assert response.status_code == 500
    assert "Traceback" not in response.text and "secret" not in response.text
    assert response.json()["error"].startswith("Internal error (RuntimeError)")


def test_template_escapes_hostile_names(client: TestClient, seeded: Seeded) -> None:
    html = client.get(f"/studies/{seeded.study_id}").text
    assert "<script>window.__xss" not in html and "&lt;script&gt;window.__xss" in html
    assert 'onerror="window' not in html
