"""Reads for programmes, cohorts and enrolment: the cohorts people may ask to join,
the requests in each state, and the places taken."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from intrapreneur.extensions import db
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus, Programme


def programmes_with_cohorts() -> list[tuple[Programme, list[Cohort]]]:
    """Every programme with its cohorts, newest cohort first, in two queries."""
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.name)))
    cohorts: dict[int, list[Cohort]] = {programme.id: [] for programme in programmes}
    for cohort in db.session.scalars(select(Cohort).order_by(Cohort.starts_on.desc())):
        cohorts[cohort.programme_id].append(cohort)
    return [(programme, cohorts[programme.id]) for programme in programmes]


def enrolment_counts(cohort_ids: list[int]) -> dict[int, dict[EnrolmentStatus, int]]:
    """Per cohort: how many requests are in each state (one GROUP BY)."""
    counts: dict[int, dict[EnrolmentStatus, int]] = {cohort_id: {} for cohort_id in cohort_ids}
    rows = db.session.execute(
        select(Enrolment.cohort_id, Enrolment.status, func.count())
        .where(Enrolment.cohort_id.in_(cohort_ids))
        .group_by(Enrolment.cohort_id, Enrolment.status)
    )
    for cohort_id, status, count in rows:
        counts[cohort_id][status] = count
    return counts


def accepted_count(cohort_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                Enrolment.cohort_id == cohort_id, Enrolment.status == EnrolmentStatus.ACCEPTED
            )
        )
        or 0
    )


def enrolment_of(cohort_id: int, person_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.cohort_id == cohort_id, Enrolment.person_id == person_id)
    )


def open_cohorts_for(
    person_id: int, today: date
) -> list[tuple[Cohort, EnrolmentStatus | None, int]]:
    """Cohorts taking requests that have not ended, with this person's status and the
    places taken, in one query."""
    taken = (
        select(func.count())
        .where(Enrolment.cohort_id == Cohort.id, Enrolment.status == EnrolmentStatus.ACCEPTED)
        .correlate(Cohort)
        .scalar_subquery()
    )
    mine = aliased(Enrolment)
    rows = db.session.execute(
        select(Cohort, mine.status, taken)
        .outerjoin(mine, (mine.cohort_id == Cohort.id) & (mine.person_id == person_id))
        .where(Cohort.enrolment_open, Cohort.ends_on >= today)
        .order_by(Cohort.starts_on, Cohort.name)
    )
    return [(cohort, status, places) for cohort, status, places in rows]


def enrolments_in(cohort_id: int) -> Select[tuple[Enrolment]]:
    """Open requests first (oldest first), then participants, then declined."""
    order = case(
        (Enrolment.status == EnrolmentStatus.REQUESTED, 0),
        (Enrolment.status == EnrolmentStatus.ACCEPTED, 1),
        else_=2,
    )
    return (
        select(Enrolment)
        .where(Enrolment.cohort_id == cohort_id)
        .order_by(order, Enrolment.created_at, Enrolment.id)
    )


def previous_cohort(cohort: Cohort) -> Cohort | None:
    """The programme's cohort that started last before this one."""
    return db.session.scalar(
        select(Cohort)
        .where(Cohort.programme_id == cohort.programme_id, Cohort.starts_on < cohort.starts_on)
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        .limit(1)
    )
