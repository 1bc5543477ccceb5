"""One-file export of all application data, and its restore into an empty database.

The file is gzip'd JSON lines: a header (format, app version, schema revision,
rows per table), then each table in foreign-key order as a ``{"table": …}`` line
followed by one JSON array per row, then an ``{"end": …}`` line. Values that JSON
cannot hold exactly (datetimes, dates, decimals, bytes) are tagged, and JSON
columns are wrapped, so every value comes back as it was.

This is for moving an installation (SQLite to PostgreSQL, one server to another)
and for a portable copy; it is no replacement for the database's own backups
(docs/operations.md).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Enum,
    Integer,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.exc import DBAPIError

from intrapreneur.core.schema import schema_revision
from intrapreneur.extensions import db

FORMAT = "intrapreneur-backup"
FORMAT_VERSION = 1
BATCH_ROWS = 1000

Progress = Callable[[int], None]


class BackupError(Exception):
    """The backup or restore stopped; the message is one line for the operator."""


@dataclass
class Summary:
    revision: str
    rows: dict[str, int] = field(default_factory=dict)

    def describe(self, verb: str) -> str:
        tables = sum(1 for count in self.rows.values() if count)
        return (
            f"{verb} {sum(self.rows.values())} rows in {tables} of {len(self.rows)} tables "
            f"(schema revision {self.revision})."
        )


def _tables() -> list[Table]:
    # Parents before children; every model module is imported by create_app.
    return list(db.metadata.sorted_tables)


def app_version() -> str:
    try:
        return metadata.version("intrapreneur")
    except metadata.PackageNotFoundError:
        return "unknown"


# -- values ---------------------------------------------------------------------------------


def _wire(column: Column[Any]) -> Any:
    """The column as stored: enums travel as their plain string values."""
    return type_coerce(column, String()) if isinstance(column.type, Enum) else column


def _wire_type(column: Column[Any]) -> Any:
    return String() if isinstance(column.type, Enum) else column.type


def encode_value(value: Any, is_json: bool) -> Any:
    if value is None:
        return None
    if is_json:
        return {"$json": value}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _unknown(value: Any) -> Any:
    # A column type added without teaching encode_value about it: stop, rather than guess.
    raise BackupError(f"this version cannot write values of type {type(value).__name__}")


DECODERS: dict[str, Callable[[Any], Any]] = {
    "$json": lambda value: value,
    "$datetime": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$decimal": Decimal,
    "$bytes": lambda value: base64.b64decode(value, validate=True),
}


def decode_value(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    ((tag, raw),) = value.items()
    return DECODERS[tag](raw)


# -- backup ---------------------------------------------------------------------------------


def write_backup(
    engine: Engine,
    path: Path,
    on_progress: Progress = lambda rows: None,
    on_start: Progress = lambda total: None,
) -> Summary:
    """Write every table to ``path`` from one consistent snapshot of the database.

    ``on_start`` hears the number of rows to write, ``on_progress`` each batch written.
    The file appears only when complete: it is written beside ``path`` and renamed.
    """
    with _snapshot(engine) as connection:
        revision = schema_revision(connection)
        if revision is None:
            raise BackupError("the database has no schema yet: nothing to back up")
        summary = Summary(revision)
        for table in _tables():
            summary.rows[table.name] = connection.scalar(select(func.count()).select_from(table))
        on_start(sum(summary.rows.values()))
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": app_version(),
            "schema_revision": revision,
            "database": engine.dialect.name,
            "created_at": datetime.now(UTC).isoformat(),
            "rows": summary.rows,
        }
        with _replaced_atomically(path) as stream:
            write_line(stream, header)
            for table in _tables():
                _write_table(connection, table, stream, on_progress)
            write_line(stream, {"end": True, "tables": len(summary.rows)})
    return summary


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only connection in one transaction that sees one moment of the database.

    PostgreSQL: REPEATABLE READ, so rows committed by others meanwhile stay invisible.
    SQLite: one transaction is already a snapshot.
    """
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin() as transaction:
            yield connection
            transaction.rollback()  # nothing was written: ending the read is a rollback


