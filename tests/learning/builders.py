"""Objects the learning tests build again and again."""

from __future__ import annotations

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
)


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
