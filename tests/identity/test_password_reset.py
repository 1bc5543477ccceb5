"""A guest who forgot their password gets a single-use link by email; nobody learns from the
form which addresses have accounts."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.core import mail
from intrapreneur.core.mail_models import OutgoingEmail
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity import password_resets
from intrapreneur.identity.models import PasswordReset, Person, PersonKind, Role
from tests.conftest import GUEST_PASSWORD, SmtpServer, csrf_token, sign_in_as

BASE = "https://intrapreneur.example"
NEW_PASSWORD = "amber-tortoise-violin-harvest-82"
SENT_PAGE = "/forgot-password/sent"


@pytest.fixture
def site(app: Flask, monkeypatch: pytest.MonkeyPatch) -> str:
    """INTRAPRENEUR_BASE_URL is set: reset links are built from it and nothing else."""
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    return BASE


@pytest.fixture
def guest(make_guest: Callable[..., Person]) -> Person:
    person = make_guest(email="nina@ventures.example", display_name="Nina Petrova")
    db.session.commit()
    return person


def _ask(client: FlaskClient, email: str, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(
        "/forgot-password",
        data={"csrf_token": csrf_token(client, "/forgot-password"), "email": email},
        environ_base={"REMOTE_ADDR": address},
    )


def _deliver(inbox: SmtpServer) -> list[EmailMessage]:
    before = len(inbox.received)
    mail.deliver_due(datetime.now(UTC))
    return [received.message for received in inbox.received[before:]]


def _link_in(message: EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()
    found = re.search(rf"{re.escape(BASE)}/password-reset/\S+", text)
    assert found, text
    return found.group(0)


def _path(link: str) -> str:
    return link.removeprefix(BASE)


def _set_password(  # type: ignore[no-untyped-def]
    client: FlaskClient, path: str, password: str, confirm: str | None = None, form_page: str = ""
):
    """``form_page``: where to take the CSRF token from when ``path`` shows no form."""
    return client.post(
        path,
        data={
            "csrf_token": csrf_token(client, form_page or path),
            "password": password,
            "confirm": confirm or password,
        },
    )


def _sign_in(client: FlaskClient, email: str, password: str) -> int:
    data = {"csrf_token": csrf_token(client, "/sign-in"), "login": email, "password": password}
    return client.post("/sign-in", data=data).status_code


def _sign_out(client: FlaskClient) -> None:
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})


def _emails_queued() -> int:
    return db.session.scalar(select(func.count()).select_from(OutgoingEmail))


def test_the_sign_in_page_offers_the_reset_and_tells_employees_to_ask_it(
    client: FlaskClient, site: str
) -> None:
    assert 'href="/forgot-password"' in client.get("/sign-in").get_data(as_text=True)
    page = client.get("/forgot-password").get_data(as_text=True)
    assert "Email me a link" in page
    assert "Reset it the way you usually do, or ask IT" in page


def test_a_guest_resets_by_email_and_only_the_new_password_works(
    client: FlaskClient,
    site: str,
    guest: Person,
    inbox: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    asked = _ask(client, "  Nina@Ventures.example ")
    assert asked.status_code == 303 and asked.location == SENT_PAGE
    assert "a link to choose a new password is on its way" in client.get(SENT_PAGE).get_data(
        as_text=True
    )

    [message] = _deliver(inbox)  # through the outbox and a real SMTP server

    assert message["To"] == "nina@ventures.example"
    assert message["Subject"] == "Choose a new password for Intrapreneur"
    link = _link_in(message)
    assert "it works once, until" in message.get_body(("plain",)).get_content()
    assert f'href="{link}"' in message.get_body(("html",)).get_content()
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalars(select(PasswordReset)).one()
    assert token not in stored.secret_hash and len(stored.secret_hash) == 64  # a hash only
    assert db.session.scalar(select(OutgoingEmail.text_body)) == ""  # blanked once sent

    page = client.get(_path(link))
    assert page.status_code == 200 and "nina@ventures.example" in page.get_data(as_text=True)
    done = _set_password(client, _path(link), NEW_PASSWORD)
    assert done.status_code == 302 and done.location == "/"
    assert "Hello, Nina Petrova" in client.get("/").get_data(as_text=True)

    _sign_out(client)
    assert _sign_in(client, guest.email, GUEST_PASSWORD) == 401
    assert _sign_in(client, guest.email, NEW_PASSWORD) == 302
    assert token not in caplog.text
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [event.action for event in events]
    assert actions[:3] == ["auth.password_reset_requested", "auth.password_reset", "auth.signed_in"]
    assert events[0].object_id == str(guest.id)
    assert events[0].details == {}  # the guest by number, never the address
    assert events[2].details == {"method": "password_reset"}
    assert all(token not in str(event.details) for event in events)


def test_a_link_works_once(client: FlaskClient, site: str, guest: Person) -> None:
    _, token = password_resets.issue_link(guest, datetime.now(UTC))
    db.session.commit()
    assert _set_password(client, f"/password-reset/{token}", NEW_PASSWORD).status_code == 302
    _sign_out(client)

    again = client.get(f"/password-reset/{token}")
    assert again.status_code == 410
    assert "This link has already been used" in again.get_data(as_text=True)
    replayed = _set_password(client, f"/password-reset/{token}", "x", form_page="/sign-in")
    assert replayed.status_code == 410


def test_an_expired_link_is_refused(client: FlaskClient, site: str, guest: Person) -> None:
    _, token = password_resets.issue_link(guest, datetime.now(UTC) - timedelta(minutes=61))
    db.session.commit()
    response = client.get(f"/password-reset/{token}")
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)


def test_asking_again_ends_the_earlier_link(
    client: FlaskClient, site: str, guest: Person, inbox: SmtpServer
) -> None:
    _ask(client, guest.email)
    _ask(client, guest.email)
    first, second = (_path(_link_in(message)) for message in _deliver(inbox))

    assert client.get(first).status_code == 410
    assert _set_password(client, first, NEW_PASSWORD, form_page="/sign-in").status_code == 410
    assert client.get(second).status_code == 200


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-3] + "abc", lambda t: "garbage", lambda t: t + "x"]
)
def test_a_tampered_link_is_refused(
    client: FlaskClient, site: str, guest: Person, mangle: Callable[[str], str]
) -> None:
    _, token = password_resets.issue_link(guest, datetime.now(UTC))
    db.session.commit()
    response = client.get(f"/password-reset/{mangle(token)}")
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "who",
    ["unknown address", "employee", "guest whose access ended", "switched-off guest", "invitee"],
)
def test_everyone_else_gets_the_same_answer_and_no_email(
    client: FlaskClient,
    site: str,
    guest: Person,
    make_person: Callable[..., Person],
    make_guest: Callable[..., Person],
    inbox: SmtpServer,
    who: str,
) -> None:
    email = {
        "unknown address": lambda: "nobody@ventures.example",
        "employee": lambda: make_person(Role.HR).email,
        "guest whose access ended": lambda: (
            make_guest(access_ends_on=date.today() - timedelta(days=1)).email
        ),
        "switched-off guest": lambda: make_guest(active=False).email,
        # Invited but never accepted: their invitation, not a reset, sets the first password.
        "invitee": lambda: (
            make_person(
                kind=PersonKind.GUEST, access_ends_on=date.today() + timedelta(days=9)
            ).email
        ),
    }[who]()
    db.session.commit()

    theirs, real = _ask(client, email), _ask(client, guest.email)

    assert (theirs.status_code, theirs.location) == (real.status_code, real.location)
    assert theirs.get_data() == real.get_data()
    assert [message["To"] for message in _deliver(inbox)] == [guest.email]
    assert db.session.scalar(select(func.count()).select_from(PasswordReset)) == 1


def test_a_bad_address_is_refused_with_a_clear_message(client: FlaskClient, site: str) -> None:
    response = _ask(client, "not an address")
    assert response.status_code == 422
    assert "Invalid email address." in response.get_data(as_text=True)
    assert _emails_queued() == 0


def test_the_new_password_follows_the_invitation_policy(
    client: FlaskClient, site: str, guest: Person
) -> None:
    _, token = password_resets.issue_link(guest, datetime.now(UTC))
    db.session.commit()
    path = f"/password-reset/{token}"
    for password, confirm, message in [
        ("short", None, "Use at least 12 characters."),
        ("aaaaaaaaaaaaaaaa", None, "This password is too easy to guess."),
        (NEW_PASSWORD, "something-else-entirely", "The two passwords differ"),
    ]:
        response = _set_password(client, path, password, confirm)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert _sign_in(client, guest.email, GUEST_PASSWORD) == 302  # the old one still works


def test_a_reset_ends_every_other_session(
    app: Flask, client: FlaskClient, site: str, guest: Person
) -> None:
    elsewhere = app.test_client()
    sign_in_as(elsewhere, guest)
    assert elsewhere.get("/").status_code == 200
    _, token = password_resets.issue_link(guest, datetime.now(UTC))
    db.session.commit()

    assert _set_password(client, f"/password-reset/{token}", NEW_PASSWORD).status_code == 302

    assert client.get("/").status_code == 200
    signed_out = elsewhere.get("/")
    assert signed_out.status_code == 302 and signed_out.location.startswith("/sign-in")


def test_a_guest_switched_off_after_asking_cannot_use_the_link(
    client: FlaskClient, site: str, guest: Person
) -> None:
    _, token = password_resets.issue_link(guest, datetime.now(UTC))
    guest.active = False
    db.session.commit()
    response = _set_password(client, f"/password-reset/{token}", NEW_PASSWORD, form_page="/sign-in")
    assert response.status_code == 401
    assert "This account is switched off" in response.get_data(as_text=True)


def test_the_link_never_follows_the_host_header(
    client: FlaskClient, site: str, guest: Person, inbox: SmtpServer
) -> None:
    """Reset poisoning: a request naming another host must not get that host into the link."""
    foreign = {"Host": "attacker.example"}
    form = client.get("/forgot-password", headers=foreign).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert token
    data = {"csrf_token": token.group(1), "email": guest.email}
    assert client.post("/forgot-password", data=data, headers=foreign).status_code == 303
    [message] = _deliver(inbox)
    assert _link_in(message).startswith(f"{BASE}/password-reset/")
    assert "attacker.example" not in message.as_string()


def test_without_a_public_address_the_form_says_so_and_sends_nothing(
    client: FlaskClient, guest: Person
) -> None:
    page = client.get("/forgot-password").get_data(as_text=True)
    assert "Password reset by email is not set up on this server" in page
    form = {"csrf_token": csrf_token(client, "/sign-in"), "email": guest.email}
    response = client.post("/forgot-password", data=form)
    assert response.status_code == 422
    assert _emails_queued() == 0


def test_asking_is_rate_limited_per_address_asked_for_and_per_client(
    client: FlaskClient,
    site: str,
    guest: Person,
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One inbox cannot be flooded from many client addresses ...
    statuses = [_ask(client, guest.email, f"10.0.0.{n}").status_code for n in range(6)]
    assert statuses == [303] * 5 + [429]
    refused = _ask(client, guest.email, "10.0.0.99")
    assert refused.status_code == 429
    assert re.search(r"Try again in \d+ minutes\.", refused.get_data(as_text=True))
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    # ... and one client cannot sweep through many addresses.
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    swept = [_ask(client, f"someone{n}@ventures.example", "10.1.1.1").status_code for n in range(4)]
    assert swept == [303] * 3 + [429]
