"""Times are stored in UTC and shown in each person's own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_ZONE = "Europe/London"


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_zone_name(name: str) -> bool:
    """An IANA zone name this machine's time zone database knows ("Europe/Paris")."""
    return name in _zone_names()


def to_utc(day: date, clock: time, zone_name: str | None) -> datetime:
    """A wall-clock time in ``zone_name`` as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=zone(zone_name)).astimezone(UTC)


def local(moment: datetime, zone_name: str | None) -> datetime:
    return moment.astimezone(zone(zone_name))
