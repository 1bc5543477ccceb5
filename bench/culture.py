"""Culture dashboard benchmark: the published survey figures, the /culture/ page, the
publishing job and the exports against the bare SQL aggregate, at 10 % and at 100 % of the
responses.

The data: 1,000,000 pulse survey responses (default) over 8 waves of the shipped
instrument, from people in 300 departments of Zipf-like sizes, 30 % of them participants
in one of 10 cohorts, the rest the comparison group; each response has its 24 answers and
6 dimension scores (6,000,000 score rows). A management tree gives the ledger managers'
scopes to decide: one head per department reporting to one of 30 managers (10 departments
each, drawn at random), who report to 6 senior managers (50 departments each). The run
seeds 10 % of each wave, measures, seeds the other 90 % and measures again.

1. Views never compute a figure: they print what the publishing job stored when each wave
   closed. ``wave_figures`` over all 8 waves and ``GET /culture/`` signed in as HR, with
   every wave published, against the bare SQL aggregate: the latest wave's two GROUP BYs
   of its finest cells (the ledger's ``wave_totals``, which every figure is added up
   from), replayed on a raw DB-API cursor with every row fetched. Target: within 2×.
2. The publishing job (``publish_closed_waves``), wave after wave as each closes (the day
   after its close, so each wave is decided against the ones before it): seconds per wave
   and in all, against every SELECT it ran replayed bare. No target: it runs once per
   wave, in the background; ``--profile`` shows where its time goes.
3. The exports ``/culture/export.csv.zip`` and ``/culture/export.xlsx``, streamed: time, size
   and the peak of Python memory during the request (tracemalloc). Target: flat, i.e. the
   peak at 100 % at most 1.5× (or 1 MiB above) the peak at 10 %.

A page whose route answers 404 is skipped with a message.

    .venv/bin/python bench/culture.py [--responses 1000000] [--runs 5] [--profile]
    .venv/bin/python bench/culture.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/intrapreneur_bench

With ``--database-url`` the run works in a schema of its own and drops it afterwards.
``bench/suppression.py`` seeds its synthetic organisation with this module, under the old
engine too, so the module imports nothing at the top that only the ledger has.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import random
import signal
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from boards import (
    database,
    print_profile,
    recorded_statements,
    replay,
    signed_in_client,
    timed,
)
from directory import bench_app, say
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import delete, func, insert, select, text

import intrapreneur
from intrapreneur.culture.dashboard import rules_in_force, wave_figures
from intrapreneur.culture.instruments import available
from intrapreneur.culture.models import (
    PublishedFigure,
    SurveyGroup,
    SurveyPublication,
    SurveyWave,
    wave_cohort,
)
from intrapreneur.culture.services import publish_closed_waves
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, PersonKind, PersonRole, Role
from intrapreneur.learning.models import Cohort, Programme

TARGET = 2.0
FLAT_TARGET = 1.5  # peak memory at 100 % over the peak at 10 %, with ten times the data
FLAT_SLACK = 1024 * 1024  # allocator and cache noise below which growth is not growth
SIZES = (0.1, 1.0)
INSTRUMENT = "intrapreneur-culture@1.0"
DEPARTMENTS = 300
COHORTS = 10
WAVES = 8
PARTICIPANT_SHARE = 0.3
ZIPF_EXPONENT = 1.0  # the smallest department then has ~0.05 % of the people
ANSWER_SHEETS = 997  # distinct answer sheets drawn from; enough to spread the means
CHUNK = 20_000  # responses written per batch, so seeding memory stays bounded
DEPARTMENTS_PER_MANAGER = 10
MANAGERS_PER_SENIOR = 5
MANAGER_SEED = 30  # the tree has a generator of its own: the population stays as it was
PROFILE_LINES = 30
MIB = 1024 * 1024
FIRST_WAVE = date(2025, 1, 6)
PAGE = "/culture/"
EXPORTS = ("/culture/export.csv.zip", "/culture/export.xlsx")  # with ?wave= for every wave
RESPONSE_COLUMNS = (
    "id", "wave_id", "pseudonym", "department_id", "cohort_id", '"group"', "answers",
    "comment", "submitted_on",
)  # fmt: skip
SCORE_COLUMNS = (
    "id", "response_id", "wave_id", "dimension", "score", "department_id", "cohort_id",
    '"group"',
)  # fmt: skip

Row = tuple[object, ...]


@dataclass(frozen=True)
class Population:
    """Who the respondents are; index n is person n."""

    pseudonyms: list[str]
    departments: list[int]
    cohorts: list[int | None]  # None: the comparison group

    @property
    def size(self) -> int:
        return len(self.pseudonyms)


@dataclass(frozen=True)
class AnswerSheet:
    answers_json: str
    scores: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Seeded:
    hr_id: int
    wave_ids: list[int]
    population: Population
    sheets: list[AnswerSheet]
    manager_ids: list[int]  # managers, then senior managers


@dataclass(frozen=True)
class Timed:
    label: str
    seconds: float
    latest_bare_seconds: float  # the latest wave's statements: the target's baseline
    all_bare_seconds: float  # every statement it ran
    statements: int

    @property
    def ratio(self) -> float:
        return self.seconds / self.latest_bare_seconds

    @property
    def passed(self) -> bool:
        return self.ratio <= TARGET


@dataclass(frozen=True)
class Streamed:
    url: str
    seconds: float
    size_bytes: int
    peak_bytes: int  # Python memory allocated at the peak of the request, over before it


@dataclass(frozen=True)
class Publishing:
    """The publishing job, wave after wave, against the reads it made replayed bare."""

    per_wave: list[float]  # seconds, oldest wave first
    bare_reads_seconds: float  # every SELECT the job ran, replayed on a raw cursor
    reads: int
    statements: int
    rows: int  # published_figure rows written

    @property
    def seconds(self) -> float:
        return sum(self.per_wave)


@dataclass(frozen=True)
class Measured:
    size_label: str
    cells: int
    timings: list[Timed]
    exports: list[Streamed]
    misses: list[str]
    publishing: Publishing


# -- seeding --------------------------------------------------------------------------------


def seed_fixed(people: int, rng: random.Random) -> Seeded:
    """Departments, cohorts, the HR user, the waves, and who answers: everything but
    the responses."""
    department_ids = _inserted_ids(
        Department, [{"name": f"Department {n:03d}"} for n in range(1, DEPARTMENTS + 1)]
    )
    programme = Programme(name="Intrapreneurship")
    db.session.add(programme)
    db.session.flush()
    cohort_ids = _inserted_ids(
        Cohort,
        [
            {"programme_id": programme.id, "name": f"Cohort {n}", "starts_on": _wave_day(n),
             "ends_on": _wave_day(n + 2)}
            for n in range(COHORTS)
        ],
    )  # fmt: skip
    hr = Person(kind=PersonKind.EMPLOYEE, display_name="HR analyst")
    hr.roles = [PersonRole(role=Role.EMPLOYEE), PersonRole(role=Role.HR)]
    db.session.add(hr)
    db.session.flush()
    manager_ids = seed_managers(department_ids, random.Random(MANAGER_SEED))  # noqa: S311
    wave_ids = _inserted_ids(
        SurveyWave,
        [
            {"title": f"Pulse {n + 1}", "instrument_key": INSTRUMENT, "opens_on": _wave_day(n),
             "closes_on": _wave_day(n) + timedelta(days=21), "created_by_id": hr.id}
            for n in range(WAVES)
        ],
    )  # fmt: skip
    db.session.execute(
        insert(wave_cohort), [{"wave_id": w, "cohort_id": c} for w in wave_ids for c in cohort_ids]
    )
    db.session.commit()
    population = _population(people, department_ids, cohort_ids, rng)
    return Seeded(hr.id, wave_ids, population, _sheets(rng), manager_ids)


def seed_managers(department_ids: list[int], rng: random.Random) -> list[int]:
    """The management tree managers' scopes come from (``Person.manager_id``): a head in
    each department, the departments dealt at random to managers, ten each, and the
    managers to senior managers, five each. Managers have no department of their own, so a
    manager's scope is exactly the departments of the heads below them."""
    shuffled = rng.sample(department_ids, len(department_ids))
    blocks = [shuffled[n : n + DEPARTMENTS_PER_MANAGER]
              for n in range(0, len(shuffled), DEPARTMENTS_PER_MANAGER)]  # fmt: skip
    seniors = _people([f"Senior manager {n + 1}" for n in
                       range(-(-len(blocks) // MANAGERS_PER_SENIOR))])  # fmt: skip
    managers = _people(
        [f"Manager {n + 1}" for n in range(len(blocks))],
        managers=[seniors[n // MANAGERS_PER_SENIOR] for n in range(len(blocks))],
    )
    heads = [(department, manager) for block, manager in zip(blocks, managers, strict=True)
             for department in block]  # fmt: skip
    _people(
        [f"Head of department {department}" for department, _ in heads],
        managers=[manager for _, manager in heads],
        departments=[department for department, _ in heads],
    )
    db.session.execute(
        insert(PersonRole), [{"person_id": p, "role": Role.MANAGER} for p in managers + seniors]
    )
    return managers + seniors


def _people(
    names: list[str], managers: list[int] | None = None, departments: list[int] | None = None
) -> list[int]:
    rows = [
        {"kind": PersonKind.EMPLOYEE, "display_name": name,
         "manager_id": managers[n] if managers else None,
         "department_id": departments[n] if departments else None}
        for n, name in enumerate(names)
    ]  # fmt: skip
    return _inserted_ids(Person, rows)


def _inserted_ids(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    return list(db.session.scalars(insert(model).returning(model.id), rows))


def _wave_day(n: int) -> date:
    return FIRST_WAVE + timedelta(weeks=13 * n)


def _population(
    people: int, department_ids: list[int], cohort_ids: list[int], rng: random.Random
) -> Population:
    weights = [1 / rank**ZIPF_EXPONENT for rank in range(1, len(department_ids) + 1)]
    return Population(
        # 64 hex characters, like the app's keyed pseudonyms, so the index is as large.
        pseudonyms=[hashlib.sha256(b"person %d" % n).hexdigest() for n in range(people)],
        departments=rng.choices(department_ids, weights, k=people),
        cohorts=[
            rng.choice(cohort_ids) if rng.random() < PARTICIPANT_SHARE else None
            for _ in range(people)
        ],
    )


def _sheets(rng: random.Random) -> list[AnswerSheet]:
    instrument = available()[INSTRUMENT]
    scale = range(instrument.scale_min, instrument.scale_max + 1)
    sheets = []
    for _ in range(ANSWER_SHEETS):
        answers = {item.id: rng.choice(scale) for item in instrument.items}
        scores = tuple(instrument.scores(answers).items())
        sheets.append(AnswerSheet(json.dumps(answers), scores))
    return sheets


def seed_responses(data: Seeded, per_wave: int, start: float, stop: float) -> int:
    """Responses ``start`` to ``stop`` (fractions of ``per_wave``) of every wave, with their
    scores; returns how many were written. Ids continue after the ones already there."""
    first_id = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM survey_response")) + 1
    db.session.commit()
    rows = _response_rows(data, per_wave, int(per_wave * start), int(per_wave * stop), first_id)
    written = 0
    connection = db.engine.raw_connection()
    try:
        postgres = db.engine.dialect.name == "postgresql"
        write = _copy if postgres else _executemany
        cursor = connection.cursor()
        # PostgreSQL: bulk load as pg_restore does, without the four foreign-key triggers
        # per score row (the rows are consistent by construction). SQLite: the app's
        # connections autocommit each statement unless a transaction is begun.
        cursor.execute("SET LOCAL session_replication_role = replica" if postgres else "BEGIN")
        while chunk := list(islice(rows, CHUNK)):
            write(cursor, "survey_response", RESPONSE_COLUMNS, [r for r, _ in chunk])
            write(cursor, "survey_score", SCORE_COLUMNS, [s for _, ss in chunk for s in ss])
            written += len(chunk)
        connection.commit()
    finally:
        connection.close()
    return written


def _response_rows(
    data: Seeded, per_wave: int, first: int, stop: int, first_id: int
) -> Iterator[tuple[Row, list[Row]]]:
    """Each response with its score rows. Wave w's respondents are ``per_wave`` people from
    person w × (people / waves) on, wrapping round, so most people answer most waves."""
    population = data.population
    rng = random.Random(first)  # noqa: S311 - reproducible test data, not secrets
    response_id, score_id = first_id, (first_id - 1) * 6 + 1
    for w, wave_id in enumerate(data.wave_ids):
        submitted_on = (_wave_day(w) + timedelta(days=3)).isoformat()
        offset = w * population.size // WAVES
        for n in range(first, stop):
            person = (offset + n) % population.size
            department, cohort = population.departments[person], population.cohorts[person]
            group = SurveyGroup.COMPARISON if cohort is None else SurveyGroup.PARTICIPANT
            sheet = data.sheets[rng.randrange(ANSWER_SHEETS)]
            response = (
                response_id, wave_id, population.pseudonyms[person], department, cohort,
                group.value, sheet.answers_json, "", submitted_on,
            )  # fmt: skip
            scores = [
                (score_id + i, response_id, wave_id, dimension, score, department, cohort,
                 group.value)
                for i, (dimension, score) in enumerate(sheet.scores)
            ]  # fmt: skip
            yield response, scores
            response_id += 1
            score_id += len(scores)


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: list[Row]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write("".join(_copy_line(row) for row in rows))


def _copy_line(row: Row) -> str:
    # COPY's text format; the values hold no tab, newline or backslash.
    return "\t".join(r"\N" if value is None else str(value) for value in row) + "\n"


def _executemany(cursor: Any, table: str, columns: Sequence[str], rows: list[Row]) -> None:
    marks = ", ".join("?" for _ in columns)
    insert_rows = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 - our constants
    cursor.executemany(insert_rows, rows)


def analyse() -> None:
    """Fresh planner statistics and visibility map, as autovacuum leaves a table at rest."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE survey_response, survey_score"))
    else:
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))


# -- measuring ------------------------------------------------------------------------------


def all_waves() -> list[SurveyWave]:
    return list(db.session.scalars(select(SurveyWave).order_by(SurveyWave.opens_on)))


def compute_figures() -> None:
    """What every culture view starts with, in a session of its own, ended as a request's
    is (on SQLite it holds the write lock until then): the stored figures of every wave."""
    try:
        shown = wave_figures(all_waves(), rules_in_force())
        assert len(shown) == WAVES, f"{len(shown)} of {WAVES} waves published"
    finally:
        db.session.remove()


def time_against_sql(label: str, action: Callable[[], object], baseline: list, runs: int) -> Timed:
    """Median time of ``action`` against the medians of the baseline statements and of all
    its own statements replayed bare, alternating so neither always finds the caches warm."""
    with recorded_statements() as statements:
        action()
    action_times, latest_times, all_times = [], [], []
    for _ in range(runs):
        action_times.append(timed(action))
        latest_times.append(timed(lambda: replay(baseline)))
        all_times.append(timed(lambda: replay(statements)))
    return Timed(
        label,
        statistics.median(action_times),
        statistics.median(latest_times),
        statistics.median(all_times),
        len(statements),
    )


def heatmap_aggregate(latest_id: int) -> list:
    """The bare SQL aggregate of the latest wave: the two GROUP BYs of its finest cells
    (respondents; answers and their sum per dimension) that the ledger adds every figure
    up from, as recorded from its own ``wave_totals``."""
    # Imported here: suppression.py imports this module under the old engine too.
    from intrapreneur.culture.ledger.tables import wave_totals

    with recorded_statements() as statements:
        try:
            wave_totals(latest_id)
        finally:
            db.session.remove()
    assert statements, "wave_totals ran no statement"
    return statements


def publish_wave_by_wave() -> list[float]:
    """Run the publishing job the day after each wave closes, oldest first, as the schedule
    does; the seconds each run took (each publishes one wave)."""
    seconds = []
    for wave in all_waves():
        day = wave.closes_on + timedelta(days=1)
        db.session.remove()
        seconds.append(timed(lambda day=day: _publish(day)))
    return seconds


def _publish(today: date) -> None:
    try:
        assert publish_closed_waves(today) == 1, f"not one wave published on {today}"
        db.session.commit()
    finally:
        db.session.remove()


def measure_publishing(wave_ids: Sequence[int]) -> Publishing:
    """Publish every wave afresh (what earlier sizes published is out of date), then replay
    the job's reads bare: how much the ledger adds to reading the answers."""
    unpublish(wave_ids)
    with recorded_statements() as statements:
        per_wave = publish_wave_by_wave()
    reads = [(sql, params) for sql, params in statements if _is_read(sql)]
    bare = timed(lambda: replay(reads))
    rows = db.session.scalar(select(func.count()).select_from(PublishedFigure))
    db.session.remove()
    return Publishing(per_wave, bare, len(reads), len(statements), rows)


def _is_read(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("SELECT", "WITH"))


def profile_publishing(wave_ids: Sequence[int], size_label: str) -> None:
    """cProfile the publishing of every wave again, top functions by own and by cumulative
    time; leaves every wave published."""
    unpublish(wave_ids)
    profiler = cProfile.Profile()
    profiler.runcall(publish_wave_by_wave)
    for order in ("tottime", "cumulative"):
        say(f"\n-- publishing all {WAVES} waves, {size_label}: top {PROFILE_LINES} by {order} --")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats(order).print_stats(PROFILE_LINES)


def unpublish(wave_ids: Sequence[int]) -> None:
    """Drop these waves' publications."""
    with db.engine.begin() as connection:
        publications = select(SurveyPublication.id).where(SurveyPublication.wave_id.in_(wave_ids))
        connection.execute(
            delete(PublishedFigure).where(PublishedFigure.publication_id.in_(publications))
        )
        connection.execute(delete(SurveyPublication).where(SurveyPublication.wave_id.in_(wave_ids)))


def get_page(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"


def route_answers(client: FlaskClient, url: str, misses: list[str]) -> bool:
    """Whether the route is there and answers 200; a 404 is a page not built yet."""
    response = client.get(url, buffered=False)
    status = response.status_code
    response.close()
    if status == 404:
        say(f"  {url}: skipped: route not there yet (404)")
    elif status != 200:
        say(f"  {url}: answered {status}; not measured")
        misses.append(f"{url} answered {status}")
    return status == 200


def stream(client: FlaskClient, url: str) -> int:
    """Read the response chunk by chunk, as a slow client would, keeping none of it."""
    response = client.get(url, buffered=False)
    try:
        return sum(len(chunk) for chunk in response.response)
    finally:
        response.close()


def peak_memory(action: Callable[[], object]) -> int:
    """Peak Python memory allocated during ``action``, over what was allocated before."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        action()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def measure_export(client: FlaskClient, path: str, query: str, runs: int) -> Streamed:
    url = path + query
    seconds = statistics.median(timed(lambda: stream(client, url)) for _ in range(runs))
    return Streamed(path, seconds, stream(client, url), peak_memory(lambda: stream(client, url)))


def finest_cells() -> int:
    """The aggregate's finest cells, (department, cohort, group) per wave: what the figures'
    size follows, rather than the number of responses."""
    try:
        return db.session.scalar(
            text(
                'SELECT count(*) FROM (SELECT DISTINCT wave_id, department_id, cohort_id, "group"'
                " FROM survey_response) AS finest"
            )
        )
    finally:
        db.session.remove()


def measure(app: Flask, data: Seeded, size_label: str, args: Any) -> Measured:
    say(f"\n== {size_label} ==")
    misses: list[str] = []
    client = signed_in_client(app, data.hr_id)
    publishing = measure_publishing(data.wave_ids)
    say(
        f"  published {WAVES} waves in {publishing.seconds:.1f} s "
        f"({', '.join(f'{s:.1f}' for s in publishing.per_wave)} s), "
        f"{publishing.rows:,} figures; its {publishing.reads} reads bare: "
        f"{publishing.bare_reads_seconds:.1f} s"
    )
    if args.profile:
        profile_publishing(data.wave_ids, size_label)
    baseline = heatmap_aggregate(data.wave_ids[-1])
    label = "wave_figures, all waves published"
    timings = [time_against_sql(label, compute_figures, baseline, args.runs)]
    if args.profile:
        print_profile(f"{label}, {size_label}", compute_figures)
    if route_answers(client, PAGE, misses):
        page = f"GET {PAGE}, all waves published"
        timings.append(time_against_sql(page, lambda: get_page(client, PAGE), baseline, args.runs))
        if args.profile:
            print_profile(f"{page}, {size_label}", lambda: get_page(client, PAGE))
    every_wave = "?" + "&".join(f"wave={wave_id}" for wave_id in data.wave_ids)
    exports = [
        measure_export(client, url, every_wave, max(1, args.runs // 2))
        for url in EXPORTS
        if route_answers(client, url + every_wave, misses)
    ]
    return Measured(size_label, finest_cells(), timings, exports, misses, publishing)


def bench(database_url: str, instance: Path, args: Any) -> list[Measured]:
    app = bench_app(database_url, instance)
    per_wave = args.responses // WAVES
    # One answer per person per wave: more respondents per wave than people needs more people.
    people = max(args.people, per_wave)
    results = []
    with app.app_context():
        upgrade()
        data = seed_fixed(people, random.Random(2026))  # noqa: S311 - reproducible test data
        seeded_up_to = 0.0
        for size in SIZES:
            start = time.perf_counter()
            written = seed_responses(data, per_wave, seeded_up_to, size)
            analyse()
            seeded_up_to = size
            total = int(per_wave * size) * WAVES
            say(
                f"  seeded {written:,} responses and {written * 6:,} scores in "
                f"{time.perf_counter() - start:.1f} s: now {total:,} responses from "
                f"{people:,} people, {DEPARTMENTS} departments, {WAVES} waves"
            )
            results.append(measure(app, data, f"{size:.0%}: {total:,} responses", args))
        db.session.remove()
        db.engine.dispose()
    return results


# -- the summary ----------------------------------------------------------------------------


def print_rows(header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    rows = list(rows)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * width for width in widths), *rows]:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def print_timings(label: str, results: list[Measured]) -> None:
    say(f"\n{label}: medians; baseline = the latest wave's two GROUP BYs replayed bare")
    header = ("size", "measure", "time", "latest wave bare", "ratio", "all statements bare",
              "statements", "target", "")  # fmt: skip
    print_rows(
        header,
        (
            (m.size_label, t.label, ms(t.seconds), ms(t.latest_bare_seconds), f"{t.ratio:.2f}×",
             f"{ms(t.all_bare_seconds)} ({t.seconds / t.all_bare_seconds:.2f}×)",
             str(t.statements), f"≤ {TARGET:.0f}×", "ok" if t.passed else "MISSED")
            for m in results
            for t in m.timings
        ),
    )  # fmt: skip


def print_publishing(label: str, results: list[Measured]) -> None:
    say(f"\n{label}: the publishing job, wave after wave; baseline = its reads replayed bare")
    header = ("size", "per wave, oldest first", "all waves", "reads bare", "ratio",
              "statements", "figures stored")  # fmt: skip
    print_rows(
        header,
        (
            (m.size_label, " ".join(f"{s:.1f}" for s in p.per_wave) + " s",
             f"{p.seconds:,.1f} s", f"{p.bare_reads_seconds:,.1f} s ({p.reads})",
             f"{p.seconds / p.bare_reads_seconds:.1f}×", f"{p.statements:,}", f"{p.rows:,}")
            for m in results
            for p in [m.publishing]
        ),
    )  # fmt: skip


def flat(small: Streamed, large: Streamed) -> bool:
    return large.peak_bytes <= max(small.peak_bytes * FLAT_TARGET, small.peak_bytes + FLAT_SLACK)


def export_misses(results: list[Measured]) -> list[str]:
    small, large = results[0].exports, results[-1].exports
    return [
        f"{s.url} memory not flat" for s, big in zip(small, large, strict=False) if not flat(s, big)
    ]


def print_exports(label: str, results: list[Measured]) -> None:
    if not any(m.exports for m in results):
        say(f"\n{label}: no export measured")
        return
    say(f"\n{label}: exports streamed; peak Python memory during the request (tracemalloc)")
    header = ("size", "export", "time", "size", "peak memory growth")
    print_rows(
        header,
        (
            (m.size_label, s.url, ms(s.seconds), f"{s.size_bytes / 1024:,.0f} KiB",
             f"{s.peak_bytes / MIB:.1f} MiB")
            for m in results
            for s in m.exports
        ),
    )  # fmt: skip
    small, large = results[0], results[-1]
    say(
        f"  finest aggregate cells {small.cells:,} → {large.cells:,} "
        f"({large.cells / small.cells:.2f}×)"
    )
    for s, big in zip(small.exports, large.exports, strict=False):
        verdict = "ok" if flat(s, big) else "MISSED"
        say(
            f"  {s.url}: peak {s.peak_bytes / MIB:.1f} → {big.peak_bytes / MIB:.1f} MiB "
            f"({big.peak_bytes / max(s.peak_bytes, 1):.2f}×) for 10× the responses; "
            f"target flat (≤ {FLAT_TARGET}× or +1 MiB): {verdict}"
        )


def arguments(argv: list[str] | None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000, help="at 100 %%, all waves")
    parser.add_argument("--people", type=int, default=100_000, help="people who answer")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each measure")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile one run of each, and the publishing"
    )
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file)")
    return parser.parse_args(argv)


def stop_cleanly_on_sigterm() -> None:
    """``kill`` ends the run as Ctrl+C does: the schema and the temporary folder go. (A run
    started in the background by a script ignores SIGINT.)"""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    stop_cleanly_on_sigterm()
    say(f"Culture dashboard benchmark ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')})")
    say(f"  the app's code: {Path(intrapreneur.__file__).parent}")
    with (
        tempfile.TemporaryDirectory(prefix="intrapreneur-bench-") as workspace,
        ExitStack() as stack,
    ):
        url, label = database(args.database_url, Path(workspace), stack)
        results = bench(url, Path(workspace), args)
    print_timings(label, results)
    print_publishing(label, results)
    print_exports(label, results)
    misses = [t.label for m in results for t in m.timings if not t.passed]
    misses += [miss for m in results for miss in m.misses] + export_misses(results)
    for miss in misses:
        say(f"  missed: {miss}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
