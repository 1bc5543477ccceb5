"""Migration 0037: existing email choices keep the learning digest on; going back drops the
column and the digests not yet sent, keeping the other emails."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from intrapreneur import create_app
from intrapreneur.extensions import db
from tests.conftest import environment_for

PERSON = (
    "INSERT INTO person (id, kind, username, display_name, active, session_version, "
    "access_version, created_at) VALUES (1, 'employee', 'anna', 'Anna', :yes, 0, 0, "
    "CURRENT_TIMESTAMP)"
)
PREFERENCE = (
    "INSERT INTO email_preference (person_id, action_reminders, session_reminders, "
    "review_notifications, review_digests, survey_reminders) "
    "VALUES (1, :no, :yes, :yes, :no, :yes)"
)
EMAIL = (
    "INSERT INTO outgoing_email (person_id, to_address, kind, subject, text_body, html_body, "
    "status, attempts, next_attempt_at, created_at) VALUES (1, 'anna@corp.example', :kind, "
    "'Subject', '', '', 'pending', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


def test_0037_turns_the_learning_digest_on_for_everyone_and_goes_back_cleanly(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    with empty_database("learning_digest") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade(revision="0035")
            db.session.execute(text(PERSON), {"yes": True})
            db.session.execute(text(PREFERENCE), {"yes": True, "no": False})
            db.session.execute(text(EMAIL), {"kind": "review_digest"})
            db.session.commit()

            upgrade(revision="0037")
            row = db.session.execute(
                text("SELECT learning_digests, review_digests FROM email_preference")
            ).one()
            assert (bool(row[0]), bool(row[1])) == (True, False)  # the others kept as chosen
            db.session.execute(text(EMAIL), {"kind": "learning_digest"})
            db.session.commit()

            downgrade(revision="0035")
            kinds = db.session.scalars(text("SELECT kind FROM outgoing_email"))
            assert list(kinds) == ["review_digest"]
            columns = db.session.execute(text("SELECT * FROM email_preference")).keys()
            assert "learning_digests" not in columns
            db.session.remove()
            db.engine.dispose()
