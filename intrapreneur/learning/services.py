"""Writes for programmes, cohorts and enrolment. Services flush; the request commits."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from intrapreneur.core import services as audit
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import agenda_templates, emails, queries
from intrapreneur.learning.formats import (
    FORMATS,
    Agenda,
    agenda_minutes,
    session_agenda_problems,
    shipped_agenda,
    template_problems,
)
from intrapreneur.learning.models import (
    Action,
    ActionStatus,
    AgendaTemplate,
    Attendance,
    BarrierCategory,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    Question,
    SessionFormat,
    SetMembership,
)


class LearningRefusal(Exception):
    """A refusal with a message for the person in front of the screen."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def messages(self) -> list[str]:
        return [self.message]


def create_programme(*, name: str, description: str, by: Person) -> Programme:
    if db.session.scalar(select(exists().where(Programme.name == name))):
        raise LearningRefusal(f"A programme called {name!r} already exists.")
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
) -> Cohort:
    cohort = Cohort(
        programme=programme,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        enrolment_open=enrolment_open,
    )
    db.session.add(cohort)
    audit.record(
        "cohort.created",
        actor=by,
        obj=cohort,
        programme_id=programme.id,
        capacity=capacity,
        enrolment_open=enrolment_open,
    )
    return cohort


def _ensure_room(cohort: Cohort) -> None:
    if queries.accepted_count(cohort.id) >= cohort.capacity:
        raise LearningRefusal(f"{cohort.name} is full: all {cohort.capacity} places are taken.")


def request_place(cohort: Cohort, person: Person, today: date) -> Enrolment:
    """Ask for a place; one request per person and cohort, even with a double click."""
    if not cohort.enrolment_open:
        raise LearningRefusal(f"{cohort.name} is not taking requests.")
    if cohort.ends_on < today:
        raise LearningRefusal(f"{cohort.name} has already ended.")
    existing = queries.enrolment_of(cohort.id, person.id)
    if existing is not None:
        raise LearningRefusal(_already(existing))
    _ensure_room(cohort)
    enrolment = Enrolment(cohort=cohort, person=person, status=EnrolmentStatus.REQUESTED)
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError:
        raise LearningRefusal("You have already asked to join this cohort.") from None
    audit.record("enrolment.requested", actor=person, obj=enrolment, cohort_id=cohort.id)
    return enrolment


def _already(enrolment: Enrolment) -> str:
    return {
        EnrolmentStatus.REQUESTED: "You have already asked to join; the programme team decides.",
        EnrolmentStatus.ACCEPTED: "You are already a participant of this cohort.",
        EnrolmentStatus.DECLINED: "Your request for this cohort was declined.",
    }[enrolment.status]


def decide(enrolment: Enrolment, *, accept: bool, by: Person, now: datetime) -> Enrolment:
    if enrolment.status is not EnrolmentStatus.REQUESTED:
        raise LearningRefusal(
            f"{enrolment.person.display_name}'s request was already {enrolment.status.value}."
        )
    if accept:
        _ensure_room(enrolment.cohort)
    enrolment.status = EnrolmentStatus.ACCEPTED if accept else EnrolmentStatus.DECLINED
    enrolment.decided_by_id = by.id
    enrolment.decided_at = now
    audit.record(
        f"enrolment.{enrolment.status.value}",
        actor=by,
        obj=enrolment,
        cohort_id=enrolment.cohort_id,
        person_id=enrolment.person_id,
    )
    return enrolment


MIN_SET_SIZE = 4
MAX_SET_SIZE = 8
MAX_SERIES = 20


def create_set(
    cohort: Cohort,
    *,
    name: str,
    facilitator: Person | None,
    default_format: SessionFormat,
    cadence_days: int,
    by: Person,
) -> LearningSet:
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


def ensure_participant(cohort: Cohort, person: Person, by: Person) -> None:
    """Employees must have been accepted; a guest placed in a set becomes a participant."""
    enrolment = queries.enrolment_of(cohort.id, person.id)
    if enrolment is not None and enrolment.status is EnrolmentStatus.ACCEPTED:
        return
    if not person.is_guest:
        raise LearningRefusal(f"{person.display_name} has not been accepted into {cohort.name}.")
    if enrolment is None:
        enrolment = Enrolment(cohort=cohort, person=person)
        db.session.add(enrolment)
    enrolment.status = EnrolmentStatus.ACCEPTED
    enrolment.decided_by_id = by.id


