"""Shared fixtures: one app per test session, one rolled-back transaction per test.

The database is SQLite by default; set INTRAPRENEUR_TEST_DATABASE_URL to a
PostgreSQL URL to run the same suite there (each pytest-xdist worker gets its
own database, created and dropped here). The Redis and PostgreSQL that some tests need
in either run are found or started once per run (tests/services.py), and a skip not
expected in the run fails it (tests/skip_policy.py).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import URL

from intrapreneur import create_app
from intrapreneur.extensions import db, limiter
from intrapreneur.identity.local_directory import (
    GROUPS,
    PEOPLE,
    SERVICE_DN,
    Employee,
    Group,
    LocalDirectoryServer,
    base_ldif,
    group_dn,
    organisation_ldif,
)
from intrapreneur.identity.models import Person, PersonKind, PersonRole, Role
from intrapreneur.identity.passwords import hash_password
from intrapreneur.settings import DirectorySettings, MailSettings, load_directory
from tests import services
from tests.reliability.servers import POSTGRES_MISSING, REDIS_MISSING
from tests.skip_policy import Run, SkipPolicy

TEST_SECRET_KEY = secrets.token_hex(32)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextmanager
def _postgres_database(base_url: str, name: str) -> Iterator[str]:
    """A fresh PostgreSQL database named ``name`` on the server of ``base_url``."""
    url = make_url(base_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Any]:
    """Factory: a context manager giving the URL of a new, empty database on the test server."""
    base_url = os.environ.get("INTRAPRENEUR_TEST_DATABASE_URL")

    @contextmanager
    def make(label: str) -> Iterator[str]:
        if base_url:
            database = make_url(base_url).database
            with _postgres_database(base_url, f"{database}_{label}_{_worker()}") as url:
                yield url
        else:
            directory = tmp_path_factory.mktemp(label)
            yield f"sqlite:///{directory / 'test.db'}"

    return make


def environment_for(database_url: str, instance_path: Path, **extra: str) -> dict[str, str]:
    return {
        "INTRAPRENEUR_ENV": "test",
        "INTRAPRENEUR_SECRET_KEY": TEST_SECRET_KEY,
        "INTRAPRENEUR_DATABASE_URL": database_url,
        "INTRAPRENEUR_INSTANCE_PATH": str(instance_path),
        **extra,
    }


class FreshContextClient(FlaskClient):
    """Each request gets its own application context, hence its own ``g`` and its own
    database session, as in production, even though the test holds a context open."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@contextmanager
