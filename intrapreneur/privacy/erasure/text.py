"""The words erasure writes, and how it rewrites text: the tombstone, the redaction of
contact details, and a person's mentions replaced in anyone's text.

What erasure writes into the database is stored once and read by everyone, like a record's
own text: it is written in the organisation's language (``INTRAPRENEUR_DEFAULT_LOCALE``),
not in the language of the administrator who happens to erase.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import force_locale, gettext

if TYPE_CHECKING:
    from intrapreneur.identity.models import Person

# Shorter names and usernames are words of everyday text ("Al", "ed"): never searched for.
SHORTEST_MENTION = 3


@contextmanager
def _organisation_language() -> Iterator[None]:
    with force_locale(str(current_app.config["DEFAULT_LOCALE"])):
        yield


def tombstone(person_id: int) -> str:
    """The stable name of an erased person: "Former participant #4821", in the
    organisation's language. One wording for employees and guests alike: it marks a place
    in the records and says nothing more about the person than their number."""
    with _organisation_language():
        return gettext("Former participant #%(number)d", number=person_id)


def redaction_marker() -> str:
    """What stands where redaction took out an email address, a phone number or a link."""
    with _organisation_language():
        return gettext("[removed]")


_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_LINK = r"(?:https?://|ftp://|www\.)[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]]"
_PHONE = r"(?<![\w+])\+?\(?\d[\d\s().\-/]{5,}\d(?!\w)"
CONTACT = re.compile(f"{_LINK}|{_EMAIL}|{_PHONE}", re.IGNORECASE)
# A phone number has 8 to 15 digits (E.164); an ISO date has 8 too and is no phone number.
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


def _is_contact(found: str) -> bool:
    if not found[0].isdigit() and found[0] not in "+(":
        return True  # an email address or a link
    digits = sum(character.isdigit() for character in found)
    return 8 <= digits <= 15 and not _DATE.fullmatch(found.strip())


def redact(text: str, marker: str) -> str:
    """``text`` with its email addresses, phone numbers and links replaced by ``marker``."""
    return CONTACT.sub(lambda found: marker if _is_contact(found[0]) else found[0], text)


def identifying_values(person: Person) -> list[str]:
    """What names a person in anyone's text: their name, email address, username, and the
    directory's id and entry name (DN) of their account."""
    values = (
        person.display_name,
        person.email,
        person.username,
        person.directory_id,
        person.directory_dn,
    )
    return [value for value in values if value and len(value) >= SHORTEST_MENTION]


@dataclass(frozen=True)
class Mentions:
    """A person's identifying values, found case-insensitively as whole words (not inside
    a longer word) and replaced by their tombstone."""

    needles: tuple[str, ...]
    replacement: str

    @classmethod
    def of(cls, person: Person) -> Mentions:
        return cls(tuple(identifying_values(person)), tombstone(person.id))

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        longest_first = sorted(self.needles, key=len, reverse=True)
        alternatives = "|".join(re.escape(needle) for needle in longest_first)
        # Never inside a longer word ("tbeckerson"), but wherever else it stands: in a link
        # ("…/tbecker-notes"), an address or a hyphenated name, what is left must not name them.
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def replace(self, text: str) -> str:
        if not self.needles:
            return text
        return self._pattern.sub(lambda _: self.replacement, text)

    def replace_in(self, value: Any) -> Any:
        """A JSON value with the mentions replaced in every string of it, keys included."""
        if isinstance(value, str):
            return self.replace(value)
        if isinstance(value, list):
            return [self.replace_in(item) for item in value]
        if isinstance(value, dict):
            return {self.replace(key): self.replace_in(item) for key, item in value.items()}
        return value

    def searched_for(self, *, in_json: bool) -> list[str]:
        """The substrings a database search looks for (case-insensitively, before the
        whole-word check here): each value as written, lower- and upper-cased (SQLite
        folds the case of ASCII letters only), and in JSON also as JSON escapes them."""
        found: dict[str, None] = {}
        for needle in self.needles:
            for variant in (needle, needle.lower(), needle.upper()):
                found[variant] = None
                if in_json:
                    found[json.dumps(variant)[1:-1]] = None
        return list(found)
