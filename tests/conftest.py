"""Shared fixtures: one app per test session, one rolled-back transaction per test.

The database is SQLite by default; set INTRAPRENEUR_TEST_DATABASE_URL to a
PostgreSQL URL to run the same suite there (each pytest-xdist worker gets its
own database, created and dropped here).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import URL

from intrapreneur import create_app
from intrapreneur.extensions import db, limiter
from intrapreneur.identity.models import Person, PersonKind, PersonRole, Role
from intrapreneur.identity.passwords import hash_password

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


@pytest.fixture(scope="session")
def app(
    empty_database: Callable[[str], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    with empty_database("suite") as url:
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


def sign_in_as(client: FlaskClient, person: Person) -> None:
    """Put ``person`` into the client's session, as a successful sign-in does."""
    with client.session_transaction() as session:
        session["_user_id"] = person.get_id()
        session["_fresh"] = True


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

        def count(*_: Any) -> None:
            counter.total += 1

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", count)

    return counting


def database_url_of(app: Flask) -> URL:
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"])
