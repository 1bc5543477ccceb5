"""Session invitations with their calendar file, and the daily reminders, received by a
real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from intrapreneur.cli import cli
from intrapreneur.core import mail
from intrapreneur.core.mail_models import OutgoingEmail
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.emails import queue_reminders
from intrapreneur.learning.models import (
    Action,
    ActionStatus,
    Cohort,
    LearningSession,
    LearningSet,
    Programme,
    SessionFormat,
    SetMembership,
)
from tests.conftest import SmtpServer, csrf_token, sign_in_as

TODAY = date.today()
SENDER = "intrapreneur@corp.example"


@pytest.fixture
def circle(make_person: Callable[..., Person]) -> dict[str, Any]:
    """A set with a facilitator, two members with addresses and one without."""
    facilitator = make_person(Role.FACILITATOR, display_name="Fay Facilitator")
    members = [
        make_person(display_name="Ann Able"),
        make_person(display_name="Ben Bold", time_zone="America/New_York"),
        make_person(display_name="Nora No-Address", email=None),
    ]
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
    for person in members:
        db.session.add(
            SetMembership(
                learning_set=learning_set, person=person, joined_on=TODAY - timedelta(days=30)
            )
        )
    db.session.commit()
    return {"set": learning_set, "facilitator": facilitator, "members": members}


def _post(client: FlaskClient, url: str, page: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def _deliver(inbox: SmtpServer) -> list[EmailMessage]:
    """Send what is due now; the messages received since the last call."""
    before = len(inbox.received)
    mail.deliver_due(datetime.now(UTC))
    return [received.message for received in inbox.received[before:]]


def _calendar(message: EmailMessage) -> tuple[str, Calendar]:
    """The alternative's iTIP method, and the attached invite.ics (the same file)."""
    alternative = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    attachment = next(p for p in message.walk() if p.get_filename() == "invite.ics")
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content() == alternative.get_content().encode()
    return alternative.get_param("method"), Calendar.from_ical(attachment.get_content())


def _by_recipient(messages: list[EmailMessage]) -> dict[str, EmailMessage]:
    return {message["To"]: message for message in messages}


def test_scheduling_changing_and_cancelling_a_session_send_one_calendar_thread(
    client: FlaskClient, inbox: SmtpServer, circle: dict[str, Any]
) -> None:
    facilitator, (ann, ben, _) = circle["facilitator"], circle["members"]
    learning_set = circle["set"]
    sign_in_as(client, facilitator)
    day = TODAY + timedelta(days=10)
    page = f"/sets/{learning_set.id}/sessions/new"

    _post(
        client,
        page,
        page,
        day=day.isoformat(),
        start="09:30",
        session_format="hack",
        count="1",
        location="Room 4",
    )

    invitations = _by_recipient(_deliver(inbox))
    assert set(invitations) == {ann.email, ben.email, facilitator.email}  # Nora has no address
    session = db.session.scalars(select(LearningSession)).one()
    method, calendar = _calendar(invitations[ann.email])
    (event,) = calendar.walk("VEVENT")
    assert method == "REQUEST" and str(calendar["METHOD"]) == "REQUEST"
    uid = str(event["UID"])
    assert uid == f"session-{session.id}@localhost"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == session.starts_at
    assert str(event["LOCATION"]) == "Room 4"
    assert str(event["ORGANIZER"]) == f"mailto:{SENDER}"
    assert [str(attendee) for attendee in [event["ATTENDEE"]]] == [f"mailto:{ann.email}"]
    message = invitations[ann.email]
    assert message["Subject"].startswith("Aurora, ")
    assert "You are invited to a session of your set." in message.get_body(("plain",)).get_content()
    assert "Room 4" in message.get_body(("html",)).get_content()
    # Each reads the time in their own zone.
    ben_text = invitations[ben.email].get_body(("plain",)).get_content()
    assert "(America/New_York)" in ben_text

    edit = f"/sessions/{session.id}/edit"
    moved = _post(
        client,
        edit,
        edit,
        version=session.version,
        day=(day + timedelta(days=1)),
        start="11:00",
        location="Room 9",
        video_url="",
    )
    assert moved.status_code == 302
    updates = _by_recipient(_deliver(inbox))
    assert set(updates) == set(invitations)
    method, calendar = _calendar(updates[ben.email])
    (event,) = calendar.walk("VEVENT")
    assert method == "REQUEST"
    assert str(event["UID"]) == uid
    assert event["SEQUENCE"] == 1
    assert str(event["LOCATION"]) == "Room 9"
    assert updates[ben.email]["Subject"].startswith("Changed: Aurora, ")

    _post(client, f"/sessions/{session.id}/cancel", f"/sets/{learning_set.id}")
    cancellations = _by_recipient(_deliver(inbox))
    assert set(cancellations) == set(invitations)
    method, calendar = _calendar(cancellations[facilitator.email])
    (event,) = calendar.walk("VEVENT")
    assert method == "CANCEL" and str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == uid
    assert event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert cancellations[facilitator.email]["Subject"].startswith("Cancelled: Aurora, ")

    assert _deliver(inbox) == []  # nothing is sent twice
    assert len(inbox.received) == 9


