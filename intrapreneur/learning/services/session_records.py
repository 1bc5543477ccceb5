"""The session screen's records: attendance, hot seats, questions and commitments, and
how each commitment went."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries
from intrapreneur.learning.models import (
    Action,
    ActionStatus,
    Attendance,
    BarrierCategory,
    HotSeat,
    LearningSession,
    Question,
)
from intrapreneur.learning.services.refusals import LearningRefusal, ensure_changeable, touch


def record_attendance(
    session: LearningSession, present: set[int], *, version: int, by: Person, now: datetime
) -> None:
    touch(session, version, now)
    members = queries.current_members(session.set_id, session.starts_at.date())
    marked = {row.person_id: row for row in queries.attendance_of(session.id)}
    for membership in members:
        row = marked.get(membership.person_id) or Attendance(
            session_id=session.id, person_id=membership.person_id
        )
        row.present = membership.person_id in present
        db.session.add(row)
    audit.record("session.attendance", actor=by, obj=session, present=sorted(present))


def add_hot_seat(
    session: LearningSession,
    person: Person,
    *,
    title: str,
    description: str,
    barrier: BarrierCategory,
    version: int,
    by: Person,
    now: datetime,
) -> HotSeat:
    touch(session, version, now)
    hot_seat = HotSeat(
        session_id=session.id,
        person=person,
        challenge_title=title,
        challenge_description=description or "",
        barrier=barrier,
    )
    db.session.add(hot_seat)
    audit.record("session.hot_seat_added", actor=by, obj=session, person_id=person.id)
    return hot_seat


def add_question(hot_seat: HotSeat, asked_by: Person, text: str, *, by: Person) -> Question:
    question = Question(hot_seat_id=hot_seat.id, asked_by=asked_by, text=text)
    db.session.add(question)
    return question


def add_commitment(hot_seat: HotSeat, *, description: str, due_on: date, by: Person) -> Action:
    session = db.session.get(LearningSession, hot_seat.session_id)
    assert session is not None
    if due_on < session.starts_at.date():
        raise LearningRefusal(_("A commitment cannot be due before the session it was made in."))
    action = Action(
        session_id=session.id,
        hot_seat_id=hot_seat.id,
        owner_id=hot_seat.person_id,
        description=description,
        due_on=due_on,
    )
    db.session.add(action)
    audit.record("action.committed", actor=by, obj=action, owner_id=hot_seat.person_id)
    return action


def review_action(
    action: Action,
    *,
    status: ActionStatus,
    learning: str,
    in_session: LearningSession | None,
    by: Person,
    now: datetime,
) -> None:
    """Record how an action went: in the next session's review, or by its owner in between."""
    action.status = status
    action.learning = learning or action.learning
    action.updated_at = now
    if in_session is not None:
        action.reviewed_in_session_id = in_session.id
    audit.record("action.reviewed", actor=by, obj=action, status=status.value)


def change_hot_seat(
    hot_seat: HotSeat,
    session: LearningSession,
    *,
    title: str,
    description: str,
    barrier: BarrierCategory,
    version: int,
    by: Person,
    now: datetime,
) -> None:
    """Correct the challenge a member brought; who sits in the hot seat stays."""
    ensure_changeable(session)
    touch(session, version, now)
    hot_seat.challenge_title = title
    hot_seat.challenge_description = description or ""
    hot_seat.barrier = barrier
    audit.record("session.hot_seat_changed", actor=by, obj=session, hot_seat_id=hot_seat.id)
