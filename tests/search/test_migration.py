"""Migration 0036 builds the index for the rows already there, exactly as the app would
(its frozen statements against ``search.sources``), and full text finds them at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from intrapreneur import create_app
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, PersonRole, Role
from intrapreneur.search import queries, sources, text
from intrapreneur.search.models import SearchItem
from tests.conftest import environment_for
from tests.search.world import build


def _people(*roles: Role, kind: PersonKind = PersonKind.EMPLOYEE, **values: Any) -> Person:
    base = Role.GUEST if kind is PersonKind.GUEST else Role.EMPLOYEE
    person = Person(
        kind=kind,
        display_name=values.pop("display_name", "Someone"),
        roles=[PersonRole(role=role) for role in dict.fromkeys((base, *roles))],
        **values,
    )
    db.session.add(person)
    db.session.flush()
    return person


def _rows() -> set[tuple[Any, ...]]:
    columns = [SearchItem.__table__.c[name] for name in sources.COLUMNS]
    return {tuple(row) for row in db.session.execute(select(*columns))}


def test_0036_fills_the_index_as_the_app_builds_it(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    # The rows are written by today's models on today's schema (the app keeps the index as
    # it goes); the schema then goes back to before the index, and 0036 must build the same.
    with empty_database("search_fill") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade()
            counter = iter(range(1, 100))

            def make_person(*roles: Role, **values: Any) -> Person:
                number = next(counter)
                values.setdefault("display_name", f"Person {number}")
                values.setdefault("email", f"p{number}@corp.example")
                return _people(*roles, **values)

            def make_guest(**values: Any) -> Person:
                return make_person(kind=PersonKind.GUEST, **values)

            world = build(make_person, make_guest)
            db.session.commit()
            kept_by_the_app = _rows()
            assert {kind for kind, *_ in kept_by_the_app} == {
                "venture",
                "experiment",
                "learning",
                "challenge",
                "question",
                "commitment",
            }
            found = queries.search(
                world.people["hr"],
                text.parse("pangolin"),
                queries.Filters(),
                today=date.today(),
                language="en",
            )
            assert {hit.kind.value for hit in found.hits} == {"challenge", "question"}

            db.session.close()  # the reads' transaction ends before the schema changes
            downgrade(revision="0035")
            assert "search_item" not in inspect(db.engine).get_table_names()
            assert not any(
                name.startswith("search_fts") for name in inspect(db.engine).get_table_names()
            )
            upgrade(revision="0036")
            assert _rows() == kept_by_the_app
            db.session.close()
            db.engine.dispose()
