"""Reads for people, roles and invitations."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from intrapreneur.extensions import db
from intrapreneur.identity.models import Invitation, Person, PersonKind


def person_by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))


def guests_with_latest_invitation() -> Select[tuple[Person, Invitation | None]]:
    """Every guest with their newest invitation, newest guests first, in one query."""
    latest = (
        select(Invitation.person_id, func.max(Invitation.id).label("invitation_id"))
        .group_by(Invitation.person_id)
        .subquery()
    )
    return (
        select(Person, Invitation)
        .where(Person.kind == PersonKind.GUEST)
        .outerjoin(latest, latest.c.person_id == Person.id)
        .outerjoin(Invitation, Invitation.id == latest.c.invitation_id)
        .order_by(Person.created_at.desc(), Person.id.desc())
    )


def people_for_dev_sign_in() -> list[Person]:
    return list(
        db.session.scalars(
            select(Person).where(Person.kind == PersonKind.EMPLOYEE).order_by(Person.display_name)
        )
    )
