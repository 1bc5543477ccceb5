"""Board and review-queue benchmarks: what a page costs beyond the SQL that feeds it.

1. The manager's review queue (``/reviews``) of a manager with 5,000 people below
   them in a management tree, each owning a venture with a card waiting for review.
2. A venture's board (``/ventures/<id>``) with 2,000 cards.

Each page is rendered through the Flask test client and timed against its baseline,
measured in the same run: the very statements the page ran (recorded once), replayed
on a raw DB-API cursor with every row fetched. The ratio is what the app adds on top
of the database: ORM, permission checks, templates. Target: within 2×.

    .venv/bin/python bench/boards.py [--reports 5000] [--cards 2000] [--runs 20]
    .venv/bin/python bench/boards.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/intrapreneur_bench

With ``--database-url`` the run works in a schema of its own and drops it afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from directory import bench_app, postgres_schema, say
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, insert, select

from intrapreneur.experiments.models import (
    Assumption,
    Column,
    Evidence,
    Experiment,
    TeamRole,
    Venture,
    VentureMember,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, PersonRole, Role

TARGET = 2.0
SQL_SHOWN = 150  # characters of each statement printed by --show-sql
PROFILE_LINES = 25
REPORTS_PER_MANAGER = 8
NOW = datetime.now(UTC)
# Columns a 2,000-card board spreads over; Decided cards carry no learning card here,
# which the page does not need to render the board.
BOARD_COLUMNS = [Column.BACKLOG, Column.DESIGNING, Column.RUNNING, Column.ANALYSING]


@dataclass(frozen=True)
class Seeded:
    manager_id: int
    board_venture_id: int
    board_owner_id: int


@dataclass(frozen=True)
class Measured:
    label: str
    page_seconds: float
    bare_seconds: float
    statements: int
    rows: int

    @property
    def ratio(self) -> float:
        return self.page_seconds / self.bare_seconds


# -- seeding --------------------------------------------------------------------------------


def seed(reports: int, cards: int) -> Seeded:
    """A manager above ``reports`` people (8 reports per manager, so a tree 5 levels deep
    for 5,000), each owning a venture with one waiting card and one in the backlog; a peer
    manager's team of the same shape, which the queue must leave out; and one venture of
    ``cards`` cards owned by a report."""
    manager_id = _people(reports, "Report", root_role=Role.MANAGER)
    _people(reports // 5, "Peer report", root_role=Role.MANAGER)
    report_ids = list(
        db.session.scalars(select(Person.id).where(Person.id > manager_id).order_by(Person.id))
    )
    venture_ids = _ventures(report_ids)
    rows = []
    for n, (venture_id, owner_id) in enumerate(zip(venture_ids, report_ids, strict=True)):
        waiting = NOW - timedelta(minutes=n)
        rows.append(_card(venture_id, owner_id, f"Waiting {n}", Column.RUNNING, waiting))
        rows.append(_card(venture_id, owner_id, f"Backlog {n}", Column.BACKLOG, None))
    board_owner_id = report_ids[0]
    board_venture_id = venture_ids[0]
    rows += [
        _card(board_venture_id, board_owner_id, f"Card {n}", BOARD_COLUMNS[n % 4], None)
        for n in range(cards)
    ]
    db.session.execute(insert(Experiment), rows)
    db.session.commit()
    return Seeded(manager_id, board_venture_id, board_owner_id)


def _people(count: int, name: str, *, root_role: Role) -> int:
    """A root and ``count`` people below it; person n reports to person (n - 1) // 8."""
    root = Person(kind=PersonKind.EMPLOYEE, display_name=f"{name}s' manager")
    root.roles = [PersonRole(role=Role.EMPLOYEE), PersonRole(role=root_role)]
    db.session.add(root)
    db.session.flush()
    ids = [root.id]
    for n in range(1, count + 1):
        ids.append(
            db.session.execute(
                insert(Person).returning(Person.id),
                {
                    "kind": PersonKind.EMPLOYEE,
                    "display_name": f"{name} {n}",
                    "manager_id": ids[(n - 1) // REPORTS_PER_MANAGER],
                },
            ).scalar_one()
        )
    return root.id


def _ventures(owner_ids: list[int]) -> list[int]:
    venture_ids = []
    for owner_id in owner_ids:
        venture_ids.append(
            db.session.execute(
                insert(Venture).returning(Venture.id),
                {"title": f"Venture of {owner_id}", "created_by_id": owner_id, "updated_at": NOW},
            ).scalar_one()
        )
    db.session.execute(
        insert(VentureMember),
        [
            {"venture_id": v, "person_id": p, "role": TeamRole.OWNER}
            for v, p in zip(venture_ids, owner_ids, strict=True)
        ],
    )
    return venture_ids


def _card(
    venture_id: int, owner_id: int, title: str, column: Column, waiting: datetime | None
) -> dict[str, Any]:
    return {
        "venture_id": venture_id,
        "owner_id": owner_id,
        "title": title,
        "hypothesis": "Shop owners would share vans.",
        "assumption": Assumption.DESIRABILITY,
        "success_criterion": "Six of ten say yes.",
        "starts_on": date.today(),
        "ends_on": date.today() + timedelta(days=14),
        "evidence": Evidence.SAY,
        "column": column,
        "moved_at": NOW,
        "updated_at": NOW,
        "review_requested_at": waiting,
    }


# -- measuring ------------------------------------------------------------------------------


@contextmanager
def recorded_statements() -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def replay(statements: list[tuple[str, Any]]) -> int:
    """The bare SQL: the page's own statements on a raw DB-API cursor, every row fetched."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        rows = 0
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            rows += len(cursor.fetchall()) if cursor.description else 0
        cursor.close()
        connection.rollback()
        return rows
    finally:
        connection.close()


def print_profile(label: str, action: Callable[[], object]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(action)
    say(f"\n-- {label}: one render, top {PROFILE_LINES} functions by cumulative time --")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(PROFILE_LINES)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(
    label: str,
    client: FlaskClient,
    url: str,
    runs: int,
    *,
    show_sql: bool = False,
    profile: bool = False,
) -> Measured | None:
    """Median page time against the median replay of its statements, alternating the two
    so neither always finds the caches warm."""
    with recorded_statements() as statements:
        response = client.get(url)
    if response.status_code == 404:
        say(f"  {label}: {url} answers 404 (the page is not there yet); skipped")
        return None
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    rows = replay(statements)
    if show_sql:
        for statement, _ in statements:
            say("    " + " ".join(statement.split())[:SQL_SHOWN])
    if profile:
        print_profile(label, lambda: client.get(url))
    page, bare = [], []
    for _ in range(runs):
        page.append(timed(lambda: client.get(url)))
        bare.append(timed(lambda: replay(statements)))
    return Measured(label, statistics.median(page), statistics.median(bare), len(statements), rows)


class FreshContextClient(FlaskClient):
    """Each request in its own application context, hence its own database session, as in
    production, although the benchmark holds a context open to time the bare SQL."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


def signed_in_client(app: Flask, person_id: int) -> FlaskClient:
    client = FreshContextClient(app, app.response_class, use_cookies=True)
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person is not None
        session_id = person.get_id()  # carries the session version sign-out raises
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


def bench(database_url: str, instance: Path, args: Any) -> list[Measured]:
    app = bench_app(database_url, instance)
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        data = seed(args.reports, args.cards)
        seconds = time.perf_counter() - start
        say(f"  seeded {args.reports:,} reports and a {args.cards:,}-card board in {seconds:.1f} s")
        db.session.remove()
        options = {"show_sql": args.show_sql, "profile": args.profile}
        results = [
            measure(
                f"review queue, {args.reports:,} reports",
                signed_in_client(app, data.manager_id),
                "/reviews",
                args.runs,
                **options,
            ),
            measure(
                f"board, {args.cards:,} cards",
                signed_in_client(app, data.board_owner_id),
                f"/ventures/{data.board_venture_id}",
                args.runs,
                **options,
            ),
        ]
        db.engine.dispose()
    return [result for result in results if result is not None]


def print_table(label: str, results: list[Measured]) -> None:
    say(f"\n{label}: median of the runs, page against its statements replayed bare")
    header = ("page", "page", "bare SQL", "ratio", "statements", "rows", "target", "")
    rows = [
        (m.label, f"{m.page_seconds * 1000:.1f} ms", f"{m.bare_seconds * 1000:.1f} ms",
         f"{m.ratio:.2f}×", str(m.statements), f"{m.rows:,}", f"≤ {TARGET:.0f}×",
         "ok" if m.ratio <= TARGET else "MISSED")
        for m in results
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * width for width in widths), *rows]:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def arguments(argv: list[str] | None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=5000, help="people below the manager")
    parser.add_argument("--cards", type=int, default=2000, help="cards on the board")
    parser.add_argument("--runs", type=int, default=20, help="timed renders of each page")
    parser.add_argument("--show-sql", action="store_true", help="print each page's statements")
    parser.add_argument("--profile", action="store_true", help="cProfile one render of each")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file)")
    return parser.parse_args(argv)


def database(postgres_url: str | None, workspace: Path, stack: ExitStack) -> tuple[str, str]:
    """The URL to bench against and its label: a throwaway PostgreSQL schema, or SQLite."""
    if postgres_url:
        return stack.enter_context(postgres_schema(postgres_url)), "PostgreSQL"
    return f"sqlite:///{workspace / 'bench.db'}", "SQLite"


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    say(f"Board and review-queue benchmark ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d')})")
    with (
        tempfile.TemporaryDirectory(prefix="intrapreneur-bench-") as workspace,
        ExitStack() as stack,
    ):
        url, label = database(args.database_url, Path(workspace), stack)
        results = bench(url, Path(workspace), args)
    print_table(label, results)
    return 0 if all(m.ratio <= TARGET for m in results) else 1


if __name__ == "__main__":
    sys.exit(main())
