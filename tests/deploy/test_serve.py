"""``intrapreneur serve`` as a real gunicorn process on a loopback port."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

import pytest
from flask_migrate import upgrade

from intrapreneur import create_app
from intrapreneur.extensions import db
from tests.conftest import environment_for

INTRAPRENEUR = Path(sys.executable).with_name("intrapreneur")
START_SECONDS = 60


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    port: int
    stdout: Path
    stderr: Path

    def get(self, path: str, **headers: str) -> tuple[int, bytes]:
        connection = HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def logs(self) -> str:
        return f"stdout:\n{self.stdout.read_text()}\nstderr:\n{self.stderr.read_text()}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _clean_environment(**settings: str) -> dict[str, str]:
    """The process environment without the developer's own INTRAPRENEUR_* settings."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INTRAPRENEUR_")}
    return {**environment, **settings}


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            server.get("/healthz")
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"intrapreneur serve did not come up; its output:\n{server.logs()}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """`intrapreneur serve` on a migrated SQLite database, one worker, stopped after the test."""
    settings = environment_for(f"sqlite:///{tmp_path / 'serve.db'}", tmp_path / "instance")
    app = create_app(settings)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    port = _free_port()
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    environment = _clean_environment(**settings, INTRAPRENEUR_WEB_WORKERS="1")
    command = [str(INTRAPRENEUR), "serve", "--bind", f"127.0.0.1:{port}"]
    with (
        stdout.open("wb") as out,
        stderr.open("wb") as err,
        subprocess.Popen(command, env=environment, stdout=out, stderr=err) as process,
    ):
        running = Server(process, port, stdout, stderr)
        try:
            _wait_until_up(running)
            yield running
        finally:
            stop_process(process)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and SIGKILL if it is still running 30 s later (a test never leaves it behind)."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def _stop(server: Server) -> int:
    server.process.send_signal(signal.SIGTERM)
    return server.process.wait(timeout=30)


def test_serve_answers_healthz_and_logs_it_as_json(server: Server) -> None:
    request_id = secrets.token_hex(8)

    status, body = server.get("/healthz", **{"X-Request-ID": request_id})

    assert status == 200
    assert json.loads(body) == {"status": "ok"}
    # SIGTERM goes to the process we started, which must be gunicorn itself (exec) and
    # must stop its workers and exit cleanly.
    assert _stop(server) == 0, server.logs()
    entries = [json.loads(line) for line in server.stdout.read_text().splitlines()]
    mine = [entry for entry in entries if entry["request_id"] == request_id]
    assert len(mine) == 1, server.logs()
    assert mine[0]["method"] == "GET"
    assert mine[0]["path"] == "/healthz"
    assert mine[0]["status"] == 200
    master = re.search(
        r"Listening at: http://127\.0\.0\.1:\d+ \((\d+)\)", server.stderr.read_text()
    )
    assert master is not None, server.logs()
    assert int(master.group(1)) == server.process.pid


def test_access_log_stays_json_for_awkward_paths_and_drops_link_secrets(server: Server) -> None:
    """A decoded path with a backslash, a quote and a newline must not break the log line;
    the credential an invitation link carries in its path never reaches the log."""
    server.get("/invitations/sekret-link-token")
    status, _ = server.get("/no%5Cwhere%22%0Ahere?x=%22")

    assert status == 404
    assert _stop(server) == 0, server.logs()
    assert "sekret-link-token" not in server.stdout.read_text()
    # Every line parses; with two threads a line may be written after the next request's.
    entries = {
        entry["path"]: entry for entry in map(json.loads, server.stdout.read_text().splitlines())
    }
    assert "/invitations/[redacted]" in entries
    assert {"query": "x=%22", "status": 404}.items() <= entries['/no\\where"\nhere'].items()


def test_serve_refuses_unsafe_settings_with_one_line(tmp_path: Path) -> None:
    environment = _clean_environment(
        INTRAPRENEUR_ENV="production", INTRAPRENEUR_INSTANCE_PATH=str(tmp_path)
    )

    result = subprocess.run(
        [str(INTRAPRENEUR), "serve"], env=environment, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2
    assert result.stderr.startswith("intrapreneur: INTRAPRENEUR_SECRET_KEY is not set")
    assert len(result.stderr.splitlines()) == 1


def test_serve_names_a_missing_config_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.conf.py"
    environment = _clean_environment(INTRAPRENEUR_GUNICORN_CONFIG=str(missing))

    result = subprocess.run(
        [str(INTRAPRENEUR), "serve"], env=environment, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2
    assert f"the gunicorn config {missing} does not exist" in result.stderr
