"""Survey reminders: up to two before a wave closes, reaching exactly the invitees who have not
answered, received by a real SMTP server on loopback, on fixed dates — and never written down
(the attacker's view is in ``test_survey_reminders_attacker``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from intrapreneur.core import jobs, mail
from intrapreneur.core.mail_models import EmailKind, EmailStatus, OutgoingEmail
from intrapreneur.core.models import BackgroundJob, JobStatus, utcnow
from intrapreneur.culture import services
from intrapreneur.culture.instruments import available
from intrapreneur.culture.models import SurveyWave
from intrapreneur.culture.survey_emails import queue_survey_reminders, reminder_days
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, Role
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus, Programme
from tests.conftest import SmtpServer, mail_settings

OPENS, CLOSES = date(2027, 3, 1), date(2027, 3, 15)  # halfway 8 March, two days before: 13th
BASE = "https://intrapreneur.example"
INSTRUMENT = available()["intrapreneur-culture@1.0"]
AGREE = {item.id: 4 for item in INSTRUMENT.items}


def at(day: date, hour: int = 7) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@dataclass
class Survey:
    """Four participants and four colleagues of their department drawn for comparison, all
    invited; ids are five-digit, so no other number in the database is mistaken for one."""

    wave: SurveyWave
    tokens: dict[int, str]
    participants: list[Person]
    comparison: list[Person]

    @property
    def invitees(self) -> list[Person]:
        return [*self.participants, *self.comparison]

    def answer(self, person: Person, day: date) -> None:
        services.answer(self.wave, person, AGREE, "", day, language="en")
        db.session.commit()

    def link_of(self, person: Person) -> str:
        return f"{BASE}/surveys/answer/{self.tokens[person.id]}"


def open_survey(
    make_person: Callable[..., Person], opens: date, closes: date, inbox: SmtpServer
) -> Survey:
    """A wave over these days; its invitations, sent on the day it opens, already out."""
    finance = Department(name="Finance")
    cohort = Cohort(
        programme=Programme(name="Ignite"), name="Spring", starts_on=opens, ends_on=closes
    )
    people = [
        make_person(
            id=91000 + n, department=finance, display_name=f"Invitee {91000 + n}", username=None
        )
        for n in range(1, 9)
    ]
    db.session.add_all(
        Enrolment(cohort=cohort, person=person, status=EnrolmentStatus.ACCEPTED)
        for person in people[:4]
    )
    created = services.create_wave(
        title="Spring pulse",
        instrument_key=INSTRUMENT.key,
        cohorts=[cohort],
        opens_on=opens,
        closes_on=closes,
        seed=3,
        by=make_person(Role.HR),
    )
    db.session.commit()  # the invitation job runs at once, in the tests
    mail.deliver_due(max(at(opens), utcnow()))  # queued now, to go on the day it opens
    inbox.received.clear()
    return Survey(created.wave, created.tokens, people[:4], people[4:])


@pytest.fixture
def survey(
    app: Flask,
    make_person: Callable[..., Person],
    inbox: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Survey:
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    return open_survey(make_person, OPENS, CLOSES, inbox)


def run_day(inbox: SmtpServer, day: date) -> dict[str, str]:
    """The day's reminder job, then delivery: each reminder received, by recipient → text."""
    queue_survey_reminders(at(day))
    db.session.commit()
    before = len(inbox.received)
    mail.deliver_due(at(day, 8))
    return {
        str(received.message["To"]): received.message.get_body(("plain",)).get_content()
        for received in inbox.received[before:]
    }


def reminder_rows() -> list[OutgoingEmail]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutgoingEmail).where(OutgoingEmail.kind == EmailKind.SURVEY_REMINDER)
        )
    )


def emails(people: list[Person]) -> set[str]:
    return {str(person.email) for person in people}


def test_a_reminder_reaches_exactly_the_invitees_who_have_not_answered_with_their_link(
    survey: Survey, inbox: SmtpServer
) -> None:
    answered = [survey.participants[0], survey.comparison[1], survey.comparison[2]]
    for person in answered:
        survey.answer(person, date(2027, 3, 4))
    waiting = [person for person in survey.invitees if person not in answered]

    assert run_day(inbox, date(2027, 3, 7)) == {}  # not before halfway
    received = run_day(inbox, date(2027, 3, 8))

    assert set(received) == emails(waiting)
    for person in waiting:
        body = received[str(person.email)]
        assert f"Hello {person.display_name}," in body
        assert "is open until 15 March 2027, and we have not had your answer yet" in body
        assert survey.link_of(person) in body  # their own link, as in the invitation
    subjects = {str(r.message["Subject"]) for r in inbox.received}
    assert subjects == {"Reminder: the survey “Spring pulse” closes on 15 March 2027"}
    assert reminder_rows() == []  # sent or withdrawn, no row is kept


def test_a_run_repeated_or_retried_the_same_day_queues_nothing_more(
    survey: Survey, inbox: SmtpServer
) -> None:
    queue_survey_reminders(at(date(2027, 3, 8)))
    db.session.rollback()  # a run that failed: the job's transaction is rolled back
    assert reminder_rows() == []

    queue_survey_reminders(at(date(2027, 3, 8)))  # its retry
    db.session.commit()
    assert len(reminder_rows()) == 8
    queue_survey_reminders(at(date(2027, 3, 8), 15))  # a second run the same day
    db.session.commit()
    assert len(reminder_rows()) == 8
    mail.deliver_due(at(date(2027, 3, 8), 16))

    assert len(inbox.received) == 8
    assert run_day(inbox, date(2027, 3, 9)) == {}  # the rows are gone; the wave remembers


