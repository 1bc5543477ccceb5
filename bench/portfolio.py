"""Portfolio benchmark: the sponsor portfolio over 5,000 ventures against its bare SQL.

5,000 ventures (a third open to the organisation) started by people in 10 business units
and 4 cohorts, each with 4 cards (requests, approvals, decisions with parents) and 2 reviews:
20,000 cards and 10,000 reviews. Measured, as in ``boards.py``, against the very statements
recorded once and replayed on a raw DB-API cursor with every row fetched:

1. the portfolio's data (``experiments.portfolio.queries.portfolio``) for a sponsor, whole
   and filtered by a unit and a period: what the page, the PDF and the digest read;
2. the page itself through the Flask test client (its seven Plotly figures and templates).

Target: the data within 2× its bare SQL.

    .venv/bin/python bench/portfolio.py [--ventures 5000] [--runs 20]
    .venv/bin/python bench/portfolio.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/intrapreneur_bench
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from boards import (
    Measured,
    database,
    measure,
    print_table,
    recorded_statements,
    replay,
    signed_in_client,
    timed,
)
from directory import bench_app, say
from flask_migrate import upgrade
from sqlalchemy import insert, select

from intrapreneur.experiments.models import (
    Column,
    Decision,
    Evidence,
    Experiment,
    Review,
    ReviewTag,
    Stage,
    TeamRole,
    Venture,
    VentureMember,
    Visibility,
)
from intrapreneur.experiments.portfolio.figures import PortfolioFilters
from intrapreneur.experiments.portfolio.queries import portfolio
from intrapreneur.extensions import db
from intrapreneur.identity.models import BusinessUnit, Person, PersonKind, PersonRole, Role
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus, Programme

TARGET = 2.0
UNITS, COHORTS = 10, 4
START = datetime(2026, 1, 5, 12, tzinfo=UTC)
STAGES, COLUMNS, DECISIONS = list(Stage), list(Column), list(Decision)
EVIDENCE = list(Evidence)


def seed(ventures: int) -> int:
    """The portfolio; returns the sponsor's id."""
    units = [BusinessUnit(name=f"Unit {n}") for n in range(UNITS)]
    programme = Programme(name="Ignite")
    cohorts = [
        Cohort(programme=programme, name=f"Cohort {n}", starts_on=date(2026, 1, 1),
               ends_on=date(2026, 12, 31))
        for n in range(COHORTS)
    ]  # fmt: skip
    db.session.add_all([*units, *cohorts])
    sponsor = Person(kind=PersonKind.EMPLOYEE, display_name="Sponsor", email="s@corp.example")
    sponsor.roles = [PersonRole(role=Role.EMPLOYEE), PersonRole(role=Role.SPONSOR)]
    db.session.add(sponsor)
    db.session.flush()
    makers = [
        db.session.execute(
            insert(Person).returning(Person.id),
            {"kind": PersonKind.EMPLOYEE, "display_name": f"Maker {n}",
             "business_unit_id": units[n % UNITS].id},
        ).scalar_one()
        for n in range(ventures)
    ]  # fmt: skip
    db.session.execute(
        insert(Enrolment),
        [
            {"cohort_id": cohorts[n % COHORTS].id, "person_id": person_id,
             "status": EnrolmentStatus.ACCEPTED}
            for n, person_id in enumerate(makers)
        ],
    )  # fmt: skip
    venture_ids = [
        db.session.execute(
            insert(Venture).returning(Venture.id),
            {
                "title": f"Venture {n}",
                "stage": STAGES[n % len(STAGES)],
                "visibility": Visibility.ORGANISATION if n % 3 == 0 else Visibility.PRIVATE,
                "created_by_id": person_id,
                "created_at": START + timedelta(hours=n),
            },
        ).scalar_one()
        for n, person_id in enumerate(makers)
    ]
    db.session.execute(
        insert(VentureMember),
        [
            {"venture_id": v, "person_id": p, "role": TeamRole.OWNER}
            for v, p in zip(venture_ids, makers, strict=True)
        ],
    )
    for n, (venture_id, owner_id) in enumerate(zip(venture_ids, makers, strict=True)):
        _cards_and_reviews(n, venture_id, owner_id, sponsor.id)
    db.session.commit()
    return sponsor.id


