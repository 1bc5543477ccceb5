"""An accepted Hack as a calendar event, for ``learning.calendar`` to write (the one .ics
writer): its download, and the file attached to the acceptance email."""

from __future__ import annotations

from flask_babel import gettext as _

from intrapreneur.learning.calendar import SessionEvent
from intrapreneur.learning.calendar_feed import agenda_text
from intrapreneur.learning.formats import FORMATS
from intrapreneur.learning.hacks.models import HackRequest
from intrapreneur.learning.models import SessionFormat


def hack_event(hack: HackRequest, *, domain: str, page_url: str) -> SessionEvent:
    """In the reader's language (an email's recipient: build it inside ``writing_for``)."""
    if hack.starts_at is None or hack.ends_at is None:
        raise ValueError("only an accepted Hack has a time")
    agenda = agenda_text(hack.agenda)
    return SessionEvent(
        uid=f"hack-{hack.id}@{domain}",
        starts_at=hack.starts_at,
        ends_at=hack.ends_at,
        summary=_(
            "%(format)s with %(entrepreneur)s: %(topic)s",
            format=FORMATS[SessionFormat.HACK].label,
            entrepreneur=hack.entrepreneur.display_name,
            topic=hack.topic,
        ),
        description=f"{agenda}\n\n{page_url}".strip(),
        url=page_url,
        sequence=hack.sequence,
    )
