"""Review news for one person: a notice in the app and, unless they turned it off, an email,
each written in that person's language and zone whoever's action it tells of."""

from __future__ import annotations

from flask_babel import LazyString

from intrapreneur.core import mail
from intrapreneur.core.i18n import writing_for
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.core.models import utcnow
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person


def notify(
    person_id: int, message: str | LazyString, link: str = "", *, venture_id: int | None = None
) -> Notification:
    """Tell someone in the app, and by email unless they turned review emails off; a lazy
    message is written in their language, whoever's action it tells of."""
    person = db.session.get(Person, person_id)
    with writing_for(person):
        text = str(message)
    notification = Notification(
        person_id=person_id, text=text[:500], link=link, venture_id=venture_id
    )
    db.session.add(notification)
    if person is not None:
        email_notification(person, text, link)  # already in their language
    return notification


def email_notification(person: Person, message: str | LazyString, link: str) -> None:
    """The one way review news goes out by email (``link`` is a path in the app), in the
    recipient's language: a lazy message is translated for them."""
    mail.queue_notice(
        person, EmailKind.REVIEW_NOTIFICATION, "review_notification", message, link, now=utcnow()
    )
