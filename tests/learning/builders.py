"""Objects the learning tests build again and again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    LearningSession,
    LearningSet,
    Programme,
    SessionFormat,
    SetMembership,
)


def cohort_of(name: str = "Spring", *, today: date | None = None) -> Cohort:
    """A cohort of the "Ignite" programme running from a month ago to four months on, flushed."""
    today = today or date.today()
    cohort = Cohort(
        programme=Programme(name=f"Ignite {name}"),
        name=name,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=120),
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def set_of(
    cohort: Cohort,
    name: str,
    facilitator: Person | None,
    members: Sequence[Person],
    *,
    joined_on: date | None = None,
) -> LearningSet:
    """A set with its members in it since ``joined_on`` (a month ago by default), flushed."""
    learning_set = LearningSet(cohort=cohort, name=name, facilitator=facilitator)
    db.session.add(learning_set)
    for person in members:
        db.session.add(
            SetMembership(
                learning_set=learning_set,
                person=person,
                joined_on=joined_on or date.today() - timedelta(days=30),
            )
        )
    db.session.flush()
    return learning_set


def session_in(
    learning_set: LearningSet, days_from_now: int, *, now: datetime | None = None, **fields: Any
) -> LearningSession:
    """An hour-long Power Hour that many days from now (negative: in the past), flushed."""
    starts = (now or datetime.now(UTC)) + timedelta(days=days_from_now)
    session = LearningSession(
        learning_set=learning_set,
        format=SessionFormat.POWER_HOUR,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        agenda=[],
        **fields,
    )
    db.session.add(session)
    db.session.flush()
    return session


def a_cohort(
    *, capacity: int = 10, name: str = "Spring", programme: str = "Ignite", **fields: Any
) -> Cohort:
    """An open cohort from a week from today for about three months, in its programme
    (made when missing), flushed."""
    found = db.session.scalar(select(Programme).where(Programme.name == programme))
    cohort = Cohort(
        programme=found or Programme(name=programme),
        name=name,
        starts_on=fields.pop("starts_on", date.today() + timedelta(days=7)),
        ends_on=fields.pop("ends_on", date.today() + timedelta(days=90)),
        capacity=capacity,
        enrolment_open=fields.pop("enrolment_open", True),
        **fields,
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def requests_for(
    cohort: Cohort,
    people: list[Person],
    status: EnrolmentStatus = EnrolmentStatus.REQUESTED,
    *,
    first_at: datetime | None = None,
) -> list[Enrolment]:
    """One enrolment per person, a minute apart in the list's order (request order), flushed."""
    start = first_at or datetime.now(UTC) - timedelta(days=1)
    enrolments = [
        Enrolment(
            cohort=cohort,
            person=person,
            status=status,
            created_at=start + timedelta(minutes=number),
        )
        for number, person in enumerate(people)
    ]
    db.session.add_all(enrolments)
    db.session.flush()
    return enrolments
