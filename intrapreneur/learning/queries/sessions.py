"""Reads for sessions: a set's sessions, a person's (for home and the calendar feed),
double bookings, and what the session screen shows (attendance, hot seats with their
questions and commitments, the actions due for review)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import (
    Action,
    ActionStatus,
    Attendance,
    HotSeat,
    LearningSession,
    Question,
    SetMembership,
)
from intrapreneur.learning.queries.sets import current_set_ids


def sessions_of_set(set_id: int) -> list[LearningSession]:
    return list(
        db.session.scalars(
            select(LearningSession)
            .where(LearningSession.set_id == set_id)
            .order_by(LearningSession.starts_at)
        )
    )


def upcoming_sessions(set_id: int, now: datetime) -> list[LearningSession]:
    """The set's sessions that have not started and are not cancelled, soonest first: those
    whose registers and calendars a change of membership or facilitator reaches."""
    return list(
        db.session.scalars(
            select(LearningSession)
            .where(
                LearningSession.set_id == set_id,
                LearningSession.cancelled_at.is_(None),
                LearningSession.starts_at > now,
            )
            .order_by(LearningSession.starts_at, LearningSession.id)
        )
    )


def sessions_for_person(person_id: int, today: date) -> list[LearningSession]:
    """Every session of the person's current sets, cancelled ones included (feeds must
    remove them). A set the person has left drops out whole, as its page does: calendar
    apps then remove its sessions, so no time, place or call link outlives membership."""
    return list(
        db.session.scalars(
            select(LearningSession)
            .where(LearningSession.set_id.in_(current_set_ids(person_id, today)))
            .order_by(LearningSession.starts_at, LearningSession.id)
        )
    )


def next_sessions_for(person_id: int, now: datetime, limit: int = 3) -> list[LearningSession]:
    return list(
        db.session.scalars(
            select(LearningSession)
            .where(
                LearningSession.set_id.in_(current_set_ids(person_id, now.date())),
                LearningSession.cancelled_at.is_(None),
                LearningSession.ends_at > now,
            )
            .order_by(LearningSession.starts_at)
            .limit(limit)
        )
    )


def clashing_sessions(
    sessions: list[LearningSession], person_ids: list[int]
) -> list[tuple[int, LearningSession]]:
    """(person, other session) for each of ``person_ids`` booked elsewhere at the same time."""
    if not sessions or not person_ids:
        return []
    own_ids = [session.id for session in sessions]
    overlaps = [
        (LearningSession.starts_at < session.ends_at)
        & (LearningSession.ends_at > session.starts_at)
        for session in sessions
    ]
    rows = db.session.execute(
        select(SetMembership.person_id, LearningSession)
        .join(LearningSession, LearningSession.set_id == SetMembership.set_id)
        .where(
            SetMembership.person_id.in_(person_ids),
            SetMembership.left_on.is_(None),
            LearningSession.id.not_in(own_ids),
            LearningSession.cancelled_at.is_(None),
            or_(*overlaps),
        )
        .order_by(LearningSession.starts_at)
    )
    return [(person_id, session) for person_id, session in rows]


def person_by_calendar_token(token: str, today: date) -> Person | None:
    """The feed's owner, while they may act: the token stands in for their session."""
    person = db.session.scalar(select(Person).where(Person.calendar_token == token))
    return person if person is not None and person.may_act(today) else None


def attendance_of(session_id: int) -> list[Attendance]:
    return list(db.session.scalars(select(Attendance).where(Attendance.session_id == session_id)))


def hot_seats_of(session_id: int) -> list[tuple[HotSeat, list[Question], list[Action]]]:
    """The session's hot seats with their questions and commitments: three queries in all."""
    seats = list(
        db.session.scalars(
            select(HotSeat).where(HotSeat.session_id == session_id).order_by(HotSeat.id)
        )
    )
    ids = [seat.id for seat in seats]
    questions: dict[int, list[Question]] = {seat_id: [] for seat_id in ids}
    actions: dict[int, list[Action]] = {seat_id: [] for seat_id in ids}
    for question in db.session.scalars(
        select(Question).where(Question.hot_seat_id.in_(ids)).order_by(Question.id)
    ):
        questions[question.hot_seat_id].append(question)
    for action in db.session.scalars(
        select(Action).where(Action.hot_seat_id.in_(ids)).order_by(Action.id)
    ):
        actions[action.hot_seat_id or 0].append(action)
    return [(seat, questions[seat.id], actions[seat.id]) for seat in seats]


def previous_session_start(session: LearningSession) -> datetime | None:
    """When the set last met (not cancelled) before this session."""
    return db.session.scalar(
        select(func.max(LearningSession.starts_at)).where(
            LearningSession.set_id == session.set_id,
            LearningSession.starts_at < session.starts_at,
            LearningSession.cancelled_at.is_(None),
        )
    )


def actions_to_review(session: LearningSession) -> list[Action]:
    """Commitments from the set's earlier sessions that are due by this one and not yet
    reviewed elsewhere: the agenda's opening review."""
    earlier = select(LearningSession.id).where(
        LearningSession.set_id == session.set_id, LearningSession.starts_at < session.starts_at
    )
    return list(
        db.session.scalars(
            select(Action)
            .where(
                Action.session_id.in_(earlier),
                Action.due_on <= session.starts_at.date(),
                Action.reviewed_in_session_id.is_(None)
                | (Action.reviewed_in_session_id == session.id),
            )
            .order_by(Action.due_on, Action.id)
        )
    )


def actions_of(person_id: int) -> list[Action]:
    """A person's commitments across all their sets: open ones first, soonest due first."""
    open_first = case((Action.status == ActionStatus.OPEN, 0), else_=1)
    return list(
        db.session.scalars(
            select(Action)
            .options(joinedload(Action.session))
            .where(Action.owner_id == person_id)
            .order_by(open_first, Action.due_on, Action.id)
        )
    )
