"""Dates, times and numbers as each language writes them, in the reader's zone — never
``strftime``'s English month names — and an email written in its recipient's zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask_babel import force_locale

from intrapreneur.core.dates import (
    clock_text,
    day_text,
    local_day_text,
    moment_text,
    number_text,
    percent_text,
)
from intrapreneur.core.i18n import writing_for
from intrapreneur.identity.models import Person

DAY = date(2026, 12, 7)
# 23:30 in London is already the next day in Berlin and Tokyo.
LATE = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)

DAYS = {
    "en": ("7 Dec 2026", "7 December 2026", "7 Dec", "Mon, 7 Dec 2026"),
    "de": ("07.12.2026", "7. Dezember 2026", "7. Dez.", "Mo., 7. Dez. 2026"),
    "fr": ("7 déc. 2026", "7 décembre 2026", "7 déc.", "lun. 7 déc. 2026"),
    "es": ("7 dic 2026", "7 de diciembre de 2026", "7 dic", "lun, 7 dic 2026"),
}


@pytest.mark.parametrize("language", DAYS)
def test_a_date_is_written_as_its_language_writes_it(app: Flask, language: str) -> None:
    with app.test_request_context(), force_locale(language):
        written = tuple(day_text(DAY, form) for form in ("medium", "long", "day_month", "weekday"))
    assert written == DAYS[language]


def test_english_is_written_day_first_with_a_24_hour_clock(app: Flask) -> None:
    with app.test_request_context():
        assert day_text(date(2027, 3, 4), "short") == "04/03/2027"
        assert clock_text(datetime(2027, 3, 4, 15, 5, tzinfo=UTC)) == "15:05"


def test_a_moment_is_shown_in_the_readers_zone(app: Flask) -> None:
    app.config["DEFAULT_TIME_ZONE"] = "Europe/Berlin"
    try:
        with app.test_request_context():
            assert moment_text(LATE) == "Tue, 8 Dec 2026, 00:30"
            assert moment_text(LATE, "medium", seconds=True) == "8 Dec 2026, 00:30:00"
            assert local_day_text(LATE, "long") == "8 December 2026"
            assert moment_text(LATE, "iso") == "2026-12-08 00:30:00"
            with force_locale("de"):
                assert moment_text(LATE, "long") == "8. Dezember 2026, 00:30"
    finally:
        app.config["DEFAULT_TIME_ZONE"] = "Europe/London"


def test_numbers_and_percentages_follow_the_language(app: Flask) -> None:
    with app.test_request_context():
        assert (number_text(12345.678, 1), percent_text(0.254), percent_text(0.2546, 1)) == (
            "12,345.7",
            "25%",
            "25.5%",
        )
        with force_locale("de"):
            assert (number_text(12345.678, 1), percent_text(0.254)) == ("12.345,7", "25\xa0%")
        with force_locale("fr"):
            assert percent_text(0.2546, 1) == "25,5\xa0%"


def test_nothing_is_written_for_a_missing_value(app: Flask) -> None:
    with app.test_request_context():
        written = (day_text(None), moment_text(None), clock_text(None), percent_text(None))
    assert written == ("", "", "", "")


def test_an_email_is_written_in_its_recipients_zone_not_the_senders(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    tokyo = make_person(chosen_time_zone="Asia/Tokyo")
    with app.test_request_context():
        with writing_for(tokyo):
            assert clock_text(LATE) == "08:30"
            with writing_for(make_person(chosen_time_zone="America/New_York")):
                assert clock_text(LATE) == "18:30"
            assert clock_text(LATE) == "08:30"  # back to the outer recipient
        assert clock_text(LATE) == "23:30"  # and to the page's reader (London)
