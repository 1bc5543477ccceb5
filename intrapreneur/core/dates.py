"""Dates, times and numbers written for the reader: in their language and their time zone.

Babel knows how each language writes a date ("7 Dec 2026", "7. Dez. 2026", "7 déc. 2026",
"7 dic 2026"); these functions pick the reader's language and zone (``core.i18n``) and
never use ``strftime``, whose month names are English whatever the page's language.
English is written as in the United Kingdom (day before month, 24-hour clock), like the
product's own English.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal, format_percent

from intrapreneur.core.i18n import page_locale, reader_time_zone
from intrapreneur.core.timezones import local

# A language written the same in every region gets its own region's conventions; English
# takes the United Kingdom's rather than Babel's default, the United States'.
FORMATTING_REGIONS = {"en": "en_GB"}
# Besides Babel's named lengths (short, medium, long, full): skeletons, which Babel turns
# into each language's own order and punctuation.
DATE_SKELETONS = {"day_month": "MMMd", "month_year": "yMMMM", "weekday": "yMMMEd"}


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(FORMATTING_REGIONS.get(language, language))


def formatting_locale() -> Locale:
    return _locale(page_locale())


def day_text(value: date | None, form: str = "medium") -> str:
    """A calendar date (no zone: a date is the same day everywhere)."""
    if value is None:
        return ""
    locale = formatting_locale()
    if form in DATE_SKELETONS:
        return format_skeleton(DATE_SKELETONS[form], value, locale=locale)
    return format_date(value, format=form, locale=locale)


def _there(moment: datetime, zone: str | None) -> datetime:
    """The moment on the wall clocks of ``zone``, else of the reader's zone."""
    return local(moment, zone or reader_time_zone())


def local_day_text(
    moment: datetime | None, form: str = "medium", *, zone: str | None = None
) -> str:
    """The date on which a stored UTC moment falls in the reader's zone (or ``zone``)."""
    if moment is None:
        return ""
    return day_text(_there(moment, zone).date(), form)


def clock_text(moment: datetime | None, *, seconds: bool = False, zone: str | None = None) -> str:
    """The time of day of a stored UTC moment in the reader's zone, or ``zone`` ("18:05")."""
    if moment is None:
        return ""
    return format_time(
        _there(moment, zone), "medium" if seconds else "short", locale=formatting_locale()
    )


def moment_text(
    moment: datetime | None,
    form: str = "weekday",
    *,
    seconds: bool = False,
    zone: str | None = None,
) -> str:
    """Date and time of a stored UTC moment in the reader's zone, joined as the language
    joins them ("Mon, 7 Dec 2026, 18:05"; medium: "7 Dec 2026, 18:05"); "iso" is the
    sortable "2026-12-07 18:05:00" of logs, the same in every language. ``zone`` writes it
    in a zone the record names instead (a cohort's, a scheduler's)."""
    if moment is None:
        return ""
    if form == "iso":
        return _there(moment, zone).isoformat(" ", "seconds")[:19]
    locale = formatting_locale()
    joining = locale.datetime_formats.get(form, locale.datetime_formats["medium"])
    return str(joining).format(
        clock_text(moment, seconds=seconds, zone=zone), local_day_text(moment, form, zone=zone)
    )


def number_text(value: float | int | None, digits: int | None = None) -> str:
    if value is None:
        return ""
    pattern = None if digits is None else _with_decimals("#,##0", digits)
    return format_decimal(value, format=pattern, locale=formatting_locale())


def percent_text(share: float | None, digits: int = 0) -> str:
    """A share (0.25) as the language writes a percentage ("25%", "25 %")."""
    if share is None:
        return ""
    locale = formatting_locale()
    pattern = _with_decimals(str(locale.percent_formats[None].pattern), digits)
    return format_percent(share, format=pattern, locale=locale)


def _with_decimals(pattern: str, digits: int) -> str:
    """A number pattern ("#,##0 %") showing ``digits`` decimals ("#,##0.0 %")."""
    return pattern.replace("#,##0", "#,##0." + "0" * digits, 1) if digits else pattern


FILTERS = {
    "day": day_text,
    "local_day": local_day_text,
    "local_time": moment_text,
    "clock": clock_text,
    "number": number_text,
    "percent": percent_text,
}
