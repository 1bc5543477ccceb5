"""Turn what the directory says about a person into our Person, roles and manager links.

Used by sign-in (one person) and by directory sync (everyone). Only roles with
``source="directory"`` are replaced; local grants (the break-glass admin) stay.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, exists, insert, literal, or_, select, update
from sqlalchemy.orm import aliased

from intrapreneur.core.i18n import preferred_locale
from intrapreneur.core.timezones import is_zone_name
from intrapreneur.extensions import db
from intrapreneur.identity.directory import DirectoryPerson, normalise_dn
from intrapreneur.identity.models import Department, Person, PersonKind, PersonRole, Role

log = logging.getLogger(__name__)

DIRECTORY = "directory"
SYNCED_FIELDS = (
    "username",
    "email",
    "display_name",
    "title",
    "directory_dn",
    "manager_dn",
    "directory_time_zone",
    "directory_locale",
)


@dataclass
class Outcome:
    """What applying one directory entry changed; empty ``changes`` means nothing."""

    person: Person
    created: bool = False
    reactivated: bool = False
    changes: dict[str, Any] = field(default_factory=dict)
    roles_added: set[str] = field(default_factory=set)
    roles_removed: set[str] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.reactivated
            or self.changes
            or self.roles_added
            or self.roles_removed
        )


class Departments:
    """Department rows by name, created on first sight and cached for a whole sync."""

    def __init__(self) -> None:
        self._by_name: dict[str, Department] = {}

    def get(self, name: str | None) -> Department | None:
        if not name:
            return None
        if name not in self._by_name:
            found = db.session.scalar(select(Department).where(Department.name == name))
            if found is None:
                found = Department(name=name)
                db.session.add(found)
            self._by_name[name] = found
        return self._by_name[name]

    def reattach(self) -> None:
        """Bring the cached rows back after the session was emptied between pages."""
        self._by_name = {
            name: db.session.merge(row, load=False) for name, row in self._by_name.items()
        }


class Claims:
    """Who holds each username and email, so a refresh never takes one from someone else.

    Loaded once per batch of entries; updated as the batch assigns values.
    """

    UNIQUE = ("username", "email")

    def __init__(self, entries: list[DirectoryPerson]) -> None:
        usernames = [entry.username for entry in entries]
        emails = [entry.email for entry in entries if entry.email]
        self._holder: dict[tuple[str, str], Person] = {}
        for person in db.session.scalars(
            select(Person).where(or_(Person.username.in_(usernames), Person.email.in_(emails)))
        ):
            for name in self.UNIQUE:
                if getattr(person, name):
                    self._holder[(name, getattr(person, name))] = person

    def free_for(self, name: str, value: str | None, person: Person) -> bool:
        holder = self._holder.get((name, value)) if value else None
        return holder is None or holder is person

    def claim(self, name: str, value: str | None, person: Person) -> None:
        if value:
            self._holder[(name, value)] = person


def apply(
    found: DirectoryPerson,
    *,
    person: Person | None,
    departments: Departments,
    claims: Claims,
) -> Outcome:
    """Create or refresh ``person`` from ``found`` (flushes nothing itself)."""
    outcome = Outcome(
        person=person or Person(kind=PersonKind.EMPLOYEE, directory_id=found.directory_id)
    )
    person = outcome.person
    if person.id is None:
        outcome.created = True
        db.session.add(person)
    elif not person.active:
        person.active = True
        outcome.reactivated = True
    wanted = {
        "username": found.username,
        "email": found.email,
        "display_name": found.display_name,
        "title": found.title,
        "directory_dn": normalise_dn(found.dn),
        "manager_dn": normalise_dn(found.manager_dn) if found.manager_dn else None,
        "directory_time_zone": _time_zone(found),
        "directory_locale": preferred_locale(found.locale),
    }
    for name in SYNCED_FIELDS:
        if getattr(person, name) == wanted[name]:
            continue
        if name in Claims.UNIQUE:
            if not claims.free_for(name, wanted[name], person):
                # A renamed user's old name may have been reused; leave ours until it clears.
                log.warning("directory %s of %s is held by another person", name, found.dn)
                continue
            claims.claim(name, wanted[name], person)
        outcome.changes[name] = wanted[name]
        setattr(person, name, wanted[name])
    department = departments.get(found.department)
    if person.department is not department:
        outcome.changes["department"] = found.department
        person.department = department
    _apply_roles(person, {Role.EMPLOYEE.value, *found.roles}, outcome)
    return outcome


def _time_zone(found: DirectoryPerson) -> str | None:
    """The directory's zone if the IANA database knows it (a person's own choice, kept in
    another column, is never touched here)."""
    if found.time_zone is None or is_zone_name(found.time_zone):
        return found.time_zone
    log.warning("directory time zone %r of %s is no IANA time zone", found.time_zone, found.dn)
    return None


def _apply_roles(person: Person, wanted: set[str], outcome: Outcome) -> None:
    held = {grant.role.value: grant for grant in person.roles}
    for role in wanted - held.keys():
        person.roles.append(PersonRole(role=Role(role), source=DIRECTORY))
        outcome.roles_added.add(role)
    for role, grant in held.items():
        if grant.source == DIRECTORY and role not in wanted and role != Role.MANAGER.value:
            person.roles.remove(grant)
            outcome.roles_removed.add(role)


def link_managers() -> None:
    """Resolve every manager DN to the person it names, and hand out the manager role
    to exactly the people who have reports. Three statements, whatever the size."""
    manager = aliased(Person)
    db.session.execute(
        update(Person)
        .where(Person.kind == PersonKind.EMPLOYEE)
        .values(
            manager_id=select(manager.id)
            .where(manager.directory_dn == Person.manager_dn, manager.id != Person.id)
            .limit(1)
            .scalar_subquery()
        )
        .execution_options(synchronize_session=False)
    )
    has_reports = select(Person.manager_id).where(Person.manager_id.is_not(None), Person.active)
    db.session.execute(
        delete(PersonRole)
        .where(
            PersonRole.role == Role.MANAGER,
            PersonRole.source == DIRECTORY,
            PersonRole.person_id.not_in(has_reports),
        )
        .execution_options(synchronize_session=False)
    )
    already = select(PersonRole.person_id).where(PersonRole.role == Role.MANAGER)
    db.session.execute(
        insert(PersonRole).from_select(
            ["person_id", "role", "source"],
            select(Person.id, literal(Role.MANAGER.value), literal(DIRECTORY)).where(
                Person.id.in_(has_reports), Person.id.not_in(already)
            ),
        )
    )
    db.session.expire_all()


def link_manager_of(person: Person) -> None:
    """The sign-in version of ``link_managers``: only this person's own links.

    Their manager (if already known), the reports who named them before they
    were known, and the manager role on both ends.
    """
    db.session.flush()
    manager = (
        db.session.scalar(select(Person).where(Person.directory_dn == person.manager_dn))
        if person.manager_dn
        else None
    )
    person.manager = manager if manager is not person else None
    if person.directory_dn:
        db.session.execute(
            update(Person)
            .where(Person.manager_dn == person.directory_dn, Person.id != person.id)
            .values(manager_id=person.id)
            .execution_options(synchronize_session=False)
        )
    has_reports = db.session.scalar(
        select(exists().where(Person.manager_id == person.id, Person.active))
    )
    _set_manager_role(person, bool(has_reports))
    if person.manager is not None:
        _set_manager_role(person.manager, True)


def _set_manager_role(person: Person, manages: bool) -> None:
    grant = next((g for g in person.roles if g.role is Role.MANAGER), None)
    if manages and grant is None:
        person.roles.append(PersonRole(role=Role.MANAGER, source=DIRECTORY))
    elif not manages and grant is not None and grant.source == DIRECTORY:
        person.roles.remove(grant)


def replace_directory_roles(person: Person, roles: set[str]) -> Outcome:
    """Roles from a single sign-on's groups claim, mapped by the same role map as directory
    groups: they replace the directory-given roles (the manager role stays the directory's)."""
    outcome = Outcome(person=person)
    _apply_roles(person, {Role.EMPLOYEE.value, *roles}, outcome)
    return outcome
