"""HR's changes to programmes and cohorts after creation: editing, closing a cohort and
archiving a programme (both read-only afterwards).

An edit is made on the copy the editor saw (``version``: the second of two editors is told
to reload), is refused with the reason per field when it would break something, and is
audited with every changed field as ``[old, new]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from intrapreneur.core import services as audit
from intrapreneur.core.dates import moment_text
from intrapreneur.core.timezones import to_utc
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries
from intrapreneur.learning.models import Cohort, Enrolment, LearningSession, Programme
from intrapreneur.learning.services.enrolment import fill_free_places
from intrapreneur.learning.services.refusals import (
    LearningRefusal,
    RefusedFields,
    StaleEdit,
    ensure_cohort_open,
    ensure_not_archived,
)


def _ensure_version(record: Programme | Cohort, version: int, what: str) -> None:
    if record.version != version:
        raise StaleEdit(what)


def _apply(record: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the values that differ; returns them as ``{field: [old, new]}`` for the audit."""
    changes = {}
    for name, new in values.items():
        old = getattr(record, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(record, name, new)
    return changes


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def edit_programme(
    programme: Programme, *, name: str, description: str, version: int, by: Person
) -> dict[str, list[Any]]:
    ensure_not_archived(programme)
    _ensure_version(programme, version, "programme")
    taken = select(exists().where(Programme.name == name, Programme.id != programme.id))
    if db.session.scalar(taken):
        raise RefusedFields(
            {
                "name": [
                    _(
                        "A programme called %(name)s already exists.",
                        name=repr(name),
                    )
                ]
            }
        )
    changes = _apply(programme, {"name": name, "description": description or ""})
    if changes:
        audit.record("programme.updated", actor=by, obj=programme, changes=changes)
    return changes


def archive_programme(programme: Programme, *, version: int, by: Person, now: datetime) -> None:
    """Only a programme whose cohorts are all closed: an archived one is read-only."""
    ensure_not_archived(programme)
    _ensure_version(programme, version, "programme")
    still_open = queries.open_cohorts_of(programme.id)
    if still_open:
        names = ", ".join(cohort.name for cohort in still_open)
        raise LearningRefusal(
            _(
                "%(programme)s cannot be archived while it has open cohorts (%(names)s): close "
                "them first.",
                programme=programme.name,
                names=names,
            )
        )
    changes = _apply(programme, {"archived_at": now})
    audit.record("programme.archived", actor=by, obj=programme, changes=changes)


@dataclass(frozen=True)
class CohortValues:
    name: str
    starts_on: date
    ends_on: date
    capacity: int
    enrolment_open: bool
    time_zone: str


def edit_cohort(
    cohort: Cohort, values: CohortValues, *, version: int, by: Person, now: datetime
) -> tuple[dict[str, list[Any]], list[Enrolment]]:
    """Change the cohort; returns what changed and who moved up from the waiting list into
    places the change added."""
    ensure_cohort_open(cohort)
    _ensure_version(cohort, version, "cohort")
    problems = _problems(cohort, values)
    if problems:
        raise RefusedFields(problems)
    changes = _apply(cohort, vars(values))
    if not changes:
        return changes, []
    audit.record("cohort.updated", actor=by, obj=cohort, changes=changes)
    return changes, fill_free_places(cohort, now)


def _problems(cohort: Cohort, values: CohortValues) -> dict[str, list[str]]:
    """What the change would break, by field. A date is checked when it or the time zone
    it is read in changes, so an edit of the name alone is never blocked by old data."""
    problems: dict[str, list[str]] = {}
    if values.capacity < cohort.capacity:
        accepted = queries.accepted_count(cohort.id)
        if values.capacity < accepted:
            problems["capacity"] = [
                _(
                    "Participants already accepted: %(accepted)s. The cohort needs at least "
                    "%(accepted)s places; remove participants first to go lower.",
                    accepted=accepted,
                )
            ]
    zone = values.time_zone
    if zone != cohort.time_zone or values.ends_on != cohort.ends_on:
        after_end = to_utc(values.ends_on + timedelta(days=1), time.min, zone)
        stranded = queries.sessions_starting_from(cohort.id, after_end)
        _stranding(problems, "ends_on", stranded, zone, AFTER_END)
    if zone != cohort.time_zone or values.starts_on != cohort.starts_on:
        start = to_utc(values.starts_on, time.min, zone)
        stranded = queries.sessions_starting_before(cohort.id, start)
        _stranding(problems, "starts_on", stranded, zone, BEFORE_START)
    return problems


AFTER_END = _l(
    "Sessions scheduled after this date: %(count)d, the first on %(first)s. "
    "Move or cancel them first, or choose a later end date."
)
BEFORE_START = _l(
    "Sessions scheduled before this date: %(count)d, the first on %(first)s. "
    "Move or cancel them first, or choose an earlier start date."
)


def _stranding(
    problems: dict[str, list[str]],
    field: str,
    stranded: tuple[int, LearningSession | None],
    zone_name: str,
    message: LazyString,
) -> None:
    count, first = stranded
    if first is None:
        return
    # In the cohort's zone, the one its dates are read in.
    when = _(
        "%(when)s (%(set)s)",
        when=moment_text(first.starts_at, "medium", zone=zone_name),
        set=first.learning_set.name,
    )
    problems[field] = [str(message) % {"count": count, "first": when}]


def close_cohort(cohort: Cohort, *, version: int, by: Person, now: datetime) -> None:
    """Read-only from now on: no enrolment, no edits, no new sets or sessions."""
    ensure_cohort_open(cohort)
    _ensure_version(cohort, version, "cohort")
    changes = _apply(cohort, {"closed_at": now, "enrolment_open": False})
    audit.record("cohort.closed", actor=by, obj=cohort, changes=changes)
