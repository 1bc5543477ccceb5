"""How the pages write dates and times in English (en-GB, through Babel): "7 Dec 2026",
"7 December 2026", "Mon, 7 Dec 2026, 09:30" — spelled out here, independently of the app, so
that a test notices when a page writes them differently."""

from __future__ import annotations

from datetime import date, datetime


def day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def long_day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def moment(value: datetime) -> str:
    """A moment already in the reader's zone, with its weekday (sessions, deadlines)."""
    return f"{value:%a}, {day(value)}, {value:%H:%M}"
