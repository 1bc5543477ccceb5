"""Hack news for one person: a notice in the app and an email through the outbox, each in
that person's language and zone; the acceptance carries the session's calendar file."""

from __future__ import annotations

from collections.abc import Callable

from intrapreneur.core import mail
from intrapreneur.core.i18n import writing_for
from intrapreneur.core.mail.outbox import CalendarPart
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.core.models import utcnow
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person


def tell(
    person: Person,
    message: Callable[[], str],
    link: str,
    *,
    calendar: Callable[[], bytes] | None = None,
) -> None:
    """``message`` (and ``calendar``) are written for the recipient, in their language and
    zone, whoever's request tells them."""
    with writing_for(person):
        text = message()
        ics = calendar() if calendar else None
    db.session.add(Notification(person_id=person.id, text=text[:500], link=link))
    mail.queue_notice(
        person,
        EmailKind.HACK,
        "hack",
        text,
        link,
        now=utcnow(),
        calendar=CalendarPart(ics, "REQUEST") if ics else None,
    )
