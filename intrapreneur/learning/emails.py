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
from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from intrapreneur.core import mail
from intrapreneur.core.dates import moment_text
from intrapreneur.core.i18n import reader_time_zone, writing_for
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.core.models import utcnow
from intrapreneur.core.sql import utc_day
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries
from intrapreneur.learning.calendar import SessionEvent, session_calendar
from intrapreneur.learning.calendar_feed import session_event
from intrapreneur.learning.formats import FORMATS
from intrapreneur.learning.models import Action, ActionStatus, LearningSession, LearningSet

# kind → (iTIP method, first line of the email, subject around the session's %(session)s)
ANNOUNCEMENTS: dict[EmailKind, tuple[str, LazyString, LazyString | None]] = {
    EmailKind.SESSION_INVITATION: (
        "REQUEST",
        _l("You are invited to a session of your set."),
        None,  # the session alone
    ),
    EmailKind.SESSION_UPDATE: (
        "REQUEST",
        _l("A session of your set has changed."),
        _l("Changed: %(session)s"),
    ),
    EmailKind.SESSION_CANCELLATION: (
        "CANCEL",
        _l("A session of your set is cancelled."),
        _l("Cancelled: %(session)s"),
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
    sessions: list[LearningSession],
    person: Person,
    kind: EmailKind,
    headline: str | LazyString,
    now: datetime,
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
    headline: str | LazyString | None = None,
    linked: bool = True,
) -> int:
    method, usual_headline, subject = ANNOUNCEMENTS[kind]
    assert person.email is not None
    # The calendar file and the subject in the recipient's language and zone, as the email.
    with writing_for(person):
        event = dataclasses.replace(
            _event(session, linked),
            organizer=parseaddr(_sender())[1] or None,
            attendees=(person.email,),
        )
        calendar = mail.CalendarPart(session_calendar(event, method=method, now=now), method)
        session_text = _subject(session)
        subject_text = str(subject) % {"session": session_text} if subject else session_text
    queued = mail.queue(
        person,
        kind,
        subject=subject_text,
        template="session",
        context={
            **_session_context(session, linked),
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


def _subject(session: LearningSession) -> str:
    """The set and the start in the reader's zone: call it inside ``writing_for``."""
    return mail.one_line(
        _("%(set)s, %(when)s", set=session.learning_set.name, when=moment_text(session.starts_at))
    )


def _when(starts_at: datetime) -> str:
    """A session's start in the reader's zone, and the zone's name."""
    return _("%(when)s (%(zone)s)", when=moment_text(starts_at), zone=reader_time_zone())


def _session_context(session: LearningSession, linked: bool = True) -> dict[str, object]:
    return {
        "set_name": session.learning_set.name,
        "format_label": FORMATS[session.format].label,
        # Written with the email, in the recipient's language and zone (``mail.queue``).
        "when": LazyString(_when, session.starts_at),
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
    names = {"set": mail.one_line(learning_set.name)}
    # The sentences are the template's, written in each recipient's language.
    change = {
        "set_name": learning_set.name,
        "cohort_name": learning_set.cohort.name,
        "before": before.display_name if before else None,
        "after": after.display_name,
    }
    queued = _tell_facilitator(
        after,
        subject=_l("You now facilitate %(set)s", **names),
        context={**change, "starts": True},
        link=mail.absolute_url("sets.detail", set_id=learning_set.id),
        now=now,
    )
    if before is not None:
        queued += _tell_facilitator(
            before,
            subject=_l("You no longer facilitate %(set)s", **names),
            context={**change, "starts": False},
            link=None,  # the set's page is no longer theirs to open
            now=now,
        )
    return queued


def _tell_facilitator(
    person: Person,
    *,
    subject: LazyString,
    context: dict[str, object],
    link: str | None,
    now: datetime,
) -> int:
    return int(
        mail.queue(
            person,
            EmailKind.FACILITATOR_CHANGE,
            subject=subject,
            template="facilitator_change",
            context={**context, "link": link},
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
        with writing_for(owner):
            subject = ngettext(
                "A commitment is due tomorrow", "%(num)d commitments are due tomorrow", len(owned)
            )
        queued += mail.queue(
            owner,
            EmailKind.ACTION_REMINDER,
            subject=subject,
            template="action_reminder",
            context={
                "actions": [action.description for action in owned],
                "due_on": due_on,
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
            with writing_for(person):
                subject = _("Tomorrow: %(session)s", session=_subject(session))
            queued += mail.queue(
                person,
                EmailKind.SESSION_REMINDER,
                subject=subject,
                template="session_reminder",
                context={
                    **_session_context(session),
                    "preferences_url": mail.preferences_url(),
                },
                now=now,
                dedupe_key=f"session_reminder:{session.id}:{person.id}:{day.isoformat()}",
            )
    return queued
