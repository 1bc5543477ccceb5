"""iCalendar (RFC 5545) files for action-learning sessions.

Pure functions over plain values, with no database and no Flask, so the web
layer can serve one session as a download, a personal subscription feed, and
later the email invitations (METHOD:REQUEST / METHOD:CANCEL) from the same code.
The `icalendar` library does the escaping, line folding and CRLF endings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vDuration, vText

PRODID = "-//Intrapreneur//Sessions//EN"
METHODS = frozenset({"PUBLISH", "REQUEST", "CANCEL"})
# How often subscribed calendar clients should poll the feed.
FEED_REFRESH_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True)
class SessionEvent:
    """One session as a calendar sees it; the web layer builds it from the model."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str | None = None
    url: str | None = None
    sequence: int = 0
    cancelled: bool = False
    updated_at: datetime | None = None
    # Invitations (METHOD:REQUEST / CANCEL) must name an organizer (RFC 5546) and their
    # attendees; downloads and feeds leave both out.
    organizer: str | None = None
    attendees: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.uid:
            raise ValueError("uid must not be empty")
        _require_aware("starts_at", self.starts_at)
        _require_aware("ends_at", self.ends_at)
        if self.updated_at is not None:
            _require_aware("updated_at", self.updated_at)
        if self.ends_at <= self.starts_at:
            raise ValueError(
                f"ends_at ({self.ends_at.isoformat()}) must be after "
                f"starts_at ({self.starts_at.isoformat()})"
            )
        if self.sequence < 0:
            raise ValueError(f"sequence must not be negative, got {self.sequence}")


def session_calendar(
    event: SessionEvent, *, method: str = "PUBLISH", now: datetime | None = None
) -> bytes:
    """One session as a calendar file: a download, or the body of an invitation."""
    calendar = _new_calendar(_checked_method(method))
    # A CANCEL message must say so on the event too, whatever the session's own flag.
    cancelled = event.cancelled or method == "CANCEL"
    calendar.add_component(_vevent(event, stamp=_stamp(now), cancelled=cancelled))
    return calendar.to_ical()


def feed_calendar(
    events: Iterable[SessionEvent], *, name: str, now: datetime | None = None
) -> bytes:
    """A subscription feed of one person's sessions.

    Cancelled sessions stay in the feed as STATUS:CANCELLED so that subscribed
    clients remove them instead of keeping a stale copy.
    """
    calendar = _new_calendar("PUBLISH")
    # NAME is RFC 7986; X-WR-CALNAME is what Apple, Google and Outlook read. icalendar
    # has no value type registered for either, so without vText commas and newlines
    # would go out unescaped (a newline even makes to_ical() fail).
    calendar.add("NAME", vText(name))
    calendar.add("X-WR-CALNAME", vText(name))
    # RFC 7986 spells the polling hint REFRESH-INTERVAL; Outlook reads X-PUBLISHED-TTL.
    calendar.add("REFRESH-INTERVAL", FEED_REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(FEED_REFRESH_INTERVAL))
    stamp = _stamp(now)
    # Sorted so the same sessions always give the same bytes.
    for event in sorted(events, key=lambda each: (each.starts_at, each.uid)):
        calendar.add_component(_vevent(event, stamp=stamp, cancelled=event.cancelled))
    return calendar.to_ical()


def _new_calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    return calendar


def _vevent(event: SessionEvent, *, stamp: datetime, cancelled: bool) -> Event:
    vevent = Event()
    vevent.add("UID", event.uid)
    vevent.add("DTSTAMP", stamp)
    vevent.add("DTSTART", _utc(event.starts_at))
    vevent.add("DTEND", _utc(event.ends_at))
    vevent.add("SUMMARY", event.summary)
    if event.description:
        vevent.add("DESCRIPTION", event.description)
    if event.location:
        vevent.add("LOCATION", event.location)
    if event.url:
        vevent.add("URL", event.url)
    vevent.add("SEQUENCE", event.sequence)
    if event.updated_at is not None:
        vevent.add("LAST-MODIFIED", _utc(event.updated_at))
    vevent.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    if event.organizer:
        vevent.add("ORGANIZER", vCalAddress(f"mailto:{event.organizer}"))
    for attendee in event.attendees:
        # RSVP FALSE: the organizer is the application, whose mailbox reads no replies.
        vevent.add(
            "ATTENDEE",
            vCalAddress(f"mailto:{attendee}"),
            parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"},
        )
    return vevent


def _checked_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    return method


def _stamp(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    _require_aware("now", now)
    return _utc(now)


def _utc(moment: datetime) -> datetime:
    # Always write UTC ("Z") times so the file needs no VTIMEZONE block.
    return moment.astimezone(UTC)


def _require_aware(field: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware (UTC), got naive {moment.isoformat()}")
