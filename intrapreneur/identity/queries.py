"""Reads for people, roles and invitations."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, Subquery, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from intrapreneur.core.models import AuditEvent
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


def person_by_login(login: str) -> Person | None:
    """Anyone, switched off or not, whose username or email address is ``login`` (lower
    case): who a typed login names."""
    return db.session.scalars(
        select(Person)
        .where(or_(Person.username == login, func.lower(Person.email) == login))
        .order_by(Person.id)
        .limit(1)
    ).first()


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


class GuestStatus(StrEnum):
    """Where a guest stands today, decided in SQL (``guest_status``) from their dates."""

    INVITED = "invited"  # an invitation waits to be accepted
    ACTIVE = "active"  # may sign in, and will for more than ENDING_WITHIN_DAYS
    ENDING = "ending"  # may sign in, until a day within ENDING_WITHIN_DAYS
    ENDED = "ended"  # may not: access over or revoked, or no invitation left to accept


ENDING_WITHIN_DAYS = 30
# What the guest list filters by: "active" takes in those whose access is ending too.
GUEST_FILTERS = {
    "invited": (GuestStatus.INVITED,),
    "active": (GuestStatus.ACTIVE, GuestStatus.ENDING),
    "ending": (GuestStatus.ENDING,),
    "ended": (GuestStatus.ENDED,),
}


def _latest_invitations() -> Subquery:
    return (
        select(Invitation.person_id, func.max(Invitation.id).label("invitation_id"))
        .group_by(Invitation.person_id)
        .subquery()
    )


def _with_latest_invitation(statement: Select[Any]) -> Select[Any]:
    """Guests only, each joined to their newest invitation (if any). An erased guest is no
    longer one to look after: only the administrators' people pages list them."""
    latest = _latest_invitations()
    return (
        statement.where(Person.kind == PersonKind.GUEST, Person.erased_at.is_(None))
        .outerjoin(latest, latest.c.person_id == Person.id)
        .outerjoin(Invitation, Invitation.id == latest.c.invitation_id)
    )


def guest_status(today: date, now: datetime) -> ColumnElement[str]:
    """A guest's ``GuestStatus`` as SQL, over Person and their newest Invitation."""
    not_accepted = Person.password_hash.is_(None)
    pending = and_(
        Invitation.id.is_not(None),
        Invitation.accepted_at.is_(None),
        Invitation.withdrawn_at.is_(None),
        Invitation.expires_at > now,
    )
    return case(
        (or_(~Person.active, Person.access_ends_on < today), GuestStatus.ENDED.value),
        (and_(not_accepted, pending), GuestStatus.INVITED.value),
        (not_accepted, GuestStatus.ENDED.value),
        (
            Person.access_ends_on <= today + timedelta(days=ENDING_WITHIN_DAYS),
            GuestStatus.ENDING.value,
        ),
        else_=GuestStatus.ACTIVE.value,
    )


def guest_list(
    shown: str | None, today: date, now: datetime
) -> Select[tuple[Person, Invitation | None, str]]:
    """Guests with their newest invitation and status, in one query; ``shown`` is a key of
    GUEST_FILTERS (anything else: everyone). Newest guests first; those ending, soonest end
    first."""
    status = guest_status(today, now)
    statement = _with_latest_invitation(select(Person, Invitation, status.label("status")))
    if shown in GUEST_FILTERS:
        statement = statement.where(status.in_([s.value for s in GUEST_FILTERS[shown]]))
    if shown == "ending":
        statement = statement.order_by(Person.access_ends_on)
    return statement.order_by(Person.created_at.desc(), Person.id.desc())


def guest_with_status(
    person_id: int, today: date, now: datetime
) -> tuple[Person, Invitation | None, str] | None:
    """One guest as the guest list shows them; None for anyone who is not a guest."""
    row = db.session.execute(guest_list(None, today, now).where(Person.id == person_id)).first()
    return None if row is None else (row[0], row[1], row[2])