def migrated_app(
    empty_database: Callable[[str], Any], tmp_path_factory: pytest.TempPathFactory, label: str
) -> Iterator[Flask]:
    """A test app on a new empty database named after ``label``, migrated to the head."""
    with empty_database(label) as url:
        application = create_app(
            environment_for(url, tmp_path_factory.mktemp("instance")), TESTING=True
        )
        application.test_client_class = FreshContextClient
        with application.app_context():
            # The schema comes from the migrations, exactly as in production.
            upgrade()
        yield application
        with application.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def app(
    empty_database: Callable[[str], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    with migrated_app(empty_database, tmp_path_factory, "suite") as application:
        yield application


class _ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the engine per model; in tests every
    statement must go through the one connection that holds the outer transaction."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        return self.bind


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test inside an outer transaction that is rolled back afterwards.

    Code under test commits as usual; its commits only release SAVEPOINTs.
    """
    if "app" not in request.fixturenames:
        yield
        return
    flask_app = request.getfixturevalue("app")
    with flask_app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "class_": _ConnectionBoundSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        )
        limiter.reset()
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_person(app: Flask) -> Callable[..., Person]:
    """Factory for people: ``make_person(Role.HR)``, ``make_person(kind=PersonKind.GUEST)``."""
    counter = iter(range(1, 1_000_000))

    def make(*roles: Role, kind: PersonKind = PersonKind.EMPLOYEE, **values: Any) -> Person:
        number = next(counter)
        base_role = Role.GUEST if kind is PersonKind.GUEST else Role.EMPLOYEE
        domain = "guest" if kind is PersonKind.GUEST else "corp"
        fields: dict[str, Any] = {
            "username": None if kind is PersonKind.GUEST else f"user{number}",
            "email": f"person{number}@{domain}.example",
            "display_name": f"Person {number}",
            **values,
        }
        person = Person(
            kind=kind,
            roles=[PersonRole(role=role) for role in dict.fromkeys((base_role, *roles))],
            **fields,
        )
        db.session.add(person)
        db.session.flush()
        return person

    return make


GUEST_PASSWORD = "quiet-harbour-lantern-meadow-47"


@pytest.fixture
def make_guest(make_person: Callable[..., Person]) -> Callable[..., Person]:
    """A guest who has already set ``GUEST_PASSWORD``."""

    def make(**values: Any) -> Person:
        values.setdefault("access_ends_on", date.today() + timedelta(days=30))
        return make_person(
            kind=PersonKind.GUEST, password_hash=hash_password(GUEST_PASSWORD), **values
        )

    return make


def mark_signed_in(session: MutableMapping[str, Any], session_id: str) -> None:
    """What a successful sign-in leaves in the session: Flask-Login's keys, where
    ``session_id`` is the person's ``get_id()`` (their id and session version)."""
    session["_user_id"] = session_id
    session["_fresh"] = True


def sign_in_as(client: FlaskClient, person: Person) -> None:
    """Put ``person`` into the client's session, as a successful sign-in does."""
    # A sign-out in an earlier request raised the session version behind this object's back.
    db.session.refresh(person, ["session_version"])
    with client.session_transaction() as session:
        mark_signed_in(session, person.get_id())


def submit_sign_in(client: FlaskClient, login: str, password: str):  # type: ignore[no-untyped-def]
    """Post the sign-in form as a browser would; the response."""
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"csrf_token": token, "login": login, "password": password})


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the first form on the page at ``url``, as a browser would send it."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"{url} carries a CSRF token"
    return match.group(1)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """``with count_queries() as counted: ...``; then ``counted.total`` is the statement count."""

    class Counter:
        total = 0

    @contextmanager
    def counting() -> Iterator[Counter]:
        counter = Counter()

        def count(connection: Any, cursor: Any, statement: str, *_: Any) -> None:
            # Savepoints belong to the test's transaction, not to the code under test.
            if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                counter.total += 1

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", count)

    return counting


def database_url_of(app: Flask) -> URL:
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(16)
        yield listening.getsockname()[1]


def run_app_script(
    body: str, instance_path: Path, **variables: str
) -> subprocess.CompletedProcess[str]:
    """Run ``body`` in a new Python process after ``app = create_app()``; fails if it fails.

    ``variables`` are added to the process environment, so the app reads them as in production.
    """
    environment = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).parents[1]),
        **environment_for(f"sqlite:///{instance_path / 'script.db'}", instance_path),
        **variables,
    }
    script = "from intrapreneur import create_app\napp = create_app()\n" + body
    return subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )


# -- Redis and PostgreSQL, found or started once per run (tests/services.py) ---------------

_SERVICES = pytest.StashKey[ExitStack]()


def pytest_configure(config: pytest.Config) -> None:
    # Once, in the process that reports the run: an xdist worker inherits the controller's
    # environment, and the controller alone sees every test's report.
    if hasattr(config, "workerinput"):
        return
    run: Run = "postgresql" if services.postgres_run() else "sqlite"
    config.pluginmanager.register(SkipPolicy(run), "intrapreneur-skip-policy")
    if not (config.option.collectonly or config.option.help):
        config.stash[_SERVICES] = services.provide(os.environ)


def pytest_unconfigure(config: pytest.Config) -> None:
    started = config.stash.get(_SERVICES, None)
    if started is not None:
        started.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The tests' Redis. Other runs may share it: tests use queues and keys of their own."""
    url = os.environ.get(services.REDIS_VARIABLE)
    if not url:
        pytest.fail(REDIS_MISSING)
    return url


PostgresDatabase = Callable[[str], AbstractContextManager[str]]


