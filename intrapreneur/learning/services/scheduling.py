"""Scheduling sessions: a series at the set's cadence, cancelling, moving a session and
changing its agenda; members' calendars follow by e-mail."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from intrapreneur.core import services as audit
from intrapreneur.core.dates import moment_text
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import agenda_templates, emails, queries
from intrapreneur.learning.formats import Agenda, agenda_minutes, session_agenda_problems
from intrapreneur.learning.models import LearningSession, LearningSet, SessionFormat
from intrapreneur.learning.services.refusals import (
    InvalidAgenda,
    LearningRefusal,
    ensure_changeable,
    ensure_set_open,
    touch,
)

MAX_SERIES = 20


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
    ensure_set_open(learning_set)
    if first_start <= now:
        raise LearningRefusal(_("A session cannot start in the past. Choose a later time."))
    if not 1 <= count <= MAX_SERIES:
        raise LearningRefusal(
            _(
                "Schedule between 1 and %(most)s sessions at a time.",
                most=MAX_SERIES,
            )
        )
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
    return sessions, _double_bookings(sessions, [m.person for m in members], by.time_zone)


def _double_bookings(
    sessions: list[LearningSession], people: list[Person], zone_name: str
) -> list[str]:
    """Each clash, its time in the scheduler's zone (``zone_name``)."""
    clashes = queries.clashing_sessions(sessions, [person.id for person in people])
    names = {person.id: person.display_name for person in people}
    return [
        _(
            "%(name)s is also in %(set)s at %(when)s (%(zone)s).",
            name=names[person_id],
            set=other.learning_set.name,
            when=moment_text(other.starts_at, "medium", zone=zone_name),
            zone=zone_name,
        )
        for person_id, other in clashes
    ]


def cancel_session(session: LearningSession, *, now: datetime, by: Person) -> None:
    if session.cancelled_at is not None:
        raise LearningRefusal(_("This session is already cancelled."))
    session.cancelled_at = now
    bump_sequence(session, now)
    audit.record("session.cancelled", actor=by, obj=session)
    emails.announce_sessions([session], EmailKind.SESSION_CANCELLATION, now)


def bump_sequence(session: LearningSession, now: datetime) -> None:
    """Calendars keep their copy unless SEQUENCE grows: on a change of time, place,
    cancellation or who takes part."""
    session.sequence += 1
    session.updated_at = now


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
        raise LearningRefusal(_("A session cannot start in the past. Choose a later time."))
    touch(session, version, now)
    length = session.ends_at - session.starts_at
    session.starts_at, session.ends_at = starts_at, starts_at + length
    session.location, session.video_url = location, video_url
    bump_sequence(session, now)
    audit.record("session.rescheduled", actor=by, obj=session, starts_at=starts_at.isoformat())
    emails.announce_sessions([session], EmailKind.SESSION_UPDATE, now)


def change_agenda(
    session: LearningSession, agenda: Agenda, *, version: int, by: Person, now: datetime
) -> list[str]:
    """Replace one session's agenda. Its times stay, so its calendar SEQUENCE does too;
    returns a note when the agenda no longer matches the booked time."""
    ensure_changeable(session)
    problems = session_agenda_problems(session.format, agenda)
    if problems:
        raise InvalidAgenda(problems)
    touch(session, version, now)
    session.agenda = agenda
    minutes = agenda_minutes(agenda)
    audit.record("session.agenda_changed", actor=by, obj=session, minutes=minutes)
    booked = int((session.ends_at - session.starts_at).total_seconds()) // 60
    if minutes == booked:
        return []
    return [
        _(
            "The agenda adds up to %(minutes)s minutes; the session is booked for "
            "%(booked)s, and calendars keep the booked time.",
            minutes=minutes,
            booked=booked,
        )
    ]
