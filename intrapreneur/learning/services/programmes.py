"""Writes for programmes and cohorts as created, and the two ways into a cohort that need
no decision: an employee's request for a place, and a guest placed by HR."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from intrapreneur.core import services as audit
from intrapreneur.core.timezones import organisation_zone_name
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus, Programme
from intrapreneur.learning.services.refusals import (
    LearningRefusal,
    ensure_cohort_open,
    ensure_not_archived,
)


def create_programme(*, name: str, description: str, by: Person) -> Programme:
    if db.session.scalar(select(exists().where(Programme.name == name))):
        raise LearningRefusal(
            _(
                "A programme called %(name)s already exists.",
                name=repr(name),
            )
        )
    programme = Programme(name=name, description=description or "")
    db.session.add(programme)
    audit.record("programme.created", actor=by, obj=programme, name=name)
    return programme


def create_cohort(
    programme: Programme,
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    capacity: int,
    enrolment_open: bool,
    by: Person,
    time_zone: str | None = None,
) -> Cohort:
    ensure_not_archived(programme)
    cohort = Cohort(
        programme=programme,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        enrolment_open=enrolment_open,
    )
    cohort.time_zone = time_zone or organisation_zone_name()
    db.session.add(cohort)
    audit.record(
        "cohort.created",
        actor=by,
        obj=cohort,
        programme_id=programme.id,
        capacity=capacity,
        enrolment_open=enrolment_open,
        time_zone=cohort.time_zone,
    )
    return cohort


def _ensure_room(cohort: Cohort) -> None:
    if queries.accepted_count(cohort.id) >= cohort.capacity:
        raise LearningRefusal(
            _(
                "%(cohort)s is full: all %(capacity)s places are taken.",
                cohort=cohort.name,
                capacity=cohort.capacity,
            )
        )


def request_place(cohort: Cohort, person: Person, today: date) -> Enrolment:
    """Ask for a place; one request per person and cohort, even with a double click."""
    ensure_cohort_open(cohort)
    if not cohort.enrolment_open:
        raise LearningRefusal(
            _(
                "%(cohort)s is not taking requests.",
                cohort=cohort.name,
            )
        )
    if cohort.ends_on < today:
        raise LearningRefusal(
            _(
                "%(cohort)s has already ended.",
                cohort=cohort.name,
            )
        )
    existing = queries.enrolment_of(cohort.id, person.id)
    if existing is not None:
        raise LearningRefusal(_already(existing))
    _ensure_room(cohort)
    enrolment = Enrolment(cohort=cohort, person=person, status=EnrolmentStatus.REQUESTED)
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError:
        raise LearningRefusal(_("You have already asked to join this cohort.")) from None
    audit.record("enrolment.requested", actor=person, obj=enrolment, cohort_id=cohort.id)
    return enrolment


def _already(enrolment: Enrolment) -> str:
    return {
        EnrolmentStatus.REQUESTED: _("You have already asked to join; the programme team decides."),
        EnrolmentStatus.ACCEPTED: _("You are already a participant of this cohort."),
        EnrolmentStatus.DECLINED: _("Your request for this cohort was declined."),
        EnrolmentStatus.WAITING: _("You are already on the waiting list of this cohort."),
        EnrolmentStatus.WITHDRAWN: _(
            "You withdrew from this cohort; ask the programme team if you want to come back."
        ),
        EnrolmentStatus.REMOVED: _(
            "The programme team took you out of this cohort; ask them if you want to come back."
        ),
    }[enrolment.status]


def ensure_participant(cohort: Cohort, person: Person, by: Person) -> None:
    """Employees must have been accepted; a guest placed in a set becomes a participant."""
    ensure_cohort_open(cohort)
    enrolment = queries.enrolment_of(cohort.id, person.id)
    if enrolment is not None and enrolment.status is EnrolmentStatus.ACCEPTED:
        return
    if not person.is_guest:
        raise LearningRefusal(
            _(
                "%(name)s has not been accepted into %(cohort)s.",
                name=person.display_name,
                cohort=cohort.name,
            )
        )
    if enrolment is None:
        enrolment = Enrolment(cohort=cohort, person=person)
        db.session.add(enrolment)
    enrolment.status = EnrolmentStatus.ACCEPTED
    enrolment.decided_by_id = by.id