def guest_counts(today: date, now: datetime) -> dict[str, int]:
    """How many guests each filter of the guest list shows, and "all", in one query."""
    statuses = _with_latest_invitation(
        select(guest_status(today, now).label("status")).select_from(Person)
    ).subquery()
    by_status = {
        GuestStatus(status): count
        for status, count in db.session.execute(
            select(statuses.c.status, func.count()).group_by(statuses.c.status)
        )
    }
    counts = {
        shown: sum(by_status.get(status, 0) for status in statuses_shown)
        for shown, statuses_shown in GUEST_FILTERS.items()
    }
    return {"all": sum(by_status.values()), **counts}


def latest_invitation(person_id: int) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).where(Invitation.person_id == person_id).order_by(Invitation.id.desc())
    )


def has_newer_invitation(invitation: Invitation) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Invitation.person_id == invitation.person_id, Invitation.id > invitation.id
                )
            )
        )
    )


def invitations_sent_since(person_id: int, since: datetime) -> list[datetime]:
    """When each of the person's invitations since then was made, oldest first."""
    return list(
        db.session.scalars(
            select(Invitation.created_at)
            .where(Invitation.person_id == person_id, Invitation.created_at > since)
            .order_by(Invitation.created_at)
        )
    )


def invitations_of(person_id: int) -> list[Invitation]:
    """Every invitation of a guest, newest first, with who sent it."""
    return list(
        db.session.scalars(
            select(Invitation)
            .options(joinedload(Invitation.invited_by))
            .where(Invitation.person_id == person_id)
            .order_by(Invitation.id.desc())
        )
    )


def guest_history(person_id: int) -> Select[tuple[AuditEvent]]:
    """What HR and the guest did about the guest's access and invitations, newest first."""
    return (
        select(AuditEvent)
        .where(
            AuditEvent.object_type == Person.__tablename__,
            AuditEvent.object_id == str(person_id),
            AuditEvent.action.startswith("guest.", autoescape=True),
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
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


def managers_above(start: Select[Any]) -> CTE:
    """Everyone above, at any depth, in one recursive query: ``start`` selects the first
    steps as ``origin`` (anything: a person, a venture) and ``above`` (a manager's id, not
    null); the result has a row (origin, above) for every manager further up too.

    As in ``reports_of``, UNION ends the walk on a cycle in the directory's data.
    """
    chain = start.cte("chain", recursive=True)
    higher = aliased(Person)
    return chain.union(
        select(chain.c.origin, higher.manager_id)
        .join(higher, higher.id == chain.c.above)
        .where(higher.manager_id.is_not(None))
    )


def management_chains(person_ids: list[int]) -> dict[int, frozenset[int]]:
    """Everyone above each of these people, at any depth, in one recursive query."""
    chain = managers_above(
        select(Person.id.label("origin"), Person.manager_id.label("above")).where(
            Person.id.in_(person_ids), Person.manager_id.is_not(None)
        )
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


def api_clients_expiring(now: datetime, within_days: int) -> list[ApiClient]:
    """Tokens not revoked that stop working within ``within_days``, soonest first."""
    return list(
        db.session.scalars(
            select(ApiClient)
            .where(
                ApiClient.revoked_at.is_(None),
                ApiClient.expires_at > now,
                ApiClient.expires_at <= now + timedelta(days=within_days),
            )
            .order_by(ApiClient.expires_at, ApiClient.id)
        )
    )


def people_matching(text: str) -> Select[tuple[int]]:
    """The ids of everyone ``text`` names: a person's id, or part of a name or username
    (case-insensitive; the text is a bound parameter, its % and _ taken literally)."""
    if text.isascii() and text.isdigit():
        return select(Person.id).where(Person.id == int(text))
    wanted = text.lower()
    return select(Person.id).where(
        or_(
            func.lower(Person.display_name).contains(wanted, autoescape=True),
            func.lower(Person.username).contains(wanted, autoescape=True),
        )
    )
