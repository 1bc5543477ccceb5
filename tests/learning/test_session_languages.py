"""A session's email, its calendar file and the calendar feed are written in their reader's
language, whoever schedules the session: the app here carries a small German catalogue
(as tests/core/test_languages.py does for the page layout)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_skeleton
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning import services
from intrapreneur.learning.models import (
    Cohort,
    LearningSession,
    LearningSet,
    Programme,
    SetMembership,
)
from tests.conftest import SmtpServer, sign_in_as
from tests.core.test_languages import app, monkeypatch_module, write_catalogue
from tests.learning.test_emails import _by_recipient, _calendar, _deliver, _post

__all__ = ["app", "monkeypatch_module"]  # the languages' app, with the catalogue below

TODAY = date.today()
GERMAN = {
    "You are invited to a session of your set.": (
        "Sie sind zu einer Sitzung Ihres Lernsets eingeladen."
    ),
    "When: %(when)s": "Wann: %(when)s",
    "Enablement": "Kompetenzaufbau",
    "%(minutes)d min · %(title)s": "%(minutes)d Min. · %(title)s",
    "Review of last session's actions": "Rückblick auf die Zusagen der letzten Sitzung",
    "Intrapreneur — %(name)s": "Intrapreneur — %(name)s (Sitzungen)",
}


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("translations")
    write_catalogue(root, "de", GERMAN)
    return root


@pytest.fixture
def pair(make_person: Callable[..., Person]) -> dict[str, Any]:
    """A set facilitated in English, with one member who reads German and one who reads
    English."""
    facilitator = make_person(Role.FACILITATOR, display_name="Fay Facilitator")
    german = make_person(display_name="Gerd German", chosen_locale="de")
    english = make_person(display_name="Emma English")
    learning_set = LearningSet(
        cohort=Cohort(
            programme=Programme(name="Ignite"),
            name="Spring",
            starts_on=TODAY - timedelta(days=30),
            ends_on=TODAY + timedelta(days=120),
        ),
        name="Aurora",
        facilitator=facilitator,
    )
    db.session.add(learning_set)
    for person in (german, english):
        db.session.add(
            SetMembership(
                learning_set=learning_set, person=person, joined_on=TODAY - timedelta(days=30)
            )
        )
    db.session.commit()
    return {"set": learning_set, "facilitator": facilitator, "german": german, "english": english}


def _schedule_enablement(client: FlaskClient, pair: dict[str, Any]) -> date:
    """The facilitator schedules an Enablement session in ten days, at 09:30; its day."""
    sign_in_as(client, pair["facilitator"])
    day = TODAY + timedelta(days=10)
    page = f"/sets/{pair['set'].id}/sessions/new"
    _post(client, page, page, day=day.isoformat(), start="09:30", session_format="enablement",
          count="1")  # fmt: skip
    return day


def test_an_invitation_and_its_calendar_file_are_in_the_recipients_language(
    client: FlaskClient, inbox: SmtpServer, pair: dict[str, Any]
) -> None:
    german, english = pair["german"], pair["english"]
    day = _schedule_enablement(client, pair)

    invitations = _by_recipient(_deliver(inbox))
    _, calendar = _calendar(invitations[german.email])
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Aurora — Kompetenzaufbau"
    # The agenda is the session's own, as scheduled (in English); its shipped titles and the
    # words around them are the reader's.
    assert str(event["DESCRIPTION"]).startswith(
        "10 Min. · Rückblick auf die Zusagen der letzten Sitzung\n"
    )
    text = invitations[german.email].get_body(("plain",)).get_content()
    assert "Sie sind zu einer Sitzung Ihres Lernsets eingeladen." in text
    # The day as German writes it ("Do., 17. Dez. 2026"), in the reader's zone.
    assert f"Wann: {format_skeleton('yMMMEd', day, locale='de')}, 09:30" in text

    _, calendar = _calendar(invitations[english.email])
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Aurora — Enablement"
    assert str(event["DESCRIPTION"]).startswith("10 min · Review of last session's actions\n")
    assert (
        "You are invited to a session of your set."
        in invitations[english.email].get_body(("plain",)).get_content()
    )


def test_the_calendar_feed_is_in_its_owners_language(
    client: FlaskClient, pair: dict[str, Any]
) -> None:
    """The calendar app that reads the feed says nothing of its owner's language."""
    german = pair["german"]
    token = services.reset_calendar_token(german)
    db.session.commit()
    _schedule_enablement(client, pair)

    feed = FlaskClient(client.application).get(
        f"/calendar/{token}.ics", headers={"Accept-Language": "fr"}
    )
    calendar = Calendar.from_ical(feed.get_data())
    assert str(calendar["X-WR-CALNAME"]) == "Intrapreneur — Gerd German (Sitzungen)"
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Aurora — Kompetenzaufbau"


def test_shipped_segment_titles_read_in_the_readers_language_and_own_titles_as_written(
    client: FlaskClient, pair: dict[str, Any]
) -> None:
    _schedule_enablement(client, pair)
    session = db.session.scalars(select(LearningSession)).one()
    session.agenda = [*session.agenda, {"title": "Review of our own rules", "minutes": 5}]
    db.session.commit()

    sign_in_as(client, pair["german"])
    screen = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "Rückblick auf die Zusagen der letzten Sitzung" in screen
    assert "Review of last session&#39;s actions" not in screen
    assert "Review of our own rules" in screen  # what someone wrote stays as written
    sign_in_as(client, pair["english"])
    assert "Review of last session&#39;s actions" in client.get(f"/sessions/{session.id}").get_data(
        as_text=True
    )
