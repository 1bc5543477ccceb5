"""The outbox against a real SMTP server on loopback: delivery, retries, claims, safety."""

from __future__ import annotations

import os
import ssl
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from intrapreneur import create_app
from intrapreneur.cli import cli
from intrapreneur.core import mail
from intrapreneur.core.mail_models import EmailKind, EmailPreference, EmailStatus, OutgoingEmail
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.settings import ConfigError, MailSettings, load_mail
from intrapreneur.settings import load as load_settings
from tests.conftest import (
    MAIL_FROM,
    SmtpServer,
    csrf_token,
    environment_for,
    mail_settings,
    sign_in_as,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
SMTP_USER = "mailer"
SMTP_PASSWORD = "smtp-Secret-Pass-9"


def queue_news(person: Person, text: str = "Bea reviewed ‘Pilot’: support", **values: Any) -> bool:
    return mail.queue(
        person,
        values.pop("kind", EmailKind.REVIEW_NOTIFICATION),
        subject=values.pop("subject", text),
        template="review_notification",
        context={"text": text, "link": "https://intrapreneur.example/experiments/1"},
        now=values.pop("now", NOW),
        **values,
    )


def outbox() -> list[OutgoingEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id)))


def test_a_queued_email_goes_out_once_with_a_text_and_an_html_part(
    inbox: SmtpServer, make_person: Callable[..., Person]
) -> None:
    person = make_person(display_name="Dana <Doe>")
    assert queue_news(person, "Bea reviewed ‘<b>Pilot</b>’: support")
    db.session.commit()

    report = mail.deliver_due(NOW)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    assert mail.deliver_due(NOW + timedelta(days=1)).sent == 0  # never twice

    [received] = inbox.received
    assert received.recipients == [person.email]
    assert received.sender == "intrapreneur@corp.example"
    message = received.message
    assert message["To"] == person.email
    assert message["From"] == MAIL_FROM
    assert message["Subject"] == "Bea reviewed ‘<b>Pilot</b>’: support"
    assert message["Message-ID"].startswith("<outbox-")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hello Dana <Doe>," in text
    assert "‘<b>Pilot</b>’" in text
    # The HTML part escapes what people typed.
    assert "Hello Dana &lt;Doe&gt;," in html
    assert "&lt;b&gt;Pilot&lt;/b&gt;" in html
    assert '<a href="https://intrapreneur.example/experiments/1">' in html

    [row] = outbox()
    assert row.status is EmailStatus.SENT
    assert row.sent_at == NOW
    assert row.attempts == 1
    # Bodies may hold personal links: none are kept once the server has the email.
    assert (row.text_body, row.html_body, row.calendar) == ("", "", None)


