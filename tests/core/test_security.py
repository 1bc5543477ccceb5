"""Security defaults: headers, cookies, CSRF, safe redirects and error pages."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur import create_app
from intrapreneur.core.security import safe_next
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.learning import queries as learning_queries
from tests.conftest import csrf_token, environment_for, sign_in_as


def test_every_page_sends_the_security_headers(client: FlaskClient) -> None:
    response = client.get("/sign-in")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    # HSTS only where TLS is certain: production.
    assert "Strict-Transport-Security" not in response.headers


def test_production_sends_hsts_and_secure_cookies(tmp_path: Path) -> None:
    production = create_app(
        environment_for(
            f"sqlite:///{tmp_path / 'p.db'}",
            tmp_path,
            INTRAPRENEUR_ENV="production",
            INTRAPRENEUR_SURVEY_PSEUDONYM_KEY=secrets.token_hex(32),
        )
    )
    # Browsers honour HSTS only over TLS, so it is sent on HTTPS requests (behind the proxy too).
    response = production.test_client().get(
        "/healthz", base_url="https://intrapreneur.corp.example"
    )
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert production.config["SESSION_COOKIE_SECURE"] is True
    cookie = (
        production.test_client()
        .get("/sign-in", base_url="https://intrapreneur.corp.example")
        .headers["Set-Cookie"]
    )
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient) -> None:
    cookie = client.get("/sign-in").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # outside production the site may run on plain HTTP


def test_pages_load_no_outside_resources(client: FlaskClient) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert "http://" not in page and "https://" not in page
    assert "<script>" not in page and "style=" not in page


def test_form_without_csrf_token_is_refused_and_saves_nothing(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.HR))
    guests_before = db.session.scalar(select(func.count()).where(Person.kind == PersonKind.GUEST))

    response = client.post(
        "/guests/invite",
        data={"email": "new@example.org", "display_name": "New", "access_ends_on": "2099-01-01"},
    )

    assert response.status_code == 400
    assert "Reload the page and send it again" in response.get_data(as_text=True)
    guests_after = db.session.scalar(select(func.count()).where(Person.kind == PersonKind.GUEST))
    assert guests_after == guests_before


def test_unknown_route_gets_a_clear_404_page(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at this address" in response.get_data(as_text=True)


def test_oversized_request_is_refused(client: FlaskClient) -> None:
    response = client.post("/sign-in", data={"email": "a@b.c", "password": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_unexpected_error_shows_no_stack_trace(
    client: FlaskClient, make_person: Callable[..., Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(learning_queries, "current_sets_of", broken)
    sign_in_as(client, make_person())
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page and "secret internal detail" not in page


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/guests/?page=2", "/guests/?page=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/path", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=y", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next_only_allows_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target, "/") == expected


def test_app_does_not_create_tables_at_start_up(tmp_path: Path, app: Flask) -> None:
    fresh = create_app(environment_for(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path))
    with fresh.app_context():
        assert db.inspect(db.engine).get_table_names() == []
        db.engine.dispose()


def test_a_nul_character_in_any_field_is_refused_at_the_edge(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    """PostgreSQL refuses NUL in every string: it must never get as far as a query."""
    make_guest(email="guest@example.org")
    for response in (
        client.get("/admin/audit?action=sign%00in"),
        client.post(
            "/sign-in",
            data={
                "login": "guest\x00@example.org",
                "password": "x",
                "csrf_token": csrf_token(client, "/sign-in"),
            },
        ),
    ):
        assert response.status_code == 400
        assert "NUL character" in response.get_data(as_text=True)
