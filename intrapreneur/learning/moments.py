"""A stored UTC moment written in a zone named by the record it belongs to (a cohort's, a
scheduler's), rather than the reader's: in the reader's language, as ``core.dates`` writes
the reader's own moments."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_time

from intrapreneur.core.dates import day_text, formatting_locale
from intrapreneur.core.timezones import local


def moment_in_zone(moment: datetime, zone_name: str | None) -> str:
    """ "7 Dec 2026, 10:00": the date and time ``moment`` shows in ``zone_name``."""
    locale = formatting_locale()
    there = local(moment, zone_name)
    clock = format_time(there, "short", locale=locale)
    return str(locale.datetime_formats["medium"]).format(clock, day_text(there.date()))
