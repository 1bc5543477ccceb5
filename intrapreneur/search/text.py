"""What a reader types, made safe for full-text search, and highlighted snippets made safe
for a page.

The typed text is never handed to a full-text parser as syntax: it is cut to
``MAX_QUERY`` characters, stripped of control characters, and split into words; each word
is then quoted (SQLite FTS5) or passed as plain words (PostgreSQL ``plainto_tsquery``).
So quotes, operators (AND, OR, NOT, NEAR, -, *, :), parentheses of any balance and any
script only ever mean the words they contain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

MAX_QUERY = 200  # characters of the typed text that are searched
MAX_TERMS = 12  # words of it that are searched
# Private-use characters mark where a snippet's matches start and stop: the text around
# them is escaped first, then each marked stretch becomes <mark>, the snippet's only markup.
START, STOP = "\ue000", "\ue001"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")
_WORD = re.compile(r"\w+")
_MARKS = re.compile(f"([{START}{STOP}])")
_OPEN, _CLOSE = Markup("<mark>"), Markup("</mark>")


@dataclass(frozen=True)
class Query:
    text: str  # what is searched, as typed (cut, control characters removed)
    terms: tuple[str, ...]  # its words
    shortened: bool  # the typed text was longer than MAX_QUERY or had too many words

    @property
    def empty(self) -> bool:
        return not self.terms


def parse(typed: str | None) -> Query:
    cleaned = _CONTROL.sub(" ", typed or "").strip()
    text = cleaned[:MAX_QUERY]
    words = _WORD.findall(text)
    return Query(text, tuple(words[:MAX_TERMS]), len(cleaned) > MAX_QUERY or len(words) > MAX_TERMS)


def fts5_all(terms: tuple[str, ...]) -> str:
    """FTS5: every word, each quoted (a quote inside doubled): no word is ever syntax."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def fts5_any(terms: tuple[str, ...]) -> str:
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def highlighted(snippet: str) -> Markup:
    """A snippet with its marked matches as <mark>, everything else escaped; a marker
    character in the stored text itself can open or close at most one balanced <mark>."""
    parts: list[Markup] = []
    marking = False
    for piece in _MARKS.split(snippet or ""):
        if piece == START and not marking:
            parts.append(_OPEN)
            marking = True
        elif piece == STOP and marking:
            parts.append(_CLOSE)
            marking = False
        elif piece not in (START, STOP):
            parts.append(escape(piece))
    if marking:
        parts.append(_CLOSE)
    return Markup("").join(parts)


def opening(text: str, length: int = 240) -> str:
    """The start of a text for a list without a query, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + " …"


def learning_terms(text: str, limit: int = 32) -> tuple[str, ...]:
    """The distinct words of a learning card worth matching others on (three letters and
    more, first seen first), for "similar learnings"."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(_CONTROL.sub(" ", text)):
        if len(word) >= 3 and not word.isdigit():
            seen.setdefault(word.lower(), None)
        if len(seen) >= limit:
            break
    return tuple(seen)
