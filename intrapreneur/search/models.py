"""The search index: one row per searchable thing, copied from its own row.

The copy holds what is matched and shown (title, body, the language its stemming follows)
and what the reader's visibility is worked out from when searching (the venture or the
set it belongs to): visibility itself is never copied, so a venture made private, a
member who leaves a set or a guest whose access ends is seen at once in the results.

Full text: on PostgreSQL ``vector`` is a ``tsvector`` kept by a trigger (the item's
language's stemming, plus the words as written) under a GIN index; on SQLite ``vector``
stays empty and an FTS5 table ``search_fts`` (porter stemmer) is kept by triggers. Both
are built by migration 0036, which is the only place the triggers and the FTS5 table are
described (the models cannot describe a virtual table).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from intrapreneur.extensions import db


class Kind(StrEnum):
    LEARNING = "learning"  # an experiment's learning card: observed, learned, decision
    EXPERIMENT = "experiment"  # hypothesis, test, metric, criterion, evidence
    VENTURE = "venture"  # problem, customer
    CHALLENGE = "challenge"  # a hot seat's challenge
    QUESTION = "question"  # a question asked in a hot seat
    COMMITMENT = "commitment"  # an action committed to in a session


VENTURE_KINDS = frozenset({Kind.LEARNING, Kind.EXPERIMENT, Kind.VENTURE})
SET_KINDS = frozenset({Kind.CHALLENGE, Kind.QUESTION, Kind.COMMITMENT})


class SearchItem(db.Model):
    """No foreign keys: an item is removed in the same flush as its source row, after it."""

    __tablename__ = "search_item"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        Index("ix_search_item_vector", "vector", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int] = mapped_column(Integer)
    # Whose rules decide who sees it: a venture's (ventures, experiments, learning cards)
    # or a set's (challenges, questions, commitments), with the session it was said in.
    venture_id: Mapped[int | None] = mapped_column(Integer, index=True)
    set_id: Mapped[int | None] = mapped_column(Integer, index=True)
    session_id: Mapped[int | None] = mapped_column(Integer)
    # Who wrote it: the department and business unit filters read the person's own.
    author_id: Mapped[int | None] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # The author's language (else the organisation's): the stemming the text is indexed with.
    language: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[str | None] = mapped_column(String(8))
    decision: Mapped[str | None] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date, index=True)
    vector: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))


# SQLite's FTS5 table and the shadow tables it keeps its index in: described by migration
# 0036 alone, so a comparison of the models with the database leaves them out.
FTS_TABLE = "search_fts"


def in_models(name: str | None, type_: str, _parents: object = None) -> bool:
    """Alembic's ``include_name``: everything but the FTS5 table and its shadow tables."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))
