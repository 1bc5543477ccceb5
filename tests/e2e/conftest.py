"""The demo organisation served over HTTP with its own company directory, and headless Chromium.

One site per test process: a real slapd holding the demo employees, the demo database
(SQLite file) synced from it and seeded, a guest invitation, a loopback SMTP server that
keeps every email the site sends, and ``flask run`` serving it. Journeys share the site, so
each works on people and records no other journey touches.

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
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from intrapreneur import create_app
from intrapreneur.cli.demo_data import demo_passphrase, seed_demo_organisation
from intrapreneur.cli.demo_directory import start_demo_directory
from intrapreneur.extensions import db
from intrapreneur.identity import invitations
from intrapreneur.identity.directory import Directory
from intrapreneur.identity.models import Person
from intrapreneur.identity.sync import sync_directory
from tests.conftest import (
    MAIL_FROM,
    SLAPD_AVAILABLE,
    SLAPD_MISSING,
    SmtpServer,
    running_smtp_server,
)
from tests.e2e.journey import DESKTOP, REPO_ROOT, axe_script

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
COMMAND_SECONDS = 120  # a deadline for one `intrapreneur` command run against the site
# The command line the site's cron jobs would run, installed beside this Python.
INTRAPRENEUR = Path(sys.executable).parent / "intrapreneur"


@dataclass(frozen=True)
class GuestInvitation:
    email: str
    display_name: str
    access_ends_on: date
    token: str


@dataclass(frozen=True)
class DemoSite:
    """The served demo: where it is, the passwords its people sign in with, its settings."""

    base_url: str
    employee_password: str
    guest_passwords: dict[str, str]
    environment: dict[str, str]
    mail: SmtpServer  # every email the site has sent, in ``mail.received``

    @contextmanager
    def database(self) -> Iterator[Flask]:
        """An app context on the site's own database, to set up or check what a journey needs.

        Commit inside it; the engine is released afterwards so the server keeps the file.
        """
        app = create_app(self.environment)
        with app.app_context():
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()

    def command(self, *arguments: str) -> str:
        """Run ``intrapreneur ARGUMENTS`` on the site's settings, as its scheduled jobs would
        (a process of its own); its output, or the test fails with what it said."""
        finished = subprocess.run(
            [str(INTRAPRENEUR), *arguments],
            env=process_environment(self.environment),
            capture_output=True,
            text=True,
            timeout=COMMAND_SECONDS,
            check=False,
        )
        if finished.returncode != 0:
            pytest.fail(
                f"`intrapreneur {' '.join(arguments)}` exited with {finished.returncode}:\n"
                f"{finished.stdout}\n{finished.stderr}"
            )
        return finished.stdout


def process_environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment with the site's settings in place of the developer's own
    INTRAPRENEUR_* settings, which must not leak into the site."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("INTRAPRENEUR_")
    }
    environment.update(settings)
    return environment


@pytest.fixture(scope="session")
def demo_directory() -> Iterator[tuple[str, dict[str, str]]]:
    """A real slapd with the demo employees: (their password, the LDAP settings reaching it)."""
    if not SLAPD_AVAILABLE:
        pytest.fail(SLAPD_MISSING)
    password = demo_passphrase()
    server, settings = start_demo_directory(password)
    try:
        yield password, settings
    finally:
        server.stop()


@pytest.fixture(scope="session")
def site_mail() -> Iterator[SmtpServer]:
    """The site's SMTP server: plain SMTP on loopback, keeping every message it accepts."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture(scope="session")
def site_port() -> int:
    """The port the site is served on, known before it starts: its settings name it."""
    return _free_port()


