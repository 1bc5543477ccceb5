"""The database's schema revision against the migrations this version ships.

A version must not run on a schema it does not know (a newer version migrated the database,
and this one was rolled back): it would read and write columns whose meaning it has never
heard of. A schema behind the newest migration, or an empty database, is only waiting for
``intrapreneur db upgrade``: the app starts (so that the upgrade can run through it) but is
not ready.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
VERSION_TABLE = "alembic_version"


class SchemaNotReady(Exception):
    """The schema is not the one this version needs; the message says what to run."""


@dataclass(frozen=True)
class Shipped:
    head: str
    revisions: frozenset[str]


@cache
def shipped() -> Shipped:
    scripts = ScriptDirectory(str(MIGRATIONS))
    head = scripts.get_current_head()
    assert head is not None
    return Shipped(head, frozenset(script.revision for script in scripts.walk_revisions()))


def schema_revision(connection: Connection) -> str | None:
    # Read directly: Alembic's MigrationContext logs on every call, and /readyz calls often.
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.scalar(text("SELECT version_num FROM alembic_version"))


@dataclass(frozen=True)
class SchemaState:
    revision: str | None  # None: no migration has run (an empty database)

    @property
    def known(self) -> bool:
        return self.revision is None or self.revision in shipped().revisions

    @property
    def problem(self) -> str | None:
        """Why the app cannot serve on this schema, and what to do; None when it can."""
        head = shipped().head
        if self.revision == head:
            return None
        if self.revision is None:
            return "the database is empty: run `intrapreneur db upgrade`"
        if not self.known:
            return (
                f"the database schema is at revision {self.revision}, which this version of "
                f"Intrapreneur does not know (its newest is {head}): a newer version migrated "
                "it. Run that version, or downgrade the database with it first"
            )
        return (
            f"the schema is behind (at {self.revision}, needs {head}): "
            "run `intrapreneur db upgrade`"
        )


def refuse_unknown_schema(engine: Engine) -> None:
    """Raise SchemaNotReady if the database was migrated past what this version knows."""
    with engine.connect() as connection:
        state = SchemaState(schema_revision(connection))
    if not state.known:
        raise SchemaNotReady(state.problem)


def require_current_schema(connection: Connection) -> None:
    """Raise SchemaNotReady unless the schema is this version's newest (for /readyz)."""
    problem = SchemaState(schema_revision(connection)).problem
    if problem is not None:
        raise SchemaNotReady(problem)
