"""The outbox: emails queued in the transaction of the change that caused them, claimed for
sending, and counted for ``intrapreneur mail status`` and the metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask_babel import LazyString
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from intrapreneur.core import queries
from intrapreneur.core.i18n import writing_for
from intrapreneur.core.mail.headers import checked_address, checked_subject
from intrapreneur.core.mail.preferences import wants
from intrapreneur.core.mail.rendering import render
from intrapreneur.core.mail_models import EmailKind, EmailStatus, OutgoingEmail
from intrapreneur.extensions import db

if TYPE_CHECKING:
    from intrapreneur.identity.models import Person

# How long a claimed row belongs to its sender; longer than any SMTP conversation.
CLAIM_LEASE = timedelta(minutes=15)
DUE = (EmailStatus.PENDING, EmailStatus.SENDING)


@dataclass(frozen=True)
class CalendarPart:
    """An iCalendar file sent with the email, and its iTIP method (REQUEST or CANCEL)."""

    content: bytes
    method: str


# -- queuing (inside the request's transaction) -------------------------------------------


def queue(
    person: Person,
    kind: EmailKind,
    *,
    subject: str | LazyString,
    template: str,
    context: Mapping[str, Any],
    now: datetime,
    dedupe_key: str | None = None,
    calendar: CalendarPart | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Add one email to the outbox; False when it is not wanted or already queued.

    Nothing goes to people without an address, to deactivated people, to guests whose
    access has ended, or to people who turned this kind off. ``dedupe_key`` names the
    email so that a second ``queue`` of the same one (a job run twice, a double click)
    adds nothing.
    """
    if not person.email or not person.may_act(now.date()):
        return False
    if not wants(person, kind):
        return False
    address = checked_address(person.email)
    with writing_for(person):  # the recipient's language and zone, whoever sends it
        subject = str(subject)  # a lazy message is translated here
        text, html = render(template, person=person, **context)
    values = {
        "person_id": person.id,
        "to_address": address,
        "kind": kind,
        "subject": checked_subject(subject),
        "text_body": text,
        "html_body": html,
        "calendar": calendar.content.decode() if calendar else None,
        "calendar_method": calendar.method if calendar else None,
        "dedupe_key": dedupe_key,
        "status": EmailStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": max(now, not_before) if not_before else now,
        "created_at": now,
    }
    return db.session.execute(_insert_once(values)).first() is not None


def _insert_once(values: dict[str, Any]) -> Any:
    # ON CONFLICT DO NOTHING: two jobs queuing the same reminder at once cannot both win,
    # and neither fails. Both databases speak it; SQLAlchemy spells it per dialect.
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return (
        dialect.insert(OutgoingEmail)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutgoingEmail.id)
    )


# -- claiming (by a sender) -----------------------------------------------------------------


def claim_due(session: Session, now: datetime, limit: int) -> list[int]:
    """Take up to ``limit`` due rows for this sender until ``now + CLAIM_LEASE``.

    PostgreSQL: FOR UPDATE SKIP LOCKED lets concurrent senders pass each other's rows
    without waiting. SQLite has one writer at a time (BEGIN IMMEDIATE), so the same
    statements run one sender after the other. Either way the UPDATE repeats the due
    condition, so a row is claimed by one sender only. The caller commits.
    """
    candidates = session.scalars(
        select(OutgoingEmail.id)
        .where(OutgoingEmail.status.in_(DUE), OutgoingEmail.next_attempt_at <= now)
        .order_by(OutgoingEmail.next_attempt_at, OutgoingEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        return []
    claimed = session.scalars(
        update(OutgoingEmail)
        .where(
            OutgoingEmail.id.in_(candidates),
            OutgoingEmail.status.in_(DUE),
            OutgoingEmail.next_attempt_at <= now,
        )
        .values(status=EmailStatus.SENDING, next_attempt_at=now + CLAIM_LEASE)
        .returning(OutgoingEmail.id)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted(claimed)


# -- the outbox at a glance -----------------------------------------------------------------


def counts() -> dict[EmailStatus, int]:
    return queries.counts_by(OutgoingEmail.status, EmailStatus)


def due_count(now: datetime) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(OutgoingEmail)
            .where(OutgoingEmail.status.in_(DUE), OutgoingEmail.next_attempt_at <= now)
        )
        or 0
    )


def oldest_due_at(now: datetime) -> datetime | None:
    """When the longest-waiting due email became due: far behind ``now`` while SMTP is down
    or delivery is not running."""
    return db.session.scalar(
        select(func.min(OutgoingEmail.next_attempt_at)).where(
            OutgoingEmail.status.in_(DUE), OutgoingEmail.next_attempt_at <= now
        )
    )


def failed_emails(limit: int = 20) -> list[OutgoingEmail]:
    return list(
        db.session.scalars(
            select(OutgoingEmail)
            .where(OutgoingEmail.status == EmailStatus.FAILED)
            .order_by(OutgoingEmail.id.desc())
            .limit(limit)
        )
    )
