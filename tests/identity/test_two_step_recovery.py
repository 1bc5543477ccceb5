"""When a second step goes missing: new recovery codes made by their owner, an
administrator's reset of someone else's two-step sign-in (a lost phone), and the server's
command line for the break-glass admin's own. Codes are computed with pyotp, as an
authenticator app would; the reset's email goes through the outbox to a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from itertools import count
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.cli import cli
from intrapreneur.core import mail
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity import mfa
from intrapreneur.identity.models import Person, RecoveryCode, Role
from intrapreneur.identity.passwords import hash_password
from tests.conftest import GUEST_PASSWORD, SmtpServer, csrf_token, sign_in_as
from tests.identity.authenticator import (
    is_on_now,
    next_code,
    password_step,
    recovery_codes_on,
    set_up_two_step,
)

NEW_CODES = "/account/two-step/recovery-codes"


@pytest.fixture(autouse=True)
def _forms_without_csrf(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    # CSRF has its own test below (the reset); elsewhere these tests are about the steps.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)


@pytest.fixture
def break_glass(make_person: Callable[..., Person]) -> Callable[[], Person]:
    """Local administrators, as ``intrapreneur users create-admin`` makes them."""
    numbers = count(1)
    return lambda: make_person(
        Role.ADMIN,
        username=f"breakglass{next(numbers)}",
        password_hash=hash_password(GUEST_PASSWORD),
    )


def _audited(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _reset_url(person: Person) -> str:
    return f"/admin/two-step/{person.id}/reset"


def _deliver(inbox: SmtpServer) -> list[EmailMessage]:
    before = len(inbox.received)
    mail.deliver_due(datetime.now(UTC))
    return [received.message for received in inbox.received[before:]]


# -- new recovery codes --------------------------------------------------------------------


def test_new_recovery_codes_need_a_current_code_and_end_every_earlier_one(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    secret, old_codes = set_up_two_step(client, guest)
    sign_in_as(client, guest)

    refused = client.post(NEW_CODES, data={"new_codes-code": "000000"})
    assert refused.status_code == 401
    assert "That code is not right" in refused.get_data(as_text=True)
    assert mfa.recovery_codes_left(guest) == 10 and not _audited("mfa.recovery_codes_regenerated")

    made = client.post(NEW_CODES, data={"new_codes-code": next_code(secret)})

    page = made.get_data(as_text=True)
    new_codes = recovery_codes_on(page)
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    assert "Your earlier recovery codes no longer work." in page
    assert len(set(new_codes)) == 10 and not set(new_codes) & set(old_codes)
    assert [event.actor_id for event in _audited("mfa.recovery_codes_regenerated")] == [guest.id]
    client.post("/sign-out")
    password_step(client, guest)
    assert client.post("/sign-in/code", data={"code": old_codes[0]}).status_code == 401
    assert client.post("/sign-in/code", data={"code": new_codes[0]}).location == "/"


def test_a_recovery_code_can_stand_in_for_the_app_to_make_new_ones(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    _, old_codes = set_up_two_step(client, guest)
    sign_in_as(client, guest)

    made = client.post(NEW_CODES, data={"new_codes-code": old_codes[4]})

    assert len(recovery_codes_on(made.get_data(as_text=True))) == 10
    db.session.expire_all()
    assert mfa.recovery_codes_left(guest) == 10
    assert (
        db.session.scalar(select(RecoveryCode.id).where(RecoveryCode.used_at.is_not(None))) is None
    )


@pytest.mark.parametrize(
    ("used", "warning"),
    [
        (7, None),
        (8, "You are running out of recovery codes"),
        (10, "You have no recovery codes left"),
    ],
)
def test_the_settings_page_warns_when_few_recovery_codes_are_left(
    client: FlaskClient, make_guest: Callable[..., Person], used: int, warning: str | None
) -> None:
    guest = make_guest()
    _, codes = set_up_two_step(client, guest)
    for code in codes[:used]:
        mfa.check_code(guest, code, datetime.now(UTC))
    sign_in_as(client, guest)

    page = client.get("/account/two-step").get_data(as_text=True)

    assert f"You have {10 - used} unused recovery codes." in page
    for shown in ("You are running out of recovery codes", "You have no recovery codes left"):
        assert (shown in page) is (shown == warning)


def test_new_recovery_codes_are_rate_limited_per_account_like_passwords(
    app: Flask,
    client: FlaskClient,
    make_guest: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guest = make_guest()
    secret, _ = set_up_two_step(client, guest)
    sign_in_as(client, guest)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")

    answers = [
        client.post(
            NEW_CODES, data={"new_codes-code": code}, environ_base={"REMOTE_ADDR": address}
        ).status_code
        for code, address in (
            ("000000", "10.0.0.1"),
            ("000000", "10.0.0.2"),
            (next_code(secret), "10.0.0.3"),
        )
    ]

    assert answers == [401, 401, 429]
    assert not _audited("mfa.recovery_codes_regenerated")


def test_directory_accounts_cannot_make_recovery_codes(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.ADMIN))
    assert client.post(NEW_CODES, data={"new_codes-code": "000000"}).status_code == 403


# -- an administrator's reset --------------------------------------------------------------


def test_an_admin_resets_a_guests_lost_two_step_after_confirming_and_the_guest_is_told(
    client: FlaskClient,
    make_guest: Callable[..., Person],
    make_person: Callable[..., Person],
    inbox: SmtpServer,
) -> None:
    guest = make_guest(display_name="Ana Lima")
    set_up_two_step(client, guest)
    admin = make_person(Role.ADMIN, display_name="Ida Admin")
    sign_in_as(client, admin)

    listed = client.get("/admin/two-step").get_data(as_text=True)
    assert "Ana Lima" in listed and f'href="{_reset_url(guest)}"' in listed
    asked = client.get(_reset_url(guest))
    assert asked.status_code == 200 and "Reset Ana Lima" in asked.get_data(as_text=True)
    assert is_on_now(guest)  # the confirmation page changes nothing

    done = client.post(_reset_url(guest))

    assert done.status_code == 302 and done.location == "/admin/two-step"
    assert not is_on_now(guest)
    assert db.session.scalar(select(RecoveryCode.id)) is None
    [event] = _audited("mfa.reset")
    assert (event.actor_id, event.object_id, event.details["via"]) == (
        admin.id,
        str(guest.id),
        "web",
    )
    [message] = _deliver(inbox)
    assert message["To"] == guest.email
    assert message["Subject"] == "Your two-step sign-in for Intrapreneur was reset"
    assert "your password alone signs you in" in message.get_body(("plain",)).get_content()
    client.post("/sign-out")
    assert password_step(client, guest) == "/"  # optional here: the password alone


def test_when_required_a_reset_guest_sets_it_up_again_at_the_next_sign_in(
    app: Flask,
    client: FlaskClient,
    make_guest: Callable[..., Person],
    make_person: Callable[..., Person],
    inbox: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guest = make_guest()
    set_up_two_step(client, guest)
    monkeypatch.setitem(app.config, "LOCAL_MFA_REQUIRED", True)
    sign_in_as(client, make_person(Role.ADMIN))

    client.post(_reset_url(guest))
    client.post("/sign-out")

    assert password_step(client, guest) == "/sign-in/two-step/set-up"
    assert client.get("/").location.startswith("/sign-in")
    [message] = _deliver(inbox)
    assert (
        "asked to set up an authenticator app again" in message.get_body(("plain",)).get_content()
    )


def test_the_guests_page_offers_the_reset_to_admins_only(
    client: FlaskClient, make_guest: Callable[..., Person], make_person: Callable[..., Person]
) -> None:
    guest = make_guest()
    set_up_two_step(client, guest)

    sign_in_as(client, make_person(Role.HR))
    for_hr = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    sign_in_as(client, make_person(Role.HR, Role.ADMIN))
    for_admin = client.get(f"/guests/{guest.id}").get_data(as_text=True)

    assert "an administrator can reset it" in for_hr and _reset_url(guest) not in for_hr
    assert f'href="{_reset_url(guest)}"' in for_admin


@pytest.mark.parametrize("role", [Role.HR, Role.MANAGER, Role.EMPLOYEE])
def test_only_admins_may_reset_someones_two_step(
    client: FlaskClient,
    make_guest: Callable[..., Person],
    make_person: Callable[..., Person],
    role: Role,
) -> None:
    guest = make_guest()
    set_up_two_step(client, guest)
    sign_in_as(client, make_person(role))

    assert client.get("/admin/two-step").status_code == 403
    assert client.get(_reset_url(guest)).status_code == 403
    assert client.post(_reset_url(guest)).status_code == 403
    assert is_on_now(guest) and not _audited("mfa.reset")


def test_a_guest_cannot_reset_another_guests_two_step(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    victim, attacker = make_guest(), make_guest()
    set_up_two_step(client, victim)
    set_up_two_step(client, attacker)
    sign_in_as(client, attacker)

    assert client.post(_reset_url(victim)).status_code == 403
    assert client.post(_reset_url(attacker)).status_code == 403
    assert is_on_now(victim) and is_on_now(attacker)


def test_an_admin_cannot_reset_their_own_two_step_on_the_web(
    client: FlaskClient, break_glass: Callable[[], Person]
) -> None:
    admin = break_glass()
    set_up_two_step(client, admin)
    sign_in_as(client, admin)

    assert "yours" in client.get("/admin/two-step").get_data(as_text=True)
    refused = client.post(_reset_url(admin))

    assert refused.status_code == 403
    assert "intrapreneur users reset-two-step" in refused.get_data(as_text=True)
    assert is_on_now(admin) and not _audited("mfa.reset")


def test_an_admin_may_reset_another_break_glass_admins_two_step(
    client: FlaskClient, break_glass: Callable[[], Person]
) -> None:
    other, admin = break_glass(), break_glass()
    set_up_two_step(client, other)
    sign_in_as(client, admin)

    assert client.post(_reset_url(other)).status_code == 302
    assert not is_on_now(other)


def test_there_is_nothing_to_reset_for_directory_accounts_or_two_step_that_is_off(
    client: FlaskClient, make_guest: Callable[..., Person], make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.ADMIN))
    for person_id in (make_person().id, make_guest().id, 987_654):
        assert client.get(f"/admin/two-step/{person_id}/reset").status_code == 404
        assert client.post(f"/admin/two-step/{person_id}/reset").status_code == 404


def test_the_reset_needs_the_forms_csrf_token(
    app: Flask,
    client: FlaskClient,
    make_guest: Callable[..., Person],
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guest = make_guest()
    set_up_two_step(client, guest)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    sign_in_as(client, make_person(Role.ADMIN))

    assert client.post(_reset_url(guest)).status_code == 400
    assert client.post(_reset_url(guest), data={"csrf_token": "forged"}).status_code == 400
    assert is_on_now(guest)
    token = csrf_token(client, _reset_url(guest))
    assert client.post(_reset_url(guest), data={"csrf_token": token}).status_code == 302
    assert not is_on_now(guest)


# -- the server's command line -------------------------------------------------------------


def _reset_on_the_server(app: Flask, login: str) -> object:
    return CliRunner().invoke(
        cli, ["users", "reset-two-step", login], obj=ScriptInfo(create_app=lambda: app)
    )


def test_the_command_line_resets_the_break_glass_admins_own_two_step(
    app: Flask, client: FlaskClient, break_glass: Callable[[], Person]
) -> None:
    admin = break_glass()
    set_up_two_step(client, admin)

    result = _reset_on_the_server(app, admin.username.upper())

    assert result.exit_code == 0, result.output
    assert "the next sign-in takes the password alone" in result.output
    assert not is_on_now(admin)
    [event] = _audited("mfa.reset")
    assert (event.actor_id, event.object_id, event.details["via"]) == (None, str(admin.id), "cli")


def test_the_command_line_refuses_accounts_without_two_step(
    app: Flask, make_person: Callable[..., Person], break_glass: Callable[[], Person]
) -> None:
    employee, admin = make_person(), break_glass()
    for login in (employee.username, admin.username, "nobody"):
        result = _reset_on_the_server(app, login)
        assert result.exit_code == 1
        assert "is no local account with two-step sign-in on" in result.output
    assert not _audited("mfa.reset")


def test_the_list_of_accounts_with_two_step_is_shown_a_page_at_a_time(
    client: FlaskClient,
    make_guest: Callable[..., Person],
    make_person: Callable[..., Person],
    count_queries: Callable[[], Any],
) -> None:
    names = ["Guest A", "Guest B", "Guest C"]
    for name in names:
        set_up_two_step(client, make_guest(display_name=name))
        client.post("/sign-out")
    sign_in_as(client, make_person(Role.ADMIN))

    first = client.get("/admin/two-step?per_page=2").get_data(as_text=True)
    second = client.get("/admin/two-step?per_page=2&page=2").get_data(as_text=True)

    assert [name in first for name in names] == [True, True, False]
    assert [name in second for name in names] == [False, False, True]
    # The same statements for one account on the page as for three: no query per row.
    with count_queries() as one:
        client.get("/admin/two-step?per_page=1")
    with count_queries() as three:
        client.get("/admin/two-step?per_page=3")
    assert one.total == three.total