def remove_member(membership: SetMembership, *, today: date, by: Person) -> None:
    """End the stay; the history (who was in which set when) is kept."""
    membership.left_on = today
    audit.record(
        "set.member_removed", actor=by, obj=membership.learning_set, person_id=membership.person_id
    )


def schedule_sessions(
    learning_set: LearningSet,
    *,
    first_start: datetime,
    session_format: SessionFormat,
    count: int,
    location: str | None,
    video_url: str | None,
    now: datetime,
    by: Person,
) -> tuple[list[LearningSession], list[str]]:
    """One session or a series every ``cadence_days``, with any double-booking warnings."""
    if first_start <= now:
        raise LearningRefusal("A session cannot start in the past. Choose a later time.")
    if not 1 <= count <= MAX_SERIES:
        raise LearningRefusal(f"Schedule between 1 and {MAX_SERIES} sessions at a time.")
    members = queries.current_members(learning_set.id, now.date())
    agenda = agenda_templates.default_agenda(session_format, len(members))
    length = timedelta(minutes=agenda_minutes(agenda))
    sessions = []
    for number in range(count):
        starts_at = first_start + timedelta(days=learning_set.cadence_days * number)
        session = LearningSession(
            learning_set=learning_set,
            format=session_format,
            starts_at=starts_at,
            ends_at=starts_at + length,
            location=location,
            video_url=video_url,
            agenda=agenda,
        )
        db.session.add(session)
        sessions.append(session)
    db.session.flush()
    audit.record("session.scheduled", actor=by, obj=learning_set, sessions=[s.id for s in sessions])
    emails.announce_sessions(sessions, EmailKind.SESSION_INVITATION, now)
    return sessions, _double_bookings(sessions, [m.person for m in members])


def _double_bookings(sessions: list[LearningSession], people: list[Person]) -> list[str]:
    clashes = queries.clashing_sessions(sessions, [person.id for person in people])
    names = {person.id: person.display_name for person in people}
    return [
        f"{names[person_id]} is also in {other.learning_set.name} at "
        f"{other.starts_at:%d %b %Y %H:%M} UTC."
        for person_id, other in clashes
    ]


def cancel_session(session: LearningSession, *, now: datetime, by: Person) -> None:
    if session.cancelled_at is not None:
        raise LearningRefusal("This session is already cancelled.")
    session.cancelled_at = now
    _changed(session, now)
    audit.record("session.cancelled", actor=by, obj=session)
    emails.announce_sessions([session], EmailKind.SESSION_CANCELLATION, now)


def _changed(session: LearningSession, now: datetime) -> None:
    # Calendars keep their copy unless SEQUENCE grows.
    session.sequence += 1
    session.updated_at = now


def reset_calendar_token(person: Person) -> str:
    """A new secret for the person's feed URL; the old URL stops working at once."""
    person.calendar_token = secrets.token_urlsafe(32)
    audit.record("calendar.token_reset", actor=person, obj=person)
    return person.calendar_token


class StaleEdit(LearningRefusal):
    def __init__(self, what: str = "session") -> None:
        super().__init__(
            f"Someone else saved this {what} while you were editing it. "
            "Reload the page to see their changes, then make yours again."
        )


class InvalidAgenda(LearningRefusal):
    """The rules an agenda breaks, each worded for the person who will fix it."""

    status = 422

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems

    @property
    def messages(self) -> list[str]:
        return self.problems


def _touch(session: LearningSession, version: int, now: datetime) -> None:
    """Refuse an edit made on an old copy; writing updated_at bumps the version column,
    so a concurrent save of the same copy fails in the database as well."""
    if session.version != version:
        raise StaleEdit
    session.updated_at = now


def record_attendance(
    session: LearningSession, present: set[int], *, version: int, by: Person, now: datetime
) -> None:
    _touch(session, version, now)
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
    _touch(session, version, now)
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
        raise LearningRefusal("A commitment cannot be due before the session it was made in.")
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


