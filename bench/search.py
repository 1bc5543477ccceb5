"""Search benchmark: an answer of the search page's query against the bare full-text SQL.

200,000 indexed items (ventures, experiments and learning cards of 25,000 ventures, and
the challenges, questions and commitments of 500 sessions), their text drawn from a
vocabulary with a long tail, so that a common word matches about a tenth of everything
and a rare one a handful. The reader is an employee in one set; a fifth of the ventures
are private to other teams.

For each query: ``search.queries.search`` (visibility, filters, ranking, one page of 20,
highlighted snippets) against the bare full-text SQL for the same words (SQLite: FTS5
MATCH ranked by bm25; PostgreSQL: ``@@`` ranked by ts_rank; the first 21 ids), run on a
raw DB-API cursor. Target: within 2×.

    .venv/bin/python bench/search.py [--items 200000] [--runs 15]
    .venv/bin/python bench/search.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/intrapreneur_bench

With ``--database-url`` the run works in a schema of its own and drops it afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from boards import database
from directory import bench_app, say
from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from intrapreneur.experiments.models import (
    Column,
    Decision,
    Evidence,
    Experiment,
    TeamRole,
    Venture,
    VentureMember,
    Visibility,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, PersonRole, Role
from intrapreneur.learning.models import (
    Action,
    BarrierCategory,
    Cohort,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    Question,
    SessionFormat,
    SetMembership,
)
from intrapreneur.search import queries, sources, text
from intrapreneur.search.models import SearchItem

TARGET = 2.0
NOW = datetime.now(UTC)
CARDS_PER_VENTURE = 3  # each: an experiment item and a learning-card item
SESSIONS = 500
PAGE = 20
# Words: a few very common, a long tail of rare ones (Zipf), all real-looking syllables.
SYLLABLES = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "va", "go", "le", "zu"]


@dataclass(frozen=True)
class Measured:
    label: str
    answer_seconds: float
    bare_seconds: float
    matches: int

    @property
    def ratio(self) -> float:
        return self.answer_seconds / self.bare_seconds


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    return list(words)


class Writer:
    """Sentences of Zipf-distributed words: word n is drawn with weight 1 / (n + 1)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary(5000, rng)
        self.weights = [1 / (n + 1) for n in range(len(self.words))]

    def __call__(self, count: int) -> str:
        return " ".join(self.rng.choices(self.words, self.weights, k=count))


