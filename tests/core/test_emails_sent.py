"""The emails other parts of the app send: guest and survey invitations with personal
links, and review news, received by a real SMTP server on loopback."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import or_, select

from intrapreneur.core import mail
from intrapreneur.core.mail_models import OutgoingEmail
from intrapreneur.core.models import BackgroundJob
from intrapreneur.culture import services as survey_services
from intrapreneur.culture import survey_emails
from intrapreneur.culture.models import SurveyInvitation
from intrapreneur.experiments.models import Column
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus, Programme
from tests import formats
from tests.conftest import SmtpServer, csrf_token, sign_in_as
from tests.experiments.test_reviews import card, post_review, venture_of

TODAY = date.today()
BASE = "https://intrapreneur.example"


@pytest.fixture
def public_address(app: Flask, monkeypatch: pytest.MonkeyPatch) -> str:
    """INTRAPRENEUR_BASE_URL: what links in emails start with, in a request or not."""
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    return BASE


def _deliver(inbox: SmtpServer, now: datetime | None = None) -> list[EmailMessage]:
    before = len(inbox.received)
    mail.deliver_due(now or datetime.now(UTC))
    return [received.message for received in inbox.received[before:]]


def _text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def _stored_anywhere(secret: str) -> bool:
    """Whether any outbox row still holds ``secret`` in its subject or bodies."""
    pattern = f"%{secret}%"
    return (
        db.session.scalar(
            select(OutgoingEmail.id).where(
                or_(
                    OutgoingEmail.text_body.like(pattern),
                    OutgoingEmail.html_body.like(pattern),
                    OutgoingEmail.subject.like(pattern),
                )
            )
        )
        is not None
    )


def test_an_invited_guest_gets_the_link_by_email_and_it_is_not_kept_after_sending(
    client: FlaskClient,
    inbox: SmtpServer,
    make_person: Callable[..., Person],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hr = make_person(Role.HR, display_name="Hana HR")
    sign_in_as(client, hr)
    response = client.post(
        "/guests/invite",
        data={
            "csrf_token": csrf_token(client, "/guests/invite"),
            "email": "nina@ventures.example",
            "display_name": "Nina Petrova",
            "access_ends_on": (TODAY + timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    assert "on its way to <strong>Nina Petrova</strong>" in page
    shown = re.search(r'value="(http://localhost/invitations/[^"]+)"', page)
    assert shown
    token = shown.group(1).rsplit("/", 1)[1]
    assert _stored_anywhere(token)  # waits in the outbox until sent

    [message] = _deliver(inbox)

    assert message["To"] == "nina@ventures.example"
    assert message["Subject"] == "Your invitation to Intrapreneur"
    assert shown.group(1) in _text(message)
    assert "Hana HR invites you" in _text(message)
    assert f'href="{shown.group(1)}"' in message.get_body(("html",)).get_content()
    assert not _stored_anywhere(token)
    assert token not in caplog.text
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert client.get(f"/invitations/{token}").status_code == 200  # the emailed link works


def _participants(make_person: Callable[..., Person], count: int) -> Cohort:
    cohort = Cohort(
        programme=Programme(name="Ignite"),
        name="Autumn",
        starts_on=TODAY - timedelta(days=30),
        ends_on=TODAY + timedelta(days=60),
    )
    db.session.add(cohort)
    for _ in range(count):
        db.session.add(
            Enrolment(cohort=cohort, person=make_person(), status=EnrolmentStatus.ACCEPTED)
        )
    db.session.flush()
    return cohort


def test_every_survey_invitee_gets_their_own_link_on_the_day_the_survey_opens(
    client: FlaskClient, inbox: SmtpServer, make_person: Callable[..., Person], public_address: str
) -> None:
    cohort = _participants(make_person, 3)
    make_person()  # someone to draw for the comparison group
    opens = TODAY + timedelta(days=2)
    created = survey_services.create_wave(
        title="Spring\npulse",
        instrument_key="intrapreneur-culture@1.0",
        cohorts=[cohort],
        opens_on=opens,
        closes_on=opens + timedelta(days=14),
        seed=1,
        by=make_person(Role.HR),
    )
    db.session.commit()
    invited = db.session.scalars(select(SurveyInvitation.person_id)).all()

    assert _deliver(inbox) == []  # not before the survey opens
    messages = _deliver(inbox, datetime.combine(opens, datetime.min.time(), tzinfo=UTC))

    assert len(messages) == len(invited) == len(created.tokens)
    people = {person.email: person.id for person in db.session.scalars(select(Person))}
    for message in messages:
        assert message["Subject"] == "Survey: Spring pulse"  # the title's newline flattened
        token = created.tokens[people[message["To"]]]
        link = f"{BASE}/surveys/answer/{token}"
        assert link in _text(message)
        assert not _stored_anywhere(token)
    opened = client.get(f"/surveys/answer/{token}")  # the link is the survey's, not yet open
    assert opened.status_code == 409
    assert f"This survey opens on {formats.long_day(opens)}" in opened.get_data(as_text=True)
    # The invitations were a job's work; running it again queues nothing more.
    emails = db.session.scalars(select(OutgoingEmail.id)).all()
    assert survey_emails.email_invitations(created.wave.id, BASE) == len(invited)
    db.session.commit()
    assert db.session.scalars(select(OutgoingEmail.id)).all() == emails
    assert db.session.scalars(select(BackgroundJob.task)).all() == ["survey-invitations"]


def test_a_review_request_emails_the_managers_and_a_review_emails_the_owner(
    client: FlaskClient, inbox: SmtpServer, make_person: Callable[..., Person], public_address: str
) -> None:
    boss = make_person(Role.MANAGER, display_name="Bea Boss")
    owner = make_person(display_name="Dan Deep", manager=boss)
    venture = venture_of(owner, "Van sharing")
    waiting = card(venture, owner, "Interview\r\nten shops")  # moved to Running: review asked
    db.session.commit()

    [asked] = _deliver(inbox)
    assert asked["To"] == boss.email
    assert asked["Subject"] == "Dan Deep asks for your review of ‘Interview ten shops’"
    assert f"{BASE}/experiments/{waiting.id}/review" in _text(asked)
    assert f"{BASE}/account/notifications" in _text(asked)

    sign_in_as(client, boss)
    assert post_review(client, waiting).status_code == 302
    [reviewed] = _deliver(inbox)
    assert reviewed["To"] == owner.email
    assert reviewed["Subject"].startswith("Bea Boss reviewed ‘Interview")
    assert f"{BASE}/experiments/{waiting.id}" in _text(reviewed)


def test_people_who_turned_review_emails_off_keep_the_in_app_notice_only(
    app: Flask,
    client: FlaskClient,
    inbox: SmtpServer,
    make_person: Callable[..., Person],
) -> None:
    boss = make_person(Role.MANAGER)
    owner = make_person(manager=boss)
    for person in (boss, owner):
        mail.save_preferences(
            person,
            {"action_reminders": True, "session_reminders": True, "review_notifications": False},
            datetime.now(UTC),
        )
    waiting = card(venture_of(owner), owner)
    db.session.commit()
    assert waiting.column is Column.RUNNING and waiting.review_requested_at is not None

    sign_in_as(client, boss)
    post_review(client, waiting)

    assert _deliver(inbox) == []
    assert db.session.scalars(select(OutgoingEmail.kind)).all() == []
    sign_in_as(client, owner)
    assert "reviewed" in client.get("/notifications").get_data(as_text=True)
