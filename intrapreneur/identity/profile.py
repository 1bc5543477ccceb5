"""What each person sets for themselves on their profile. Services flush; the request commits."""

from __future__ import annotations

from flask_babel import gettext as _

from intrapreneur.core import services as audit
from intrapreneur.core.timezones import offered_zone_names
from intrapreneur.identity.models import Person
from intrapreneur.identity.services import IdentityError


class TimeZoneRefused(IdentityError):
    status = 422


class LanguageRefused(IdentityError):
    status = 422


def choose_time_zone(person: Person, name: str | None) -> None:
    """The person's own zone, or none to follow the directory's (else the organisation's).

    Kept apart from the directory's zone, so no sync or sign-in overwrites it.
    """
    if name is not None and name not in offered_zone_names():
        raise TimeZoneRefused(_("Choose a time zone from the list."))
    if name == person.chosen_time_zone:
        return
    person.chosen_time_zone = name
    audit.record("person.time_zone_chosen", actor=person, obj=person, time_zone=name)


def choose_locale(person: Person, name: str | None, offered: tuple[str, ...]) -> None:
    """The person's own language among those ``offered``, or none to follow the directory's
    (else their browser's). Kept apart from the directory's, so no sync overwrites it."""
    if name is not None and name not in offered:
        raise LanguageRefused(_("Choose a language from the list."))
    if name == person.chosen_locale:
        return
    person.chosen_locale = name
    audit.record("person.language_chosen", actor=person, obj=person, language=name)
