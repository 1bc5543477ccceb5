"""What the programme-year journey finds when it starts, written into the demo site's database:
its own programme and cohort, a hundred employees, two sets with their facilitators and
sessions, 32 requests, a guest, a manager with a card waiting for review, and a survey wave
whose reminder day is today. And the emails the site sent, as the journey reads them.

Everything is named "Pathfinder …", in departments of its own, so no other journey sharing
the site sees, counts or draws any of it (the demo directory has only 14 employees).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

from sqlalchemy import select

from intrapreneur.culture import services as surveys
from intrapreneur.culture.models import SurveyInvitation, SurveyWave
from intrapreneur.experiments import services as boards
from intrapreneur.experiments.models import Column, Stage, Visibility
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, PersonKind, PersonRole, Role
from intrapreneur.identity.passwords import hash_password
from intrapreneur.learning import services as learning
from intrapreneur.learning.models import Cohort, SessionFormat

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite

PROGRAMME = "Pathfinder"
COHORT = "Pathfinder year cohort"
NORTH, SOUTH = "Pathfinder North", "Pathfinder South"
CAPACITY = 24  # the 10 set members are in; HR makes room for the requests and the list
MEMBERS, REQUESTS, IMPORTED = 10, 32, 50
ACCEPTED_AT_ONCE = 30  # of the requests; the last two stay undecided
MOVER = 3  # a member of North who moves to South
RESPONDENT = 7  # the survey invitee who has answered: no reminder for them
GUEST, GUEST_EMAIL = "Gita Pathfinder Guest", "gita.pathfinder@example.com"
GUEST_PASSWORD = "amber-harbour-willow-ledger-73"
VENTURE, CARD = "Pathfinder parcel lockers", "Pathfinder locker interviews"
WAITED = timedelta(days=7)  # longer than the 5 days after which a card is overdue
WAVE = "Pathfinder mid-year pulse"
INSTRUMENT = "intrapreneur-culture@1.0"


def name(kind: str, number: int) -> str:
    """Each of the journey's employees: 'Pathfinder Requester 07'."""
    return f"Pathfinder {kind.capitalize()} {number:02d}"


def username(kind: str, number: int) -> str:
    return f"pathfinder-{kind}-{number:02d}"


def email(kind: str, number: int) -> str:
    return f"{username(kind, number)}@pathfinder.example"


def person(login: str) -> Person:
    """One of the site's people by username or email."""
    return db.session.scalars(
        select(Person).where((Person.username == login) | (Person.email == login))
    ).one()


def cohort() -> Cohort:
    return db.session.scalars(select(Cohort).where(Cohort.name == COHORT)).one()


def set_up_the_year(site: DemoSite) -> None:
    """The year so far, as HR and the employees left it (their services, as the pages use)."""
    today, now = date.today(), datetime.now(UTC)
    with site.database():
        lead = person("hokafor")
        employees = _employees()
        year = learning.create_cohort(
            learning.create_programme(name=PROGRAMME, description="", by=lead),
            name=COHORT,
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=300),
            capacity=CAPACITY,
            enrolment_open=True,
            by=lead,
        )
        db.session.flush()
        _sets(year, employees, lead, today, now)
        for number in range(1, REQUESTS + 1):
            learning.request_place(year, employees[username("requester", number)], today)
        _guest(today)
        _card_waiting_for_review(employees, now)
        _survey_wave(year, employees, lead, today)
        db.session.commit()


def _employees() -> dict[str, Person]:
    """Active employees, by username; the manager and their report in a department of their
    own, so the survey's comparison group (drawn by department) never picks them."""
    operations = Department(name="Pathfinder operations")
    ventures = Department(name="Pathfinder ventures")
    groups = [
        ("member", MEMBERS, operations, Role.EMPLOYEE),
        ("requester", REQUESTS, operations, Role.EMPLOYEE),
        ("importee", IMPORTED, operations, Role.EMPLOYEE),
        ("facilitator", 3, operations, Role.FACILITATOR),
        ("manager", 1, ventures, Role.MANAGER),
        ("report", 1, ventures, Role.EMPLOYEE),
    ]
    people = {}
    for kind, count, department, role in groups:
        for number in range(1, count + 1):
            roles = {Role.EMPLOYEE, role}
            people[username(kind, number)] = Person(
                kind=PersonKind.EMPLOYEE,
                username=username(kind, number),
                email=email(kind, number),
                display_name=name(kind, number),
                department=department,
                roles=[PersonRole(role=granted) for granted in sorted(roles)],
            )
    people[username("report", 1)].manager = people[username("manager", 1)]
    db.session.add_all(people.values())
    db.session.flush()
    return people


