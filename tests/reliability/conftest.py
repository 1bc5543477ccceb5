"""A committed database of its own and an app on it, for tests where many requests race.

The suite's usual fixtures roll each test back inside one connection; racing requests need
their own connections and real commits, so these tests get a fresh database instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, PersonRole, Role
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus, Programme
from tests.conftest import migrated_app


@pytest.fixture
def racing_app(
    empty_database: Callable[[str], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    with (
        migrated_app(empty_database, tmp_path_factory, "racing") as application,
        application.app_context(),
    ):
        yield application
        db.session.remove()


def add_people(count: int, prefix: str, *roles: Role) -> list[Person]:
    people = [
        Person(
            kind=PersonKind.EMPLOYEE,
            username=f"{prefix}{number}",
            email=f"{prefix}{number}@corp.example",
            display_name=f"{prefix.title()} {number}",
            roles=[PersonRole(role=role) for role in (Role.EMPLOYEE, *roles)],
        )
        for number in range(count)
    ]
    db.session.add_all(people)
    db.session.flush()
    return people


def add_cohort(participants: list[Person]) -> Cohort:
    """A running cohort whose participants have all been accepted."""
    today = date.today()
    cohort = Cohort(
        programme=Programme(name="Racing programme"),
        name="Racing cohort",
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=90),
        capacity=len(participants),
    )
    db.session.add(cohort)
    db.session.add_all(
        Enrolment(cohort=cohort, person=person, status=EnrolmentStatus.ACCEPTED)
        for person in participants
    )
    db.session.flush()
    return cohort
