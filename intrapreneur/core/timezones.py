"""Times are stored in UTC and shown in each person's own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Europe/London"


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def to_utc(day: date, clock: time, zone_name: str | None) -> datetime:
    """A wall-clock time in ``zone_name`` as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=zone(zone_name)).astimezone(UTC)


def local(moment: datetime, zone_name: str | None) -> datetime:
    return moment.astimezone(zone(zone_name))
