"""Turn what the directory says about a person into our Person, roles and manager links.

Used by sign-in (one person) and by directory sync (everyone). Only roles with
``source="directory"`` are replaced; local grants (the break-glass admin) stay.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, exists, insert, literal, or_, select, update
from sqlalchemy.orm import aliased

from intrapreneur.core.i18n import preferred_locale
from intrapreneur.core.timezones import is_zone_name
from intrapreneur.extensions import db
from intrapreneur.identity.countries import country_code
from intrapreneur.identity.directory import DirectoryPerson, normalise_dn
from intrapreneur.identity.models import (
    BusinessUnit,
    Department,
    Person,
    PersonKind,
    PersonRole,
    Role,
)

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


class Organisation:
    """Business units and departments by name, created on first sight and cached for a
    whole sync; and the country codes the directory gave that ISO 3166-1 does not know,
    so that each is logged once per run rather than once per person."""

    def __init__(self) -> None:
        self._units: dict[str, BusinessUnit] = {}
        self._departments: dict[tuple[str | None, str], Department] = {}
        self.unknown_countries: Counter[str] = Counter()

    def business_unit(self, name: str | None) -> BusinessUnit | None:
        if not name:
            return None
        if name not in self._units:
            found = db.session.scalar(select(BusinessUnit).where(BusinessUnit.name == name))
            if found is None:
                found = BusinessUnit(name=name)
                db.session.add(found)
            self._units[name] = found
        return self._units[name]

    def department(self, name: str | None, unit_name: str | None) -> Department | None:
        """The department of that name in that unit (None: outside any unit)."""
        if not name:
            return None
        key = (unit_name or None, name)
        if key not in self._departments:
            unit = self.business_unit(unit_name)
            # Compared as a relationship: a unit added in this run is flushed first.
            found = db.session.scalar(
                select(Department).where(Department.name == name, Department.business_unit == unit)
            )
            if found is None:
                found = Department(name=name, business_unit=unit)
                db.session.add(found)
            self._departments[key] = found
        return self._departments[key]

    def country(self, found: DirectoryPerson) -> str | None:
        code = country_code(found.country)
        if found.country and code is None:
            self.unknown_countries[found.country] += 1
        return code

    def log_unknown_countries(self) -> None:
        """One warning for the run: the codes stored as no country, and how many had each."""
        if self.unknown_countries:
            log.warning(
                "directory country codes that are not ISO 3166-1 alpha-2, stored as no country: %s",
                ", ".join(f"{code!r} ({n})" for code, n in sorted(self.unknown_countries.items())),
            )
            self.unknown_countries.clear()

    def reattach(self) -> None:
        """Bring the cached rows back after the session was emptied between pages."""
        self._units = {name: db.session.merge(row, load=False) for name, row in self._units.items()}
        self._departments = {
            key: db.session.merge(row, load=False) for key, row in self._departments.items()
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
    organisation: Organisation,
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
        person.deactivated_at = None
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
    _apply_organisation(person, found, organisation, outcome)
    _apply_roles(person, {Role.EMPLOYEE.value, *found.roles}, outcome)
    return outcome


def _apply_organisation(
    person: Person, found: DirectoryPerson, organisation: Organisation, outcome: Outcome
) -> None:
    """Country, location, business unit and the department within that unit."""
    unit = organisation.business_unit(found.business_unit)
    if person.business_unit is not unit:
        outcome.changes["business_unit"] = found.business_unit
        person.business_unit = unit
    department = organisation.department(found.department, found.business_unit)
    if person.department is not department:
        outcome.changes["department"] = found.department
        person.department = department
    place = {"country": organisation.country(found), "location": found.location}
    for name, value in place.items():
        if getattr(person, name) != value:
            outcome.changes[name] = value
            setattr(person, name, value)


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
