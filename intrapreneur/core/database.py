"""Engine set-up that differs per database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

SQLITE_BUSY_SECONDS = 20


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)


def _configure_sqlite(engine: Engine) -> None:
    """Make the embedded database behave like a real one.

    Python's sqlite3 driver opens transactions late and never around DDL, which
    breaks SAVEPOINTs and transactional migrations; we take over BEGIN ourselves
    (the recipe in SQLAlchemy's SQLite notes). Foreign keys are off in SQLite
    unless asked for, and WAL lets readers work while one request writes.

    Transactions start with BEGIN IMMEDIATE: SQLite cannot upgrade a reading
    transaction to a writing one once another writer has committed (it fails at
    once with "database is locked", ignoring the busy timeout), so each
    transaction takes the write lock up front and waits its turn instead. One
    writer at a time is SQLite's model anyway; PostgreSQL is for real load.
    A request waits up to SQLITE_BUSY_SECONDS for its turn (a cohort kick-off of a hundred
    people submitting at once queues for a few seconds), then gets a clear 503.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
