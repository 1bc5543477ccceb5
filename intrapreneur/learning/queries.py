"""Reads for programmes, cohorts and sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, exists, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from intrapreneur.core.sql import utc_day
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind
from intrapreneur.learning.models import (
    Action,
    ActionStatus,
    Attendance,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    Question,
    SetMembership,
)


def _current(today: date) -> Any:
    """Memberships in force today; someone who left today is no longer in the set."""
    return (SetMembership.joined_on <= today) & (
        SetMembership.left_on.is_(None) | (SetMembership.left_on > today)
    )


def current_set_ids(person_id: int, today: date) -> Select[tuple[int]]:
    """The sets a person is in today or facilitates: the sets whose pages, sessions and
    shared ventures are theirs. Every list of set content outside the set's own page
    (home, calendar feed, the ventures shared into sets) starts from this one rule."""
    return (
        select(SetMembership.set_id)
        .where(SetMembership.person_id == person_id, _current(today))
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


def current_members(set_id: int, today: date) -> list[SetMembership]:
    """Who is in the set today, by name, with the people loaded."""
    return list(
        db.session.scalars(
            select(SetMembership)
            .join(SetMembership.person)
            .options(contains_eager(SetMembership.person))
            .where(SetMembership.set_id == set_id, _current(today))
            .order_by(Person.display_name)
        )
    )


def current_set_in_cohort(cohort_id: int, person_id: int, today: date) -> LearningSet | None:
    return db.session.scalar(
        select(LearningSet)
        .join(SetMembership, SetMembership.set_id == LearningSet.id)
        .where(
            LearningSet.cohort_id == cohort_id,
            SetMembership.person_id == person_id,
            _current(today),
        )
    )


def is_current_member(set_id: int, person_id: int, today: date) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    SetMembership.set_id == set_id,
                    SetMembership.person_id == person_id,
                    _current(today),
                )
            )
        )
    )


def _placed_in(cohort_id: int, today: date) -> Select[tuple[int]]:
    return (
        select(SetMembership.person_id)
        .join(LearningSet, LearningSet.id == SetMembership.set_id)
        .where(LearningSet.cohort_id == cohort_id, _current(today))
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


def previous_cohort(cohort: Cohort) -> Cohort | None:
    """The programme's cohort that started last before this one."""
    return db.session.scalar(
        select(Cohort)
        .where(Cohort.programme_id == cohort.programme_id, Cohort.starts_on < cohort.starts_on)
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        .limit(1)
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


def sessions_of_set(set_id: int) -> list[LearningSession]:
    return list(
        db.session.scalars(
            select(LearningSession)
            .where(LearningSession.set_id == set_id)
            .order_by(LearningSession.starts_at)
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


def cohorts_with_sets(today: date) -> list[tuple[Cohort, list[LearningSet]]]:
    """Cohorts that have not ended, each with its sets: where a guest can be invited into."""
    cohorts = db.session.scalars(
        select(Cohort).where(Cohort.ends_on >= today).order_by(Cohort.starts_on, Cohort.name)
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


# -- set health ---------------------------------------------------------------------------
#
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


def _held(now: datetime) -> Any:
    return LearningSession.cancelled_at.is_(None) & (LearningSession.starts_at <= now)


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


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
            _count_if(Attendance.present).label("present"),
        )
        .outerjoin(Attendance, Attendance.session_id == LearningSession.id)
        .where(LearningSession.set_id.in_(set_ids), _held(now))
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
        .where(LearningSession.set_id.in_(set_ids), _held(now))
        .group_by(LearningSession.set_id)
    )


def _actions_per_set(set_ids: list[int], now: datetime) -> Any:
    made_in, review, earlier = LearningSession, aliased(LearningSession), aliased(LearningSession)
    latest_held = (
        select(made_in.set_id, func.max(made_in.starts_at).label("starts_at"))
        .where(made_in.set_id.in_(set_ids), _held(now))
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
            _count_if(due).label("actions_due"),
            _count_if(due & done_on_time).label("actions_done_on_time"),
            _count_if(due_for_review).label("actions_due_for_review"),
            _count_if(due_for_review & Action.reviewed_in_session_id.is_not(None)).label(
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


def attendance_by_session(set_id: int, now: datetime) -> list[SessionAttendance]:
    """Each held session of the set, oldest first, with its register (empty if none taken)."""
    rows = db.session.execute(
        select(
            LearningSession.id,
            LearningSession.starts_at,
            func.count(Attendance.id),
            _count_if(Attendance.present),
        )
        .outerjoin(Attendance, Attendance.session_id == LearningSession.id)
        .where(LearningSession.set_id == set_id, _held(now))
        .group_by(LearningSession.id, LearningSession.starts_at)
        .order_by(LearningSession.starts_at, LearningSession.id)
    )
    return [SessionAttendance(*row) for row in rows]


def sessions_missed_by_member(set_id: int, now: datetime) -> list[MemberAttendance]:
    """Everyone on a register of the set's held sessions (past members too), most missed first."""
    missed = _count_if(Attendance.present.is_(False))
    rows = db.session.execute(
        select(Person.id, Person.display_name, func.count(Attendance.id), missed)
        .select_from(Attendance)
        .join(LearningSession, LearningSession.id == Attendance.session_id)
        .join(Person, Person.id == Attendance.person_id)
        .where(LearningSession.set_id == set_id, _held(now))
        .group_by(Person.id, Person.display_name)
        .order_by(missed.desc(), Person.display_name, Person.id)
    )
    return [MemberAttendance(*row) for row in rows]
