"""Guests sign in with their password; refusals are clear, limited and never log secrets."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests import formats
from tests.conftest import GUEST_PASSWORD, csrf_token, sign_in_as


def _sign_in(client: FlaskClient, email: str, password: str, next_url: str = ""):  # type: ignore[no-untyped-def]
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(
        url, data={"csrf_token": csrf_token(client, url), "login": email, "password": password}
    )


def test_guest_signs_in_and_lands_on_the_home_page(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest(display_name="Leo Santos")
    response = _sign_in(client, guest.email.upper(), GUEST_PASSWORD)
    assert response.status_code == 302 and response.location == "/"
    assert "Hello, Leo Santos" in client.get("/").get_data(as_text=True)
    db.session.refresh(guest)
    assert guest.last_sign_in_at is not None
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.signed_in")
    ).one()
    assert event.actor_id == guest.id and event.details == {"method": "password"}


def test_signing_in_starts_a_fresh_session(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    """Session fixation: nothing planted in the session before sign-in survives it, and the
    CSRF secret is a new one, so a token from before sign-in no longer works."""
    guest = make_guest()
    before = csrf_token(client, "/sign-in")
    with client.session_transaction() as planted:
        planted["planted_by_attacker"] = "yes"
        old_csrf = planted["csrf_token"]

    assert _sign_in(client, guest.email, GUEST_PASSWORD).status_code == 302

    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session
        assert session.get("csrf_token") != old_csrf
    stale = client.post("/sign-out", data={"csrf_token": before})
    assert stale.status_code == 400  # the old token is refused: still signed in
    assert "Hello" in client.get("/").get_data(as_text=True)


def test_sign_in_follows_next_only_within_the_site(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    assert _sign_in(client, guest.email, GUEST_PASSWORD, "https://evil.example/").location == "/"
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert _sign_in(client, guest.email, GUEST_PASSWORD, "/guests/").location == "/guests/"


@pytest.mark.parametrize("who", ["wrong password", "unknown address", "employee address"])
def test_wrong_credentials_get_one_message_that_reveals_nothing(
    client: FlaskClient,
    make_guest: Callable[..., Person],
    make_person: Callable[..., Person],
    who: str,
) -> None:
    guest = make_guest()
    email, password = {
        "wrong password": (guest.email, "not-the-right-password"),
        "unknown address": ("nobody@example.org", GUEST_PASSWORD),
        "employee address": (make_person().email, GUEST_PASSWORD),
    }[who]
    response = _sign_in(client, email, password)
    assert response.status_code == 401
    assert "The username or password is not right." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_ended_access_is_refused_with_the_date(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    ended = date.today() - timedelta(days=1)
    guest = make_guest(access_ends_on=ended)
    response = _sign_in(client, guest.email, GUEST_PASSWORD)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert f"Your guest access ended on {formats.long_day(ended)}" in page


def test_access_ending_during_a_session_signs_the_guest_out(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    sign_in_as(client, guest)
    assert client.get("/").status_code == 200
    ended = date.today() - timedelta(days=1)
    guest.access_ends_on = ended
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    # The sign-in page says why, once: the session is over, not asked about again.
    reason = f"Your guest access ended on {formats.long_day(ended)}."
    assert client.get(response.location).get_data(as_text=True).count(reason) == 1
    assert reason not in client.get("/sign-in").get_data(as_text=True)


def test_switched_off_account_cannot_sign_in(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest(active=False)
    response = _sign_in(client, guest.email, GUEST_PASSWORD)
    assert response.status_code == 401
    assert "This account is switched off" in response.get_data(as_text=True)


def test_refusals_are_audited_and_no_password_is_ever_logged(
    client: FlaskClient, make_guest: Callable[..., Person], caplog: pytest.LogCaptureFixture
) -> None:
    guest = make_guest()
    secret_attempt = "my-very-secret-wrong-password"
    caplog.set_level(logging.DEBUG)

    _sign_in(client, guest.email, secret_attempt)
    _sign_in(client, guest.email, GUEST_PASSWORD)

    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert "sign-in refused" in logged
    assert secret_attempt not in logged and GUEST_PASSWORD not in logged
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [event.action for event in events] == ["auth.sign_in_refused", "auth.signed_in"]
    # The refusal is about the guest, by number: their address is not kept, nor logged.
    assert (events[0].object_type, events[0].object_id) == ("person", str(guest.id))
    assert events[0].details == {"reason": "wrong_password"}
    assert all(secret_attempt not in str(event.details) for event in events)
    assert guest.email not in logged


def test_repeated_attempts_are_rate_limited(
    client: FlaskClient, make_guest: Callable[..., Person], app: Flask
) -> None:
    guest = make_guest()
    token = csrf_token(client, "/sign-in")
    data = {"csrf_token": token, "login": guest.email, "password": "wrong-password-again"}
    statuses = [client.post("/sign-in", data=data).status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    page = client.post("/sign-in", data={**data, "password": GUEST_PASSWORD})
    assert page.status_code == 429
    assert "Too many attempts" in page.get_data(as_text=True)


def test_form_with_missing_fields_is_refused(client: FlaskClient) -> None:
    response = client.post("/sign-in", data={"csrf_token": csrf_token(client, "/sign-in")})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_development_sign_in_works_only_when_switched_on(
    client: FlaskClient,
    make_person: Callable[..., Person],
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hr = make_person(Role.HR, display_name="Helen Okafor")
    assert "Development-only sign-in" not in client.get("/sign-in").get_data(as_text=True)

    monkeypatch.setitem(app.config, "DEV_SIGN_IN", True)
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Development-only sign-in" in page and "Helen Okafor (employee, hr)" in page
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in/development", data={"csrf_token": token, "dev-person_id": hr.id}
    )
    assert response.status_code == 302
    assert "Hello, Helen Okafor" in client.get("/").get_data(as_text=True)


def test_sign_out_ends_the_session(client: FlaskClient, make_guest: Callable[..., Person]) -> None:
    sign_in_as(client, make_guest())
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_a_copy_of_the_cookie_kept_from_before_sign_out_signs_nobody_in(
    client: FlaskClient, make_guest: Callable[..., Person], app: Flask
) -> None:
    """The session cookie is signed, not stored: signing out must still make a stolen or
    kept copy of it worthless (server-side, through the person's session version)."""
    guest = make_guest()
    assert _sign_in(client, guest.email, GUEST_PASSWORD).status_code == 302
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    kept = client.get_cookie(cookie_name)
    assert kept is not None

    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})

    replayed = app.test_client()
    replayed.set_cookie(cookie_name, kept.value)
    response = replayed.get("/")
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    assert _sign_in(client, guest.email, GUEST_PASSWORD).status_code == 302  # signs in again
    assert client.get("/").status_code == 200
