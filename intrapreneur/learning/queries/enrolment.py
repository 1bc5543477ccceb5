"""Reads for enrolment at scale: a cohort's requests, waiting list and participants; the
cohorts a person is in; the employees HR may enrol, found by search or by the usernames and
emails of an imported file."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased, contains_eager

from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, PersonKind
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus

# Request order: who asked first. The waiting list moves up in this order.
REQUEST_ORDER = (Enrolment.created_at, Enrolment.id)
# A person who holds or may get a place: the states a withdrawal ends.
ACTIVE_STATUSES = (EnrolmentStatus.REQUESTED, EnrolmentStatus.WAITING, EnrolmentStatus.ACCEPTED)


def _position() -> Any:
    """Each request's place in request order among those of its cohort in the same state:
    for a waiting one, its position on the waiting list."""
    return (
        func.row_number()
        .over(partition_by=(Enrolment.cohort_id, Enrolment.status), order_by=REQUEST_ORDER)
        .label("position")
    )


def enrolments_in(cohort_id: int) -> Select[tuple[Enrolment, int]]:
    """Requests to decide first, then the waiting list, then participants, then those who
    are out (declined, withdrawn, removed), each in request order, with positions."""
    order = case(
        (Enrolment.status == EnrolmentStatus.REQUESTED, 0),
        (Enrolment.status == EnrolmentStatus.WAITING, 1),
        (Enrolment.status == EnrolmentStatus.ACCEPTED, 2),
        else_=3,
    )
    return (
        select(Enrolment, _position())
        .where(Enrolment.cohort_id == cohort_id)
        .order_by(order, *REQUEST_ORDER)
    )


def waiting_list(cohort_id: int, limit: int | None = None) -> list[Enrolment]:
    """The cohort's waiting list, first in line first."""
    return list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.cohort_id == cohort_id, Enrolment.status == EnrolmentStatus.WAITING)
            .order_by(*REQUEST_ORDER)
            .limit(limit)
        )
    )


def waiting_position(enrolment: Enrolment) -> int:
    """1 for the first in line."""
    ahead = (Enrolment.created_at < enrolment.created_at) | (
        (Enrolment.created_at == enrolment.created_at) & (Enrolment.id < enrolment.id)
    )
    return 1 + (
        db.session.scalar(
            select(func.count()).where(
                Enrolment.cohort_id == enrolment.cohort_id,
                Enrolment.status == EnrolmentStatus.WAITING,
                ahead,
            )
        )
        or 0
    )


def cohort_enrolments(cohort_id: int, ids: Iterable[int]) -> list[Enrolment]:
    """Those of ``ids`` that belong to the cohort, in request order."""
    return list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.cohort_id == cohort_id, Enrolment.id.in_(list(ids)))
            .order_by(*REQUEST_ORDER)
        )
    )


def my_enrolments(person_id: int, today: date) -> list[tuple[Enrolment, int | None]]:
    """The person's requests and places in cohorts that are neither closed nor over, with
    their waiting-list position when waiting, in one query."""
    mine = aliased(Enrolment)
    ranked = (
        select(Enrolment.id, _position())
        .where(Enrolment.cohort_id.in_(select(mine.cohort_id).where(mine.person_id == person_id)))
        .subquery()
    )
    rows = db.session.execute(
        select(Enrolment, ranked.c.position)
        .join(ranked, ranked.c.id == Enrolment.id)
        .join(Enrolment.cohort)
        .options(contains_eager(Enrolment.cohort))
        .where(
            Enrolment.person_id == person_id,
            Enrolment.status.in_(ACTIVE_STATUSES),
            Cohort.closed_at.is_(None),
            Cohort.ends_on >= today,
        )
        .order_by(Cohort.starts_on, Cohort.id)
    )
    return [
        (enrolment, position if enrolment.status is EnrolmentStatus.WAITING else None)
        for enrolment, position in rows
    ]


def enrollable(today: date) -> Any:
    """The people HR may enrol, as SQL: active employees whose access has not ended (the
    same rule as ``Person.may_act``, so everyone found may sign in)."""
    return and_(
        Person.kind == PersonKind.EMPLOYEE,
        Person.active,
        Person.access_ends_on.is_(None) | (Person.access_ends_on >= today),
    )


def _contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its own % and _ taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def people_search(
    cohort_id: int, text: str, today: date
) -> Select[tuple[Person, EnrolmentStatus | None]]:
    """Enrollable people whose name, username or department contains ``text``
    (case-insensitive; the text is a bound parameter), with their state in this cohort."""
    pattern = _contains(text)
    theirs = aliased(Enrolment)
    return (
        select(Person, theirs.status)
        .outerjoin(Department, Department.id == Person.department_id)
        .outerjoin(theirs, (theirs.person_id == Person.id) & (theirs.cohort_id == cohort_id))
        .where(
            enrollable(today),
            or_(
                func.lower(Person.display_name).like(pattern, escape="\\"),
                func.lower(Person.username).like(pattern, escape="\\"),
                func.lower(Department.name).like(pattern, escape="\\"),
            ),
        )
        .order_by(Person.display_name, Person.id)
    )


def people_by_login(logins: Iterable[str]) -> dict[str, Person]:
    """Everyone whose username or email is one of ``logins`` (lower-cased), by each of their
    lower-cased usernames and emails, in one query; usernames match case-insensitively as at
    sign-in."""
    wanted = sorted({login.lower() for login in logins})
    if not wanted:
        return {}
    found: dict[str, Person] = {}
    for person in db.session.scalars(
        select(Person).where(
            func.lower(Person.username).in_(wanted) | func.lower(Person.email).in_(wanted)
        )
    ):
        for login in (person.username, person.email):
            if login:
                found[login.lower()] = person
    return found


def enrolments_of(cohort_id: int, person_ids: Iterable[int]) -> dict[int, Enrolment]:
    """The cohort's enrolments of these people, by person id, in one query."""
    ids = list(person_ids)
    if not ids:
        return {}
    return {
        enrolment.person_id: enrolment
        for enrolment in db.session.scalars(
            select(Enrolment).where(Enrolment.cohort_id == cohort_id, Enrolment.person_id.in_(ids))
        )
    }
