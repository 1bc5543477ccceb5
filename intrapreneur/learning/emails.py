"""The emails of action-learning sets: session invitations with their calendar file (to the
whole set, or to one person who joins or leaves it), a facilitator's start or end in a set,
and the daily reminders of tomorrow's sessions and commitments.

Each function only queues (``core.mail.queue``); the outbox sends later.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import select

from intrapreneur.core import mail
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.core.models import utcnow
from intrapreneur.core.sql import utc_day
from intrapreneur.core.timezones import local
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries
from intrapreneur.learning.calendar import SessionEvent, session_calendar
from intrapreneur.learning.calendar_feed import session_event
from intrapreneur.learning.formats import FORMATS
from intrapreneur.learning.models import Action, ActionStatus, LearningSession, LearningSet

WHEN = "%A %d %B %Y, %H:%M"

# kind → (iTIP method, first line of the email, subject prefix)
ANNOUNCEMENTS = {
    EmailKind.SESSION_INVITATION: ("REQUEST", "You are invited to a session of your set.", ""),
    EmailKind.SESSION_UPDATE: ("REQUEST", "A session of your set has changed.", "Changed: "),
    EmailKind.SESSION_CANCELLATION: (
        "CANCEL",
        "A session of your set is cancelled.",
        "Cancelled: ",
    ),
}


def announce_sessions(sessions: list[LearningSession], kind: EmailKind, now: datetime) -> int:
    """Tell each member and the facilitator, with the .ics (same UID every time,
    SEQUENCE as stored, so calendars replace or remove their copy)."""
    if not sessions:
        return 0
    queued = 0
    people = _people_of(sessions[0], now.date())
    for session in sessions:
        for person in people:
            queued += _announce(session, person, kind, now)
    return queued


def announce_to(
    sessions: list[LearningSession], person: Person, kind: EmailKind, headline: str, now: datetime
) -> int:
    """Tell one person who joins these sessions (an invitation each) or leaves them (a
    cancellation of their copy each), in ``headline``'s words; nobody else is written to.
    Someone who leaves gets no link to the set's page: it is no longer theirs to open."""
    linked = kind is not EmailKind.SESSION_CANCELLATION
    return sum(_announce(session, person, kind, now, headline, linked) for session in sessions)


def _announce(
    session: LearningSession,
    person: Person,
    kind: EmailKind,
    now: datetime,
    headline: str | None = None,
    linked: bool = True,
) -> int:
    method, usual_headline, prefix = ANNOUNCEMENTS[kind]
    assert person.email is not None
    event = dataclasses.replace(
        _event(session, linked),
        organizer=parseaddr(_sender())[1] or None,
        attendees=(person.email,),
    )
    calendar = mail.CalendarPart(session_calendar(event, method=method, now=now), method)
    queued = mail.queue(
        person,
        kind,
        subject=prefix + _subject(session, person),
        template="session",
        context={
            **_session_context(session, person, linked),
            "headline": headline or usual_headline,
            "updated": kind is EmailKind.SESSION_UPDATE,
            "cancelled": kind is EmailKind.SESSION_CANCELLATION,
        },
        now=now,
        dedupe_key=f"{kind.value}:{session.id}:{session.sequence}:{person.id}",
        calendar=calendar,
    )
    return int(queued)


def _sender() -> str:
    settings = current_app.config.get("MAIL")
    return settings.sender if settings is not None else ""


def _event(session: LearningSession, linked: bool = True) -> SessionEvent:
    page = _set_page(session) if linked else None
    return session_event(session, domain=mail.site_domain(), page_url=page or "")


def _set_page(session: LearningSession) -> str | None:
    return mail.absolute_url("sets.detail", set_id=session.set_id)


def _subject(session: LearningSession, person: Person) -> str:
    starts = local(session.starts_at, person.time_zone)
    return mail.one_line(f"{session.learning_set.name}, {starts:%a %d %b %H:%M}")


def _session_context(
    session: LearningSession, person: Person, linked: bool = True
) -> dict[str, object]:
    return {
        "set_name": session.learning_set.name,
        "format_label": FORMATS[session.format].label,
        "when": f"{local(session.starts_at, person.time_zone):{WHEN}} ({person.time_zone})",
        "location": session.location,
        "video_url": session.video_url,
        "page_url": _set_page(session) if linked else None,
    }


