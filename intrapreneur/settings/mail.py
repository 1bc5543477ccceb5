"""Email settings: the SMTP server that sends the outbox, and the public address its links use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from intrapreneur.settings.reading import PREFIX, ConfigError, read, whole_number

MAIL_SCHEMES = {"smtp": 587, "smtps": 465}


@dataclass(frozen=True)
class MailSettings:
    """How to reach the SMTP server that sends the outbox (``core/mail``)."""

    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None = field(repr=False)
    sender: str
    ca_file: str | None
    timeout: float


def load_mail(env: Mapping[str, str]) -> MailSettings | None:
    """The SMTP settings; None (delivery off, emails wait in the outbox) without a URL.

    ``smtp://user:password@host:587`` speaks STARTTLS and refuses to go on without it
    (``?starttls=false`` for a relay on a trusted network that has no TLS);
    ``smtps://host:465`` speaks TLS from the first byte.
    """
    raw = read(env, "SMTP_URL")
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in MAIL_SCHEMES or not parts.hostname:
        raise ConfigError(
            f"{PREFIX}SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465"
        )
    try:
        port = parts.port or MAIL_SCHEMES[parts.scheme]
    except ValueError:
        raise ConfigError(f"{PREFIX}SMTP_URL has a port that is not a number") from None
    query = {name: values[-1].lower() for name, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls"}
    if unknown:
        raise ConfigError(f"{PREFIX}SMTP_URL knows only the option starttls, not {sorted(unknown)}")
    starttls = query.get("starttls", "true")
    if starttls not in ("true", "false"):
        raise ConfigError(f"{PREFIX}SMTP_URL starttls must be true or false, not {starttls!r}")
    sender = read(env, "MAIL_FROM")
    if not sender or any(char in sender for char in "\r\n") or "@" not in sender:
        raise ConfigError(
            f"{PREFIX}MAIL_FROM must be the sender address when {PREFIX}SMTP_URL is set, "
            "e.g. Intrapreneur <intrapreneur@example.com>"
        )
    implicit_tls = parts.scheme == "smtps"
    return MailSettings(
        host=parts.hostname,
        port=port,
        implicit_tls=implicit_tls,
        starttls=not implicit_tls and starttls == "true",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=sender,
        ca_file=read(env, "SMTP_CA_FILE"),
        timeout=float(whole_number(env, "SMTP_TIMEOUT", 10)),
    )


def base_url(env: Mapping[str, str]) -> str | None:
    """The public address, for links in emails written outside a request (reminders)."""
    raw = read(env, "BASE_URL")
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ConfigError(
            f"{PREFIX}BASE_URL must be the public address, e.g. https://intrapreneur.example.com"
        )
    return raw.rstrip("/")
