"""Decisions on places in a cohort: accepting and declining requests (one or many at once),
the waiting list, leaving a cohort (withdrawn by oneself, removed by HR) and HR enrolling an
employee directly.

Places go in request order. Accepting more requests than there are free places accepts the
earliest up to capacity and puts the rest on the waiting list; a place that frees up goes to
the first in line at once, while the cohort is open (not closed: HR already said yes to
everyone waiting, so closing enrolment to new requests does not stop the line moving).
Every decision is audited and the person is emailed through the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind
from intrapreneur.learning import queries
from intrapreneur.learning.enrolment_emails import News, tell
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus
from intrapreneur.learning.services.refusals import LearningRefusal, ensure_cohort_open
from intrapreneur.learning.services.set_changes import leave_with_the_cohort

UNDECIDED = (EnrolmentStatus.REQUESTED, EnrolmentStatus.WAITING)


@dataclass
class Decisions:
    """What one decision did, for the message shown to the person who made it."""

    accepted: list[Enrolment] = field(default_factory=list)
    waiting: list[Enrolment] = field(default_factory=list)
    declined: list[Enrolment] = field(default_factory=list)


def free_places(cohort: Cohort) -> int:
    return max(0, cohort.capacity - queries.accepted_count(cohort.id))


def hold_places(cohort: Cohort) -> int:
    """The free places, counted under a lock on the cohort's row: two HR people accepting at
    once on PostgreSQL take turns instead of both filling the last place. (SQLite writers
    already take turns: every transaction there begins IMMEDIATE.)"""
    db.session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
    return free_places(cohort)


def _settle(
    enrolment: Enrolment,
    status: EnrolmentStatus,
    *,
    by: Person | None,
    now: datetime,
    action: str | None = None,
) -> None:
    """``by`` None: the app decided by itself (the waiting list moving up)."""
    enrolment.status = status
    enrolment.decided_by_id = by.id if by is not None else None
    enrolment.decided_at = now
    audit.record(
        action or f"enrolment.{status.value}",
        actor=by,
        obj=enrolment,
        cohort_id=enrolment.cohort_id,
        person_id=enrolment.person_id,
    )


def decide_many(
    cohort: Cohort, enrolment_ids: Iterable[int], *, accept: bool, by: Person, now: datetime
) -> Decisions:
    """Accept or decline the chosen requests (and waiting-list entries) of one cohort, all
    or none: a choice that is no longer undecided refuses the whole decision."""
    ensure_cohort_open(cohort)
    wanted = set(enrolment_ids)
    chosen = queries.cohort_enrolments(cohort.id, wanted)
    if not wanted or len(chosen) != len(wanted):
        raise LearningRefusal(
            _(
                "Choose one or more requests of this cohort. Reload the page if it is old.",
            )
        )
    settled = [enrolment for enrolment in chosen if enrolment.status not in UNDECIDED]
    if settled:
        raise LearningRefusal(
            _(
                "%(requests)s Nothing was changed: reload the page to see where things stand.",
                requests=" ".join(_settled(enrolment) for enrolment in settled),
            )
        )
    decisions = Decisions()
    if not accept:
        for enrolment in chosen:
            _settle(enrolment, EnrolmentStatus.DECLINED, by=by, now=now)
            tell(enrolment, News.DECLINED, now)
            decisions.declined.append(enrolment)
        return decisions
    free = hold_places(cohort)
    for enrolment in chosen:
        if len(decisions.accepted) < free:
            _settle(enrolment, EnrolmentStatus.ACCEPTED, by=by, now=now)
            tell(enrolment, News.ACCEPTED, now)
            decisions.accepted.append(enrolment)
        else:
            if enrolment.status is EnrolmentStatus.REQUESTED:
                _settle(enrolment, EnrolmentStatus.WAITING, by=by, now=now)
            decisions.waiting.append(enrolment)
    _tell_waiting(cohort, decisions.waiting, now)
    return decisions


def _tell_waiting(cohort: Cohort, newly_waiting: list[Enrolment], now: datetime) -> None:
    db.session.flush()
    positions = {e.id: n for n, e in enumerate(queries.waiting_list(cohort.id), start=1)}
    for enrolment in newly_waiting:
        tell(enrolment, News.WAITING, now, position=positions[enrolment.id])


def decide(enrolment: Enrolment, *, accept: bool, by: Person, now: datetime) -> Decisions:
    return decide_many(enrolment.cohort, [enrolment.id], accept=accept, by=by, now=now)


def fill_free_places(cohort: Cohort, now: datetime) -> list[Enrolment]:
    """Give the free places to the first on the waiting list (every caller has checked that
    the cohort is open); the audit log names no actor: nobody chose, the line moved."""
    free = hold_places(cohort)
    if not free:
        return []
    promoted = queries.waiting_list(cohort.id, limit=free)
    for enrolment in promoted:
        _settle(enrolment, EnrolmentStatus.ACCEPTED, by=None, now=now, action="enrolment.promoted")
        tell(enrolment, News.PROMOTED, now)
    return promoted


def _leave(
    enrolment: Enrolment, status: EnrolmentStatus, *, by: Person, today: date, now: datetime
) -> list[Enrolment]:
    """Out of the cohort, and of its set; the freed place goes to the first in line."""
    had_place = enrolment.status is EnrolmentStatus.ACCEPTED
    _settle(enrolment, status, by=by, now=now)
    if not had_place:
        return []
    membership = queries.current_membership_in_cohort(
        enrolment.cohort_id, enrolment.person_id, today
    )
    if membership is not None:
        leave_with_the_cohort(membership, by=by, now=now, today=today)
    return fill_free_places(enrolment.cohort, now)


def withdraw(cohort: Cohort, person: Person, *, today: date, now: datetime) -> list[Enrolment]:
    """The person gives up their request, waiting-list entry or place; returns who moved up."""
    ensure_cohort_open(cohort)
    enrolment = queries.enrolment_of(cohort.id, person.id)
    if enrolment is None or enrolment.status not in (*UNDECIDED, EnrolmentStatus.ACCEPTED):
        raise LearningRefusal(
            _(
                "You have no request or place in %(cohort)s to give up.",
                cohort=cohort.name,
            )
        )
    return _leave(enrolment, EnrolmentStatus.WITHDRAWN, by=person, today=today, now=now)


def remove(enrolment: Enrolment, *, by: Person, today: date, now: datetime) -> list[Enrolment]:
    """HR takes a participant out; returns who moved up from the waiting list."""
    ensure_cohort_open(enrolment.cohort)
    if enrolment.status is not EnrolmentStatus.ACCEPTED:
        raise LearningRefusal(
            _(
                "%(name)s is not a participant of %(cohort)s.",
                name=enrolment.person.display_name,
                cohort=enrolment.cohort.name,
            )
        )
    promoted = _leave(enrolment, EnrolmentStatus.REMOVED, by=by, today=today, now=now)
    tell(enrolment, News.REMOVED, now)
    return promoted


def may_be_enrolled(person: Person, today: date) -> bool:
    """HR enrols employees who may sign in (``queries.enrollable`` is the same rule in SQL)."""
    return person.kind is PersonKind.EMPLOYEE and person.may_act(today)


def enrol(
    cohort: Cohort,
    person: Person,
    existing: Enrolment | None,
    *,
    by: Person,
    now: datetime,
    action: str,
) -> Enrolment:
    """Give the person a place, whatever they had asked before; the caller checked room."""
    enrolment = existing or Enrolment(cohort=cohort, person=person)
    if existing is None:
        db.session.add(enrolment)
    _settle(enrolment, EnrolmentStatus.ACCEPTED, by=by, now=now, action=action)
    tell(enrolment, News.ACCEPTED, now)
    return enrolment


def enrol_directly(
    cohort: Cohort, person: Person, *, by: Person, today: date, now: datetime
) -> Enrolment:
    """HR enrols one employee, within capacity (a full cohort refuses: HR chose this person
    over the waiting list only if a place is free)."""
    ensure_cohort_open(cohort)
    if not may_be_enrolled(person, today):
        raise LearningRefusal(
            _(
                "%(name)s cannot be enrolled: only employees who may sign in can.",
                name=person.display_name,
            )
        )
    existing = queries.enrolment_of(cohort.id, person.id)
    if existing is not None and existing.status is EnrolmentStatus.ACCEPTED:
        raise LearningRefusal(
            _(
                "%(name)s is already a participant of %(cohort)s.",
                name=person.display_name,
                cohort=cohort.name,
            )
        )
    if not hold_places(cohort):
        raise LearningRefusal(
            _(
                "%(cohort)s is full: all %(capacity)s places are taken.",
                cohort=cohort.name,
                capacity=cohort.capacity,
            )
        )
    return enrol(cohort, person, existing, by=by, now=now, action="enrolment.enrolled")


def _settled(enrolment: Enrolment) -> str:
    """Why a request can no longer be decided, in a sentence."""
    name = enrolment.person.display_name
    return {
        EnrolmentStatus.ACCEPTED: _("%(name)s's request was already accepted.", name=name),
        EnrolmentStatus.DECLINED: _("%(name)s's request was already declined.", name=name),
        EnrolmentStatus.WITHDRAWN: _("%(name)s's request was already withdrawn.", name=name),
        EnrolmentStatus.REMOVED: _("%(name)s's request was already removed.", name=name),
    }[enrolment.status]
