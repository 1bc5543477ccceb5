"""Session calendar files parse back to the same facts and follow RFC 5545's framing; the
responses that serve them say their media type once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar, Event
from icalendar.parser import unescape_backslash

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.calendar import SessionEvent, feed_calendar, session_calendar
from intrapreneur.learning.services import reset_calendar_token
from tests.conftest import sign_in_as
from tests.experiments.builders import learning_set
from tests.learning.builders import session_in

NOW = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
START = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
AWKWARD_TEXT = "Café, Zürich; room 3\nsecond line \\ backslash"


def session(**changes: Any) -> SessionEvent:
    fields: dict[str, Any] = {
        "uid": "session-42@intrapreneur.example.org",
        "starts_at": START,
        "ends_at": START + timedelta(hours=2),
        "summary": "Set Aurora — Mastermind",
    }
    fields.update(changes)
    return SessionEvent(**fields)


def parse(raw: bytes) -> Calendar:
    return Calendar.from_ical(raw)


def calendar_names(calendar: Calendar) -> tuple[str, str]:
    """NAME and X-WR-CALNAME, unescaped: icalendar reads both back as raw, still-escaped text."""
    return (unescape_backslash(calendar["NAME"]), unescape_backslash(calendar["X-WR-CALNAME"]))


def only_event(raw: bytes) -> Event:
    events = parse(raw).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def assert_rfc_framing(raw: bytes) -> None:
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75


# --- one session ---------------------------------------------------------------------------


def test_session_calendar_has_calendar_header() -> None:
    calendar = parse(session_calendar(session(), now=NOW))

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//Intrapreneur//Sessions//EN"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"


def test_session_calendar_event_fields_round_trip() -> None:
    updated = datetime(2025, 3, 1, 7, 0, tzinfo=UTC)
    raw = session_calendar(
        session(
            description="Agenda: check-in, two presentations, reflection",
            location="Room 3",
            url="https://meet.example.org/aurora?x=1,2;3",
            sequence=4,
            updated_at=updated,
        ),
        now=NOW,
    )

    event = only_event(raw)
    assert event["UID"] == "session-42@intrapreneur.example.org"
    assert event.decoded("DTSTAMP") == NOW
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(hours=2)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event["SUMMARY"] == "Set Aurora — Mastermind"
    assert event["DESCRIPTION"] == "Agenda: check-in, two presentations, reflection"
    assert event["LOCATION"] == "Room 3"
    assert event["URL"] == "https://meet.example.org/aurora?x=1,2;3"
    assert event["SEQUENCE"] == 4
    assert event.decoded("LAST-MODIFIED") == updated
    assert event["STATUS"] == "CONFIRMED"


def test_times_are_written_in_utc() -> None:
    raw = session_calendar(session(), now=NOW)

    assert b"DTSTART:20250310T090000Z\r\n" in raw
    assert b"DTEND:20250310T110000Z\r\n" in raw
    assert b"DTSTAMP:20250301T083000Z\r\n" in raw
    assert b"TZID" not in raw


def test_aware_non_utc_times_are_converted_to_utc() -> None:
    paris_winter = timezone(timedelta(hours=1))
    starts = datetime(2025, 3, 10, 10, 0, tzinfo=paris_winter)

    raw = session_calendar(session(starts_at=starts, ends_at=starts + timedelta(hours=1)), now=NOW)

    assert only_event(raw).decoded("DTSTART") == START
    assert b"DTSTART:20250310T090000Z\r\n" in raw


def test_optional_fields_are_left_out_when_absent() -> None:
    event = only_event(session_calendar(session(), now=NOW))

    for name in ("DESCRIPTION", "LOCATION", "URL", "LAST-MODIFIED"):
        assert name not in event
    assert event["SEQUENCE"] == 0


def test_dtstamp_defaults_to_the_current_time() -> None:
    before = datetime.now(UTC).replace(microsecond=0)

    stamp = only_event(session_calendar(session())).decoded("DTSTAMP")

    assert before <= stamp <= datetime.now(UTC)


def test_special_characters_round_trip_and_lines_are_folded() -> None:
    long_description = "Ünïcödé agenda, item; " * 20
    raw = session_calendar(
        session(summary=AWKWARD_TEXT, location=AWKWARD_TEXT, description=long_description),
        now=NOW,
    )

    event = only_event(raw)
    assert event["SUMMARY"] == AWKWARD_TEXT
    assert event["LOCATION"] == AWKWARD_TEXT
    assert event["DESCRIPTION"] == long_description
    assert_rfc_framing(raw)


def test_cancelled_session_is_published_as_cancelled() -> None:
    event = only_event(session_calendar(session(cancelled=True, sequence=2), now=NOW))

    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 2


@pytest.mark.parametrize("method", ["PUBLISH", "REQUEST", "CANCEL"])
def test_allowed_methods_set_the_calendar_method(method: str) -> None:
    raw = session_calendar(session(), method=method, now=NOW)

    assert parse(raw)["METHOD"] == method
    assert_rfc_framing(raw)


def test_cancel_method_marks_the_event_cancelled_and_keeps_the_uid() -> None:
    request = only_event(session_calendar(session(sequence=1), method="REQUEST", now=NOW))
    cancel = only_event(session_calendar(session(sequence=2), method="CANCEL", now=NOW))

    assert request["STATUS"] == "CONFIRMED"
    assert cancel["STATUS"] == "CANCELLED"
    assert cancel["UID"] == request["UID"]
    assert cancel["SEQUENCE"] > request["SEQUENCE"]


@pytest.mark.parametrize("method", ["publish", "REPLY", "", "ADD"])
def test_unknown_method_is_refused(method: str) -> None:
    with pytest.raises(ValueError, match="method must be one of"):
        session_calendar(session(), method=method, now=NOW)


# --- invalid sessions ----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["starts_at", "ends_at", "updated_at"])
def test_naive_datetimes_are_refused(field: str) -> None:
    aware = {"starts_at": START, "ends_at": START + timedelta(hours=1), "updated_at": NOW}
    naive = aware[field].replace(tzinfo=None)

    with pytest.raises(ValueError, match=f"{field} must be timezone-aware"):
        session(**{**aware, field: naive})


def test_naive_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        session_calendar(session(), now=NOW.replace(tzinfo=None))


@pytest.mark.parametrize("duration", [timedelta(0), timedelta(minutes=-30)])
def test_session_must_end_after_it_starts(duration: timedelta) -> None:
    with pytest.raises(ValueError, match=r"ends_at .* must be after starts_at"):
        session(ends_at=START + duration)


def test_negative_sequence_and_empty_uid_are_refused() -> None:
    with pytest.raises(ValueError, match="sequence"):
        session(sequence=-1)
    with pytest.raises(ValueError, match="uid"):
        session(uid="")


# --- feeds ---------------------------------------------------------------------------------


def test_feed_has_name_refresh_hint_and_publish_method() -> None:
    raw = feed_calendar([session()], name="Ada's sessions, Intrapreneur", now=NOW)

    calendar = parse(raw)
    assert calendar["METHOD"] == "PUBLISH"
    name = "Ada's sessions, Intrapreneur"
    assert calendar_names(calendar) == (name, name)
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in raw
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in raw


def test_feed_holds_exactly_the_given_events_sorted_by_start_then_uid() -> None:
    later = session(
        uid="session-3@x",
        starts_at=START + timedelta(days=7),
        ends_at=START + timedelta(days=7, hours=1),
    )
    same_start_b = session(uid="session-2@x")
    same_start_a = session(uid="session-1@x")

    raw = feed_calendar([later, same_start_b, same_start_a], name="Feed", now=NOW)

    uids = [str(event["UID"]) for event in parse(raw).walk("VEVENT")]
    assert uids == ["session-1@x", "session-2@x", "session-3@x"]
    assert_rfc_framing(raw)


def test_feed_output_is_deterministic() -> None:
    events = [session(uid=f"session-{n}@x", sequence=n) for n in range(3)]

    assert feed_calendar(events, name="Feed", now=NOW) == feed_calendar(
        reversed(events), name="Feed", now=NOW
    )


def test_cancelled_session_stays_in_feed_as_cancelled() -> None:
    kept = session(uid="session-1@x")
    dropped = session(uid="session-2@x", cancelled=True, sequence=3)

    events = parse(feed_calendar([kept, dropped], name="Feed", now=NOW)).walk("VEVENT")

    statuses = {str(event["UID"]): str(event["STATUS"]) for event in events}
    assert statuses == {"session-1@x": "CONFIRMED", "session-2@x": "CANCELLED"}


def test_empty_feed_is_a_valid_calendar() -> None:
    raw = feed_calendar([], name="Nothing yet", now=NOW)

    calendar = parse(raw)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//Intrapreneur//Sessions//EN"
    assert calendar_names(calendar) == ("Nothing yet", "Nothing yet")
    assert calendar.walk("VEVENT") == []
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert_rfc_framing(raw)


def test_feed_name_with_special_characters_round_trips() -> None:
    raw = feed_calendar([], name=AWKWARD_TEXT * 3, now=NOW)

    assert calendar_names(parse(raw)) == (AWKWARD_TEXT * 3, AWKWARD_TEXT * 3)
    assert_rfc_framing(raw)


# --- the responses ---------------------------------------------------------------------------


def test_every_calendar_response_names_its_charset_once(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    """``text/calendar; charset=utf-8; charset=utf-8`` repeats a parameter, which RFC 9110
    leaves undefined and strict clients refuse."""
    member = make_person()
    session_id = session_in(learning_set(member), 2).id
    token = reset_calendar_token(member)
    db.session.commit()
    sign_in_as(client, member)

    for url in (f"/sessions/{session_id}.ics", f"/calendar/{token}.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers.getlist("Content-Type") == ["text/calendar; charset=utf-8"], url
