"""Reads for the data-protection pages and the erasure's rules: people by name or login,
what stands in the way of erasing one, and what an erasure did."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import ColumnElement, Row, Select, and_, exists, func, not_, or_, select
from sqlalchemy.orm import aliased

from intrapreneur.core.models import AuditEvent
from intrapreneur.experiments.models import TeamRole, Venture, VentureMember
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonRole, Role
from intrapreneur.learning.models import LearningSet

ERASED_ACTION = "person.erased"


def people(text: str | None) -> Select[tuple[Person]]:
    """Everyone, or those whose name, email address or username contains ``text``
    (case-insensitive; a bound parameter, its % and _ taken literally), by name."""
    statement = select(Person).order_by(Person.display_name, Person.id)
    if not text:
        return statement
    wanted = text.lower()
    return statement.where(
        or_(
            *(
                func.lower(column).contains(wanted, autoescape=True)
                for column in (Person.display_name, Person.email, Person.username)
            )
        )
    )


def person_by_login(login: str) -> Person | None:
    """The person a command line names: a number, a username or an email address."""
    if login.isascii() and login.isdigit():
        return db.session.get(Person, int(login))
    wanted = login.strip().lower()
    return db.session.scalars(
        select(Person).where(
            or_(func.lower(Person.username) == wanted, func.lower(Person.email) == wanted)
        )
    ).first()


# -- what stands in the way ---------------------------------------------------------------


def _acting(today: date) -> ColumnElement[bool]:
    """People who may still act: switched on, not erased, a guest's access not ended."""
    return and_(
        Person.active,
        Person.erased_at.is_(None),
        Person.access_ends_on.is_(None) | (Person.access_ends_on >= today),
    )


def ventures_owned_alone(person_ids: list[int], today: date) -> dict[int, list[int]]:
    """Per person: ventures not archived they own with no other owner who may act."""
    mine, other = aliased(VentureMember), aliased(VentureMember)
    another_owner = exists(
        select(other.id)
        .join(Person, Person.id == other.person_id)
        .where(
            other.venture_id == mine.venture_id,
            other.role == TeamRole.OWNER,
            other.person_id != mine.person_id,
            _acting(today),
        )
    )
    rows = db.session.execute(
        select(mine.person_id, Venture.id)
        .join(mine, mine.venture_id == Venture.id)
        .where(
            mine.person_id.in_(person_ids),
            mine.role == TeamRole.OWNER,
            Venture.archived_at.is_(None),
            not_(another_owner),
        )
        .order_by(Venture.id)
    )
    return _grouped(rows)


def open_sets_facilitated(person_ids: list[int]) -> dict[int, list[int]]:
    """Per person: the sets they facilitate that are not closed."""
    rows = db.session.execute(
        select(LearningSet.facilitator_id, LearningSet.id)
        .where(LearningSet.facilitator_id.in_(person_ids), LearningSet.closed_at.is_(None))
        .order_by(LearningSet.id)
    )
    return _grouped(rows)


def _grouped(rows: Iterable[Row[tuple[int, int]]]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for key, value in rows:
        grouped.setdefault(key, []).append(value)
    return grouped


def acting_holders(role: Role, today: date) -> frozenset[int]:
    """Up to two people who may act and hold ``role``: enough to tell whether anyone
    other than a given person holds it."""
    return frozenset(
        db.session.scalars(
            select(PersonRole.person_id)
            .join(Person, Person.id == PersonRole.person_id)
            .where(PersonRole.role == role, _acting(today))
            .limit(2)
        )
    )


def erasure_event(person_id: int) -> AuditEvent | None:
    """The audit event of the person's erasure: what it did, in numbers."""
    return db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action == ERASED_ACTION,
            AuditEvent.object_type == Person.__tablename__,
            AuditEvent.object_id == str(person_id),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
