"""Times are stored in UTC and shown in each person's own zone.

A person's zone is their own choice, else the directory's, else the organisation's default
(``INTRAPRENEUR_DEFAULT_TIME_ZONE``, Europe/London unless set): ``Person.time_zone``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from flask import current_app, has_app_context

DEFAULT_ZONE = "Europe/London"

# The areas of the IANA database where people live; the rest are aliases kept for old
# software ("US/Eastern", "GB", "Etc/GMT+5"), which nobody should have to scroll past.
GEOGRAPHIC_AREAS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe"}
    | {"Indian", "Pacific"}
)


@cache
def _known_zone_names() -> frozenset[str]:
    # Debian's zoneinfo folder also holds "localtime", the host's own zone: no IANA name.
    return frozenset(available_timezones() - {"localtime"})


def is_zone_name(name: str | None) -> bool:
    """Does the IANA database know ``name``? (Any of its names, aliases included.)"""
    return name in _known_zone_names()


@cache
def offered_zone_names() -> tuple[str, ...]:
    """The zones a person can choose from: every place of the IANA database, and UTC."""
    places = (name for name in _known_zone_names() if name.split("/")[0] in GEOGRAPHIC_AREAS)
    return ("UTC", *sorted(places))


def organisation_zone_name() -> str:
    """The organisation's default zone (checked when the app starts)."""
    if has_app_context():
        return str(current_app.config.get("DEFAULT_TIME_ZONE", DEFAULT_ZONE))
    return DEFAULT_ZONE


def zone(name: str | None) -> ZoneInfo:
    """The zone of that name; the organisation's default for none or an unknown name."""
    return ZoneInfo(name if is_zone_name(name) else organisation_zone_name())


def to_utc(day: date, clock: time, zone_name: str | None) -> datetime:
    """A wall-clock time in ``zone_name`` as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=zone(zone_name)).astimezone(UTC)


def local(moment: datetime, zone_name: str | None) -> datetime:
    return moment.astimezone(zone(zone_name))


def day_start(day: date, zone_name: str | None) -> datetime:
    """The moment ``day`` begins in ``zone_name``, in UTC."""
    return to_utc(day, time(), zone_name)


def day_end(day: date, zone_name: str | None) -> datetime:
    """The moment ``day`` is over in ``zone_name`` (the next day's midnight), in UTC."""
    return to_utc(day + timedelta(days=1), time(), zone_name)