@pytest.fixture(scope="session")
def e2e_environment(
    tmp_path_factory: pytest.TempPathFactory,
    demo_directory: tuple[str, dict[str, str]],
    site_mail: SmtpServer,
    site_port: int,
) -> dict[str, str]:
    """Settings shared by the in-process set-up, the server process and the commands."""
    directory = tmp_path_factory.mktemp("e2e")
    return {
        "INTRAPRENEUR_ENV": "test",
        # Plain SMTP: the loopback server speaks no TLS. Emails wait in the outbox until
        # `intrapreneur mail deliver` sends them, as in production without the scheduler.
        "INTRAPRENEUR_SMTP_URL": f"smtp://127.0.0.1:{site_mail.port}?starttls=false",
        "INTRAPRENEUR_MAIL_FROM": MAIL_FROM,
        # Links in emails written by a command (a reminder, a digest) lead to the site.
        "INTRAPRENEUR_BASE_URL": f"http://127.0.0.1:{site_port}",
        "INTRAPRENEUR_SECRET_KEY": secrets.token_hex(32),
        "INTRAPRENEUR_DATABASE_URL": f"sqlite:///{directory / 'e2e.db'}",
        "INTRAPRENEUR_INSTANCE_PATH": str(directory / "instance"),
        # Every journey signs in from 127.0.0.1: the production limit (10 a minute per
        # address) refuses the eleventh sign-in of a fast worker, and the page then stays on
        # /sign-in. The limits have their own tests (tests/core/test_rate_limits.py).
        "INTRAPRENEUR_LOGIN_RATE_LIMIT": "1000 per minute",
        **demo_directory[1],
    }


@pytest.fixture(scope="session")
def seeded_guest_passwords(e2e_environment: dict[str, str]) -> dict[str, str]:
    """Migrate, read the directory as the nightly sync would, and seed the demo organisation."""
    app = create_app(e2e_environment)
    with app.app_context():
        upgrade()
        sync_directory(Directory(app.config["DIRECTORY"]))
        summary = seed_demo_organisation()
        db.session.commit()
        # Release the SQLite file before another process starts writing to it.
        db.engine.dispose()
    return summary.guest_passwords


@pytest.fixture(scope="session")
def guest_invitation(
    e2e_environment: dict[str, str], seeded_guest_passwords: dict[str, str]
) -> GuestInvitation:
    """The demo's programme lead invites a new guest entrepreneur."""
    app = create_app(e2e_environment)
    with app.app_context():
        lead = db.session.scalars(select(Person).where(Person.username == "hokafor")).one()
        invitation, token = invitations.invite_guest(
            email="nadia.guest@example.com",
            display_name="Nadia Example Guest",
            access_ends_on=date.today() + timedelta(days=30),
            invited_by=lead,
            now=datetime.now(UTC),
        )
        db.session.commit()
        guest = invitation.person
        result = GuestInvitation(guest.email, guest.display_name, guest.access_ends_on, token)
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
    site_port: int,
    guest_invitation: GuestInvitation,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """Base URL of the app served by a separate process on a free local port.

    Depends on ``guest_invitation`` so the database is seeded before the server starts.
    """
    environment = process_environment(e2e_environment)
    app = "intrapreneur:create_app"
    command = [sys.executable, "-m", "flask", "--app", app, "run", "--host", "127.0.0.1"]
    command += ["--port", str(site_port)]
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    with (
        log_path.open("wb") as log_file,
        subprocess.Popen(
            command, env=environment, stdout=log_file, stderr=subprocess.STDOUT
        ) as process,
    ):
        try:
            _wait_until_up(process, site_port, log_path)
            yield f"http://127.0.0.1:{site_port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed; `make test` installs it")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (own cookies), desktop-sized, with axe-core loaded."""
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(path=axe_script())
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Screenshots for people to look at; ``test-output/`` is not meant for git."""
    directory = REPO_ROOT / "test-output" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="session")
def demo_site(
    live_server: str,
    demo_directory: tuple[str, dict[str, str]],
    seeded_guest_passwords: dict[str, str],
    e2e_environment: dict[str, str],
    site_mail: SmtpServer,
) -> DemoSite:
    return DemoSite(
        live_server, demo_directory[0], seeded_guest_passwords, e2e_environment, site_mail
    )
