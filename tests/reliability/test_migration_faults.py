"""Migrations that fail, and schemas this version does not know.

A migration that fails after its DDL leaves the schema exactly as it was (the DDL runs in
a transaction, on PostgreSQL and on SQLite as the app drives it). A database migrated by a
newer version is refused at start by the server, the worker and the scheduler, with one
clear line; an empty or older schema still starts (``intrapreneur db upgrade`` runs through
the app) but is not ready until it is upgraded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.runtime.migration import HeadMaintainer, RevisionStep
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from intrapreneur import create_app
from intrapreneur.cli.app import refuse_unknown_schema_or_exit
from intrapreneur.core.schema import MIGRATIONS, schema_revision, shipped
from intrapreneur.extensions import db
from tests.conftest import environment_for

ROOT = Path(__file__).resolve().parents[2]
INTRAPRENEUR = str(Path(sys.executable).with_name("intrapreneur"))
FROM_THE_FUTURE = "9999_from_a_newer_version"
HEAD = shipped().head
BEFORE_HEAD = ScriptDirectory(str(MIGRATIONS)).get_revision(HEAD).down_revision


class InjectedFailure(Exception):
    """Not a RuntimeError, which Flask-Migrate turns into an exit."""


@pytest.fixture
def fresh(empty_database: Callable[[str], Any], tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database of its own, inside an app context."""
    with empty_database("schema_faults") as url:
        app = create_app(environment_for(url, tmp_path / "instance"), TESTING=True)
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def schema() -> dict[str, Any]:
    """Every table with its columns, indexes and constraints, and the recorded revision."""
    found = inspect(db.engine)
    tables = {
        table: (
            [column["name"] for column in found.get_columns(table)],
            sorted(index["name"] for index in found.get_indexes(table)),
            sorted(str(key["name"]) for key in found.get_foreign_keys(table)),
            sorted(str(unique["name"]) for unique in found.get_unique_constraints(table)),
        )
        for table in found.get_table_names()
    }
    with db.engine.connect() as connection:
        return {"tables": tables, "revision": schema_revision(connection)}


def test_a_migration_failing_after_its_ddl_leaves_the_schema_as_it_was(
    fresh: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(revision=BEFORE_HEAD)
    before = schema()
    recording = HeadMaintainer.update_to_step

    def fail_on_reaching_the_head(maintainer: HeadMaintainer, step: RevisionStep) -> None:
        # Every statement of the newest migration has run; now its version cannot be written.
        if HEAD in step.to_revisions:
            raise InjectedFailure("the migration failed after its DDL")
        recording(maintainer, step)

    monkeypatch.setattr(HeadMaintainer, "update_to_step", fail_on_reaching_the_head)
    with pytest.raises(InjectedFailure):
        upgrade()
    monkeypatch.undo()

    db.engine.dispose()  # look through a new connection, as the next deploy would
    assert schema() == before
    assert before["revision"] == BEFORE_HEAD
    upgrade()  # nothing half-done is left in the way of the next attempt
    assert schema()["revision"] == HEAD


def process_environment(app: Flask) -> dict[str, str]:
    return {
        **os.environ,
        **environment_for(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path)),
        "INTRAPRENEUR_REDIS_URL": "redis://127.0.0.1:1/0",  # never reached: refused first
        "PYTHONPATH": str(ROOT),
    }


def start(app: Flask, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [INTRAPRENEUR, *command],
        env=process_environment(app),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_schema_migrated_by_a_newer_version_is_refused_at_start(fresh: Flask) -> None:
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = :v"), {"v": FROM_THE_FUTURE}
        )

    refusal = (
        f"intrapreneur: the database schema is at revision {FROM_THE_FUTURE}, which this version "
        f"of Intrapreneur does not know (its newest is {HEAD}): a newer version migrated it."
    )
    for command in (["serve", "--bind", "127.0.0.1:1"], ["worker", "--burst"], ["scheduler"]):
        started = start(fresh, *command)
        assert started.returncode == 2, (command, started.stderr)
        assert started.stderr.startswith(refusal), (command, started.stderr)
    gunicorn_worker = subprocess.run(
        [sys.executable, "-c", "import intrapreneur.wsgi"],
        env=process_environment(fresh),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert gunicorn_worker.returncode == 2
    assert gunicorn_worker.stderr.startswith(refusal)

    ready = fresh.test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["database"].startswith(f"not ready: {refusal[14:-1]}")


def test_an_empty_or_older_schema_starts_and_is_ready_once_upgraded(fresh: Flask) -> None:
    refuse_unknown_schema_or_exit(fresh)  # a fresh install starts: no SystemExit
    client = fresh.test_client()
    empty = client.get("/readyz")
    assert empty.status_code == 503
    assert empty.json["checks"] == {
        "database": "not ready: the database is empty: run `intrapreneur db upgrade`"
    }

    upgrade(revision=BEFORE_HEAD)
    behind = client.get("/readyz")
    assert behind.status_code == 503
    assert behind.json["checks"]["database"] == (
        f"not ready: the schema is behind (at {BEFORE_HEAD}, needs {HEAD}): "
        "run `intrapreneur db upgrade`"
    )

    # As the Helm hook does: the upgrade command itself is never refused.
    upgraded = start(fresh, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert client.get("/readyz").json == {"status": "ok", "checks": {"database": "ok"}}
