"""The real app served over HTTP, a guest invitation in its database, and headless Chromium.

Independent of ``tests/conftest.py``: the browser talks to a separate server
process, so the unit tests' rolled-back transactions cannot be shared with it.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path

import pytest
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, sync_playwright

from intrapreneur import create_app
from intrapreneur.extensions import db
from intrapreneur.identity import services
from intrapreneur.identity.models import Person, PersonKind, PersonRole, Role

CHROMIUM = Path("/usr/bin/chromium")
# Keep Chromium quiet and offline: no sandbox (containers), no GPU, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS = 60  # a deadline, generous for a loaded CI machine
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class GuestInvitation:
    email: str
    display_name: str
    access_ends_on: date
    token: str


@pytest.fixture(scope="session")
def e2e_environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Settings shared by the in-process set-up and the server process."""
    directory = tmp_path_factory.mktemp("e2e")
    return {
        "INTRAPRENEUR_ENV": "test",
        "INTRAPRENEUR_SECRET_KEY": secrets.token_hex(32),
        "INTRAPRENEUR_DATABASE_URL": f"sqlite:///{directory / 'e2e.db'}",
        "INTRAPRENEUR_INSTANCE_PATH": str(directory / "instance"),
    }


@pytest.fixture(scope="session")
def guest_invitation(e2e_environment: dict[str, str]) -> GuestInvitation:
    """Migrate the empty database and have an HR person invite a guest."""
    app = create_app(e2e_environment)
    with app.app_context():
        upgrade()
        hr = Person(
            kind=PersonKind.EMPLOYEE,
            username="hanna.hr",
            email="hanna.hr@example.com",
            display_name="Hanna Example HR",
            roles=[PersonRole(role=Role.EMPLOYEE), PersonRole(role=Role.HR)],
        )
        db.session.add(hr)
        invitation, token = services.invite_guest(
            email="nadia.guest@example.com",
            display_name="Nadia Example Guest",
            access_ends_on=date.today() + timedelta(days=30),
            invited_by=hr,
            now=datetime.now(UTC),
        )
        db.session.commit()
        guest = invitation.person
        result = GuestInvitation(guest.email, guest.display_name, guest.access_ends_on, token)
        # Release the SQLite file before another process starts writing to it.
        db.engine.dispose()
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(port: int) -> bool:
    connection = HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _wait_until_up(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        if _healthy(port):
            return
        time.sleep(0.1)
    state = "exited" if process.poll() is not None else f"did not answer in {SERVER_START_SECONDS}s"
    pytest.fail(f"The app server {state}; its log:\n{log_path.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def live_server(
    e2e_environment: dict[str, str],
    guest_invitation: GuestInvitation,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """Base URL of the app served by a separate process on a free local port.

    Depends on ``guest_invitation`` so the database is migrated before the server starts.
    """
    port = _free_port()
    # The developer's own INTRAPRENEUR_* settings must not leak into the test server.
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("INTRAPRENEUR_")
    }
    environment.update(e2e_environment)
    app = "intrapreneur:create_app"
    command = [sys.executable, "-m", "flask", "--app", app, "run", "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    with (
        log_path.open("wb") as log_file,
        subprocess.Popen(
            command, env=environment, stdout=log_file, stderr=subprocess.STDOUT
        ) as process,
    ):
        try:
            _wait_until_up(process, port, log_path)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed; `make test` installs it")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (own cookies), desktop-sized."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Screenshots for people to look at; ``test-output/`` is not meant for git."""
    directory = REPO_ROOT / "test-output" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