def _people_of(session: LearningSession, today: date) -> list[Person]:
    """The set's members today and its facilitator, each once."""
    people = [membership.person for membership in queries.current_members(session.set_id, today)]
    facilitator = session.learning_set.facilitator
    if facilitator is not None:
        people.append(facilitator)
    return list({person.id: person for person in people if person.email}.values())


def tell_facilitators(
    learning_set: LearningSet, *, before: Person | None, after: Person, now: datetime
) -> int:
    """The facilitator who stops and the one who starts hear of it; their calendars follow
    through each session's own invitation or cancellation."""
    set_name, cohort_name = learning_set.name, learning_set.cohort.name
    started = (
        f"You now facilitate {set_name} in {cohort_name}."
        if before is None
        else f"You now facilitate {set_name} in {cohort_name}, taking over from "
        f"{before.display_name}."
    )
    queued = _tell_facilitator(
        after,
        subject=f"You now facilitate {learning_set.name}",
        text=started,
        link=mail.absolute_url("sets.detail", set_id=learning_set.id),
        now=now,
    )
    if before is not None:
        stopped = (
            f"{after.display_name} now facilitates {set_name} in {cohort_name} instead of you."
        )
        queued += _tell_facilitator(
            before,
            subject=f"You no longer facilitate {learning_set.name}",
            text=stopped,
            link=None,  # the set's page is no longer theirs to open
            now=now,
        )
    return queued


def _tell_facilitator(
    person: Person, *, subject: str, text: str, link: str | None, now: datetime
) -> int:
    return int(
        mail.queue(
            person,
            EmailKind.FACILITATOR_CHANGE,
            subject=mail.one_line(subject),
            template="facilitator_change",
            context={"text": text, "link": link},
            now=now,
        )
    )


# -- the daily reminders -------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderReport:
    action_reminders: int
    session_reminders: int

    def describe(self) -> str:
        return (
            f"{self.action_reminders} commitment reminders and "
            f"{self.session_reminders} session reminders queued."
        )


def queue_reminders(today: date, now: datetime | None = None) -> ReminderReport:
    """Queue reminders of what is due tomorrow; running it twice a day queues nothing more.

    The caller commits (``intrapreneur mail reminders`` does).
    """
    now = now or utcnow()
    tomorrow = today + timedelta(days=1)
    return ReminderReport(
        action_reminders=_remind_actions(tomorrow, now),
        session_reminders=_remind_sessions(tomorrow, now),
    )


def _remind_actions(due_on: date, now: datetime) -> int:
    """One email per person listing their open commitments due on ``due_on``."""
    actions = db.session.scalars(
        select(Action)
        .where(Action.due_on == due_on, Action.status == ActionStatus.OPEN)
        .order_by(Action.owner_id, Action.id)
    ).all()
    by_owner: dict[int, list[Action]] = defaultdict(list)
    for action in actions:
        by_owner[action.owner_id].append(action)
    queued = 0
    for owned in by_owner.values():
        owner = owned[0].owner
        queued += mail.queue(
            owner,
            EmailKind.ACTION_REMINDER,
            subject=(
                "A commitment is due tomorrow"
                if len(owned) == 1
                else f"{len(owned)} commitments are due tomorrow"
            ),
            template="action_reminder",
            context={
                "actions": [action.description for action in owned],
                "due_on": f"{due_on:%A %d %B}",
                "commitments_url": mail.absolute_url("sessions.my_commitments"),
                "preferences_url": mail.preferences_url(),
            },
            now=now,
            dedupe_key=f"action_reminder:{owner.id}:{due_on.isoformat()}",
        )
    return queued


def _remind_sessions(day: date, now: datetime) -> int:
    sessions = db.session.scalars(
        select(LearningSession)
        .where(utc_day(LearningSession.starts_at) == day, LearningSession.cancelled_at.is_(None))
        .order_by(LearningSession.starts_at, LearningSession.id)
    ).all()
    queued = 0
    for session in sessions:
        for person in _people_of(session, day):
            queued += mail.queue(
                person,
                EmailKind.SESSION_REMINDER,
                subject=mail.one_line(f"Tomorrow: {_subject(session, person)}"),
                template="session_reminder",
                context={
                    **_session_context(session, person),
                    "preferences_url": mail.preferences_url(),
                },
                now=now,
                dedupe_key=f"session_reminder:{session.id}:{person.id}:{day.isoformat()}",
            )
    return queued
