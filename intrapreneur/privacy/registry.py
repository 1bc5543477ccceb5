"""The record of processing as data: every table, what each column holds, why it is kept,
who sees it, how long, and what erasing a person does to it.

The tables themselves are listed in ``record`` (one module per area). The subject access
export reads ``links`` (which rows are about or by a person) and
``secret`` (what never leaves the database, even to its subject); the erasure reads
``on_erasure`` per column and ``delete_rows_on_erasure`` per table; the retention job
names its rules in ``retention_rule``; docs/privacy.md is rendered from here
(``intrapreneur privacy record``) and a test fails when a table or column of the models is
missing from this registry or from the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Erase(StrEnum):
    """What erasing a person does to a column of a row about or by them."""

    KEEP = "keep"  # not identifying, or needed by figures and other people's records
    CLEAR = "clear"  # emptied (NULL, or "" where the column must hold a value)
    TOMBSTONE = "tombstone"  # replaced by the stable "Former participant #N"
    SWITCH_OFF = "switch off"  # false: the account can no longer be used
    WRITTEN = "their text"  # text the person wrote: the text kind's mode (settings.TEXT_KINDS)


@dataclass(frozen=True)
class Col:
    holds: str
    on_erasure: Erase = Erase.KEEP
    # The text kind (settings.TEXT_KINDS) deciding a WRITTEN column's fate.
    text_kind: str | None = None
    # Never exported, not even to the person (hashes of secrets, encrypted keys).
    secret: bool = False


@dataclass(frozen=True)
class Link:
    """A column naming a person: ``about`` (the row is about them: exported to them) or
    ``by`` (they did it: exported to them too, and erasure treats their written text)."""

    column: str
    relation: str  # "about" or "by"


@dataclass(frozen=True)
class Table:
    name: str
    purpose: str
    who_sees: str
    kept: str  # how long, naming the retention rule (settings.RETENTION_RULES) if any
    columns: dict[str, Col]
    links: tuple[Link, ...] = ()
    # Rows about the erased person are deleted (nothing else needs them).
    delete_rows_on_erasure: bool = False
    personal: bool = True
    retention_rule: str | None = None
    notes: str = ""

    def written_columns(self) -> dict[str, str]:
        """Column → text kind, for the columns holding text the linked person wrote."""
        return {
            name: column.text_kind
            for name, column in self.columns.items()
            if column.on_erasure is Erase.WRITTEN and column.text_kind
        }


NOT_PERSONAL = "not personal"
