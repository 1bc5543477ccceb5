"""Discreet emails: kinds whose delivery to one person would tell something about them.

A survey reminder is the example: it is meant only for invitees who have not answered, so
an outbox row kept after sending would say who had not. A discreet kind is therefore
queued for everyone it might concern, alike; its domain registers a check that decides,
when the row is about to be sent, whether it still goes (``discreet``); and its row is
deleted once it is sent, withdrawn by the check, or failed for good, so the outbox keeps
no trace of who got one (``forget``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from intrapreneur.core.mail_models import EmailKind, OutgoingEmail
from intrapreneur.extensions import db

# (the row about to be sent, now) → whether it still goes out
SendCheck = Callable[[OutgoingEmail, datetime], bool]
_CHECKS: dict[EmailKind, SendCheck] = {}


def discreet(kind: EmailKind) -> Callable[[SendCheck], SendCheck]:
    """Register ``check`` as the send-time decision of the discreet ``kind``."""

    def register(check: SendCheck) -> SendCheck:
        if _CHECKS.get(kind, check) is not check:
            raise ValueError(f"two send-time checks are registered for {kind.value!r} emails")
        _CHECKS[kind] = check
        return check

    return register


def is_discreet(kind: EmailKind) -> bool:
    return kind in _CHECKS


def still_to_send(email: OutgoingEmail, now: datetime) -> bool:
    check = _CHECKS.get(email.kind)
    return check is None or check(email, now)


def forget(email: OutgoingEmail) -> bool:
    """Delete a discreet row whose fate is settled; False (kept) for every other kind."""
    if not is_discreet(email.kind):
        return False
    db.session.delete(email)
    return True
