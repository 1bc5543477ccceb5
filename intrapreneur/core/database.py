"""Engine set-up that differs per database."""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any

from flask import Flask, g, has_request_context
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from intrapreneur.extensions import db

log = logging.getLogger(__name__)

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


def end_sessions_safely(app: Flask) -> None:
    """End each request's database session before Flask-SQLAlchemy's own teardown does.

    Registered after it, so it runs first. A connection the database cut after the answer
    was ready (a restart or failover mid-request) fails its closing ROLLBACK; the answer has
    been decided, so the connection is thrown away instead of turning it into a bare 500.
    """

    @app.teardown_appcontext
    def _end_session(_: BaseException | None) -> None:
        try:
            db.session.remove()
        except DBAPIError as error:
            log.warning(
                "dropped a database connection the server had cut: %s", type(error.orig).__name__
            )
            db.session().invalidate()
            db.session.remove()


class CommitOutcome(Enum):
    """What an outage met: before any commit, a commit sent but never confirmed (the server
    may have made it durable before the connection was cut), or after a confirmed commit."""

    NONE = "none"
    UNKNOWN = "unknown"
    SAVED = "saved"


def note_commits_in_requests() -> None:
    """Remember, per request, whether it committed: an outage after the commit (while the
    next page is built) must not tell the person that nothing was saved, and one that cut
    the COMMIT itself must not claim either outcome."""
    if not event.contains(Engine, "commit", _note_commit_sent):
        event.listen(Engine, "commit", _note_commit_sent)
    if not event.contains(Session, "after_commit", _note_commit):
        event.listen(Session, "after_commit", _note_commit)


def _note_commit_sent(connection: Connection) -> None:
    # Fired just before the driver's COMMIT (a whole transaction's, never a SAVEPOINT's).
    if has_request_context():
        g.database_commit_unconfirmed = True


def _note_commit(session: Session) -> None:
    # Releasing a SAVEPOINT fires the event too; only the whole transaction's commit counts.
    if has_request_context() and not session.in_nested_transaction():
        g.database_committed = True
        g.database_commit_unconfirmed = False


def commit_outcome() -> CommitOutcome:
    if g.get("database_commit_unconfirmed"):
        return CommitOutcome.UNKNOWN
    return CommitOutcome.SAVED if g.get("database_committed") else CommitOutcome.NONE