def _sets(
    year: Cohort, employees: dict[str, Person], lead: Person, today: date, now: datetime
) -> None:
    """Members 1–5 in North (facilitator 1), 6–10 in South (facilitator 2), each set with a
    session in ten or eleven days."""
    for number in range(1, MEMBERS + 1):
        learning.enrol_directly(
            year, employees[username("member", number)], by=lead, today=today, now=now
        )
    for index, set_name in enumerate((NORTH, SOUTH)):
        learning_set = learning.create_set(
            year,
            name=set_name,
            facilitator=employees[username("facilitator", index + 1)],
            default_format=SessionFormat.POWER_HOUR,
            cadence_days=14,
            by=lead,
        )
        for number in range(5 * index + 1, 5 * index + 6):
            stay = learning.add_member(
                learning_set, employees[username("member", number)], today=today, by=lead
            )
            stay.joined_on = year.starts_on  # there since the cohort began
        db.session.flush()
        learning.schedule_sessions(
            learning_set,
            first_start=datetime.combine(today + timedelta(days=10 + index), time(10), UTC),
            session_format=SessionFormat.POWER_HOUR,
            count=1,
            location="Room 4",
            video_url=None,
            now=now,
            by=lead,
        )


def _guest(today: date) -> None:
    """A visiting entrepreneur who accepted long ago and has 20 days left."""
    db.session.add(
        Person(
            kind=PersonKind.GUEST,
            email=GUEST_EMAIL,
            display_name=GUEST,
            password_hash=hash_password(GUEST_PASSWORD),
            access_ends_on=today + timedelta(days=20),
            roles=[PersonRole(role=Role.GUEST)],
        )
    )


def _card_waiting_for_review(employees: dict[str, Person], now: datetime) -> None:
    """The manager's report started running a test a week ago, which asked for a review."""
    owner = employees[username("report", 1)]
    since = now - WAITED
    venture = boards.create_venture(
        title=VENTURE,
        problem="Parcels wait at reception for days.",
        customer="Colleagues who order to the office",
        stage=Stage.PROBLEM,
        visibility=Visibility.PRIVATE,
        by=owner,
        now=since,
    )
    fields = boards.CardFields(
        title=CARD,
        hypothesis="Colleagues would collect from a locker.",
        success_criterion="Eight of twelve say yes.",
        starts_on=since.date(),
        ends_on=since.date() + timedelta(days=14),
    )
    card = boards.create_experiment(venture, fields, owner=owner, by=owner, now=since)
    boards.move(card, Column.RUNNING, version=card.version, by=owner, now=since)


def _survey_wave(year: Cohort, employees: dict[str, Person], lead: Person, today: date) -> None:
    """A wave on the cohort's 10 members (and as many of their department for comparison),
    halfway through today: its first reminder is due. Opened after the HR journey's wave
    (three days ago), which must not wait behind this open one to be shown once closed.
    One member has answered since."""
    wave = surveys.create_wave(
        title=WAVE,
        instrument_key=INSTRUMENT,
        cohorts=[year],
        opens_on=today - timedelta(days=2),
        closes_on=today + timedelta(days=2),
        seed=2029,
        by=lead,
    ).wave
    # Created and answered in transactions of their own, as in the app (the invitations job
    # starts when the wave's transaction commits).
    db.session.commit()
    answers = {item.id: 4 for item in surveys.instrument_of(wave).items}
    surveys.answer(
        wave, employees[username("member", RESPONDENT)], answers, "", today, language="en"
    )


def survey_links(site: DemoSite) -> dict[str, str]:
    """Each invitee's personal survey link, by their email address."""
    with site.database():
        wave = db.session.scalars(select(SurveyWave).where(SurveyWave.title == WAVE)).one()
        rows = db.session.execute(
            select(Person.email, Person.id)
            .join(SurveyInvitation, SurveyInvitation.person_id == Person.id)
            .where(SurveyInvitation.wave_id == wave.id)
        ).all()
        return {
            address: f"{site.base_url}/surveys/answer/{surveys.invitation_token(wave.id, pid)}"
            for address, pid in rows
        }


def inbox(site: DemoSite) -> dict[str, list[EmailMessage]]:
    """Every email the site's SMTP server received, by recipient, in the order received."""
    received: dict[str, list[EmailMessage]] = defaultdict(list)
    for mail in site.mail.received:
        for address in mail.recipients:
            received[address].append(mail.message)
    return received


def text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def subjects(messages: list[EmailMessage]) -> list[str]:
    return [str(message["Subject"]) for message in messages]


def only(messages: list[EmailMessage], subject: str) -> EmailMessage:
    """The one email with this subject among ``messages``."""
    matching = [message for message in messages if message["Subject"] == subject]
    assert len(matching) == 1, (subject, subjects(messages))
    return matching[0]


def starting(messages: list[EmailMessage], prefix: str) -> list[EmailMessage]:
    """The emails whose subject starts with ``prefix``."""
    return [message for message in messages if str(message["Subject"]).startswith(prefix)]
