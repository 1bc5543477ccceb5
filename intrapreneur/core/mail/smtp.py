"""SMTP: the MIME message of an outbox row, and one conversation with the server per batch."""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from intrapreneur.core.mail.headers import checked_address, checked_subject
from intrapreneur.core.mail_models import OutgoingEmail
from intrapreneur.settings import MailSettings


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


def describe_failure(error: BaseException, settings: MailSettings) -> str:
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


class SmtpConnection:
    """One SMTP conversation per batch, opened on the first email, reopened after an error.

    When it cannot be opened at all (nobody listens, a server that never answers, a refused
    sign-in), the rest of the batch fails with the same error without trying again: a
    silent server would otherwise cost its timeout once per email, 200 times a run.
    """

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None
        self.unreachable: smtplib.SMTPException | OSError | None = None

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
        self.smtp = None

    def open(self) -> smtplib.SMTP:
        """The open conversation, opened now if need be; raises what made it fail."""
        if self.unreachable is not None:
            raise self.unreachable
        if self.smtp is None:
            try:
                self.smtp = _connect(self.settings)
            except (smtplib.SMTPException, OSError) as error:
                self.unreachable = error
                raise
        return self.smtp

    def send(self, message: EmailMessage) -> None:
        sender = parseaddr(self.settings.sender)[1]
        self.open().send_message(message, from_addr=sender, to_addrs=[message["To"]])

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
