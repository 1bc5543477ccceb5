"""0031: existing departments belong to no business unit and keep their people; a unit's
department may share another unit's name, and the downgrade names them apart again."""

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


def _insert(statement: str, **values: Any) -> None:
    db.session.execute(text(statement), values)


def _departments() -> dict[int, str]:
    rows = db.session.execute(text("SELECT id, name FROM department ORDER BY id")).all()
    return {department_id: name for department_id, name in rows}


def test_0031_keeps_departments_without_unit_and_downgrades_same_names_apart(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    with empty_database("business_units") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade(revision="0030")
            _insert(
                "INSERT INTO department (id, name, created_at) VALUES "
                "(1, 'Finance', CURRENT_TIMESTAMP), (2, 'Sales', CURRENT_TIMESTAMP)"
            )
            _insert(
                "INSERT INTO person (id, kind, username, display_name, department_id, active, "
                "session_version, access_version, created_at) "
                "VALUES (1, 'employee', 'ann', 'Ann', 1, :yes, 0, 0, CURRENT_TIMESTAMP)",
                yes=True,
            )
            db.session.commit()

            upgrade(revision="0031")
            rows = db.session.execute(
                text("SELECT id, name, business_unit_id FROM department ORDER BY id")
            ).all()
            assert [tuple(row) for row in rows] == [(1, "Finance", None), (2, "Sales", None)]
            person = db.session.execute(
                text("SELECT department_id, country, location, business_unit_id FROM person")
            ).one()
            assert tuple(person) == (1, None, None, None)

            # Units make same-named departments possible; without a unit, names stay unique.
            _insert(
                "INSERT INTO business_unit (id, name, created_at) VALUES "
                "(1, 'Retail', CURRENT_TIMESTAMP), (2, 'Wholesale', CURRENT_TIMESTAMP)"
            )
            _insert(
                "INSERT INTO department (id, name, business_unit_id, created_at) VALUES "
                "(3, 'Finance', 1, CURRENT_TIMESTAMP), (4, 'Finance', 2, CURRENT_TIMESTAMP), "
                "(5, 'Legal', 2, CURRENT_TIMESTAMP)"
            )
            _insert("UPDATE person SET department_id = 4, business_unit_id = 2, country = 'DE'")
            db.session.commit()
            for unit in (None, 1):
                with pytest.raises(IntegrityError), db.session.begin_nested():
                    _insert(
                        "INSERT INTO department (name, business_unit_id, created_at) "
                        "VALUES ('Finance', :unit, CURRENT_TIMESTAMP)",
                        unit=unit,
                    )
            db.session.commit()

            downgrade(revision="0030")
            assert _departments() == {
                1: "Finance",
                2: "Sales",
                3: "Finance (Retail)",
                4: "Finance (Wholesale)",
                5: "Legal",
            }
            department = db.session.execute(text("SELECT department_id FROM person")).scalar()
            assert department == 4
            db.session.remove()
            db.engine.dispose()
