"""Writing a backup: every table, from one consistent snapshot of the database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Connection, Engine, Table, func, select

from intrapreneur.core.backup.files import write_file
from intrapreneur.core.backup.format import (
    BATCH_ROWS,
    FORMAT,
    FORMAT_VERSION,
    BackupError,
    Progress,
    Summary,
    app_version,
    encode_value,
    line,
    tables,
    wire,
)
from intrapreneur.core.backup.keys import Recipient
from intrapreneur.core.schema import schema_revision


def write_backup(
    engine: Engine,
    path: Path,
    *,
    recipients: Sequence[Recipient] | None,
    on_progress: Progress = lambda rows: None,
    on_start: Progress = lambda total: None,
) -> Summary:
    """Write every table to ``path`` from one consistent snapshot of the database.

    ``recipients`` are the public keys the file is encrypted to; ``None`` writes it
    unencrypted, which the caller must have been asked for. ``on_start`` hears the number
    of rows to write, ``on_progress`` each batch written. The file appears only when
    complete: it is written beside ``path`` and renamed.
    """
    if recipients is not None and not recipients:
        raise BackupError("an encrypted backup needs at least one recipient (a public key)")
    with _snapshot(engine) as connection:
        revision = schema_revision(connection)
        if revision is None:
            raise BackupError("the database has no schema yet: nothing to back up")
        summary = Summary(revision)
        for table in tables():
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
        write_file(path, _chunks(connection, header, on_progress), recipients)
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


def _chunks(connection: Connection, header: dict[str, Any], on_progress: Progress) -> Iterator[str]:
    """The file's text, a batch of lines at a time, read as the writer asks for it."""
    yield line(header)
    for table in tables():
        yield from _table_chunks(connection, table, on_progress)
    yield line({"end": True, "tables": len(header["rows"])})


def _table_chunks(connection: Connection, table: Table, on_progress: Progress) -> Iterator[str]:
    columns = list(table.columns)
    json_columns = [isinstance(column.type, JSON) for column in columns]
    yield line({"table": table.name, "columns": [column.name for column in columns]})
    query = select(*(wire(column) for column in columns)).order_by(*table.primary_key.columns)
    result = connection.execution_options(yield_per=BATCH_ROWS).execute(query)
    for batch in result.partitions():
        yield "".join(
            line([encode_value(v, j) for v, j in zip(row, json_columns, strict=True)])
            for row in batch
        )
        on_progress(len(batch))
