"""Set health: attendance, actions and questioning per set, aggregated in SQL for the
facilitator's page, HR's cohort page, their charts and the behaviour metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import aliased

from intrapreneur.core.sql import count_if, utc_day
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PlaceKey, place_key
from intrapreneur.learning.models import (
    Action,
    ActionStatus,
    Attendance,
    HotSeat,
    LearningSession,
    Question,
)

# One set of definitions for the facilitator's page, HR's cohort page and their charts:
#
# - A *held* session has started (``starts_at <= now``) and was not cancelled.
# - Its *register* is the attendance rows the facilitator saved, one per member of the set on
#   that day (``services.record_attendance``). A held session without rows has no register:
#   it is left out of the attendance figures and counted on its own, never read as everyone
#   present or everyone absent.
# - *Attendance rate*: present rows / register rows, over held sessions.
# - *Sessions missed*: register rows marked absent, per member and summed for the set.
# - *Questions per hot seat*: questions / hot seats, over the hot seats of held sessions (a hot
#   seat nobody questioned counts, with none).
# - *Actions due so far*: actions committed in the set's sessions, due before today (UTC).
# - *Done on time*: of those, status "done" and either recorded done on or before the due date,
#   or found done in the review at the set's first session on or after the due date (the
#   check the method prescribes). ``Action`` keeps no completion date: ``updated_at`` is when
#   its status was last recorded and a review rewrites it, so a review at that first meeting
#   counts as on time, while a later review or an owner's update after the due date is late.
# - *Actions reviewed*: of the actions due on or before the day of the set's latest held
#   session (each has come up in some session's opening review), those with a review in a
#   session (``reviewed_in_session_id``); an owner's own update between sessions does not count.


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class SetHealth:
    set_id: int
    held_sessions: int = 0
    held_without_register: int = 0
    on_register: int = 0
    present: int = 0
    hot_seats: int = 0
    questions: int = 0
    actions_due: int = 0
    actions_done_on_time: int = 0
    actions_due_for_review: int = 0
    actions_reviewed: int = 0

    @property
    def sessions_with_register(self) -> int:
        return self.held_sessions - self.held_without_register

    @property
    def attendance_rate(self) -> float | None:
        return _percent(self.present, self.on_register)

    @property
    def sessions_missed(self) -> int:
        return self.on_register - self.present

    @property
    def on_time_rate(self) -> float | None:
        return _percent(self.actions_done_on_time, self.actions_due)

    @property
    def reviewed_rate(self) -> float | None:
        return _percent(self.actions_reviewed, self.actions_due_for_review)

    @property
    def questions_per_hot_seat(self) -> float | None:
        return round(self.questions / self.hot_seats, 1) if self.hot_seats else None


@dataclass(frozen=True)
class SessionAttendance:
    session_id: int
    starts_at: datetime
    on_register: int
    present: int

    @property
    def attendance_rate(self) -> float | None:
        return _percent(self.present, self.on_register)


@dataclass(frozen=True)
class MemberAttendance:
    person_id: int
    display_name: str
    on_register: int
    missed: int


def held(now: datetime) -> Any:
    """Sessions that have started and were not cancelled."""
    return LearningSession.cancelled_at.is_(None) & (LearningSession.starts_at <= now)


def set_health(set_ids: list[int], now: datetime) -> dict[int, SetHealth]:
    """The health figures of each set, in three GROUP BY queries whatever the sets hold."""
    figures: dict[int, dict[str, int]] = {set_id: {} for set_id in set_ids}
    for per_set in (_attendance_per_set, _hot_seats_per_set, _actions_per_set):
        for row in per_set(set_ids, now):
            values = row._asdict()
            figures[values.pop("set_id")].update(values)
    return {set_id: SetHealth(set_id, **values) for set_id, values in figures.items()}


def _attendance_per_set(set_ids: list[int], now: datetime) -> Any:
    with_register = case((Attendance.id.is_not(None), LearningSession.id))
    return db.session.execute(
        select(
            LearningSession.set_id,
            func.count(LearningSession.id.distinct()).label("held_sessions"),
            (
                func.count(LearningSession.id.distinct()) - func.count(with_register.distinct())
            ).label("held_without_register"),
            func.count(Attendance.id).label("on_register"),
            count_if(Attendance.present).label("present"),
        )
        .outerjoin(Attendance, Attendance.session_id == LearningSession.id)
        .where(LearningSession.set_id.in_(set_ids), held(now))
        .group_by(LearningSession.set_id)
    )


def _hot_seats_per_set(set_ids: list[int], now: datetime) -> Any:
    return db.session.execute(
        select(
            LearningSession.set_id,
            func.count(HotSeat.id.distinct()).label("hot_seats"),
            func.count(Question.id).label("questions"),
        )
        .select_from(HotSeat)
        .join(LearningSession, LearningSession.id == HotSeat.session_id)
        .outerjoin(Question, Question.hot_seat_id == HotSeat.id)
        .where(LearningSession.set_id.in_(set_ids), held(now))
        .group_by(LearningSession.set_id)
    )


def _actions_per_set(set_ids: list[int], now: datetime) -> Any:
    made_in, review, earlier = LearningSession, aliased(LearningSession), aliased(LearningSession)
    latest_held = (
        select(made_in.set_id, func.max(made_in.starts_at).label("starts_at"))
        .where(made_in.set_id.in_(set_ids), held(now))
        .group_by(made_in.set_id)
        .subquery()
    )
    # Reviewed in the set's first session on or after the due date: no earlier one qualified.
    at_first_review = ~exists().where(
        earlier.set_id == made_in.set_id,
        earlier.cancelled_at.is_(None),
        utc_day(earlier.starts_at) >= Action.due_on,
        earlier.starts_at < review.starts_at,
    )
    done_on_time = (Action.status == ActionStatus.DONE) & (
        (utc_day(Action.updated_at) <= Action.due_on) | (review.id.is_not(None) & at_first_review)
    )
    due = Action.due_on < now.date()
    due_for_review = Action.due_on <= utc_day(latest_held.c.starts_at)
    return db.session.execute(
        select(
            made_in.set_id,
            count_if(due).label("actions_due"),
            count_if(due & done_on_time).label("actions_done_on_time"),
            count_if(due_for_review).label("actions_due_for_review"),
            count_if(due_for_review & Action.reviewed_in_session_id.is_not(None)).label(
                "actions_reviewed"
            ),
        )
        .select_from(Action)
        .join(made_in, made_in.id == Action.session_id)
        .outerjoin(review, review.id == Action.reviewed_in_session_id)
        .outerjoin(latest_held, latest_held.c.set_id == made_in.set_id)
        .where(made_in.set_id.in_(set_ids))
        .group_by(made_in.set_id)
    )


@dataclass(frozen=True)
class PlaceAttendance:
    """The registers of people who work in one place: how many people, rows and present."""

    people: int
    on_register: int
    present: int


def attendance_by_place(set_ids: list[int], now: datetime) -> dict[PlaceKey, PlaceAttendance]:
    """Held sessions' registers of these sets per (business unit id, country, location as
    "site, country") of the people on them: one GROUP BY."""
    rows = db.session.execute(
        select(
            Person.business_unit_id,
            Person.country,
            Person.location,
            func.count(Attendance.person_id.distinct()),
            func.count(Attendance.id),
            count_if(Attendance.present),
        )
        .join(Attendance, Attendance.person_id == Person.id)
        .join(LearningSession, LearningSession.id == Attendance.session_id)
        .where(LearningSession.set_id.in_(set_ids), held(now))
        .group_by(Person.business_unit_id, Person.country, Person.location)
    )
    found: dict[PlaceKey, PlaceAttendance] = {}
    for unit, country, location, people, on_register, present in rows:
        key = place_key(unit, country, location)
        before = found.get(key, PlaceAttendance(0, 0, 0))
        found[key] = PlaceAttendance(
            before.people + people, before.on_register + on_register, before.present + present
        )
    return found


def attendance_by_session(set_id: int, now: datetime) -> list[SessionAttendance]:
    """Each held session of the set, oldest first, with its register (empty if none taken)."""
    rows = db.session.execute(
        select(
            LearningSession.id,
            LearningSession.starts_at,
            func.count(Attendance.id),
            count_if(Attendance.present),
        )
        .outerjoin(Attendance, Attendance.session_id == LearningSession.id)
        .where(LearningSession.set_id == set_id, held(now))
        .group_by(LearningSession.id, LearningSession.starts_at)
        .order_by(LearningSession.starts_at, LearningSession.id)
    )
    return [SessionAttendance(*row) for row in rows]


def sessions_missed_by_member(set_id: int, now: datetime) -> list[MemberAttendance]:
    """Everyone on a register of the set's held sessions (past members too), most missed first."""
    missed = count_if(Attendance.present.is_(False))
    rows = db.session.execute(
        select(Person.id, Person.display_name, func.count(Attendance.id), missed)
        .select_from(Attendance)
        .join(LearningSession, LearningSession.id == Attendance.session_id)
        .join(Person, Person.id == Attendance.person_id)
        .where(LearningSession.set_id == set_id, held(now))
        .group_by(Person.id, Person.display_name)
        .order_by(missed.desc(), Person.display_name, Person.id)
    )
    return [MemberAttendance(*row) for row in rows]