def _cards_and_reviews(n: int, venture_id: int, owner_id: int, reviewer_id: int) -> None:
    made = START + timedelta(hours=n)
    parent = None
    for k in range(4):
        decided = k < 2
        parent = db.session.execute(
            insert(Experiment).returning(Experiment.id),
            {
                "venture_id": venture_id,
                "owner_id": owner_id,
                "parent_id": parent,
                "title": f"Card {k} of {n}",
                "column": Column.DECIDED if decided else COLUMNS[(n + k) % 4],
                "cost_requested": Decimal(100 * (k + 1)),
                "days_requested": Decimal(k),
                "budget_approved": (True, False, None)[(n + k) % 3],
                "decision": DECISIONS[(n + k) % 4] if decided else None,
                "decided_at": made + timedelta(days=10 * (k + 1)) if decided else None,
                "evidence": EVIDENCE[(n + k) % 3],
                "created_at": made + timedelta(days=k),
            },
        ).scalar_one()
        if k < 2:
            db.session.execute(
                insert(Review),
                {
                    "venture_id": venture_id,
                    "experiment_id": parent,
                    "reviewer_id": reviewer_id,
                    "tag": (ReviewTag.SUPPORT, ReviewTag.CHALLENGE)[(n + k) % 2],
                    "comment": "A review",
                    "budget_approved": (n + k) % 3 == 0 or None,
                    "approved_cost": Decimal(50 * (k + 1)) if (n + k) % 3 == 0 else 0,
                    "approved_days": Decimal(0),
                    "created_at": made + timedelta(days=k, hours=3),
                },
            )


def measure_data(label: str, action: Callable[[], object], runs: int) -> Measured:
    """The data's median time against the median replay of its statements."""
    with recorded_statements() as statements:
        action()
    rows = replay(statements)
    data, bare = [], []
    for _ in range(runs):
        db.session.remove()  # a fresh session per run, as each request has
        data.append(timed(action))
        bare.append(timed(lambda: replay(statements)))
    return Measured(label, statistics.median(data), statistics.median(bare), len(statements), rows)


def bench(database_url: str, instance: Path, args: Any) -> list[Measured]:
    app = bench_app(database_url, instance)
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        sponsor_id = seed(args.ventures)
        say(f"  seeded {args.ventures:,} ventures in {time.perf_counter() - start:.1f} s")
        unit = db.session.scalar(select(BusinessUnit.id).order_by(BusinessUnit.id))
        choices = {
            "whole": PortfolioFilters(),
            "unit and period": PortfolioFilters(
                business_unit_id=unit, since=date(2026, 3, 1), until=date(2026, 6, 30)
            ),
        }
        results = []
        with app.test_request_context():
            for name, filters in choices.items():

                def data(filters: PortfolioFilters = filters) -> object:
                    reader = db.session.get(Person, sponsor_id)
                    return portfolio(reader, filters, date(2026, 12, 8))

                label = f"portfolio data, {args.ventures:,} ventures, {name}"
                results.append(measure_data(label, data, args.runs))
        db.session.remove()
        page = measure(
            f"portfolio page, {args.ventures:,} ventures",
            signed_in_client(app, sponsor_id),
            "/portfolio",
            args.runs,
        )
        db.engine.dispose()
    return [*results, *([page] if page else [])]


def arguments(argv: list[str] | None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ventures", type=int, default=5000, help="ventures in the portfolio")
    parser.add_argument("--runs", type=int, default=20, help="timed reads of each")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    say(f"Portfolio benchmark ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d')})")
    with (
        tempfile.TemporaryDirectory(prefix="intrapreneur-bench-") as workspace,
        ExitStack() as stack,
    ):
        url, label = database(args.database_url, Path(workspace), stack)
        results = bench(url, Path(workspace), args)
    print_table(label, results)
    data = [m for m in results if m.label.startswith("portfolio data")]
    return 0 if all(m.ratio <= TARGET for m in data) else 1


if __name__ == "__main__":
    sys.exit(main())
