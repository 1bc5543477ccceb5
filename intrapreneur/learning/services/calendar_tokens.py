"""The secret in a person's calendar feed URL."""

from __future__ import annotations

import secrets

from intrapreneur.core import services as audit
from intrapreneur.identity.models import Person


def reset_calendar_token(person: Person) -> str:
    """A new secret for the person's feed URL; the old URL stops working at once."""
    person.calendar_token = secrets.token_urlsafe(32)
    audit.record("calendar.token_reset", actor=person, obj=person)
    return person.calendar_token
