"""Email through a transactional outbox.

``queue`` adds an ``OutgoingEmail`` row to the current transaction, so the email
exists exactly when the change that caused it was committed; no request ever waits
for the SMTP server. ``deliver_due`` (a background job, or ``intrapreneur mail
deliver``) sends the due rows: each is claimed first so that two senders never send
the same row, and marked sent in its own transaction as soon as the server has
accepted it. A failure waits longer each time (``BACKOFF``), then the row is marked
failed, visible to ``intrapreneur mail status``, and kept for ``mail retry``.

The one duplicate this cannot rule out is a sender that dies after the server took
the message and before the row was marked sent: the row becomes due again when its
claim runs out, and goes out a second time with the same Message-ID, which mail
systems use to drop such repeats.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, request
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from intrapreneur.core import queries
from intrapreneur.core.mail_models import EmailKind, EmailPreference, EmailStatus, OutgoingEmail
from intrapreneur.core.models import utcnow
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.settings import MailSettings

log = logging.getLogger(__name__)

# Waits after the 1st, 2nd … failed attempt; the attempt after the last wait is the last.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# How long a claimed row belongs to its sender; longer than any SMTP conversation.
CLAIM_LEASE = timedelta(minutes=15)
DUE = (EmailStatus.PENDING, EmailStatus.SENDING)

# The reminder kinds each person may turn off, and the preference column of each.
OPTIONAL_KINDS = {
    EmailKind.ACTION_REMINDER: "action_reminders",
    EmailKind.SESSION_REMINDER: "session_reminders",
    EmailKind.REVIEW_NOTIFICATION: "review_notifications",
}


class UnsafeHeader(ValueError):
    """A subject or address that would smuggle extra headers into the message."""


@dataclass(frozen=True)
class CalendarPart:
    """An iCalendar file sent with the email, and its iTIP method (REQUEST or CANCEL)."""

    content: bytes
    method: str


# -- queuing (inside the request's transaction) -------------------------------------------


def one_line(text: str, limit: int = 200) -> str:
    """Text a person typed (a title), fit for a subject: newlines become spaces."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def queue(
    person: Person,
    kind: EmailKind,
    *,
    subject: str,
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


def checked_subject(subject: str) -> str:
    if "\r" in subject or "\n" in subject:
        raise UnsafeHeader("An email subject must be one line (no CR or LF).")
    return subject


def checked_address(address: str) -> str:
    """A bare address (``name@example.org``), refused if it could carry another header."""
    if "\r" in address or "\n" in address:
        raise UnsafeHeader("An email address must be one line (no CR or LF).")
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError) as error:
        raise UnsafeHeader(f"{address!r} is not an email address.") from error
    return address


def render(template: str, **context: Any) -> tuple[str, str]:
    """The plain-text and the HTML part from ``email/<template>.txt`` and ``.html``.

    Only the HTML template is autoescaped (Flask escapes by file extension): the
    text part shows what people typed as they typed it.
    """
    return (
        render_template(f"email/{template}.txt", **context),
        render_template(f"email/{template}.html", **context),
    )


# -- preferences ----------------------------------------------------------------------------


def preference_of(person: Person) -> EmailPreference:
    """The person's row, or an unsaved one with everything on."""
    found = db.session.get(EmailPreference, person.id)
    if found is not None:
        return found
    return EmailPreference(
        person_id=person.id,
        action_reminders=True,
        session_reminders=True,
        review_notifications=True,
    )


def wants(person: Person, kind: EmailKind) -> bool:
    column = OPTIONAL_KINDS.get(kind)
    return column is None or bool(getattr(preference_of(person), column))


def save_preferences(person: Person, choices: Mapping[str, bool], now: datetime) -> None:
    preference = preference_of(person)
    for column in OPTIONAL_KINDS.values():
        setattr(preference, column, bool(choices[column]))
    preference.updated_at = now
    db.session.add(preference)


# -- links ----------------------------------------------------------------------------------


