"""Delivery (a job, never a request): the due rows claimed, sent, and each marked sent in
its own transaction as soon as the server has accepted it."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from intrapreneur.core.mail.discreet import forget, still_to_send
from intrapreneur.core.mail.outbox import claim_due
from intrapreneur.core.mail.retries import record_failure
from intrapreneur.core.mail.smtp import SmtpConnection, describe_failure, message_of
from intrapreneur.core.mail_models import EmailStatus, OutgoingEmail
from intrapreneur.core.models import utcnow
from intrapreneur.extensions import db
from intrapreneur.settings import MailSettings


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    disabled: bool = False

    def describe(self) -> str:
        if self.disabled:
            return _(
                "Email delivery is off (INTRAPRENEUR_SMTP_URL is not set); emails stay queued."
            )
        # A job's outcome, written in the organisation's language (a worker has no reader).
        return _(
            "%(sent)d sent, %(retrying)d to be retried later, %(failed)d failed for good.",
            sent=self.sent,
            retrying=self.retrying,
            failed=self.failed,
        )


def deliver_due(
    now: datetime | None = None,
    limit: int = 200,
    on_progress: Callable[[int], None] | None = None,
) -> DeliveryReport:
    """Send up to ``limit`` due emails; safe to run from several workers at once."""
    settings: MailSettings | None = current_app.config.get("MAIL")
    if settings is None:
        return DeliveryReport(disabled=True)
    now = now or utcnow()
    claimed = claim_due(db.session, now, limit)
    db.session.commit()
    report = DeliveryReport()
    with SmtpConnection(settings) as connection:
        for email_id in claimed:
            _deliver_one(email_id, connection, settings, now, report)
            if on_progress is not None:
                on_progress(1)
    return report


def _deliver_one(
    email_id: int,
    connection: SmtpConnection,
    settings: MailSettings,
    now: datetime,
    report: DeliveryReport,
) -> None:
    email = db.session.get(OutgoingEmail, email_id, populate_existing=True)
    assert email is not None
    try:
        if still_to_send(email, now):
            connection.send(message_of(email, settings, now))
        else:
            # Withdrawn at send time, it still meets the server like a sent one: while the
            # server is down, withdrawn and real discreet emails wait alike.
            connection.open()
    # ValueError: a row that cannot become a message (UnsafeHeader) fails like a refusal.
    except (smtplib.SMTPException, OSError, ValueError) as error:
        connection.close()
        if record_failure(email, describe_failure(error, settings), now):
            report.failed += 1
            forget(email)
        else:
            report.retrying += 1
    else:
        # A withdrawn email counts as sent: a count of its own would say how many of a
        # discreet kind's recipients the check turned away (how many had answered, say).
        report.sent += 1
        if not forget(email):
            _sent(email, now)
    db.session.commit()


def _sent(email: OutgoingEmail, now: datetime) -> None:
    # The bodies may hold a personal link; once sent, the database keeps only the record.
    email.status = EmailStatus.SENT
    email.sent_at = now
    email.attempts += 1
    email.last_error = None
    email.text_body = email.html_body = ""
    email.calendar = None
