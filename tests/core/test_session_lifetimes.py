"""Sessions end after an idle time and an absolute time, both settings; a rotated secret
key listed as a fallback keeps everyone signed in and every link working."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner

from intrapreneur import settings
from intrapreneur.core.security import SIGNED_IN_AT
from intrapreneur.identity import invitations
from intrapreneur.identity.models import Person, Role
from intrapreneur.settings import ConfigError
from tests.conftest import GUEST_PASSWORD, csrf_token, sign_in_as

NEW_KEY = "n" * 48


def _config(tmp_path: Path, **variables: str) -> dict[str, object]:
    environment = {"INTRAPRENEUR_ENV": "test"}
    environment.update({f"INTRAPRENEUR_{k}": v for k, v in variables.items()})
    return settings.load(environment, instance_path=tmp_path).flask_config()


def test_lifetimes_default_to_eight_idle_hours_within_twelve(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert config["PERMANENT_SESSION_LIFETIME"] == 8 * 60 * 60
    assert config["SESSION_MAX_HOURS"] == 12
    assert config["SECRET_KEY_FALLBACKS"] == []

    chosen = _config(tmp_path, SESSION_IDLE_MINUTES="30", SESSION_MAX_HOURS="9")
    assert chosen["PERMANENT_SESSION_LIFETIME"] == 30 * 60
    assert chosen["SESSION_MAX_HOURS"] == 9


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"SESSION_IDLE_MINUTES": "0"}, "SESSION_IDLE_MINUTES must be a whole number from 1"),
        ({"SESSION_MAX_HOURS": "ever"}, "SESSION_MAX_HOURS must be a whole number from 1"),
        (
            {"SESSION_IDLE_MINUTES": "600", "SESSION_MAX_HOURS": "8"},
            r"SESSION_IDLE_MINUTES \(600\) is longer than INTRAPRENEUR_SESSION_MAX_HOURS",
        ),
    ],
)
def test_lifetimes_refuse_impossible_values(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        _config(tmp_path, **variables)


def test_fallback_keys_are_comma_separated_and_long_in_production(tmp_path: Path) -> None:
    old, older = "o" * 40, "p" * 40
    assert _config(tmp_path, SECRET_KEY_FALLBACKS=f" {old} ,{older},")["SECRET_KEY_FALLBACKS"] == [
        old,
        older,
    ]
    production = {
        "INTRAPRENEUR_SECRET_KEY": NEW_KEY,
        "INTRAPRENEUR_SURVEY_PSEUDONYM_KEY": "s" * 48,
        "INTRAPRENEUR_SECRET_KEY_FALLBACKS": f"{old},changeme",
    }
    with pytest.raises(ConfigError, match="SECRET_KEY_FALLBACKS holds a key shorter than 32"):
        settings.load(production, instance_path=tmp_path)


def test_signing_in_notes_when_and_the_session_ends_after_the_absolute_lifetime(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    token = csrf_token(client, "/sign-in")
    form = {"csrf_token": token, "login": guest.email, "password": GUEST_PASSWORD}
    assert client.post("/sign-in", data=form).location == "/"
    with client.session_transaction() as session:
        assert time.time() - session[SIGNED_IN_AT] < 60
        session[SIGNED_IN_AT] = time.time() - 11 * 60 * 60  # within the 12 hours
    assert client.get("/").status_code == 200

    with client.session_transaction() as session:
        session[SIGNED_IN_AT] = time.time() - 13 * 60 * 60

    ended = client.get("/")
    assert ended.status_code == 302 and ended.location.startswith("/sign-in")
    page = client.get(ended.location).get_data(as_text=True)
    assert "You were signed in for 12 hours. Please sign in again." in page
    assert client.get("/").status_code == 302


def test_a_session_from_before_the_rule_counts_its_lifetime_from_now(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.HR))  # the cookie has no sign-in time
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session[SIGNED_IN_AT] < 60


@pytest.mark.parametrize(("idle_minutes", "signed_in"), [(7 * 60 + 50, True), (8 * 60 + 10, False)])
def test_a_cookie_unused_for_longer_than_the_idle_lifetime_is_refused(
    client: FlaskClient,
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
    idle_minutes: int,
    signed_in: bool,
) -> None:
    sign_in_as(client, make_person())
    now = int(time.time())
    # The server's clock moves on while the browser stays away.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _: now + idle_minutes * 60)

    response = client.get("/")

    assert (response.status_code == 200) is signed_in
    if not signed_in:
        assert response.location.startswith("/sign-in")


def test_a_rotated_key_listed_as_fallback_keeps_sessions_and_links(
    app: Flask,
    client: FlaskClient,
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hr = make_person(Role.HR)
    sign_in_as(client, hr)
    _, token = invitations.invite_guest(
        email="rotation@example.org",
        display_name="Rotation Guest",
        access_ends_on=date.today() + timedelta(days=30),
        invited_by=hr,
        now=datetime.now(UTC),
    )
    old_key = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", NEW_KEY)

    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    assert client.get("/").status_code == 200  # and the cookie is signed anew with NEW_KEY
    assert client.get(f"/invitations/{token}").status_code == 200

    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    assert client.get("/").status_code == 200
    assert client.get(f"/invitations/{token}").status_code == 404


def test_without_the_fallback_a_rotated_key_signs_everyone_out(
    app: Flask,
    client: FlaskClient,
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in_as(client, make_person())
    monkeypatch.setitem(app.config, "SECRET_KEY", NEW_KEY)
    assert client.get("/").location.startswith("/sign-in")
