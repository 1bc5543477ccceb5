"""Which optional emails each person wants: reminders, review notifications, the managers'
daily digest, survey reminders and the weekly learning digest can be turned off; the other
kinds (invitations, session changes, password resets) cannot."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from intrapreneur.core.mail_models import EmailKind, EmailPreference
from intrapreneur.extensions import db

if TYPE_CHECKING:
    from intrapreneur.identity.models import Person

# The reminder kinds each person may turn off, and the preference column of each.
OPTIONAL_KINDS = {
    EmailKind.ACTION_REMINDER: "action_reminders",
    EmailKind.SESSION_REMINDER: "session_reminders",
    EmailKind.REVIEW_NOTIFICATION: "review_notifications",
    EmailKind.REVIEW_DIGEST: "review_digests",
    EmailKind.SURVEY_REMINDER: "survey_reminders",
    EmailKind.LEARNING_DIGEST: "learning_digests",
    EmailKind.SPONSOR_DIGEST: "sponsor_digests",
}


def preference_of(person: Person) -> EmailPreference:
    """The person's row, or an unsaved one with everything on."""
    found = db.session.get(EmailPreference, person.id)
    if found is not None:
        return found
    return EmailPreference(person_id=person.id, **dict.fromkeys(OPTIONAL_KINDS.values(), True))


def wants(person: Person, kind: EmailKind) -> bool:
    column = OPTIONAL_KINDS.get(kind)
    return column is None or bool(getattr(preference_of(person), column))


def save_preferences(person: Person, choices: Mapping[str, bool], now: datetime) -> None:
    """Save the choices given; a kind not among them keeps the person's earlier choice."""
    preference = preference_of(person)
    for column in OPTIONAL_KINDS.values():
        setattr(preference, column, bool(choices.get(column, getattr(preference, column))))
    preference.updated_at = now
    db.session.add(preference)
