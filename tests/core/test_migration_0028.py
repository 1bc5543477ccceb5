"""0028: tokens issued before API tokens expired get a year from the upgrade, not a stop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from intrapreneur import create_app
from intrapreneur.extensions import db
from intrapreneur.identity.models import ApiClient
from tests.conftest import environment_for


def test_0028_gives_existing_tokens_a_year_and_downgrades_cleanly(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    with empty_database("token_expiry") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade(revision="0026")
            db.session.execute(
                text(
                    "INSERT INTO person (id, kind, username, display_name, active, "
                    "session_version, created_at) "
                    "VALUES (1, 'employee', 'ann', 'Ann', :yes, 1, CURRENT_TIMESTAMP)"
                ),
                {"yes": True},
            )
            db.session.execute(
                text(
                    "INSERT INTO api_client (id, name, scope, token_prefix, token_hash, "
                    "created_by_id, created_at) VALUES (1, 'Warehouse', 'culture:read', "
                    "'ipr_abc', :hash, 1, CURRENT_TIMESTAMP)"
                ),
                {"hash": "f" * 64},
            )
            db.session.commit()

            before = datetime.now(UTC)
            upgrade(revision="0028")

            expires_at = db.session.scalars(select(ApiClient.expires_at)).one()
            year = timedelta(days=365)
            assert before + year <= expires_at <= datetime.now(UTC) + year
            db.session.remove()
            columns = {c["name"]: c for c in inspect(db.engine).get_columns("api_client")}
            assert columns["expires_at"]["nullable"] is False

            downgrade(revision="0026")
            columns = {c["name"] for c in inspect(db.engine).get_columns("api_client")}
            assert "expires_at" not in columns
            assert db.session.execute(text("SELECT name FROM api_client")).scalar() == "Warehouse"
            db.session.remove()
            db.engine.dispose()