def seed(items: int, writer: Writer) -> int:
    """Everything in bulk (Core inserts: no flush, so no per-row index writes), then the
    index built in one pass by the app's own statements (``sources.rebuild``)."""
    people = [{"kind": PersonKind.EMPLOYEE, "display_name": f"Person {n}"} for n in range(2000)]
    db.session.execute(insert(Person), people)
    person_ids = list(db.session.scalars(select(Person.id).order_by(Person.id)))
    reader_id = person_ids[0]
    db.session.execute(
        insert(PersonRole), [{"person_id": p, "role": Role.EMPLOYEE} for p in person_ids]
    )
    set_items = SESSIONS * 50  # 10 challenges, 20 questions, 20 commitments a session
    ventures = max(1, (items - set_items) // (1 + 2 * CARDS_PER_VENTURE))
    rng = writer.rng
    owners = [rng.choice(person_ids[1:]) for _ in range(ventures)]
    db.session.execute(
        insert(Venture),
        [
            {
                "title": f"Venture {writer(3)}",
                "problem": writer(25),
                "customer": writer(8),
                "visibility": Visibility.PRIVATE if n % 5 == 0 else Visibility.ORGANISATION,
                "created_by_id": owners[n],
                "created_at": NOW - timedelta(days=n % 700),
            }
            for n in range(ventures)
        ],
    )
    venture_ids = list(db.session.scalars(select(Venture.id).order_by(Venture.id)))
    db.session.execute(
        insert(VentureMember),
        [
            {"venture_id": v, "person_id": o, "role": TeamRole.OWNER}
            for v, o in zip(venture_ids, owners, strict=True)
        ],
    )
    decisions = list(Decision)
    for start in range(0, len(venture_ids), 5000):
        db.session.execute(
            insert(Experiment),
            [
                {
                    "venture_id": v,
                    "owner_id": owners[start + i],
                    "title": f"Card {writer(4)}",
                    "hypothesis": writer(20),
                    "test": writer(10),
                    "metric": writer(4),
                    "success_criterion": writer(6),
                    "evidence": rng.choice(list(Evidence)),
                    "column": Column.DECIDED,
                    "observation": writer(25),
                    "learning": writer(25),
                    "evidence_data": writer(8),
                    "decision": rng.choice(decisions),
                    "decided_at": NOW - timedelta(days=rng.randint(0, 700)),
                    "created_at": NOW - timedelta(days=700),
                }
                for i, v in enumerate(venture_ids[start : start + 5000])
                for _ in range(CARDS_PER_VENTURE)
            ],
        )
    _sessions(reader_id, person_ids, writer)
    db.session.flush()
    sources.rebuild()
    db.session.commit()
    return reader_id


def _sessions(reader_id: int, person_ids: list[int], writer: Writer) -> None:
    programme = Programme(name="Bench")
    cohort = Cohort(
        programme=programme,
        name="Bench",
        starts_on=date.today() - timedelta(days=300),
        ends_on=date.today() + timedelta(days=60),
    )
    sets = [LearningSet(cohort=cohort, name=f"Set {n}") for n in range(50)]
    db.session.add_all(sets)
    db.session.flush()
    db.session.add(
        SetMembership(set_id=sets[0].id, person_id=reader_id, joined_on=cohort.starts_on)
    )
    db.session.execute(
        insert(LearningSession),
        [
            {
                "set_id": sets[n % 50].id,
                "format": SessionFormat.MASTERMIND,
                "starts_at": NOW - timedelta(days=n % 300),
                "ends_at": NOW - timedelta(days=n % 300) + timedelta(hours=2),
                "agenda": [],
            }
            for n in range(SESSIONS)
        ],
    )
    session_ids = list(db.session.scalars(select(LearningSession.id)))
    rng = writer.rng
    db.session.execute(
        insert(HotSeat),
        [
            {
                "session_id": s,
                "person_id": rng.choice(person_ids),
                "challenge_title": writer(5),
                "challenge_description": writer(30),
                "barrier": BarrierCategory.TIME,
            }
            for s in session_ids
            for _ in range(10)
        ],
    )
    seats = list(db.session.execute(select(HotSeat.id, HotSeat.session_id, HotSeat.person_id)))
    db.session.execute(
        insert(Question),
        [
            {"hot_seat_id": seat.id, "asked_by_id": rng.choice(person_ids), "text": writer(12)}
            for seat in seats
            for _ in range(2)
        ],
    )
    db.session.execute(
        insert(Action),
        [
            {
                "session_id": seat.session_id,
                "hot_seat_id": seat.id,
                "owner_id": seat.person_id,
                "description": writer(15),
                "due_on": date.today(),
                "learning": writer(10),
            }
            for seat in seats
            for _ in range(2)
        ],
    )


def bare_sql(postgresql: bool, words: tuple[str, ...]) -> list[tuple[str, Any]]:
    """The full-text query alone, for the same words: one page of ranked ids, in two
    forms (the index alone, and joined to its rows, which SQLite happens to sort faster);
    the faster of the two is the baseline."""
    if postgresql:
        query = (
            "(SELECT plainto_tsquery('english'::regconfig, %(words)s) "
            "|| plainto_tsquery('simple'::regconfig, %(words)s) AS q) AS query"
        )
        parameters = {"words": " ".join(words)}
        return [
            (
                f"SELECT id FROM search_item, {query} WHERE vector @@ q "  # noqa: S608 (constant)
                "ORDER BY ts_rank(vector, q) DESC, id LIMIT 21",
                parameters,
            ),
            (
                f"SELECT id FROM search_item, {query} WHERE vector @@ q "  # noqa: S608 (constant)
                "ORDER BY ts_rank(vector, q) DESC LIMIT 21",
                parameters,
            ),
        ]
    parameters = (text.fts5_all(words),)
    return [
        (
            "SELECT rowid FROM search_fts WHERE search_fts MATCH ? "
            "ORDER BY bm25(search_fts, 10.0, 1.0), rowid LIMIT 21",
            parameters,
        ),
        (
            "SELECT search_item.id FROM search_fts JOIN search_item "
            "ON search_item.id = search_fts.rowid WHERE search_fts MATCH ? "
            "ORDER BY bm25(search_fts, 10.0, 1.0), search_item.id LIMIT 21",
            parameters,
        ),
    ]


def replay(statement: str, parameters: Any) -> int:
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(statement, parameters)
        rows = len(cursor.fetchall())
        cursor.close()
        connection.rollback()
        return rows
    finally:
        connection.close()


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(label: str, reader_id: int, words: str, runs: int) -> Measured:
    postgresql = db.engine.dialect.name == "postgresql"
    query = text.parse(words)
    bare = bare_sql(postgresql, query.terms)

    reader = db.session.get(Person, reader_id)  # a page has its reader loaded already
    assert reader is not None

    def answer() -> int:
        results = queries.search(
            reader, query, queries.Filters(), today=date.today(), language="en"
        )
        return len(results.hits)

    assert answer() > 0 and all(replay(*sql) > 0 for sql in bare), f"{words!r} finds nothing"
    matches = db.session.scalar(_count(postgresql, query.terms)) or 0
    answers: list[float] = []
    bares: list[list[float]] = [[] for _ in bare]
    for _ in range(runs):
        answers.append(timed(answer))
        for times, sql in zip(bares, bare, strict=True):
            times.append(timed(lambda sql=sql: replay(*sql)))
    db.session.remove()
    fastest = min(statistics.median(times) for times in bares)
    return Measured(label, statistics.median(answers), fastest, matches)


def _count(postgresql: bool, terms: tuple[str, ...]) -> Any:
    if postgresql:
        tsquery = func.plainto_tsquery("english", " ".join(terms))
        return select(func.count()).where(SearchItem.vector.op("@@")(tsquery))
    return (
        select(func.count())
        .select_from(queries.FTS)
        .where(queries.FTS_NAME.op("MATCH")(text.fts5_all(terms)))
    )


def bench(database_url: str, instance: Path, args: Any) -> list[Measured]:
    app = bench_app(database_url, instance)
    writer = Writer(random.Random(23))  # noqa: S311  (test data, the same every run)
    with app.app_context(), app.test_request_context():
        upgrade()
        start = time.perf_counter()
        reader_id = seed(args.items, writer)
        indexed = db.session.scalar(select(func.count()).select_from(SearchItem))
        say(f"  seeded and indexed {indexed:,} items in {time.perf_counter() - start:.1f} s")
        db.session.remove()
        words = writer.words
        results = [
            measure("a common word", reader_id, words[0], args.runs),
            measure("a middling word", reader_id, words[30], args.runs),
            measure("a rare word", reader_id, words[800], args.runs),
            measure("two words", reader_id, f"{words[1]} {words[5]}", args.runs),
        ]
        db.engine.dispose()
    return results


def print_table(label: str, results: list[Measured]) -> None:
    say(f"\n{label}: median of the runs, search answer against the bare full-text SQL")
    header = ("query", "matches", "answer", "bare SQL", "ratio", "target", "")
    rows = [
        (m.label, f"{m.matches:,}", f"{m.answer_seconds * 1000:.1f} ms",
         f"{m.bare_seconds * 1000:.1f} ms", f"{m.ratio:.2f}×", f"≤ {TARGET:.0f}×",
         "ok" if m.ratio <= TARGET else "MISSED")
        for m in results
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * width for width in widths), *rows]:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=200_000, help="items in the index")
    parser.add_argument("--runs", type=int, default=15, help="timed answers of each query")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file)")
    args = parser.parse_args(argv)
    say(f"Search benchmark ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')} UTC)")
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
