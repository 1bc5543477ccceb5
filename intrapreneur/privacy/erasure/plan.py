"""What erasing a person does to each table, read from the registry (``privacy.record``)
and the schema, as SQL conditions: the erasure acts on them and the person's
data-protection page counts them, so the page says what the erasure will do.

Nothing here names a table but the audit log: a table declared in the registry is handled
by its declaration (its links, its columns' ``on_erasure``, ``delete_rows_on_erasure``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import JSON, Column, ColumnElement, Enum, String, Table, Text, cast, or_
from sqlalchemy.types import TypeDecorator, TypeEngine

from intrapreneur.extensions import db
from intrapreneur.privacy import registry
from intrapreneur.privacy.erasure.text import Mentions
from intrapreneur.privacy.record import BY_NAME
from intrapreneur.privacy.registry import Erase
from intrapreneur.privacy.settings import TextMode

# Tables whose text is never searched for mentions, with the reason.
NOT_SEARCHED = {
    # Append-only (database triggers). People are stored there by number and named when the
    # log is read, so an erased person's events read as their tombstone without a rewrite.
    "audit_event",
    # Derived: erasure rebuilds the items of every row it changed from the rows themselves
    # (intrapreneur.search.sync.rows_rewritten), with the text their modes left.
    "search_item",
}
# What a column's on_erasure writes in a row about or by the person (WRITTEN: text_modes).
ROW_ERASURES = (Erase.CLEAR, Erase.TOMBSTONE, Erase.SWITCH_OFF)


def _base_type(column: Column[object]) -> TypeEngine[object]:
    kind = column.type
    return kind.impl_instance if isinstance(kind, TypeDecorator) else kind


def is_text(column: Column[object]) -> bool:
    """Strings, texts and JSON, but not enums (a fixed list of words nobody writes)."""
    kind = _base_type(column)
    return isinstance(kind, String | JSON) and not isinstance(kind, Enum)


def is_json(column: Column[object]) -> bool:
    return isinstance(_base_type(column), JSON)


def emptied(column: Column[object]) -> object:
    """A cleared value: NULL, or an empty string where the column must hold a value."""
    if column.nullable:
        return None
    if isinstance(_base_type(column), String):
        return ""
    raise TypeError(f"{column.table.name}.{column.name} is required and cannot be cleared")


def fitted(column: Column[object], value: object) -> object:
    """A string cut to the column's length (a tombstone may be longer than a short name)."""
    length = getattr(_base_type(column), "length", None)
    return value[:length] if isinstance(value, str) and length else value


@dataclass(frozen=True)
class TablePlan:
    table: Table
    about: tuple[Column[object], ...]  # columns naming the person the row is about
    by: tuple[Column[object], ...]  # columns naming the person who wrote or did it
    delete_rows: bool
    row_erasures: dict[str, Erase]  # column → what erasure writes in their rows
    written: dict[str, str]  # column → text kind, for the text they wrote
    searched: tuple[Column[object], ...]  # text searched for their mentions
    version: Column[object] | None  # the edit guard, raised by every rewrite

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def key(self) -> tuple[Column[object], ...]:
        return tuple(self.table.primary_key.columns)

    def linked(self, person_id: int) -> ColumnElement[bool] | None:
        """Rows about or by the person."""
        return _any(column == person_id for column in (*self.about, *self.by))

    def deleted(self, person_id: int) -> ColumnElement[bool] | None:
        """Rows about the person that erasure deletes (nothing else needs them)."""
        if not self.delete_rows:
            return None
        return _any(column == person_id for column in self.about)

    def erased(self, person_id: int) -> ColumnElement[bool] | None:
        """Rows whose columns erasure clears, tombstones or switches off."""
        return self.linked(person_id) if self.row_erasures else None

    def rewritten(self, person_id: int, modes: dict[str, TextMode]) -> ColumnElement[bool] | None:
        """Rows of text the person wrote that the text modes in force redact or remove."""
        if not self.changed_text(modes):
            return None
        return _any(column == person_id for column in self.by)

    def changed_text(self, modes: dict[str, TextMode]) -> dict[str, TextMode]:
        """Their written columns whose kind's mode changes the text, with that mode."""
        return {
            name: modes[kind]
            for name, kind in self.written.items()
            if modes[kind] is not TextMode.KEEP
        }

    def mentioning(self, mentions: Mentions) -> ColumnElement[bool] | None:
        """Rows whose text may name the person: a case-insensitive LIKE (its % and _
        escaped), narrowed afterwards to whole words (``Mentions.replace``)."""
        return _any(
            cast(column, Text).icontains(needle, autoescape=True)
            for column in self.searched
            for needle in mentions.searched_for(in_json=is_json(column))
        )


def _any(conditions: object) -> ColumnElement[bool] | None:
    found = list(conditions)  # type: ignore[call-overload]
    return or_(*found) if found else None


def _version_columns() -> dict[str, Column[object]]:
    return {
        mapper.local_table.name: mapper.version_id_col
        for mapper in db.Model.registry.mappers
        if mapper.version_id_col is not None
    }


def _searched(table: Table) -> tuple[Column[object], ...]:
    """The text columns that may mention someone, secret ones included (an unsent email's
    body is secret because it may hold a personal link, and names people too). Left out:
    unique values (identifiers: a mention is never one, and rewriting one could collide
    with another row's) and the columns erasure tombstones (a person's own name: someone
    else may share it)."""
    if table.name in NOT_SEARCHED:
        return ()
    entry = BY_NAME[table.name]
    return tuple(
        column
        for column in table.columns
        if is_text(column)
        and not column.unique
        and not column.primary_key
        and entry.columns[column.name].on_erasure is not Erase.TOMBSTONE
    )


def _linked(table: Table, entry: registry.Table, relation: str) -> tuple[Column[object], ...]:
    return tuple(table.c[link.column] for link in entry.links if link.relation == relation)


@cache
def plans() -> tuple[TablePlan, ...]:
    """Every table of the schema, parents before the tables that refer to them."""
    versions = _version_columns()
    found = []
    for table in db.metadata.sorted_tables:
        entry = BY_NAME[table.name]
        found.append(
            TablePlan(
                table=table,
                about=_linked(table, entry, "about"),
                by=_linked(table, entry, "by"),
                delete_rows=entry.delete_rows_on_erasure,
                row_erasures={
                    name: column.on_erasure
                    for name, column in entry.columns.items()
                    if column.on_erasure in ROW_ERASURES
                },
                written=entry.written_columns(),
                searched=_searched(table),
                version=versions.get(table.name),
            )
        )
    return tuple(found)
