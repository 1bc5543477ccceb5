"""SMTP failing in the ways tests/core/test_mail.py does not cover: a server that goes down in
the middle of a batch (it answers 421, "closing"), and one that accepts the connection and
never answers (which costs the run one timeout, not one per email). Either way every email
is sent later, once: none lost, none twice.
(A server that refuses connections, the back-off, failing for good and a sender dying
with its claim: tests/core/test_mail.py.)
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from intrapreneur.core import mail
from intrapreneur.core.mail_models import EmailStatus
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from tests.conftest import SmtpServer, mail_settings
from tests.core.test_mail import NOW, outbox, queue_news

EMAILS = 4
SILENT_TIMEOUT_SECONDS = 1.0


class GoingDownSmtpServer(SmtpServer):
    """Accepts ``accept`` messages, then answers as a server shutting down does."""

    def __init__(self, accept: int) -> None:
        super().__init__()
        self.accept = accept

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if len(self.received) >= self.accept:
            return "421 4.3.2 Service shutting down, closing transmission channel"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def going_down() -> Iterator[GoingDownSmtpServer]:
    server = GoingDownSmtpServer(accept=1)
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()


@pytest.fixture
def silent() -> Iterator[socket.socket]:
    """A listening socket whose connections the kernel accepts and nobody ever answers."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(16)
        yield listening


def connections_made(listening: socket.socket) -> int:
    """How many connections wait in the backlog (closed ones too): each one a wait."""
    listening.setblocking(False)
    count = 0
    while True:
        try:
            connection, _ = listening.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def queue_emails(make_person: Callable[..., Person]) -> list[str]:
    people = [make_person() for _ in range(EMAILS)]
    for person in people:
        assert queue_news(person)
    db.session.commit()
    return sorted(person.email for person in people)


def statuses() -> list[EmailStatus]:
    return [row.status for row in outbox()]


def test_a_server_going_down_mid_batch_keeps_the_rest_for_later_and_sends_each_once(
    app: Flask,
    going_down: GoingDownSmtpServer,
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    addresses = queue_emails(make_person)
    monkeypatch.setitem(app.config, "MAIL", mail_settings(going_down.port))

    report = mail.deliver_due(NOW)

    assert (report.sent, report.retrying) == (1, EMAILS - 1)
    assert statuses() == [EmailStatus.SENT] + [EmailStatus.PENDING] * (EMAILS - 1)
    assert all("421" in (row.last_error or "") for row in outbox()[1:])
    going_down.accept = EMAILS  # back up
    assert mail.deliver_due(NOW + mail.BACKOFF[0]).sent == EMAILS - 1
    assert mail.deliver_due(NOW + timedelta(days=2)).sent == 0
    received = sorted(address for mail_ in going_down.received for address in mail_.recipients)
    assert received == addresses, "every email once"
    assert statuses() == [EmailStatus.SENT] * EMAILS


def test_a_silent_server_costs_one_timeout_a_run_and_the_emails_go_out_later(
    app: Flask,
    inbox: SmtpServer,
    silent: socket.socket,
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    addresses = queue_emails(make_person)
    working = app.config["MAIL"]
    port = silent.getsockname()[1]
    monkeypatch.setitem(app.config, "MAIL", mail_settings(port, timeout=SILENT_TIMEOUT_SECONDS))

    report = mail.deliver_due(NOW)  # returns: the timeout ends the wait

    assert (report.sent, report.retrying) == (0, EMAILS)
    assert connections_made(silent) == 1, "one wait for the run, not one per email"
    assert statuses() == [EmailStatus.PENDING] * EMAILS
    assert all("timed out" in (row.last_error or "") for row in outbox())
    monkeypatch.setitem(app.config, "MAIL", working)
    assert mail.deliver_due(NOW + mail.BACKOFF[0]).sent == EMAILS
    assert mail.deliver_due(NOW + timedelta(days=2)).sent == 0
    assert sorted(address for mail_ in inbox.received for address in mail_.recipients) == addresses
