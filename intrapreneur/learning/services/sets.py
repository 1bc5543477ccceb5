"""Creating sets and placing people in them, within the size limits every set keeps."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries
from intrapreneur.learning.models import Cohort, LearningSet, SessionFormat, SetMembership
from intrapreneur.learning.services.programmes import ensure_participant
from intrapreneur.learning.services.refusals import (
    LearningRefusal,
    ensure_cohort_open,
    ensure_set_open,
)

MIN_SET_SIZE = 4
MAX_SET_SIZE = 8


def create_set(
    cohort: Cohort,
    *,
    name: str,
    facilitator: Person | None,
    default_format: SessionFormat,
    cadence_days: int,
    by: Person,
) -> LearningSet:
    ensure_cohort_open(cohort)
    learning_set = LearningSet(
        cohort=cohort,
        name=name,
        facilitator=facilitator,
        default_format=default_format,
        cadence_days=cadence_days,
    )
    db.session.add(learning_set)
    audit.record(
        "set.created",
        actor=by,
        obj=learning_set,
        cohort_id=cohort.id,
        facilitator_id=facilitator.id if facilitator else None,
    )
    return learning_set


def add_member(
    learning_set: LearningSet, person: Person, *, today: date, by: Person
) -> SetMembership:
    """Place a participant (or an invited guest) into a set of their cohort."""
    ensure_set_open(learning_set)
    members = queries.current_members(learning_set.id, today)
    if any(membership.person_id == person.id for membership in members):
        raise LearningRefusal(
            _(
                "%(name)s is already in %(set)s.",
                name=person.display_name,
                set=learning_set.name,
            )
        )
    if len(members) >= MAX_SET_SIZE:
        raise LearningRefusal(
            _(
                "%(set)s already has %(most)s members, the most a set can have.",
                set=learning_set.name,
                most=MAX_SET_SIZE,
            )
        )
    elsewhere = queries.current_set_in_cohort(learning_set.cohort_id, person.id, today)
    if elsewhere is not None:
        raise LearningRefusal(
            _(
                "%(name)s is in %(elsewhere)s; take them out of it first.",
                name=person.display_name,
                elsewhere=elsewhere.name,
            )
        )
    ensure_participant(learning_set.cohort, person, by)
    membership = SetMembership(learning_set=learning_set, person=person, joined_on=today)
    db.session.add(membership)
    audit.record("set.member_added", actor=by, obj=learning_set, person_id=person.id)
    return membership