def test_a_session_refused_by_the_rules_queues_no_email(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    sign_in_as(client, circle["facilitator"])
    page = f"/sets/{circle['set'].id}/sessions/new"
    refused = _post(
        client,
        page,
        page,
        day=(TODAY - timedelta(days=1)).isoformat(),
        start="09:30",
        session_format="hack",
        count="1",
    )
    assert refused.status_code == 409
    assert db.session.scalars(select(OutgoingEmail)).all() == []


def _session_on(learning_set: LearningSet, day: date, **values: Any) -> LearningSession:
    starts = datetime.combine(day, time(10), tzinfo=UTC)
    session = LearningSession(
        learning_set=learning_set,
        format=SessionFormat.HACK,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        agenda=[],
        location="Room 4",
        **values,
    )
    db.session.add(session)
    db.session.flush()
    return session


def _action(
    session: LearningSession, owner: Person, description: str, due_on: date, **values: Any
) -> None:
    db.session.add(
        Action(
            session_id=session.id,
            owner_id=owner.id,
            description=description,
            due_on=due_on,
            **values,
        )
    )


def test_reminders_of_tomorrow_respect_preferences_and_are_queued_once(
    app: Flask,
    inbox: SmtpServer,
    circle: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "BASE_URL", "https://intrapreneur.example")
    facilitator, (ann, ben, _) = circle["facilitator"], circle["members"]
    tomorrow = TODAY + timedelta(days=1)
    past = _session_on(circle["set"], TODAY - timedelta(days=7))
    _session_on(circle["set"], tomorrow)
    _session_on(circle["set"], tomorrow, cancelled_at=datetime.now(UTC))
    _session_on(circle["set"], TODAY + timedelta(days=2))
    _action(past, ann, "Call three <shops>", tomorrow)
    _action(past, ann, "Draft the flyer", tomorrow)
    _action(past, ann, "Already done", tomorrow, status=ActionStatus.DONE)
    _action(past, ann, "Later", TODAY + timedelta(days=2))
    _action(past, ben, "Ben's task", tomorrow)
    mail.save_preferences(
        ben,
        {"action_reminders": False, "session_reminders": True, "review_notifications": True},
        datetime.now(UTC),
    )
    mail.save_preferences(
        facilitator,
        {"action_reminders": True, "session_reminders": False, "review_notifications": True},
        datetime.now(UTC),
    )
    db.session.commit()

    first = queue_reminders(TODAY)
    db.session.commit()
    again = queue_reminders(TODAY)
    db.session.commit()

    # Ann's two commitments in one email (Ben turned those off); the session to Ann and
    # Ben (the facilitator turned session reminders off); the cancelled one to nobody.
    assert (first.action_reminders, first.session_reminders) == (1, 2)
    assert (again.action_reminders, again.session_reminders) == (0, 0)
    messages = _deliver(inbox)
    kinds = sorted(
        (row.kind.value, row.to_address) for row in db.session.scalars(select(OutgoingEmail))
    )
    assert kinds == sorted(
        [
            ("action_reminder", ann.email),
            ("session_reminder", ann.email),
            ("session_reminder", ben.email),
        ]
    )
    actions = next(m for m in messages if m["Subject"] == "2 commitments are due tomorrow")
    text = actions.get_body(("plain",)).get_content()
    assert "- Call three <shops>" in text and "- Draft the flyer" in text
    assert "Already done" not in text and "Later" not in text
    assert "https://intrapreneur.example/commitments" in text
    assert "https://intrapreneur.example/account/notifications" in text
    assert "Call three &lt;shops&gt;" in actions.get_body(("html",)).get_content()
    session_reminder = next(m for m in messages if m["To"] == ben.email)
    assert session_reminder["Subject"].startswith("Tomorrow: Aurora, ")
    assert "Aurora meets tomorrow" in session_reminder.get_body(("plain",)).get_content()
    assert [part for part in session_reminder.walk() if part.get_filename()] == []


def test_reminders_without_a_public_address_say_where_to_go_in_words(
    app: Flask, inbox: SmtpServer, circle: dict[str, Any]
) -> None:
    ann = circle["members"][0]
    past = _session_on(circle["set"], TODAY - timedelta(days=7))
    _action(past, ann, "Call three shops", TODAY + timedelta(days=1))
    queue_reminders(TODAY)
    db.session.commit()

    [message] = _deliver(inbox)

    text = message.get_body(("plain",)).get_content()
    assert "http" not in text
    assert "under Email notifications in Intrapreneur" in text
    assert message["To"] == ann.email


def test_the_reminders_command_queues_for_the_day_after_the_one_given(
    app: Flask, circle: dict[str, Any]
) -> None:
    ann = circle["members"][0]
    past = _session_on(circle["set"], TODAY - timedelta(days=7))
    _action(past, ann, "Call three shops", date(2031, 5, 2))
    db.session.commit()
    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)

    early = runner.invoke(cli, ["mail", "reminders", "--today", "2031-04-30"], obj=info)
    queued = runner.invoke(cli, ["mail", "reminders", "--today", "2031-05-01"], obj=info)
    again = runner.invoke(cli, ["mail", "reminders", "--today", "2031-05-01"], obj=info)

    assert early.output == "0 commitment reminders and 0 session reminders queued.\n"
    assert queued.output == "1 commitment reminders and 0 session reminders queued.\n"
    assert again.output == early.output
    [row] = db.session.scalars(select(OutgoingEmail)).all()
    assert (row.to_address, row.dedupe_key) == (ann.email, f"action_reminder:{ann.id}:2031-05-02")
