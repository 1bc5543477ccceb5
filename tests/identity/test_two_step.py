"""Two-step sign-in for local accounts: setting up an authenticator app, the code after the
password, recovery codes, turning it off, and the organisation requiring it. Codes are
computed here with pyotp from the secret the page shows, as an authenticator app would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.blueprints import signing_in
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity import mfa, password_resets
from intrapreneur.identity.models import LocalMfa, Person, RecoveryCode, Role
from tests.conftest import sign_in_as
from tests.identity.authenticator import (
    is_on_now,
    next_code,
    password_step,
    recovery_codes_on,
    secret_on,
    set_up_two_step,
)

NOW = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _forms_without_csrf(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests are about the second step; CSRF on every form has its own tests.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)


@pytest.fixture
def require_mfa(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "LOCAL_MFA_REQUIRED", True)


def _actions(person: Person) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.actor_id == person.id, AuditEvent.action.like("mfa.%"))
            .order_by(AuditEvent.id)
        )
    )


def test_a_guest_sets_up_an_authenticator_with_a_first_code_and_gets_recovery_codes(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    sign_in_as(client, guest)
    assert "Two-step sign-in is off" in client.get("/account/two-step").get_data(as_text=True)

    shown = client.post("/account/two-step/set-up")
    page = shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    assert 'src="data:image/svg+xml' in page  # drawn here: the CSP allows data: images only
    secret = secret_on(page)
    stored = db.session.get(LocalMfa, guest.id)
    assert stored is not None and stored.enabled_at is None
    assert secret not in stored.secret_encrypted
    assert not is_on_now(guest)

    confirmed = client.post("/account/two-step/confirm", data={"code": pyotp.TOTP(secret).now()})
    codes = recovery_codes_on(confirmed.get_data(as_text=True))
    assert confirmed.headers["Cache-Control"] == "no-store"
    assert len(set(codes)) == 10
    assert is_on_now(guest)
    hashes = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert not {code.replace("-", "") for code in codes} & hashes  # only hashes are kept
    assert _actions(guest) == ["mfa.set_up"]
    settings = client.get("/account/two-step").get_data(as_text=True)
    assert "You have 10 unused recovery codes." in settings
    assert secret not in settings


def test_a_wrong_first_code_switches_nothing_on_and_does_not_show_the_key_again(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    sign_in_as(client, guest)
    secret = secret_on(client.post("/account/two-step/set-up").get_data(as_text=True))
    wrong = str((int(pyotp.TOTP(secret).now()) + 1) % 1_000_000).zfill(6)

    refused = client.post("/account/two-step/confirm", data={"code": wrong})

    page = refused.get_data(as_text=True)
    assert refused.status_code == 401
    assert "That code is not right" in page
    assert secret not in page and "data:image/svg+xml" not in page
    assert not is_on_now(guest)
    assert _actions(guest) == []


def test_the_password_alone_reaches_nothing_and_the_code_signs_in(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest(display_name="Ana Lima")
    secret, _ = set_up_two_step(client, guest)

    assert password_step(client, guest, next_url="/account/profile") == "/sign-in/code"
    assert client.get("/").location.startswith("/sign-in")
    assert client.get("/account/two-step").location.startswith("/sign-in")

    signed_in = client.post("/sign-in/code", data={"code": next_code(secret)})
    assert signed_in.status_code == 302 and signed_in.location == "/account/profile"
    assert "Ana Lima" in client.get("/").get_data(as_text=True)


def test_a_code_is_accepted_once_and_a_wrong_one_is_refused_and_logged(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    secret, _ = set_up_two_step(client, guest)
    code = next_code(secret)
    password_step(client, guest)
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    refused = client.post("/sign-in/code", data={"code": wrong})
    assert refused.status_code == 401
    assert "That code is not right" in refused.get_data(as_text=True)
    assert client.post("/sign-in/code", data={"code": code}).location == "/"
    client.post("/sign-out")

    password_step(client, guest)
    replayed = client.post("/sign-in/code", data={"code": code})

    assert replayed.status_code == 401
    assert client.get("/").location.startswith("/sign-in")
    reasons = db.session.scalars(
        select(AuditEvent.details["reason"].as_string()).where(
            AuditEvent.action == "auth.sign_in_refused"
        )
    )
    assert list(reasons) == ["wrong_code", "wrong_code"]


def test_one_step_of_clock_drift_is_accepted_two_are_not(
    app: Flask, make_guest: Callable[..., Person], client: FlaskClient
) -> None:
    guest = make_guest()
    secret, _ = set_up_two_step(client, guest)
    totp = pyotp.TOTP(secret)
    later = NOW + timedelta(days=1)  # after the set-up's step, so none of these is a replay

    mfa.check_code(guest, totp.at(later - timedelta(seconds=30)), later)
    mfa.check_code(guest, totp.at(later + timedelta(seconds=30)), later + timedelta(seconds=30))
    for drifted in (later + timedelta(seconds=120), later + timedelta(seconds=150)):
        with pytest.raises(mfa.SignInRefused):
            mfa.check_code(guest, totp.at(drifted), later + timedelta(seconds=60))
    # An earlier step than the last one used is a replay, even if still within the drift.
    with pytest.raises(mfa.SignInRefused):
        mfa.check_code(guest, totp.at(later), later)


def test_a_recovery_code_signs_in_once(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    _, codes = set_up_two_step(client, guest)

    password_step(client, guest)
    assert client.post("/sign-in/code", data={"code": codes[3].upper()}).location == "/"
    client.post("/sign-out")
    password_step(client, guest)
    assert client.post("/sign-in/code", data={"code": codes[3]}).status_code == 401

    assert _actions(guest) == ["mfa.set_up", "mfa.recovery_code_used"]
    assert mfa.recovery_codes_left(guest) == 9


def test_turning_it_off_needs_a_current_code(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    secret, _ = set_up_two_step(client, guest)
    sign_in_as(client, guest)

    refused = client.post("/account/two-step/turn-off", data={"code": "000000"})
    assert refused.status_code == 401 and is_on_now(guest)

    turned_off = client.post("/account/two-step/turn-off", data={"code": next_code(secret)})
    assert turned_off.location == "/account/two-step"
    assert not is_on_now(guest)
    assert db.session.scalar(select(RecoveryCode.id)) is None
    assert _actions(guest) == ["mfa.set_up", "mfa.turned_off"]
    client.post("/sign-out")
    assert password_step(client, guest) == "/"  # the password alone signs in again


def test_a_password_reset_does_not_skip_the_code(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    set_up_two_step(client, guest)
    _, token = password_resets.issue_link(guest, datetime.now(UTC))
    db.session.commit()

    new_password = "amber-violin-glacier-compass-81"
    response = client.post(
        f"/password-reset/{token}", data={"password": new_password, "confirm": new_password}
    )

    assert response.location == "/sign-in/code"
    assert client.get("/").location.startswith("/sign-in")


def test_the_half_signed_in_state_lasts_ten_minutes(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    secret, _ = set_up_two_step(client, guest)
    password_step(client, guest)
    with client.session_transaction() as session:
        pending = session[signing_in.PENDING]
        session[signing_in.PENDING] = {**pending, "since": pending["since"] - 11 * 60}

    late = client.post("/sign-in/code", data={"code": next_code(secret)})

    assert late.location == "/sign-in"
    assert client.get("/").location.startswith("/sign-in")


def test_codes_are_rate_limited_per_account_like_passwords(
    client: FlaskClient,
    make_guest: Callable[..., Person],
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guest = make_guest()
    secret, _ = set_up_two_step(client, guest)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    password_step(client, guest)
    answers = [
        client.post(
            "/sign-in/code", data={"code": "000000"}, environ_base={"REMOTE_ADDR": address}
        ).status_code
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4")
    ]
    assert answers == [401, 401, 401, 429]
    # Even the right code waits: guessing gains nothing from a new address.
    right = client.post(
        "/sign-in/code",
        data={"code": pyotp.TOTP(secret).now()},
        environ_base={"REMOTE_ADDR": "10.0.0.5"},
    )
    assert right.status_code == 429


def test_when_required_a_local_account_sets_it_up_before_anything_else(
    client: FlaskClient, make_guest: Callable[..., Person], require_mfa: None
) -> None:
    guest = make_guest()

    assert password_step(client, guest, next_url="/account/profile") == "/sign-in/two-step/set-up"
    assert client.get("/").location.startswith("/sign-in")
    assert client.get("/sign-in/code").location == "/sign-in"
    assert "requires two-step sign-in" in client.get("/sign-in/two-step/set-up").get_data(
        as_text=True
    )
    secret = secret_on(client.post("/sign-in/two-step/set-up").get_data(as_text=True))
    refused = client.post("/sign-in/two-step/confirm", data={"code": "12345"})
    assert refused.status_code == 401 and client.get("/").status_code == 302

    done = client.post("/sign-in/two-step/confirm", data={"code": pyotp.TOTP(secret).now()})

    page = done.get_data(as_text=True)
    assert len(recovery_codes_on(page)) == 10
    assert 'href="/account/profile"' in page
    assert client.get("/").status_code == 200
    assert is_on_now(guest)
    # Required: it stays on, whatever code is given.
    kept = client.post("/account/two-step/turn-off", data={"code": pyotp.TOTP(secret).now()})
    assert kept.status_code == 409 and is_on_now(guest)


def test_directory_and_development_sign_ins_are_never_asked_for_a_code(
    make_person: Callable[..., Person], make_guest: Callable[..., Person], require_mfa: None
) -> None:
    employee = make_person(Role.ADMIN)
    break_glass = make_person(Role.ADMIN, password_hash="a-local-password-hash")

    assert mfa.step_after_password(employee, "directory") is None
    assert mfa.step_after_password(make_guest(), "development") is None
    assert mfa.step_after_password(break_glass, "password") == mfa.Step.SET_UP


def test_directory_accounts_have_no_two_step_page(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.ADMIN))
    assert client.get("/account/two-step").status_code == 403
    assert "Two-step sign-in" not in client.get("/account/profile").get_data(as_text=True)


def test_the_key_survives_a_secret_key_rotation_listed_as_fallback(
    app: Flask,
    client: FlaskClient,
    make_guest: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guest = make_guest()
    secret, _ = set_up_two_step(client, guest)
    old_key = app.config["SECRET_KEY"]
    later = NOW + timedelta(days=1)

    monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-secret-key-of-at-least-32-characters")
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    mfa.check_code(guest, pyotp.TOTP(secret).at(later), later)

    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    a_minute_later = later + timedelta(minutes=1)
    with pytest.raises(mfa.SignInRefused):
        mfa.check_code(guest, pyotp.TOTP(secret).at(a_minute_later), a_minute_later)
