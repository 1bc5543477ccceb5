"""The migrations, run on an empty database, build exactly what the models describe."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from intrapreneur import create_app
from intrapreneur.extensions import db
from tests.conftest import environment_for


def test_migrations_match_the_models_and_downgrade_cleanly(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    with empty_database("migrations") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                differences = compare_metadata(context, db.metadata)
            assert differences == []

            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()
