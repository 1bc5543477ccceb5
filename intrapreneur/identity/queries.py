"""Reads for people, roles and invitations."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select

from intrapreneur.extensions import db
from intrapreneur.identity.models import (
    ApiClient,
    Invitation,
    Person,
    PersonKind,
    PersonRole,
    Role,
)


def person_by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))


def person_by_directory_id(directory_id: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.directory_id == directory_id))


def local_account(login: str) -> Person | None:
    """A person who signs in with a local password: a guest (by email) or the
    break-glass admin (by username or email). ``login`` is lower-case."""
    return db.session.scalar(
        select(Person).where(
            Person.password_hash.is_not(None),
            or_(func.lower(Person.email) == login, Person.username == login),
        )
    )


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


def _everyone_below(manager_id: int) -> Select[tuple[int]]:
    """The ids of everyone below this manager at any depth, as one recursive query.

    UNION (not UNION ALL) drops rows already found, so a cycle in the
    directory's manager data ends the walk instead of looping.
    """
    chain = select(Person.id).where(Person.manager_id == manager_id).cte("chain", recursive=True)
    chain = chain.union(select(Person.id).join(chain, Person.manager_id == chain.c.id))
    return select(chain.c.id).where(chain.c.id != manager_id)


def reports_of(manager_id: int) -> list[Person]:
    """Everyone below this manager at any depth, by name."""
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.id.in_(_everyone_below(manager_id)))
            .order_by(Person.display_name)
        )
    )


def direct_reports(manager_id: int) -> list[Person]:
    """The active people who name this manager as theirs, by name."""
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.manager_id == manager_id, Person.active)
            .order_by(Person.display_name, Person.id)
        )
    )


def count_reports(manager_id: int) -> int:
    """How many active people are below this manager at any depth."""
    below = (
        select(func.count())
        .select_from(Person)
        .where(Person.id.in_(_everyone_below(manager_id)), Person.active)
    )
    return db.session.scalar(below) or 0


def people_by_id(person_ids: list[int]) -> dict[int, Person]:
    return {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(person_ids)))}


def reporting_lines() -> list[tuple[int, int | None, int | None]]:
    """Everyone's (id, manager id, department id), in one query: for walking every
    management chain at once in memory (an organisation-wide question)."""
    return [
        (person_id, manager_id, department_id)
        for person_id, manager_id, department_id in db.session.execute(
            select(Person.id, Person.manager_id, Person.department_id)
        )
    ]


def management_chains(person_ids: list[int]) -> dict[int, frozenset[int]]:
    """Everyone above each of these people, at any depth, in one recursive query.

    As in ``reports_of``, UNION ends the walk on a cycle in the directory's data.
    """
    chain = (
        select(Person.id.label("origin"), Person.manager_id.label("above"))
        .where(Person.id.in_(person_ids), Person.manager_id.is_not(None))
        .cte("chain", recursive=True)
    )
    chain = chain.union(
        select(chain.c.origin, Person.manager_id)
        .join(Person, Person.id == chain.c.above)
        .where(Person.manager_id.is_not(None))
    )
    above: dict[int, set[int]] = {person_id: set() for person_id in person_ids}
    for origin, manager_id in db.session.execute(select(chain.c.origin, chain.c.above)):
        above[origin].add(manager_id)
    return {person_id: frozenset(managers - {person_id}) for person_id, managers in above.items()}


def possible_facilitators() -> list[Person]:
    """Active people holding the facilitator role: trained employees and visiting entrepreneurs."""
    return list(
        db.session.scalars(
            select(Person)
            .join(PersonRole)
            .where(Person.active, PersonRole.role == Role.FACILITATOR)
            .order_by(Person.display_name)
        )
    )


def api_client_by_token_hash(token_hash: str) -> ApiClient | None:
    return db.session.scalar(select(ApiClient).where(ApiClient.token_hash == token_hash))


def api_clients() -> Select[tuple[ApiClient]]:
    return select(ApiClient).order_by(ApiClient.revoked_at.is_not(None), ApiClient.name)
