"""Third-party data in a subject access response: what names someone else is blanked.

A person's copy of their data must not disclose other people's (GDPR art. 15(4)). Rows
name others by number only (a foreign key: the person learns that someone was there, not
who), but texts name them too: a notification "Bob Smith reviewed your card", an email's
subject, a question that mentions a colleague, the actor of an audit event. Every string
the export writes goes through a ``Redactor``, which replaces every other person's display
name, email address, username and directory identities with a neutral marker.

How it finds them. Every other person's identifiers are normalised (case folded, runs of
spaces made one) into one dictionary, together with the person's own (so that their own
name is kept where someone else's name is a part of it, or the same). A text is split into
words; from each word, the longest run of words (up to the longest identifier's word count)
that is a known identifier is replaced when it is someone else's. Only whole words match:
"Bob" does not match inside "Bobby".

Why not one regular expression of everyone's identifiers: for 20,000 people (100,000
identifiers), measured in one run on the same machine (bench/subject_export.py), an
alternation arranged as a prefix tree took 35 s and 470 MiB to build and compile, the
dictionary 1.4 s and 14 MiB; and the dictionary also finds a name spaced differently.

What it cannot know: a name written differently (a nickname, a misspelling) is not found,
and a word that happens to be someone's name ("Sales", if a person is called that) is
blanked though it meant something else. The product's own codes (role names, statuses)
are never taken for a username: a local account called "admin" does not blank the role;
nor is a number alone (a numeric username): rows name people by number anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import chain

from sqlalchemy import Enum, select

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person

# The person columns that say who someone is (``Person``); each is looked for in the texts.
IDENTIFYING = (
    "display_name",
    "email",
    "username",
    "directory_id",
    "directory_dn",
    "oidc_subject",
    "saml_name_id",
)
WORD = re.compile(r"\w+")
EDGES = re.compile(r"^\W+|\W+$")


def _key(text: str) -> str:
    """How an identifier and a stretch of text are compared: case folded, spaces made one,
    and (identifiers only need it) without punctuation at either end."""
    key = " ".join(text.split()).casefold()
    if key[:1].isalnum() and key[-1:].isalnum():
        return key  # the usual case, without a regular expression
    return EDGES.sub("", key)


class Redactor:
    """Replaces others' identifiers in a text by ``marker``; ``own`` identifiers are kept."""

    def __init__(
        self,
        own: Iterable[str | None],
        others: Iterable[str | None],
        *,
        marker: str,
        codes: frozenset[str] = frozenset(),
    ) -> None:
        self.marker = marker
        # identifier → whether it is someone else's (the person's own wins a tie)
        self.known: dict[str, bool] = {}
        self.first_words: set[str] = set()
        self.longest = 0
        for identifier in others:
            self._learn(identifier, someone_else=True, codes=codes)
        for identifier in own:
            self._learn(identifier, someone_else=False)

    def _learn(
        self, identifier: str | None, *, someone_else: bool, codes: frozenset[str] = frozenset()
    ) -> None:
        key = _key(identifier or "")
        words = WORD.findall(key)
        # A number alone is how rows name people anyway (and would blank the rows' own).
        if not words or key in codes or key.isdigit():
            return
        self.known[key] = someone_else
        self.first_words.add(words[0])
        self.longest = max(self.longest, len(words))

    def __call__(self, text: str) -> str:
        words = list(WORD.finditer(text))
        parts: list[str] = []
        written = 0
        index = 0
        while index < len(words):
            found = self._match(text, words, index)
            if found is None:
                index += 1
                continue
            last, someone_else = found
            if someone_else:
                parts += [text[written : words[index].start()], self.marker]
                written = words[last].end()
            index = last + 1
        return "".join([*parts, text[written:]]) if parts else text

    def _match(self, text: str, words: list[re.Match[str]], index: int) -> tuple[int, bool] | None:
        """The last word of the longest identifier starting at ``words[index]``, and whether
        it is someone else's; None when no identifier starts there."""
        if words[index].group().casefold() not in self.first_words:
            return None
        start = words[index].start()
        for last in range(min(len(words), index + self.longest) - 1, index - 1, -1):
            someone_else = self.known.get(_key(text[start : words[last].end()]))
            if someone_else is not None:
                return last, someone_else
        return None


def product_codes() -> frozenset[str]:
    """Every value of every enumerated column (roles, statuses, kinds): words that name no
    one, whatever someone's username is."""
    return frozenset(
        value.casefold()
        for table in db.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, Enum)
        for value in column.type.enums
    )


def redactor_for(person: Person, marker: str) -> Redactor:
    """A redactor for ``person``'s export: everyone else's identifiers, theirs kept."""
    columns = [getattr(Person, name) for name in IDENTIFYING]
    others = db.session.execute(select(*columns).where(Person.id != person.id))
    own = [getattr(person, name) for name in IDENTIFYING]
    return Redactor(own, chain.from_iterable(others), marker=marker, codes=product_codes())