def _write_table(connection: Connection, table: Table, stream: Any, on_progress: Progress) -> None:
    columns = list(table.columns)
    json_columns = [isinstance(column.type, JSON) for column in columns]
    write_line(stream, {"table": table.name, "columns": [column.name for column in columns]})
    query = select(*(_wire(column) for column in columns)).order_by(*table.primary_key.columns)
    result = connection.execution_options(yield_per=BATCH_ROWS).execute(query)
    for batch in result.partitions():
        for row in batch:
            write_line(stream, [encode_value(v, j) for v, j in zip(row, json_columns, strict=True)])
        on_progress(len(batch))


def write_line(stream: Any, value: Any) -> None:
    stream.write(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_unknown))
    stream.write("\n")


@contextmanager
def _replaced_atomically(path: Path) -> Iterator[Any]:
    """A gzip text stream whose file takes the name ``path`` only once it is complete."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise BackupError(f"cannot write in {path.parent}: {error.strerror}") from None
    os.close(handle)
    partial = Path(name)
    try:
        with gzip.open(partial, "wt", encoding="utf-8") as stream:
            yield stream
        partial.chmod(0o600)  # the file holds everything: personal data, the audit log
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


# -- restore --------------------------------------------------------------------------------


def read_header(path: Path) -> dict[str, Any]:
    """The header of the backup at ``path``; BackupError when it is not one."""
    with _reader(path) as lines:
        return _header(lines)


def restore_backup(
    engine: Engine, path: Path, *, force: bool = False, on_progress: Progress = lambda rows: None
) -> Summary:
    """Load the backup at ``path`` into the database, all of it or (on any problem) nothing."""
    with _reader(path) as lines, engine.begin() as connection:
        header = _header(lines)
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
        for table in _tables():
            summary.rows[table.name] = _restore_table(connection, table, header, lines, on_progress)
        if next(lines, {}).get("end") is not True:
            raise BackupError("the backup file has no end marker: it is incomplete")
        _reset_sequences(connection)
    return summary


@contextmanager
def _reader(path: Path) -> Iterator[Iterator[Any]]:
    """Parsed lines of the file; damage of any kind becomes one BackupError."""
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        yield _parsed(stream)


def _parsed(stream: Any) -> Iterator[Any]:
    try:
        for number, line in enumerate(stream, start=1):
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                raise BackupError(f"line {number} of the backup is not valid JSON") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise BackupError(
            f"the backup file is damaged or incomplete ({type(error).__name__}: {error})"
        ) from None


def _header(lines: Iterator[Any]) -> dict[str, Any]:
    header = next(lines, None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("this is not an Intrapreneur backup file")
    if header.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format {header.get('format_version')} is not supported "
            f"by this version (it reads format {FORMAT_VERSION})"
        )
    if not isinstance(header.get("rows"), dict) or not header.get("schema_revision"):
        raise BackupError("the backup header is incomplete")
    return header


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
        for table in _tables()
    )


# Tables whose triggers refuse DELETE (migration 0001): only a forced restore, replacing the
# whole database inside one transaction, lifts the guard, and puts it back before committing.
APPEND_ONLY = ("audit_event",)


def _empty(connection: Connection) -> None:
    for table in reversed(_tables()):
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
        {name: bindparam(name, type_=_wire_type(columns[name])) for name in expected_columns}
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
    for table in _tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue  # association tables have no sequence of their own
        name, key = quote(table.name), quote(keys[0].name)
        # Only identifiers from our own metadata, quoted, enter the SQL text; values are bound.
        columns = f"COALESCE(MAX({key}), 1), MAX({key}) IS NOT NULL"
        sql = f"SELECT setval(pg_get_serial_sequence(:table, :column), {columns}) FROM {name}"  # noqa: S608  # nosec B608
        connection.execute(text(sql), {"table": name, "column": keys[0].name})
