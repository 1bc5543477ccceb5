"""Subjects and addresses fit for a header: one line each, so that nothing a person typed
can smuggle another header into a message."""

from __future__ import annotations

from email.headerregistry import Address


class UnsafeHeader(ValueError):
    """A subject or address that would smuggle extra headers into the message."""


def one_line(text: str, limit: int = 200) -> str:
    """Text a person typed (a title), fit for a subject: newlines become spaces."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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
