"""Creating sets and placing people in them, within the size limits every set keeps."""

from __future__ import annotations

from datetime import date

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
        raise LearningRefusal(f"{person.display_name} is already in {learning_set.name}.")
    if len(members) >= MAX_SET_SIZE:
        raise LearningRefusal(
            f"{learning_set.name} already has {MAX_SET_SIZE} members, the most a set can have."
        )
    elsewhere = queries.current_set_in_cohort(learning_set.cohort_id, person.id, today)
    if elsewhere is not None:
        raise LearningRefusal(
            f"{person.display_name} is in {elsewhere.name}; take them out of it first."
        )
    ensure_participant(learning_set.cohort, person, by)
    membership = SetMembership(learning_set=learning_set, person=person, joined_on=today)
    db.session.add(membership)
    audit.record("set.member_added", actor=by, obj=learning_set, person_id=person.id)
    return membership
