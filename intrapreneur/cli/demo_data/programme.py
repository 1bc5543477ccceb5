"""The demo programme: a running spring cohort of two mixed sets with their sessions, and an
autumn cohort of accepted participants waiting for the set composer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from intrapreneur.cli.demo_data.summary import SeedSummary, get_or_create
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.agenda_templates import default_agenda
from intrapreneur.learning.formats import agenda_minutes
from intrapreneur.learning.models import (
    Action,
    Attendance,
    BarrierCategory,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    Question,
    SetMembership,
)

SETS = [
    (
        "Set Aurora",
        "radeyemi",
        ["tbecker", "salves", "dkim", "lfischer", "leo@santos-labs.example"],
    ),
    ("Set Borealis", "nina@petrova-ventures.example", ["osaid", "gliu", "jmeyer", "cmartin"]),
]

# The next cohort: accepted, no sets yet, so HR can try the set composer on managers and
# their reports, a guest, and people who shared a set in the spring.
NEXT_COHORT_PARTICIPANTS = [
    "praman",
    "jwhitfield",
    "dkim",
    "jmeyer",
    "tbecker",
    "gliu",
    "salves",
    "cmartin",
    "lfischer",
    "osaid",
    "leo@santos-labs.example",
]


def seed_programme(
    summary: SeedSummary, people: dict[str, Person], today: date, advance: Callable[[int], None]
) -> Cohort:
    """The programme with both cohorts; the spring cohort (which has the sets) is returned.
    ``advance(1)`` after each set."""
    programme = get_or_create(
        summary,
        Programme,
        {"name": "Ignite 2027"},
        description=(
            "A year of action learning for people who want to build new things inside the company."
        ),
    )
    cohort = get_or_create(
        summary,
        Cohort,
        {"programme": programme, "name": "Spring cohort"},
        starts_on=today - timedelta(days=14),
        ends_on=today + timedelta(days=120),
        capacity=24,
        enrolment_open=True,
    )
    db.session.flush()
    for set_name, facilitator, members in SETS:
        learning_set = get_or_create(
            summary,
            LearningSet,
            {"cohort": cohort, "name": set_name},
            facilitator=people[facilitator],
        )
        db.session.flush()
        for member in members:
            get_or_create(
                summary,
                SetMembership,
                {"learning_set": learning_set, "person": people[member]},
                joined_on=cohort.starts_on,
            )
            # Set members are the cohort's accepted participants.
            get_or_create(
                summary,
                Enrolment,
                {"cohort": cohort, "person": people[member]},
                status=EnrolmentStatus.ACCEPTED,
            )
        seed_sessions(summary, learning_set, [people[m] for m in members], today)
        advance(1)
    _seed_next_cohort(summary, programme, people, today)
    return cohort


def _seed_next_cohort(
    summary: SeedSummary, programme: Programme, people: dict[str, Person], today: date
) -> None:
    cohort = get_or_create(
        summary,
        Cohort,
        {"programme": programme, "name": "Autumn cohort"},
        starts_on=today + timedelta(days=60),
        ends_on=today + timedelta(days=240),
        capacity=24,
        enrolment_open=True,
    )
    for key in NEXT_COHORT_PARTICIPANTS:
        get_or_create(
            summary,
            Enrolment,
            {"cohort": cohort, "person": people[key]},
            status=EnrolmentStatus.ACCEPTED,
        )


def seed_sessions(
    summary: SeedSummary, learning_set: LearningSet, members: list[Person], today: date
) -> None:
    """Two held sessions with their registers, the latest with a hot seat, questions and
    a commitment due, and two to come: the session screen opens with something to review
    and set health has figures. Only for a set without any."""
    if db.session.scalar(
        select(LearningSession.id).where(LearningSession.set_id == learning_set.id)
    ):
        return
    agenda = default_agenda(learning_set.default_format, len(members))
    length = timedelta(minutes=agenda_minutes(agenda))
    nine_thirty = datetime.combine(today, time(9, 30), tzinfo=UTC)
    sessions = [
        LearningSession(
            learning_set=learning_set,
            format=learning_set.default_format,
            starts_at=nine_thirty + timedelta(days=offset),
            ends_at=nine_thirty + timedelta(days=offset) + length,
            location="Innovation room, 3rd floor",
            agenda=agenda,
        )
        for offset in (-21, -7, 7, 21)
    ]
    db.session.add_all(sessions)
    db.session.flush()
    held = sessions[:2]
    for session, absent in zip(held, (members[-1], None), strict=True):
        db.session.add_all(
            Attendance(session_id=session.id, person_id=m.id, present=m is not absent)
            for m in members
        )
    seat = HotSeat(
        session_id=held[-1].id,
        person=members[0],
        challenge_title="No budget to test the idea with real customers",
        challenge_description="Finance wants a business case before any spend.",
        barrier=BarrierCategory.RESOURCES,
    )
    db.session.add(seat)
    db.session.flush()
    db.session.add_all(
        Question(hot_seat_id=seat.id, asked_by_id=asker.id, text=text)
        for asker, text in (
            (members[1], "What would the smallest test that Finance would accept look like?"),
            (members[2], "Who in Finance has said yes to something like this before?"),
        )
    )
    db.session.add(
        Action(
            session_id=held[-1].id,
            hot_seat_id=seat.id,
            owner_id=members[0].id,
            description="Ask five customers whether they would pre-order",
            due_on=today + timedelta(days=6),
        )
    )
    for _ in sessions:
        summary.count(LearningSession.__tablename__)
