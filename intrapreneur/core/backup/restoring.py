"""Restoring a backup into a database at the same schema revision: all of it, or nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    Table,
    bindparam,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError

from intrapreneur.core.backup.files import read_lines
from intrapreneur.core.backup.format import (
    BATCH_ROWS,
    BackupError,
    Progress,
    Summary,
    check_header,
    decode_value,
    tables,
    wire_type,
)
from intrapreneur.core.backup.keys import Identity
from intrapreneur.core.schema import schema_revision


def read_header(path: Path, identities: Sequence[Identity] = ()) -> dict[str, Any]:
    """The header of the backup at ``path`` (decrypted with ``identities`` if it is
    encrypted); BackupError when it is not a backup, or cannot be read with those keys."""
    with read_lines(path, identities) as lines:
        return check_header(next(lines, None))


def restore_backup(
    engine: Engine,
    path: Path,
    *,
    identities: Sequence[Identity] = (),
    force: bool = False,
    on_progress: Progress = lambda rows: None,
) -> Summary:
    """Load the backup at ``path`` into the database, all of it or (on any problem) nothing.

    The file is read to its very end inside the transaction: a cut or damaged file, or an
    encrypted one whose last piece does not authenticate, rolls everything back.
    """
    with engine.begin() as connection, read_lines(path, identities) as lines:
        header = check_header(next(lines, None))
        revision = schema_revision(connection)
        _check_revision(header["schema_revision"], revision)
        if _has_data(connection):
            if not force:
                raise BackupError(
                    "the database already holds data; restore into an empty database, "
                    "or pass --force to replace everything in it"
                )
            _empty(connection)
        summary = Summary(header["schema_revision"])
        for table in tables():
            summary.rows[table.name] = _restore_table(connection, table, header, lines, on_progress)
        end = next(lines, None)
        if not isinstance(end, dict) or end.get("end") is not True:
            raise BackupError("the backup file has no end marker: it is incomplete")
        if next(lines, None) is not None:
            raise BackupError("the backup file goes on after its end marker")
        _reset_sequences(connection)
    return summary


def _check_revision(wanted: str, found: str | None) -> None:
    if found is None:
        raise BackupError(
            f"the database has no schema: run `intrapreneur db upgrade {wanted}` first"
        )
    if found != wanted:
        raise BackupError(
            f"the backup is of schema revision {wanted} but the database is at {found}: "
            f"bring the database to {wanted} (`intrapreneur db upgrade {wanted}` on an empty "
            "database, with the app version that made the backup), restore, then upgrade"
        )


def _has_data(connection: Connection) -> bool:
    return any(
        connection.execute(select(text("1")).select_from(table).limit(1)).first()
        for table in tables()
    )


# Tables whose triggers refuse DELETE (migration 0001): only a forced restore, replacing the
# whole database inside one transaction, lifts the guard, and puts it back before committing.
APPEND_ONLY = ("audit_event",)


def _empty(connection: Connection) -> None:
    for table in reversed(tables()):
        if table.name in APPEND_ONLY:
            with _guard_lifted(connection, table.name):
                connection.execute(delete(table))
        else:
            connection.execute(delete(table))


@contextmanager
def _guard_lifted(connection: Connection, table: str) -> Iterator[None]:
    """The table's own triggers off for a moment; DDL is transactional on both databases,
    so a failure anywhere later brings the triggers back with the rollback."""
    name = connection.dialect.identifier_preparer.quote(table)
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"ALTER TABLE {name} DISABLE TRIGGER USER"))
        yield
        connection.execute(text(f"ALTER TABLE {name} ENABLE TRIGGER USER"))
        return
    triggers = connection.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"),
        {"table": table},
    ).all()
    for trigger, _ in triggers:
        connection.execute(
            text(f"DROP TRIGGER {connection.dialect.identifier_preparer.quote(trigger)}")
        )
    yield
    for _, definition in triggers:
        connection.execute(text(definition))


def _self_references(table: Table) -> list[str]:
    """Columns pointing at their own table (a manager, a parent card): filled in once every
    row exists, since a row may point at one that comes after it."""
    return [key.parent.name for key in table.foreign_keys if key.column.table is table]


def _key(table: Table) -> Column[Any]:
    (key,) = table.primary_key.columns
    return key


def _restore_table(
    connection: Connection,
    table: Table,
    header: dict[str, Any],
    lines: Iterator[Any],
    on_progress: Progress,
) -> int:
    section = next(lines, None)
    expected_columns = [column.name for column in table.columns]
    if not isinstance(section, dict) or section.get("table") != table.name:
        raise BackupError(f"the backup has no section for table {table.name} where expected")
    if section.get("columns") != expected_columns:
        raise BackupError(f"the columns of {table.name} in the backup do not match this schema")
    expected = header["rows"].get(table.name)
    if not isinstance(expected, int) or expected < 0:
        raise BackupError(f"the backup header has no row count for {table.name}")
    deferred = _self_references(table)
    columns = {column.name: column for column in table.columns}
    statement = insert(table).values(
        {name: bindparam(name, type_=wire_type(columns[name])) for name in expected_columns}
    )
    links: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    for _ in range(expected):
        row = next(lines, None)
        if not isinstance(row, list) or len(row) != len(expected_columns):
            raise BackupError(f"the backup ends early or is damaged inside table {table.name}")
        values = dict(zip(expected_columns, map(_checked_decode, row), strict=True))
        if deferred:
            links.append({f"_{name}": values[name] for name in (*deferred, _key(table).name)})
            values.update(dict.fromkeys(deferred))
        batch.append(values)
        if len(batch) == BATCH_ROWS:
            _insert(connection, statement, batch, table, on_progress)
            batch = []
    _insert(connection, statement, batch, table, on_progress)
    _link(connection, table, deferred, links)
    return expected


def _checked_decode(value: Any) -> Any:
    try:
        return decode_value(value)
    except (KeyError, ValueError, TypeError, ArithmeticError):
        raise BackupError(f"the backup holds a value this version cannot read: {value!r}") from None


def _insert(
    connection: Connection,
    statement: Any,
    batch: list[dict[str, Any]],
    table: Table,
    on_progress: Progress,
) -> None:
    if not batch:
        return
    try:
        connection.execute(statement, batch)
    except DBAPIError as error:
        raise BackupError(
            f"the rows of {table.name} do not fit this database: {error.orig}"
        ) from None
    on_progress(len(batch))


def _link(connection: Connection, table: Table, deferred: list[str], links: list[Any]) -> None:
    links = [link for link in links if any(link[f"_{name}"] is not None for name in deferred)]
    if not links:
        return
    key = _key(table)
    statement = (
        update(table)
        .where(key == bindparam(f"_{key.name}"))
        .values({name: bindparam(f"_{name}") for name in deferred})
    )
    for start in range(0, len(links), BATCH_ROWS):
        connection.execute(statement, links[start : start + BATCH_ROWS])


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL hands out ids from sequences; after explicit ids they must move past them."""
    if connection.dialect.name != "postgresql":
        return
    quote = connection.dialect.identifier_preparer.quote
    for table in tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue  # association tables have no sequence of their own
        name, key = quote(table.name), quote(keys[0].name)
        # Only identifiers from our own metadata, quoted, enter the SQL text; values are bound.
        columns = f"COALESCE(MAX({key}), 1), MAX({key}) IS NOT NULL"
        sql = f"SELECT setval(pg_get_serial_sequence(:table, :column), {columns}) FROM {name}"  # noqa: S608  # nosec B608
        connection.execute(text(sql), {"table": name, "column": keys[0].name})
