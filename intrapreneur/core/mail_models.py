"""The outbox of emails and each person's choice of which reminders to get.

A request never talks to the SMTP server: it adds an ``OutgoingEmail`` row in the
same transaction as the change that caused it, and ``core.mail.deliver_due`` sends
the rows later. A change rolled back takes its email with it; an SMTP server that
is down only delays the email.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from intrapreneur.core.models import CreatedAtMixin, UTCDateTime, string_enum
from intrapreneur.extensions import db


class EmailKind(StrEnum):
    GUEST_INVITATION = "guest_invitation"
    GUEST_ACCESS = "guest_access"  # a guest's access end date moved, or access revoked
    SESSION_INVITATION = "session_invitation"
    SESSION_UPDATE = "session_update"
    SESSION_CANCELLATION = "session_cancellation"
    ACTION_REMINDER = "action_reminder"
    SESSION_REMINDER = "session_reminder"
    REVIEW_NOTIFICATION = "review_notification"
    REVIEW_DIGEST = "review_digest"
    SURVEY_INVITATION = "survey_invitation"
    SURVEY_REMINDER = "survey_reminder"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (an email kind, not a password)
    FACILITATOR_CHANGE = "facilitator_change"
    ENROLMENT = "enrolment"  # a decision on a person's place in a cohort
    TWO_STEP_RESET = "two_step_reset"  # an administrator removed a local account's second step
    LEARNING_DIGEST = "learning_digest"  # the week's learnings shared with the organisation
    SPONSOR_DIGEST = "sponsor_digest"  # the portfolio's month, to sponsors
    HACK = "hack"  # a Hack request, its acceptance (with the session's .ics) or decline


class EmailStatus(StrEnum):
    PENDING = "pending"
    # Claimed by a sender until ``next_attempt_at``; a sender that died leaves it due again.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutgoingEmail(CreatedAtMixin, db.Model):
    """One email to one person, from the moment it is decided until the server took it.

    The bodies and the calendar file are blanked once the email is sent: they may hold
    a personal link (a survey or guest invitation), which must not outlive its use in
    the database. ``dedupe_key`` makes queuing the same email twice a no-op (a reminder
    job run twice on one day, a double click).
    """

    __tablename__ = "outgoing_email"
    # The sender's one question: which rows are due, oldest first.
    __table_args__ = (Index("ix_outgoing_email_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    kind: Mapped[EmailKind] = mapped_column(string_enum(EmailKind, "email_kind"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    calendar: Mapped[str | None] = mapped_column(Text)
    calendar_method: Mapped[str | None] = mapped_column(String(10))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[EmailStatus] = mapped_column(
        string_enum(EmailStatus, "email_status"), default=EmailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailPreference(db.Model):
    """What one person has turned off; no row means everything is on.

    Invitations (guest, session, survey) and session changes are not here: they
    carry what the person needs to take part, so they cannot be turned off.
    """

    __tablename__ = "email_preference"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    action_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    session_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    review_notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    review_digests: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    survey_reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    learning_digests: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    sponsor_digests: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