@pytest.fixture(scope="session")
def postgres_database() -> PostgresDatabase:
    """Factory: ``with postgres_database("label") as url:`` a new database on the tests'
    PostgreSQL server, in the SQLite run too; dropped afterwards. Its name is random: other
    runs may share the server."""
    server = os.environ.get(services.POSTGRES_VARIABLE)
    if not server:
        pytest.fail(POSTGRES_MISSING)

    def make(label: str) -> AbstractContextManager[str]:
        return _postgres_database(server, f"intrapreneur_{label}_{secrets.token_hex(4)}")

    return make


# -- the real directory server -------------------------------------------------------------

SERVICE_PASSWORD = "service-account-Secret-1"


def ldap_password(uid: str) -> str:
    return f"{uid}-Secret-Pass-1"


def _employee(uid: str, name: str, **values: Any) -> Employee:
    return Employee(uid, name, ldap_password(uid), **values)


# More people than the server's size limit (5), so listing them needs paging.
DIRECTORY_PEOPLE = [
    _employee("cora", "Cora Chief", department="Executive", title="CEO"),
    _employee("victor", "Victor Vice", department="Operations", title="COO", manager="cora"),
    _employee("alice", "Alice Archer", department="People", title="HR Partner", manager="victor"),
    _employee("bob", "Bob Baker", department="Finance", title="Analyst", manager="victor"),
    _employee("carol", "Carol Cole", department="Operations", title="Coach", manager="victor"),
    _employee("dan", "Dan Dyer", department="IT", title="Engineer", manager="victor"),
    # Time zones are read only where the attribute map asks for them (tests/identity/
    # test_time_zones.py); Frank's is no IANA name, as a mistyped directory entry would be.
    # Languages (tests/core/test_languages.py): Erin's is translated, Frank's is not.
    _employee(
        "erin",
        "Erin Eve",
        department="Finance",
        manager="bob",
        time_zone="America/New_York",
        language="de-AT, en;q=0.5",
    ),
    _employee(
        "frank",
        "Frank Fox",
        department="Sales",
        manager="victor",
        time_zone="Mars/Olympus",
        language="pt-BR",
    ),
]
DIRECTORY_GROUPS = [
    Group("hr", ["alice"]),
    Group("admins", ["dan"]),
    # Nested both ways: the role walk down from "facilitators" must end too.
    Group("coaches", ["carol", "group:facilitators"]),
    Group("facilitators", ["group:coaches"]),
    # A cycle: the nested walk must end.
    Group("loop-a", ["group:loop-b", "frank"]),
    Group("loop-b", ["group:loop-a"]),
]
# Two entries with one uid in different branches: sign-in must refuse, not pick one.
# Mallory's account is disabled the Active Directory way (userAccountControl bit 2).
EXTRA_LDIF = f"""dn: ou=contractors,{PEOPLE}
objectClass: organizationalUnit
ou: contractors

dn: uid=twin,{PEOPLE}
objectClass: inetOrgPerson
uid: twin
cn: Twin One
sn: One
userPassword: {ldap_password("twin")}

dn: uid=twin,ou=contractors,{PEOPLE}
objectClass: inetOrgPerson
uid: twin
cn: Twin Two
sn: Two
userPassword: {ldap_password("twin")}

dn: uid=mallory,{PEOPLE}
objectClass: inetOrgPerson
objectClass: adCompatibleAccount
uid: mallory
cn: Mallory Left
sn: Left
userPassword: {ldap_password("mallory")}
userAccountControl: 514
"""


SLAPD_MISSING = "slapd is not installed (`make test` installs it)"
SLAPD_AVAILABLE = bool(shutil.which("slapd", path=os.environ.get("PATH", "") + ":/usr/sbin"))


@pytest.fixture(scope="session")
def slapd_installed() -> None:
    """A test that starts its own slapd fails, never skips, without one: `make test`
    installs it, so a missing slapd is a broken machine, not a reason to run less."""
    if not SLAPD_AVAILABLE:
        pytest.fail(SLAPD_MISSING)


