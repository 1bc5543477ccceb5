"""A notice by email: one sentence of news and a link into the app, in the recipient's
language, the way every kind of in-app notice (reviews, Hacks) also goes out by email."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import LazyString

from intrapreneur.core.i18n import writing_for
from intrapreneur.core.mail.headers import one_line
from intrapreneur.core.mail.outbox import CalendarPart, queue
from intrapreneur.core.mail.urls import preferences_url, site_root
from intrapreneur.core.mail_models import EmailKind

if TYPE_CHECKING:
    from intrapreneur.identity.models import Person


def queue_notice(
    person: Person,
    kind: EmailKind,
    template: str,
    message: str | LazyString,
    link: str,
    *,
    now: datetime,
    calendar: CalendarPart | None = None,
) -> None:
    """``message`` as the subject and body (a lazy one translated for ``person``), ``link``
    a path in the app made absolute; ``template`` frames it (its title, its footer)."""
    with writing_for(person):
        text = str(message)
    root = site_root()
    queue(
        person,
        kind,
        subject=one_line(text),
        template=template,
        context={
            "text": text,
            "link": root + link if root and link else None,
            "preferences_url": preferences_url(),
        },
        now=now,
        calendar=calendar,
    )