def reschedule(
    session: LearningSession,
    *,
    starts_at: datetime,
    location: str | None,
    video_url: str | None,
    version: int,
    by: Person,
    now: datetime,
) -> None:
    """Move a session (its length stays) or change where it happens; calendars follow."""
    ensure_changeable(session)
    if starts_at <= now:
        raise LearningRefusal("A session cannot start in the past. Choose a later time.")
    _touch(session, version, now)
    length = session.ends_at - session.starts_at
    session.starts_at, session.ends_at = starts_at, starts_at + length
    session.location, session.video_url = location, video_url
    _changed(session, now)
    audit.record("session.rescheduled", actor=by, obj=session, starts_at=starts_at.isoformat())
    emails.announce_sessions([session], EmailKind.SESSION_UPDATE, now)


def ensure_changeable(session: LearningSession) -> None:
    if session.cancelled_at is not None:
        raise LearningRefusal("A cancelled session cannot be changed.")


def change_agenda(
    session: LearningSession, agenda: Agenda, *, version: int, by: Person, now: datetime
) -> list[str]:
    """Replace one session's agenda. Its times stay, so its calendar SEQUENCE does too;
    returns a note when the agenda no longer matches the booked time."""
    ensure_changeable(session)
    problems = session_agenda_problems(session.format, agenda)
    if problems:
        raise InvalidAgenda(problems)
    _touch(session, version, now)
    session.agenda = agenda
    minutes = agenda_minutes(agenda)
    audit.record("session.agenda_changed", actor=by, obj=session, minutes=minutes)
    booked = int((session.ends_at - session.starts_at).total_seconds()) // 60
    if minutes == booked:
        return []
    return [
        f"The agenda adds up to {minutes} minutes; the session is booked for {booked}, "
        "and calendars keep the booked time."
    ]


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
    _touch(session, version, now)
    hot_seat.challenge_title = title
    hot_seat.challenge_description = description or ""
    hot_seat.barrier = barrier
    audit.record("session.hot_seat_changed", actor=by, obj=session, hot_seat_id=hot_seat.id)


def save_agenda_template(
    session_format: SessionFormat, agenda: Agenda, *, version: int, by: Person, now: datetime
) -> AgendaTemplate:
    """HR's own agenda for a format: sessions scheduled from now on start from it,
    sessions already scheduled keep theirs."""
    problems = template_problems(session_format, agenda, largest_set=MAX_SET_SIZE)
    if problems:
        raise InvalidAgenda(problems)
    template = _template_as_seen(session_format, version)
    template = _write_template(session_format, template, agenda, by=by, now=now)
    audit.record(
        "agenda_template.changed",
        actor=by,
        obj=template,
        format=session_format.value,
        minutes=agenda_minutes(agenda),
    )
    return template


def reset_agenda_template(
    session_format: SessionFormat, *, version: int, by: Person, now: datetime
) -> None:
    """Back to the shipped agenda. The row stays, with the shipped segments, so that its
    version keeps counting and an editor holding an older copy is still refused."""
    template = _template_as_seen(session_format, version)
    if agenda_templates.is_shipped(session_format, template):
        raise LearningRefusal(f"{FORMATS[session_format].label} already uses its shipped agenda.")
    shipped = shipped_agenda(session_format)
    template = _write_template(session_format, template, shipped, by=by, now=now)
    audit.record("agenda_template.reset", actor=by, obj=template, format=session_format.value)


def _write_template(
    session_format: SessionFormat,
    template: AgendaTemplate | None,
    agenda: Agenda,
    *,
    by: Person,
    now: datetime,
) -> AgendaTemplate:
    if template is None:
        template = AgendaTemplate(format=session_format)
        db.session.add(template)
    template.segments = agenda
    template.updated_by, template.updated_at = by, now
    _flush_template()
    return template


def _template_as_seen(session_format: SessionFormat, version: int) -> AgendaTemplate | None:
    """The template the editor saw (version 0 stands for the shipped agenda), else StaleEdit."""
    template = agenda_templates.template_of(session_format)
    if (template.version if template is not None else 0) != version:
        raise StaleEdit("agenda")
    return template


def _flush_template() -> None:
    # Two first edits at once collide on the unique format, later ones on the version.
    try:
        with db.session.begin_nested():
            db.session.flush()
    except (IntegrityError, StaleDataError):
        raise StaleEdit("agenda") from None
