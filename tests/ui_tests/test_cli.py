"""``parabola ui`` as a user runs it: a real process on a real socket, and the notebook server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from parabola.cli import main
from parabola.ui import run_server
from parabola.ui._serve import free_port
from tests.ui_tests._seed import Seeded


def _get(url: str, host: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_parabola_ui_serves_on_a_real_socket(seeded: Seeded) -> None:
    port = free_port()
    path = seeded.url.removeprefix("sqlite:///")
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "parabola.cli", "ui", path, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(base + "/api/studies")
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "parabola ui did not start in 30 s"
                time.sleep(0.1)
        ready = time.monotonic() - started
        assert status == 200 and len(json.loads(body)) == 2
        assert _get(base + "/")[0] == 200
        assert _get(base + "/api/studies/999")[0] == 404
        assert _get(base + "/api/studies", host="evil.example")[0] == 421
        assert ready < 30
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
    assert f"http://127.0.0.1:{port}/" in out
    assert "Traceback" not in err


def test_cli_refuses_a_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ui", str(tmp_path / "absent.db")])
    assert result.exit_code != 0 and "No store at" in result.output


def test_cli_help_lists_the_options() -> None:
    result = CliRunner().invoke(main, ["ui", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--open", "--allow-writes", "--allow-host"):
        assert option in result.output


def test_cli_reports_a_busy_port(seeded: Seeded) -> None:
    with run_server(seeded.url) as server:
        port = server.url.rsplit(":", 1)[1].strip("/")
        path = seeded.url.removeprefix("sqlite:///")
        result = subprocess.run(
            [sys.executable, "-m", "parabola.cli", "ui", path, "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr


def test_other_hosts_print_a_warning(capsys: object) -> None:
    from parabola.ui._serve import _warn_if_exposed

    _warn_if_exposed("0.0.0.0")
    _warn_if_exposed("127.0.0.1")
    captured = capsys.readouterr()  # type: ignore[attr-defined]
    assert captured.err.count("WARNING") == 1


def test_run_server_for_notebooks(seeded: Seeded) -> None:
    server = run_server(seeded.url)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        status, body = _get(server.url + "api/projects")
        assert status == 200 and json.loads(body)
    finally:
        server.stop()
    try:
        _get(server.url + "api/projects")
        reachable = True
    except (urllib.error.URLError, ConnectionError):
        reachable = False
    assert not reachable