def test_at_most_two_reminders_each_and_none_once_the_wave_has_closed(
    survey: Survey, inbox: SmtpServer
) -> None:
    late, never = survey.participants[1], survey.comparison[3]
    by_day: dict[date, set[str]] = {}
    day = OPENS
    while day <= CLOSES + timedelta(days=5):
        if day == date(2027, 3, 10):
            survey.answer(late, day)  # answers between the two reminders
        by_day[day] = set(run_day(inbox, day))
        day += timedelta(days=1)

    days_with_mail = {day: got for day, got in by_day.items() if got}
    assert list(days_with_mail) == [date(2027, 3, 8), date(2027, 3, 13)]
    assert days_with_mail[date(2027, 3, 8)] == emails(survey.invitees)
    assert days_with_mail[date(2027, 3, 13)] == emails(survey.invitees) - {late.email}
    assert sum(str(never.email) in got for got in by_day.values()) == 2


def test_a_missed_day_is_caught_up_once_and_never_two_in_one_day(
    survey: Survey, inbox: SmtpServer
) -> None:
    assert run_day(inbox, date(2027, 3, 14)) != {}  # the job did not run from 7 to 13 March
    assert survey.wave.reminders_sent == 2
    assert run_day(inbox, date(2027, 3, 15)) == {}
    assert len(inbox.received) == 8  # one each, the latest round only


def test_a_reminder_is_withdrawn_at_send_time_if_its_invitee_answered_or_the_wave_closed(
    survey: Survey, inbox: SmtpServer
) -> None:
    quick = survey.participants[2]
    queue_survey_reminders(at(date(2027, 3, 8)))
    db.session.commit()
    survey.answer(quick, date(2027, 3, 8))  # after the job, before the sender

    mail.deliver_due(at(date(2027, 3, 8), 8))
    assert {str(r.recipients[0]) for r in inbox.received} == emails(survey.invitees) - {quick.email}

    inbox.received.clear()
    queue_survey_reminders(at(date(2027, 3, 13)))
    db.session.commit()
    services.close_early(survey.wave, by=survey.comparison[0], now=at(date(2027, 3, 13), 7))
    db.session.commit()
    report = mail.deliver_due(at(date(2027, 3, 13), 8))
    assert inbox.received == []
    assert report.sent == 8  # all withdrawn, counted as sent: no count tells them apart
    assert reminder_rows() == []


def test_the_email_settings_and_the_persons_access_are_respected(
    survey: Survey, inbox: SmtpServer
) -> None:
    quiet, gone = survey.participants[0], survey.comparison[0]
    mail.save_preferences(quiet, {"survey_reminders": False}, at(OPENS))
    gone.active = False
    db.session.commit()

    received = run_day(inbox, date(2027, 3, 8))

    assert set(received) == emails(survey.invitees) - {quiet.email, gone.email}


def test_while_the_smtp_server_is_down_every_reminder_waits_alike(
    app: Flask,
    survey: Survey,
    inbox: SmtpServer,
    closed_port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    survey.answer(survey.participants[0], date(2027, 3, 4))
    queue_survey_reminders(at(date(2027, 3, 8)))
    db.session.commit()
    monkeypatch.setitem(app.config, "MAIL", mail_settings(closed_port))

    mail.deliver_due(at(date(2027, 3, 8), 8))

    states = {(row.status, row.attempts, row.last_error) for row in reminder_rows()}
    assert len(reminder_rows()) == 8 and len(states) == 1
    [(status, attempts, _)] = states
    assert (status, attempts) == (EmailStatus.PENDING, 1)


@pytest.mark.parametrize(
    ("opens", "closes", "days"),
    [
        (date(2027, 3, 1), date(2027, 3, 15), [date(2027, 3, 8), date(2027, 3, 13)]),
        (date(2027, 3, 1), date(2027, 3, 6), [date(2027, 3, 3), date(2027, 3, 4)]),
        (date(2027, 3, 1), date(2027, 3, 5), [date(2027, 3, 3)]),  # both fall on the 3rd
        (date(2027, 3, 1), date(2027, 3, 4), [date(2027, 3, 2)]),
        (date(2027, 3, 1), date(2027, 3, 2), []),  # no day after it opens is early enough
        (date(2027, 3, 1), date(2027, 3, 1), []),
    ],
)
def test_reminder_days_are_halfway_and_two_days_before_the_last_day(
    opens: date, closes: date, days: list[date]
) -> None:
    wave = SurveyWave(title="W", instrument_key=INSTRUMENT.key, opens_on=opens, closes_on=closes)
    assert reminder_days(wave) == days


def test_the_scheduled_job_queues_the_days_reminders(
    app: Flask, make_person: Callable[..., Person], inbox: SmtpServer
) -> None:
    today = date.today()  # the job reads the clock: a wave whose halfway is today
    open_survey(make_person, today - timedelta(days=7), today + timedelta(days=7), inbox)

    job_id = jobs.enqueue("survey-reminders")
    db.session.commit()  # in the tests, jobs run at once in the committing thread

    db.session.expire_all()
    job = db.session.get(BackgroundJob, job_id)
    assert job is not None and job.status is JobStatus.SUCCEEDED
    assert job.message == (
        "1 survey reminder rounds queued: 8 emails, each sent only if its invitee has not "
        "answered by then."
    )
    assert len(reminder_rows()) == 8
