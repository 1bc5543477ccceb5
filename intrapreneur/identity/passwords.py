"""Local passwords, which only guests have: argon2 hashing and a strength policy.

The policy follows NIST SP 800-63B: a minimum length, no composition rules,
and a check against known common passwords (zxcvbn's list of 30,000 and its
guessability estimate, which also catches the person's own name and email).
"""

from __future__ import annotations

import re
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from flask_babel import ngettext
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from intrapreneur.core.i18n import SOURCE_LOCALE, page_locale

MAX_LENGTH = 256
# zxcvbn's cost grows with length; anything longer than this is strong by length alone.
STRENGTH_CHECK_LENGTH = 64
MIN_STRENGTH_SCORE = 3

_hasher = PasswordHasher()


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password-used-only-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash, so timing does not reveal accounts."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def personal_words(*values: str | None) -> list[str]:
    """Words a guesser would try first for this person: each part of their name and
    address, and the parts run together ("Nina Petrova" → nina, petrova, ninapetrova)."""
    words: list[str] = []
    for value in filter(None, values):
        parts = [part for part in re.split(r"[^\w]+", value.lower()) if part]
        words += [value.lower(), *parts, "".join(parts)]
    return list(dict.fromkeys(words))


def password_problems(password: str, *, min_length: int, personal: list[str]) -> list[str]:
    """Reasons to refuse ``password``, in words a person can act on; empty when it is fine.

    ``personal`` comes from ``personal_words``.
    """
    if len(password) < min_length:
        return [
            ngettext(
                "Use at least %(num)d character.", "Use at least %(num)d characters.", min_length
            )
        ]
    if len(password) > MAX_LENGTH:
        return [
            ngettext(
                "Use at most %(num)d character.", "Use at most %(num)d characters.", MAX_LENGTH
            )
        ]
    if password.lower() in _common_passwords():
        return [_("This password is on a list of commonly used passwords; choose another.")]
    verdict = zxcvbn(password[:STRENGTH_CHECK_LENGTH], user_inputs=personal)
    if verdict["score"] < MIN_STRENGTH_SCORE:
        # zxcvbn's own warning is English only: another language gets the general hint.
        warning = verdict["feedback"]["warning"] if page_locale() == SOURCE_LOCALE else ""
        hint = warning or _("It is close to your name, your address or a common pattern.")
        return [
            _(
                "This password is too easy to guess. %(hint)s Try a few unrelated words.",
                hint=hint,
            )
        ]
    return []
