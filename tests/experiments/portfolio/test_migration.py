"""Migration 0039 on the test's database (SQLite, or PostgreSQL when configured): the role's
CHECK takes "sponsor" only from 0039 on, existing email choices get the digest on, and going
back removes the sponsor grants and keeps every other."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from intrapreneur import create_app
from intrapreneur.extensions import db
from tests.conftest import environment_for

GRANT = "INSERT INTO person_role (person_id, role, source) VALUES (1, :role, 'directory')"


def test_0039_lets_the_directory_grant_sponsor_and_downgrades_cleanly(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    with empty_database("sponsor_role") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade(revision="0035")
            db.session.execute(
                text(
                    "INSERT INTO person (id, kind, username, display_name, active, "
                    "session_version, access_version, created_at) VALUES (1, 'employee', "
                    "'sam', 'Sam', :yes, 0, 0, CURRENT_TIMESTAMP)"
                ),
                {"yes": True},
            )
            db.session.execute(text(GRANT), {"role": "hr"})
            db.session.execute(
                text(
                    "INSERT INTO email_preference (person_id, action_reminders, "
                    "session_reminders, review_notifications, review_digests, "
                    "survey_reminders) VALUES (1, :no, :no, :no, :no, :no)"
                ),
                {"no": False},
            )
            db.session.commit()
            with pytest.raises(IntegrityError):
                db.session.execute(text(GRANT), {"role": "sponsor"})
            db.session.rollback()

            upgrade(revision="0039")
            db.session.execute(text(GRANT), {"role": "sponsor"})
            db.session.commit()
            roles = db.session.scalars(text("SELECT role FROM person_role ORDER BY role"))
            assert list(roles) == ["hr", "sponsor"]
            digest = db.session.scalar(text("SELECT sponsor_digests FROM email_preference"))
            assert bool(digest) is True  # on, as every email kind starts
            with pytest.raises(IntegrityError):
                db.session.execute(text(GRANT), {"role": "chief"})
            db.session.rollback()

            downgrade(revision="0035")
            roles = db.session.scalars(text("SELECT role FROM person_role"))
            assert list(roles) == ["hr"]
            db.session.remove()
            db.engine.dispose()
