"""Reads for sets and who is in them: the memberships in force on a day, the people a
set (or the set composer) may take, and who shared a set before."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind
from intrapreneur.learning.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    LearningSet,
    SetMembership,
)


def in_force_on(day: date | Any) -> Any:
    """Memberships in force on a day (a date, or a date column such as a session's
    ``utc_day``); someone who left that day is no longer in the set."""
    return (SetMembership.joined_on <= day) & (
        SetMembership.left_on.is_(None) | (SetMembership.left_on > day)
    )


def current_set_ids(person_id: int, today: date) -> Select[tuple[int]]:
    """The sets a person is in today or facilitates: the sets whose pages, sessions and
    shared ventures are theirs. Every list of set content outside the set's own page
    (home, calendar feed, the ventures shared into sets) starts from this one rule."""
    return (
        select(SetMembership.set_id)
        .where(SetMembership.person_id == person_id, in_force_on(today))
        .union(select(LearningSet.id).where(LearningSet.facilitator_id == person_id))
    )


def current_sets_of(person_id: int, today: date) -> list[LearningSet]:
    """Sets the person belongs to today or facilitates, with cohort and programme loaded."""
    statement = (
        select(LearningSet)
        .where(LearningSet.id.in_(current_set_ids(person_id, today)))
        .order_by(LearningSet.name)
    )
    return list(db.session.scalars(statement).unique())


def cohorts_with_sets(today: date) -> list[tuple[Cohort, list[LearningSet]]]:
    """Cohorts that have not ended nor been closed, each with its sets: where a guest can be
    invited into."""
    cohorts = db.session.scalars(
        select(Cohort)
        .where(Cohort.ends_on >= today, Cohort.closed_at.is_(None))
        .order_by(Cohort.starts_on, Cohort.name)
    ).all()
    sets: dict[int, list[LearningSet]] = {cohort.id: [] for cohort in cohorts}
    for learning_set in db.session.scalars(
        select(LearningSet).where(LearningSet.cohort_id.in_(sets)).order_by(LearningSet.name)
    ):
        sets[learning_set.cohort_id].append(learning_set)
    return [(cohort, sets[cohort.id]) for cohort in cohorts]


def sets_of_cohort(cohort_id: int) -> list[LearningSet]:
    return list(
        db.session.scalars(
            select(LearningSet)
            .options(joinedload(LearningSet.facilitator))
            .where(LearningSet.cohort_id == cohort_id)
            .order_by(LearningSet.name)
        )
    )


def current_members(set_id: int, today: date) -> list[SetMembership]:
    """Who is in the set today, by name, with the people loaded."""
    return list(
        db.session.scalars(
            select(SetMembership)
            .join(SetMembership.person)
            .options(contains_eager(SetMembership.person))
            .where(SetMembership.set_id == set_id, in_force_on(today))
            .order_by(Person.display_name)
        )
    )


def members_of_sets(set_ids: list[int], today: date) -> list[SetMembership]:
    """Who is in each of these sets today, in one query, with the people loaded."""
    return list(
        db.session.scalars(
            select(SetMembership)
            .options(joinedload(SetMembership.person))
            .where(SetMembership.set_id.in_(set_ids), in_force_on(today))
            .order_by(SetMembership.set_id, SetMembership.person_id)
        )
    )


def current_set_in_cohort(cohort_id: int, person_id: int, today: date) -> LearningSet | None:
    membership = current_membership_in_cohort(cohort_id, person_id, today)
    return membership.learning_set if membership is not None else None


def current_membership_in_cohort(
    cohort_id: int, person_id: int, today: date
) -> SetMembership | None:
    """The person's stay in a set of the cohort today: what ends when they leave the cohort."""
    return db.session.scalar(
        select(SetMembership)
        .join(LearningSet, LearningSet.id == SetMembership.set_id)
        .where(
            LearningSet.cohort_id == cohort_id,
            SetMembership.person_id == person_id,
            in_force_on(today),
        )
    )


def is_current_member(set_id: int, person_id: int, today: date) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    SetMembership.set_id == set_id,
                    SetMembership.person_id == person_id,
                    in_force_on(today),
                )
            )
        )
    )


def _placed_in(cohort_id: int, today: date) -> Select[tuple[int]]:
    return (
        select(SetMembership.person_id)
        .join(LearningSet, LearningSet.id == SetMembership.set_id)
        .where(LearningSet.cohort_id == cohort_id, in_force_on(today))
    )


def placeable_people(cohort_id: int, today: date) -> list[Person]:
    """Accepted participants and active guests who are not in a set of this cohort today."""
    placed = _placed_in(cohort_id, today)
    accepted = select(Enrolment.person_id).where(
        Enrolment.cohort_id == cohort_id, Enrolment.status == EnrolmentStatus.ACCEPTED
    )
    return list(
        db.session.scalars(
            select(Person)
            .where(
                Person.active,
                Person.id.not_in(placed),
                Person.id.in_(accepted) | (Person.kind == PersonKind.GUEST),
            )
            .order_by(Person.display_name)
        )
    )


def set_candidates(cohort_id: int, today: date) -> list[Person]:
    """The people the set composer places: accepted, active and in no set of the cohort today."""
    placed = _placed_in(cohort_id, today)
    return list(
        db.session.scalars(
            select(Person)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(
                Enrolment.cohort_id == cohort_id,
                Enrolment.status == EnrolmentStatus.ACCEPTED,
                Person.active,
                Person.id.not_in(placed),
            )
            .order_by(Person.id)
        )
    )


def shared_set_pairs(cohort_id: int, person_ids: list[int]) -> frozenset[frozenset[int]]:
    """Pairs of these people who were in the same set of that cohort at some time."""
    first, second = aliased(SetMembership), aliased(SetMembership)
    rows = db.session.execute(
        select(first.person_id, second.person_id)
        .distinct()
        .join(second, (second.set_id == first.set_id) & (second.person_id > first.person_id))
        .join(LearningSet, LearningSet.id == first.set_id)
        .where(
            LearningSet.cohort_id == cohort_id,
            first.person_id.in_(person_ids),
            second.person_id.in_(person_ids),
        )
    )
    return frozenset(frozenset(row) for row in rows)