def site_root() -> str | None:
    """The public address for links: INTRAPRENEUR_BASE_URL, else the request's own."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return str(configured)
    if has_request_context():
        return request.url_root.rstrip("/")
    return None


def absolute_url(endpoint: str, *, root: str | None = None, **values: Any) -> str | None:
    """A full link for an email, or None when no public address is known (a job
    without INTRAPRENEUR_BASE_URL): the email then says where to go in words. ``root``
    is the address of the request that asked for the job, used when no base URL is set."""
    root = site_root() or root
    if root is None:
        return None
    parts = urlsplit(root)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def preferences_url() -> str | None:
    """Where a person turns optional emails off (the footer of every optional one)."""
    return absolute_url("account.notifications")


def site_domain() -> str:
    """The host name that calendar UIDs end with (the same as in the .ics downloads)."""
    root = site_root()
    return (urlsplit(root).hostname if root else None) or "intrapreneur.invalid"


# -- delivery (a job, never a request) ------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    disabled: bool = False

    def describe(self) -> str:
        if self.disabled:
            return "Email delivery is off (INTRAPRENEUR_SMTP_URL is not set); emails stay queued."
        return (
            f"{self.sent} sent, {self.retrying} to be retried later, {self.failed} failed for good."
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
    with _Connection(settings) as connection:
        for email_id in claimed:
            _deliver_one(email_id, connection, settings, now, report)
            if on_progress is not None:
                on_progress(1)
    return report


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


def _deliver_one(
    email_id: int,
    connection: _Connection,
    settings: MailSettings,
    now: datetime,
    report: DeliveryReport,
) -> None:
    email = db.session.get(OutgoingEmail, email_id, populate_existing=True)
    assert email is not None
    try:
        connection.send(message_of(email, settings, now))
    # ValueError: a row that cannot become a message (UnsafeHeader) fails like a refusal.
    except (smtplib.SMTPException, OSError, ValueError) as error:
        connection.close()
        _failed(email, _describe(error, settings), now, report)
    else:
        _sent(email, now)
        report.sent += 1
    db.session.commit()


def _sent(email: OutgoingEmail, now: datetime) -> None:
    # The bodies may hold a personal link; once sent, the database keeps only the record.
    email.status = EmailStatus.SENT
    email.sent_at = now
    email.attempts += 1
    email.last_error = None
    email.text_body = email.html_body = ""
    email.calendar = None


def _failed(email: OutgoingEmail, error: str, now: datetime, report: DeliveryReport) -> None:
    email.attempts += 1
    email.last_error = error[:500]
    if email.attempts >= MAX_ATTEMPTS:
        email.status = EmailStatus.FAILED
        report.failed += 1
        log.warning("email %s to person %s failed for good: %s", email.id, email.person_id, error)
        return
    email.status = EmailStatus.PENDING
    email.next_attempt_at = now + BACKOFF[email.attempts - 1]
    report.retrying += 1


def _describe(error: BaseException, settings: MailSettings) -> str:
    """What went wrong, for the operator; never the SMTP password."""
    if isinstance(error, smtplib.SMTPResponseException):
        detail = error.smtp_error
        text = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
        described = f"{type(error).__name__}: {error.smtp_code} {text}"
    else:
        described = f"{type(error).__name__}: {error}"
    if settings.password:
        described = described.replace(settings.password, "***")
    return described


def message_of(email: OutgoingEmail, settings: MailSettings, now: datetime) -> EmailMessage:
    """The MIME message: text and HTML alternatives, plus the calendar when there is one.

    A calendar goes in twice, as Google Calendar sends it: as a ``text/calendar;
    method=…`` alternative (what Outlook and Apple Mail act on) and as an ``invite.ics``
    attachment (what people can open by hand).
    """
    message = EmailMessage()
    message["Subject"] = checked_subject(email.subject)
    message["From"] = settings.sender
    message["To"] = checked_address(email.to_address)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = _message_id(email, settings)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    if email.calendar and email.calendar_method:
        message.add_alternative(
            email.calendar, subtype="calendar", params={"method": email.calendar_method}
        )
        message.add_attachment(
            email.calendar.encode(), maintype="application", subtype="ics", filename="invite.ics"
        )
    return message


def _message_id(email: OutgoingEmail, settings: MailSettings) -> str:
    # The same row always gets the same id, so a repeat after a crash can be recognised.
    return f"<outbox-{email.id}.{email.created_at:%Y%m%d%H%M%S}@{_sender_domain(settings)}>"


def _sender_domain(settings: MailSettings) -> str:
    return parseaddr(settings.sender)[1].rpartition("@")[2] or "localhost"


class _Connection:
    """One SMTP conversation per batch, opened on the first email, reopened after an error.

    When it cannot be opened at all (nobody listens, a server that never answers, a refused
    sign-in), the rest of the batch fails with the same error without trying again: a
    silent server would otherwise cost its timeout once per email, 200 times a run.
    """

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None
        self.unreachable: smtplib.SMTPException | OSError | None = None

    def __enter__(self) -> _Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
        self.smtp = None

    def send(self, message: EmailMessage) -> None:
        if self.unreachable is not None:
            raise self.unreachable
        if self.smtp is None:
            try:
                self.smtp = _connect(self.settings)
            except (smtplib.SMTPException, OSError) as error:
                self.unreachable = error
                raise
        sender = parseaddr(self.settings.sender)[1]
        self.smtp.send_message(message, from_addr=sender, to_addrs=[message["To"]])

    def close(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
        self.smtp = None


def _connect(settings: MailSettings) -> smtplib.SMTP:
    """Connect, secure the line (unless told it is a trusted relay), and sign in."""
    context = ssl.create_default_context(cafile=settings.ca_file)
    # Our own name in EHLO; without it smtplib asks DNS for this machine's name.
    name = _sender_domain(settings)
    smtp: smtplib.SMTP
    if settings.implicit_tls:
        smtp = smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            local_hostname=name,
            timeout=settings.timeout,
            context=context,
        )
    else:
        smtp = smtplib.SMTP(
            settings.host, settings.port, local_hostname=name, timeout=settings.timeout
        )
    try:
        if settings.starttls:
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


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


def retry_failed(now: datetime) -> int:
    """Give every failed email a new round of attempts (after the SMTP problem is fixed)."""
    result = db.session.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.status == EmailStatus.FAILED)
        .values(status=EmailStatus.PENDING, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