@pytest.fixture(scope="session")
def ldap_server() -> Iterator[LocalDirectoryServer]:
    """One real slapd per test process, seeded with a small organisation."""
    if not SLAPD_AVAILABLE:
        pytest.fail(SLAPD_MISSING)
    with seeded(LocalDirectoryServer(size_limit=5)) as server:
        yield server


Server = TypeVar("Server", bound=LocalDirectoryServer)


@contextmanager
def seeded(server: Server) -> Iterator[Server]:
    """The server started with the tests' small organisation (the service account, people,
    groups, oddities), and stopped afterwards."""
    server.start()
    try:
        server.ldapadd(base_ldif(SERVICE_PASSWORD))
        server.ldapadd(organisation_ldif(DIRECTORY_PEOPLE, DIRECTORY_GROUPS))
        server.ldapadd(EXTRA_LDIF)
        yield server
    finally:
        server.stop()


def directory_environment(server: LocalDirectoryServer, **variables: str) -> dict[str, str]:
    base = {
        "LDAP_URL": server.ldap_uri,
        "LDAP_BIND_DN": SERVICE_DN,
        "LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
        "LDAP_USER_BASE": PEOPLE,
        "LDAP_GROUP_BASE": GROUPS,
        "LDAP_NESTED_GROUPS": "true",
        "LDAP_TIMEOUT": "2",
        "LDAP_PAGE_SIZE": "3",
        "LDAP_ROLE_MAP": json.dumps(
            {
                "hr": [group_dn("hr")],
                "admin": [group_dn("admins").upper()],  # DNs compare case-insensitively
                "facilitator": [group_dn("facilitators")],
            }
        ),
    }
    return {f"INTRAPRENEUR_{name}": value for name, value in {**base, **variables}.items()}


def directory_configurer(
    app: Flask, monkeypatch: pytest.MonkeyPatch, environment: Callable[..., dict[str, str]]
) -> Callable[..., DirectorySettings]:
    """``configure(**variables)`` points the app at the directory of ``environment``, whose
    keyword arguments override INTRAPRENEUR_LDAP_* names, for one test."""

    def configure(**variables: str) -> DirectorySettings:
        loaded = load_directory(environment(**variables))
        assert loaded is not None
        monkeypatch.setitem(app.config, "DIRECTORY", loaded)
        return loaded

    return configure


@pytest.fixture
def use_directory(
    app: Flask, ldap_server: LocalDirectoryServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., DirectorySettings]:
    """Point the app at the test slapd; keyword arguments override INTRAPRENEUR_LDAP_* names."""
    return directory_configurer(app, monkeypatch, partial(directory_environment, ldap_server))


# -- a real SMTP server on loopback --------------------------------------------------------


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage
    secured: bool
    login: str | None


class SmtpServer:
    """aiosmtpd on a free loopback port, keeping every message it accepts."""

    def __init__(self, **parameters: Any) -> None:
        self.received: list[ReceivedMail] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **parameters)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        login = session.auth_data.login.decode() if session.auth_data else None
        self.received.append(
            ReceivedMail(
                sender=envelope.mail_from,
                recipients=list(envelope.rcpt_tos),
                message=message_from_bytes(envelope.content, policy=email_policy.default),  # type: ignore[arg-type]
                secured=session.ssl is not None,
                login=login,
            )
        )
        return "250 Message accepted"


@contextmanager
def running_smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


MAIL_FROM = "Intrapreneur <intrapreneur@corp.example>"


def mail_settings(port: int, **values: Any) -> MailSettings:
    fields: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "implicit_tls": False,
        "starttls": False,
        "username": None,
        "password": None,
        "sender": MAIL_FROM,
        "ca_file": None,
        "timeout": 5.0,
        **values,
    }
    return MailSettings(**fields)


@pytest.fixture
def inbox(app: Flask, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """Delivery goes to the loopback server (plain SMTP); its inbox starts empty."""
    smtp_server.received.clear()
    monkeypatch.setitem(app.config, "MAIL", mail_settings(smtp_server.port))
    return smtp_server
