"""Keeping the index in step with every write, on both databases.

Every flush of the ORM session is watched (``after_flush``): a searchable row added,
changed in a column its item is built from, or deleted has its items rebuilt or removed in
the same transaction, by the same statements that build the index (``sources``). So no
write path can forget it: a service, a form, the demo data or a test fixture alike.

Statements that bypass the ORM (an UPDATE over many rows) do not pass through a flush; the
one such writer of searchable text, erasure, hands its changed rows to ``rows_rewritten``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from weakref import WeakSet

from sqlalchemy import Connection, Engine, event, inspect, select
from sqlalchemy.orm import Session

from intrapreneur.extensions import db
from intrapreneur.search import sources
from intrapreneur.search.models import SearchItem


def _touched(instance: Any, fields: frozenset[str]) -> bool:
    attributes = inspect(instance).attrs
    return any(attributes[name].history.has_changes() for name in fields)


def _after_flush(session: Session, _context: Any) -> None:
    changed: dict[type[Any], set[int]] = defaultdict(set)
    for instance in (*session.new, *session.deleted):
        if type(instance) in sources.MODELS:
            changed[type(instance)].add(instance.id)
    for instance in session.dirty:
        model = type(instance)
        if model in sources.MODELS and _touched(instance, sources.WATCHED[model]):
            changed[model].add(instance.id)
    if changed and _has_index(session.connection()):
        sources.refresh(session.connection(), changed)


# Databases seen with the index: asked once each. One migrated only as far as before 0036
# has no index to keep (a test of an older migration writes rows there); it is asked again.
_INDEXED: WeakSet[Engine] = WeakSet()


def _has_index(connection: Connection) -> bool:
    if connection.engine in _INDEXED:
        return True
    if inspect(connection).has_table(SearchItem.__tablename__):
        _INDEXED.add(connection.engine)
        return True
    return False


def keep_index_in_step() -> None:
    """Listen to every session's flushes (once, however many apps are made)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


TABLES = {source.model.__tablename__: source.model for source in sources.SOURCES}


def rows_rewritten(keys_by_table: dict[str, set[tuple[Any, ...]]], deleted: set[str]) -> None:
    """Rows rewritten outside the ORM (by primary key, per table name) have their items
    rebuilt; after rows were deleted from a table, its items left without a row go."""
    changed = {
        TABLES[name]: {key[0] for key in keys}
        for name, keys in keys_by_table.items()
        if name in TABLES and keys
    }
    if changed:
        sources.refresh(db.session.connection(), changed)
    table = SearchItem.__table__
    for source in sources.SOURCES:
        if source.model.__tablename__ in deleted:
            db.session.execute(
                table.delete().where(
                    table.c.kind == source.kind.value,
                    table.c.object_id.not_in(select(source.key)),
                )
            )