def test_without_smtp_settings_delivery_is_off_and_emails_wait(
    app: Flask, make_person: Callable[..., Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAIL", None)
    queue_news(make_person())
    db.session.commit()

    report = mail.deliver_due(NOW)

    assert report.disabled
    assert "INTRAPRENEUR_SMTP_URL" in report.describe()
    [row] = outbox()
    assert (row.status, row.attempts) == (EmailStatus.PENDING, 0)


@pytest.fixture
def smtp_down(
    app: Flask,
    inbox: SmtpServer,
    closed_port: int,
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> MailSettings:
    """One email queued while nobody answers on the SMTP port; gives the working settings."""
    queue_news(make_person())
    db.session.commit()
    working = app.config["MAIL"]
    monkeypatch.setitem(app.config, "MAIL", mail_settings(closed_port))
    return working


def test_smtp_down_keeps_the_email_and_it_goes_out_once_later(
    app: Flask, inbox: SmtpServer, smtp_down: MailSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    working = smtp_down

    report = mail.deliver_due(NOW)

    assert (report.sent, report.retrying) == (0, 1)
    [row] = outbox()
    assert row.status is EmailStatus.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at == NOW + mail.BACKOFF[0]
    assert "ConnectionRefusedError" in (row.last_error or "")
    assert row.text_body  # kept for the next attempt

    monkeypatch.setitem(app.config, "MAIL", working)
    assert mail.deliver_due(NOW + timedelta(seconds=59)).sent == 0  # not due yet
    assert mail.deliver_due(NOW + mail.BACKOFF[0]).sent == 1
    assert mail.deliver_due(NOW + timedelta(days=2)).sent == 0
    assert len(inbox.received) == 1
    [row] = outbox()
    assert (row.status, row.attempts, row.last_error) == (EmailStatus.SENT, 2, None)


def test_each_failure_waits_longer_until_the_email_fails_for_good_and_can_be_retried(
    app: Flask, inbox: SmtpServer, smtp_down: MailSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    working = smtp_down

    moment, waits = NOW, []
    for _ in range(mail.MAX_ATTEMPTS):
        mail.deliver_due(moment)
        [row] = outbox()
        if row.status is EmailStatus.FAILED:
            break
        waits.append(row.next_attempt_at - moment)
        moment = row.next_attempt_at

    assert waits == list(mail.BACKOFF)
    assert (row.status, row.attempts) == (EmailStatus.FAILED, mail.MAX_ATTEMPTS)
    assert mail.deliver_due(moment + timedelta(days=30)).sent == 0

    monkeypatch.setitem(app.config, "MAIL", working)
    assert mail.retry_failed(moment) == 1
    db.session.commit()
    assert mail.deliver_due(moment).sent == 1
    assert len(inbox.received) == 1


def test_a_claimed_email_is_not_claimed_again_until_its_claim_runs_out(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    queue_news(make_person())
    queue_news(make_person())
    db.session.commit()

    first = mail.claim_due(db.session, NOW, 1)
    second = mail.claim_due(db.session, NOW, 10)
    third = mail.claim_due(db.session, NOW, 10)
    # A sender that died: its claim runs out and the email is due again.
    again = mail.claim_due(db.session, NOW + mail.CLAIM_LEASE, 10)

    assert len(first) == len(second) == 1
    assert first != second
    assert third == []
    assert sorted(again) == sorted(first + second)


@pytest.mark.postgres_only
def test_concurrent_senders_skip_each_others_claims_without_waiting(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    """Two PostgreSQL transactions claim at once: the second passes the locked row by."""
    if not os.environ.get("INTRAPRENEUR_TEST_DATABASE_URL"):
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite has one writer at a time")
    with empty_database("mailclaim") as url:
        application = create_app(environment_for(url, tmp_path), TESTING=True)
        with application.app_context():
            from flask_migrate import upgrade

            upgrade()
            engine = db.engine
            with engine.begin() as connection:
                connection.execute(insert(OutgoingEmail), [_row(n) for n in range(3)])
            with Session(engine) as first, Session(engine) as second:
                first.connection().exec_driver_sql("SET lock_timeout = '2s'")
                second.connection().exec_driver_sql("SET lock_timeout = '2s'")
                mine = mail.claim_due(first, NOW, 1)  # holds its row's lock, not committed
                theirs = mail.claim_due(second, NOW, 10)
                second.commit()
                first.commit()
            with Session(engine) as third:
                left = mail.claim_due(third, NOW, 10)
            engine.dispose()
    assert len(mine) == 1
    assert len(theirs) == 2
    assert not set(mine) & set(theirs)
    assert left == []


def _row(number: int) -> dict[str, Any]:
    return {
        "to_address": f"person{number}@corp.example",
        "kind": EmailKind.REVIEW_NOTIFICATION,
        "subject": "Review",
        "text_body": "text",
        "html_body": "<p>html</p>",
        "status": EmailStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": NOW,
        "created_at": NOW,
    }


def test_the_same_email_is_queued_once_under_one_dedupe_key(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    person = make_person()
    assert queue_news(person, dedupe_key="review:1")
    assert not queue_news(person, dedupe_key="review:1")
    assert queue_news(person, dedupe_key="review:2")
    assert len(outbox()) == 2


@pytest.mark.parametrize(
    "subject",
    ["Hello\r\nBcc: everyone@corp.example", "Hello\nBcc: everyone@corp.example", "Hi\rthere"],
)
def test_a_subject_with_a_line_break_is_refused(
    app: Flask, make_person: Callable[..., Person], subject: str
) -> None:
    with pytest.raises(mail.UnsafeHeader, match="one line"):
        queue_news(make_person(), subject=subject)
    assert outbox() == []


@pytest.mark.parametrize(
    "address", ["dana@corp.example\r\nBcc: everyone@corp.example", "dana@corp.example\nX: y"]
)
def test_an_address_with_a_line_break_is_refused(
    app: Flask, make_person: Callable[..., Person], address: str
) -> None:
    person = make_person()
    person.email = address
    with pytest.raises(mail.UnsafeHeader, match="one line"):
        queue_news(person)


def test_typed_titles_become_one_line_subjects() -> None:
    assert mail.one_line("Pilot\r\nBcc: everyone@corp.example") == (
        "Pilot Bcc: everyone@corp.example"
    )
    assert len(mail.one_line("x" * 500)) == 200


def test_nobody_without_an_address_deactivated_or_past_their_access_gets_email(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    assert not queue_news(make_person(email=None))
    assert not queue_news(make_person(active=False))
    assert not queue_news(make_person(access_ends_on=NOW.date() - timedelta(days=1)))
    assert outbox() == []


def test_reminder_kinds_follow_preferences_and_invitations_do_not(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    person = make_person()
    mail.save_preferences(
        person,
        {"action_reminders": False, "session_reminders": True, "review_notifications": False},
        NOW,
    )

    assert not queue_news(person, kind=EmailKind.REVIEW_NOTIFICATION)
    assert not queue_news(person, kind=EmailKind.ACTION_REMINDER)
    assert queue_news(person, kind=EmailKind.SESSION_REMINDER)
    assert queue_news(person, kind=EmailKind.SESSION_INVITATION)
    assert queue_news(person, kind=EmailKind.SURVEY_INVITATION)
    assert [row.kind for row in outbox()] == [
        EmailKind.SESSION_REMINDER,
        EmailKind.SESSION_INVITATION,
        EmailKind.SURVEY_INVITATION,
    ]


def test_the_preferences_page_saves_the_signed_in_persons_choices(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    person = make_person()
    sign_in_as(client, person)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "cannot be turned off" in page
    assert page.count('type="checkbox"') == 7
    assert page.count("checked") == 7  # everything on until changed

    refused = client.post("/account/notifications", data={"action_reminders": "y"})
    assert refused.status_code == 400  # no CSRF token
    assert db.session.get(EmailPreference, person.id) is None

    saved = client.post(
        "/account/notifications",
        data={
            "csrf_token": csrf_token(client, "/account/notifications"),
            "session_reminders": "y",
            "survey_reminders": "y",
            "learning_digests": "y",
        },
    )
    assert saved.status_code == 302
    preference = db.session.get(EmailPreference, person.id)
    assert preference is not None
    assert (
        preference.action_reminders,
        preference.session_reminders,
        preference.review_notifications,
        preference.review_digests,
        preference.survey_reminders,
        preference.learning_digests,
        preference.sponsor_digests,
    ) == (False, True, False, False, True, True, False)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert page.count("checked") == 3


# -- STARTTLS and sign-in, with a certificate made here --------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == SMTP_USER.encode()
        and data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False, auth_data=data)


@pytest.fixture(scope="module")
def tls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """Refuses mail before STARTTLS and before signing in, as a company relay would."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    server = SmtpServer(
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=_authenticate,
    )
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()


def test_starttls_and_sign_in_before_sending(
    app: Flask,
    tls_server: SmtpServer,
    certificate: tuple[Path, Path],
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tls_server.received.clear()
    settings = mail_settings(
        tls_server.port,
        starttls=True,
        ca_file=str(certificate[0]),
        username=SMTP_USER,
        password=SMTP_PASSWORD,
    )
    monkeypatch.setitem(app.config, "MAIL", settings)
    queue_news(make_person())
    db.session.commit()

    assert mail.deliver_due(NOW).sent == 1

    [received] = tls_server.received
    assert received.secured
    assert received.login == SMTP_USER


@pytest.mark.parametrize(
    ("values", "error"),
    [
        # The server's certificate is checked: a self-made one is not trusted by default.
        ({"starttls": True, "username": SMTP_USER, "password": SMTP_PASSWORD}, "SSL"),
        # Without STARTTLS the server refuses to take the password (or the mail).
        ({"starttls": False, "username": SMTP_USER, "password": SMTP_PASSWORD}, "SMTP"),
        ({"starttls": True, "username": SMTP_USER, "password": "wrong-" + SMTP_PASSWORD}, "535"),
    ],
)
def test_tls_and_login_problems_are_kept_without_the_password(
    app: Flask,
    tls_server: SmtpServer,
    certificate: tuple[Path, Path],
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
    values: dict[str, Any],
    error: str,
) -> None:
    tls_server.received.clear()
    trusted = str(certificate[0]) if error != "SSL" else None
    monkeypatch.setitem(
        app.config, "MAIL", mail_settings(tls_server.port, ca_file=trusted, **values)
    )
    queue_news(make_person())
    db.session.commit()

    assert mail.deliver_due(NOW).retrying == 1

    [row] = outbox()
    assert row.status is EmailStatus.PENDING
    assert error in (row.last_error or "")
    assert SMTP_PASSWORD not in (row.last_error or "")
    assert tls_server.received == []


# -- settings and the command line -----------------------------------------------------------


def _env(url: str, **extra: str) -> dict[str, str]:
    return {"INTRAPRENEUR_SMTP_URL": url, "INTRAPRENEUR_MAIL_FROM": MAIL_FROM, **extra}


def test_smtp_url_forms() -> None:
    assert load_mail({}) is None
    plain = load_mail(_env("smtp://mail%40corp:p%40ss%3Aword@relay.corp.example"))
    assert plain is not None
    assert (plain.host, plain.port, plain.starttls, plain.implicit_tls) == (
        "relay.corp.example",
        587,
        True,
        False,
    )
    assert (plain.username, plain.password) == ("mail@corp", "p@ss:word")
    assert "p@ss" not in repr(plain)
    tls = load_mail(_env("smtps://relay.corp.example", INTRAPRENEUR_SMTP_TIMEOUT="3"))
    assert tls is not None
    assert (tls.port, tls.implicit_tls, tls.starttls, tls.timeout) == (465, True, False, 3.0)
    relay = load_mail(_env("smtp://10.0.0.5:25?starttls=false"))
    assert relay is not None
    assert (relay.port, relay.starttls, relay.username) == (25, False, None)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (_env("http://relay.corp.example"), "must look like"),
        (_env("smtp://relay.corp.example?tls=yes"), "only the option starttls"),
        (_env("smtp://relay.corp.example?starttls=maybe"), "true or false"),
        (_env("smtp://relay.corp.example:port"), "not a number"),
        ({"INTRAPRENEUR_SMTP_URL": "smtp://relay.corp.example"}, "MAIL_FROM"),
        (_env("smtp://r.example", INTRAPRENEUR_MAIL_FROM="a@b.example\r\nBcc: x@y"), "MAIL_FROM"),
    ],
)
def test_bad_smtp_settings_are_refused_in_one_line(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_mail(env)


def test_the_mail_commands(
    app: Flask, inbox: SmtpServer, make_person: Callable[..., Person]
) -> None:
    # Queued now: the command sends what is due at the real time.
    queue_news(make_person(), now=datetime.now(UTC))
    queue_news(make_person(), now=datetime.now(UTC))
    db.session.commit()
    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)

    status = runner.invoke(cli, ["mail", "status"], obj=info)
    assert "pending: 2" in status.output

    sent = runner.invoke(cli, ["mail", "deliver"], obj=info)
    assert sent.exit_code == 0, sent.output
    assert "2 sent, 0 to be retried later, 0 failed for good." in sent.output
    assert len(inbox.received) == 2
    assert db.session.scalar(select(func.count()).select_from(OutgoingEmail)) == 2
    assert "sent:    2" in runner.invoke(cli, ["mail", "status"], obj=info).output


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://intrapreneur.example/", "https://intrapreneur.example"),
        ("https://corp.example/apps/intrapreneur", "https://corp.example/apps/intrapreneur"),
        ("intrapreneur.example", ConfigError),
        ("https://intrapreneur.example/?x=1", ConfigError),
    ],
)
def test_the_public_address_is_a_plain_http_or_https_address(
    tmp_path: Path, value: str, expected: str | type[Exception]
) -> None:
    env = {
        "INTRAPRENEUR_ENV": "test",
        "INTRAPRENEUR_INSTANCE_PATH": str(tmp_path),
        "INTRAPRENEUR_BASE_URL": value,
    }
    if isinstance(expected, str):
        assert load_settings(env).base_url == expected
    else:
        with pytest.raises(expected, match="INTRAPRENEUR_BASE_URL must be the public address"):
            load_settings(env)


def test_links_outside_a_request_follow_the_public_address_and_its_path(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert mail.absolute_url("account.notifications") is None
    monkeypatch.setitem(app.config, "BASE_URL", "https://corp.example/apps/intrapreneur")
    assert mail.absolute_url("account.notifications") == (
        "https://corp.example/apps/intrapreneur/account/notifications"
    )
    assert mail.site_domain() == "corp.example"
