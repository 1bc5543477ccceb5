"""From session rows to calendar events (the pure builders are in ``calendar.py``)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from intrapreneur.learning.calendar import SessionEvent
from intrapreneur.learning.formats import FORMATS, segment_title
from intrapreneur.learning.models import LearningSession


def agenda_text(agenda: list[dict[str, Any]]) -> str:
    """An agenda's segments, one line each, for a calendar event's description."""
    return "\n".join(
        _(
            "%(minutes)d min · %(title)s",
            minutes=item["minutes"],
            title=segment_title(item["title"]),
        )
        for item in agenda
    )


def session_event(session: LearningSession, *, domain: str, page_url: str) -> SessionEvent:
    """The calendar view of a session, in the reader's language (an email's recipient:
    build it inside ``writing_for``); the UID stays the same across every update."""
    agenda = agenda_text(session.agenda)
    return SessionEvent(
        uid=f"session-{session.id}@{domain}",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=_(
            "%(set)s — %(format)s",
            set=session.learning_set.name,
            format=FORMATS[session.format].label,
        ),
        description=f"{agenda}\n\n{page_url}".strip(),
        location=session.location or session.video_url,
        url=session.video_url or page_url,
        sequence=session.sequence,
        cancelled=session.cancelled_at is not None,
        updated_at=session.updated_at,
    )
