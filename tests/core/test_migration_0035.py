"""0035: events written before it lose every name, address and typed login (people become
numbers, typed text its keyed hash, the same one the app now writes); afterwards only the
retention path deletes, and the downgrade puts back the guard that refuses every DELETE."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.exc import DatabaseError

from intrapreneur import create_app
from intrapreneur.core.audit_retention import delete_events_before
from intrapreneur.core.models import AuditEvent
from intrapreneur.core.services import typed_text_hash
from intrapreneur.extensions import db
from tests.conftest import environment_for

EVENTS = AuditEvent.__table__  # its columns are the same at 0034 and 0035
NOW = datetime.now(UTC)
LONG_AGO = datetime(2015, 3, 1, tzinfo=UTC)

# (actor id, actor label, action, object, details) as 0034's app wrote them.
OLD_EVENTS: list[tuple[Any, ...]] = [
    (1, "Ann Lee <ann.lee@corp.example>", "auth.signed_in", 1, {"method": "directory"}),
    (None, "system", "auth.sign_in_refused", None, {"reason": "wrong_password", "login": "ANN"}),
    (None, "system", "auth.sign_in_refused", None, {"reason": "x", "login": " Mallory "}),
    (None, "system", "auth.sign_in_refused", None, {"reason": "saml", "login": ""}),
    (None, "system", "auth.password_reset_requested", 2, {"email": "gus@guest.example"}),
    (None, "system", "auth.password_reset_requested", None, {"email": "ann.lee@corp.example"}),
    (None, "system", "auth.password_reset_requested", None, {"email": "who@nowhere.example"}),
    (
        None,
        "system",
        "person.updated",
        1,
        {"source": "sync", "display_name": "Ann Lee", "email": "a@x.example", "country": "GB"},
    ),
    (1, "Ann Lee <ann.lee@corp.example>", "audit_log.exported", None, {"person": "Gus Grant"}),
    (2, "Gus Grant <gus@guest.example>", "guest.accepted_invitation", 2, {"invitation_id": 4}),
]
NAMES = ("ann lee", "ann.lee@", "a@x.example", "mallory", "gus@", "gus grant", "who@nowhere")


def _write_people_and_events() -> None:
    for person_id, kind, username, email, name in (
        (1, "employee", "ann", "Ann.Lee@corp.example", "Ann Lee"),
        (2, "guest", None, "gus@guest.example", "Gus Grant"),
    ):
        db.session.execute(
            text(
                "INSERT INTO person (id, kind, username, email, display_name, active, "
                "session_version, access_version, created_at) "
                "VALUES (:id, :kind, :username, :email, :name, :yes, 0, 0, CURRENT_TIMESTAMP)"
            ),
            {
                "id": person_id,
                "kind": kind,
                "username": username,
                "email": email,
                "name": name,
                "yes": True,
            },
        )
    db.session.execute(
        insert(EVENTS),
        [
            {
                "id": number,
                "occurred_at": NOW - timedelta(days=number),
                "actor_id": actor_id,
                "actor_label": label,
                "action": action,
                "object_type": None if object_id is None else "person",
                "object_id": None if object_id is None else str(object_id),
                "details": details,
            }
            for number, (actor_id, label, action, object_id, details) in enumerate(
                OLD_EVENTS, start=1
            )
        ],
    )
    db.session.commit()


def _rows() -> dict[int, tuple[Any, ...]]:
    rows = db.session.execute(
        select(EVENTS.c.id, EVENTS.c.actor_label, EVENTS.c.object_id, EVENTS.c.details)
    )
    return {row.id: (row.actor_label, row.object_id, row.details) for row in rows}


def _refused(statement: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(text(statement))


def _old_event(number: int) -> int:
    db.session.execute(
        insert(EVENTS).values(
            id=number, occurred_at=LONG_AGO, actor_label="system", action="old.event", details={}
        )
    )
    return number


def test_0035_forgets_names_keeps_events_and_lets_only_retention_delete(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    with empty_database("audit_names") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade(revision="0034")
            _write_people_and_events()

            upgrade(revision="0035")

            rows = _rows()
            assert rows == {
                1: ("person", "1", {"method": "directory"}),
                2: ("system", "1", {"reason": "wrong_password"}),  # "ANN" is Ann
                3: ("system", None, {"reason": "x", "login_hash": typed_text_hash("mallory")}),
                4: ("system", None, {"reason": "saml"}),
                5: ("system", "2", {}),
                6: ("system", "1", {}),
                7: ("system", None, {"login_hash": typed_text_hash("who@nowhere.example")}),
                8: (
                    "system",
                    "1",
                    {
                        "source": "sync",
                        "changed": ["country", "display_name", "email"],
                        "country": "GB",
                    },
                ),
                9: ("person", None, {"person_filter_hash": typed_text_hash("gus grant")}),
                10: ("person", "2", {"invitation_id": 4}),
            }
            stored = str(db.session.execute(text("SELECT * FROM audit_event")).all()).lower()
            assert not [name for name in NAMES if name in stored]
            names = db.session.execute(select(AuditEvent.id, AuditEvent.actor_name)).all()
            assert dict(names)[1] == "Ann Lee" and dict(names)[2] == "system"

            _refused("UPDATE audit_event SET action = 'rewritten'")
            _refused("DELETE FROM audit_event")
            old = _old_event(100)
            _refused(f"DELETE FROM audit_event WHERE id = {old}")  # noqa: S608
            assert delete_events_before(NOW - timedelta(days=3 * 365), limit=100) == 1
            db.session.commit()
            assert len(_rows()) == len(OLD_EVENTS)
            db.session.remove()  # SQLite: the downgrade's connection needs the write lock

            downgrade(revision="0034")

            assert "audit_retention_cutoff" not in inspect(db.engine).get_table_names()
            assert _rows() == rows  # the names do not come back
            old = _old_event(101)
            db.session.commit()
            _refused(f"DELETE FROM audit_event WHERE id = {old}")  # noqa: S608
            _refused("UPDATE audit_event SET action = 'rewritten'")
            db.session.remove()
            db.engine.dispose()
