"""Retries: a failed attempt waits longer each time (``BACKOFF``), then the email is failed
for good, kept for ``intrapreneur mail retry`` once the cause is fixed."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import update

from intrapreneur.core.mail.discreet import is_discreet
from intrapreneur.core.mail_models import EmailStatus, OutgoingEmail
from intrapreneur.extensions import db

# The package's name, as before it was split: log lines and their filters stay as they were.
log = logging.getLogger("intrapreneur.core.mail")

# Waits after the 1st, 2nd … failed attempt; the attempt after the last wait is the last.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1


def record_failure(email: OutgoingEmail, error: str, now: datetime) -> bool:
    """Count a failed attempt on ``email``: True when it was the last (the email has failed
    for good), False when the email waits out its back-off for another."""
    email.attempts += 1
    email.last_error = error[:500]
    if email.attempts >= MAX_ATTEMPTS:
        email.status = EmailStatus.FAILED
        # Not even the log names the recipient of a discreet email (see ``discreet``).
        recipient = "its recipient" if is_discreet(email.kind) else f"person {email.person_id}"
        log.warning("email %s to %s failed for good: %s", email.id, recipient, error)
        return True
    email.status = EmailStatus.PENDING
    email.next_attempt_at = now + BACKOFF[email.attempts - 1]
    return False


def retry_failed(now: datetime) -> int:
    """Give every failed email a new round of attempts (after the SMTP problem is fixed)."""
    result = db.session.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.status == EmailStatus.FAILED)
        .values(status=EmailStatus.PENDING, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
