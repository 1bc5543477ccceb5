"""Reads: the vocabulary, one person's profile, and the entrepreneurs employees may find."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select

from intrapreneur.core.timezones import local, organisation_zone_name
from intrapreneur.extensions import db
from intrapreneur.identity.expertise.models import (
    AvailabilityWindow,
    ExpertiseProfile,
    ExpertiseTag,
    ProfileTag,
)
from intrapreneur.identity.expertise.permissions import PROFILE_ROLES
from intrapreneur.identity.models import Person, PersonRole


@dataclass(frozen=True)
class Period:
    """Days from ``first`` to ``last`` (both included)."""

    first: date
    last: date

    def weekdays(self) -> set[int]:
        days = min((self.last - self.first).days + 1, 7)
        return {(self.first + timedelta(days=offset)).weekday() for offset in range(days)}


def tags(*, offered_only: bool = False) -> list[ExpertiseTag]:
    statement = select(ExpertiseTag).order_by(func.lower(ExpertiseTag.name))
    if offered_only:
        statement = statement.where(ExpertiseTag.retired_at.is_(None))
    return list(db.session.scalars(statement))


def tag_usage() -> dict[int, int]:
    """Profiles carrying each tag, counted in SQL."""
    rows = db.session.execute(
        select(ProfileTag.tag_id, func.count()).group_by(ProfileTag.tag_id)
    ).all()
    return {tag_id: count for tag_id, count in rows}


def tag_named(name: str, *, other_than: int | None = None) -> ExpertiseTag | None:
    statement = select(ExpertiseTag).where(func.lower(ExpertiseTag.name) == name.lower())
    if other_than is not None:
        statement = statement.where(ExpertiseTag.id != other_than)
    return db.session.scalar(statement)


def profile_of(person_id: int) -> ExpertiseProfile | None:
    return db.session.get(ExpertiseProfile, person_id)


def tags_of(person_ids: Iterable[int]) -> dict[int, list[ExpertiseTag]]:
    """Each person's tags, retired ones included (they are part of the profile's history),
    in one query."""
    ids = list(person_ids)
    found: dict[int, list[ExpertiseTag]] = {person_id: [] for person_id in ids}
    if not ids:
        return found
    rows = db.session.execute(
        select(ProfileTag.person_id, ExpertiseTag)
        .join(ExpertiseTag, ExpertiseTag.id == ProfileTag.tag_id)
        .where(ProfileTag.person_id.in_(ids))
        .order_by(func.lower(ExpertiseTag.name))
    ).all()
    for person_id, tag in rows:
        found[person_id].append(tag)
    return found


def windows_of(person_ids: Iterable[int]) -> dict[int, list[AvailabilityWindow]]:
    """Each person's weekly windows, in one query, Monday first."""
    ids = list(person_ids)
    found: dict[int, list[AvailabilityWindow]] = {person_id: [] for person_id in ids}
    if not ids:
        return found
    for window in db.session.scalars(
        select(AvailabilityWindow)
        .where(AvailabilityWindow.person_id.in_(ids))
        .order_by(AvailabilityWindow.weekday, AvailabilityWindow.start_minute)
    ):
        found[window.person_id].append(window)
    return found


def _zone_of_person() -> ColumnElement[str]:
    """``Person.time_zone`` as SQL: their choice, the directory's, the organisation's."""
    return func.coalesce(
        Person.chosen_time_zone, Person.directory_time_zone, organisation_zone_name()
    )


def access_current(today: date) -> ColumnElement[bool]:
    """``Person.may_act`` as SQL, and not erased: a guest whose access ended is nobody's
    entrepreneur any more."""
    return and_(
        Person.active.is_(True),
        Person.erased_at.is_(None),
        or_(Person.access_ends_on.is_(None), Person.access_ends_on >= today),
    )


def _has_profile_role() -> ColumnElement[bool]:
    return exists().where(PersonRole.person_id == Person.id, PersonRole.role.in_(PROFILE_ROLES))


def _window_where(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(AvailabilityWindow.person_id == Person.id, *conditions)


def _available_at(now: datetime, zones: Iterable[str]) -> ColumnElement[bool]:
    """A window open now, each person's window read in their own zone: one branch per zone
    the entrepreneurs live in (a handful), so the page still filters and pages in SQL."""
    branches = []
    for name in zones:
        there = local(now, name)
        minute = there.hour * 60 + there.minute
        branches.append(
            and_(
                _zone_of_person() == name,
                _window_where(
                    AvailabilityWindow.weekday == there.weekday(),
                    AvailabilityWindow.start_minute <= minute,
                    AvailabilityWindow.end_minute > minute,
                ),
            )
        )
    return or_(false(), *branches)


def entrepreneurs(
    today: date,
    *,
    tag_id: int | None = None,
    now: datetime | None = None,
    period: Period | None = None,
) -> Select[tuple[Person]]:
    """People with a profile whose access is current, by name: with a tag, available at
    ``now``, or with a window on some day of ``period`` (their access lasting into it)."""
    statement = (
        select(Person)
        .join(ExpertiseProfile, ExpertiseProfile.person_id == Person.id)
        .where(access_current(today), _has_profile_role())
        .order_by(func.lower(Person.display_name), Person.id)
    )
    if tag_id is not None:
        statement = statement.where(
            exists().where(ProfileTag.person_id == Person.id, ProfileTag.tag_id == tag_id)
        )
    if now is not None:
        zones = db.session.scalars(
            select(_zone_of_person())
            .join(ExpertiseProfile, ExpertiseProfile.person_id == Person.id)
            .distinct()
        )
        statement = statement.where(_available_at(now, list(zones)))
    if period is not None:
        statement = statement.where(
            _window_where(AvailabilityWindow.weekday.in_(period.weekdays())),
            or_(Person.access_ends_on.is_(None), Person.access_ends_on >= period.first),
        )
    return statement


def is_entrepreneur(person: Person, today: date) -> bool:
    """Whether employees may find this person and ask them for a Hack."""
    return bool(
        person.has_role(*PROFILE_ROLES)
        and person.erased_at is None
        and person.may_act(today)
        and profile_of(person.id) is not None
    )


def bios_of(person_ids: Iterable[int]) -> dict[int, str]:
    ids = list(person_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(ExpertiseProfile.person_id, ExpertiseProfile.bio).where(
            ExpertiseProfile.person_id.in_(ids)
        )
    ).all()
    return {person_id: bio for person_id, bio in rows}
