"""Reads for programmes, cohorts and enrolment: the cohorts people may ask to join,
the requests in each state, the places taken, and the sessions a cohort's dates hold."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from intrapreneur.extensions import db
from intrapreneur.learning.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    LearningSession,
    LearningSet,
    Programme,
)


def programmes_with_cohorts() -> list[tuple[Programme, list[Cohort]]]:
    """Every programme with its cohorts, newest cohort first, in two queries; archived
    programmes after the others."""
    programmes = list(
        db.session.scalars(
            select(Programme).order_by(Programme.archived_at.is_not(None), Programme.name)
        )
    )
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


def previous_cohort(cohort: Cohort) -> Cohort | None:
    """The programme's cohort that started last before this one."""
    return db.session.scalar(
        select(Cohort)
        .where(Cohort.programme_id == cohort.programme_id, Cohort.starts_on < cohort.starts_on)
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        .limit(1)
    )


def open_cohorts_of(programme_id: int) -> list[Cohort]:
    """The programme's cohorts that are not closed."""
    return list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.programme_id == programme_id, Cohort.closed_at.is_(None))
            .order_by(Cohort.starts_on, Cohort.id)
        )
    )


def _scheduled_in(cohort_id: int, when: Any) -> tuple[int, LearningSession | None]:
    sessions = (
        select(LearningSession)
        .join(LearningSet, LearningSet.id == LearningSession.set_id)
        .where(LearningSet.cohort_id == cohort_id, LearningSession.cancelled_at.is_(None), when)
    )
    count = db.session.scalar(select(func.count()).select_from(sessions.subquery())) or 0
    first = db.session.scalar(sessions.order_by(LearningSession.starts_at, LearningSession.id))
    return count, first


def sessions_starting_before(
    cohort_id: int, moment: datetime
) -> tuple[int, LearningSession | None]:
    """How many of the cohort's sessions (not cancelled) start before ``moment``, and the
    first of them."""
    return _scheduled_in(cohort_id, LearningSession.starts_at < moment)


def sessions_starting_from(cohort_id: int, moment: datetime) -> tuple[int, LearningSession | None]:
    """How many of the cohort's sessions (not cancelled) start at ``moment`` or later, and
    the first of them."""
    return _scheduled_in(cohort_id, LearningSession.starts_at >= moment)
