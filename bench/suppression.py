"""Safe, and still useful: how much of the survey figures each audience loses to anonymity,
before (the per-table engine of de4b950) and after (the release ledger), on the same data.

Each engine runs in a process of its own with its code first on PYTHONPATH (a git worktree
of the old commit; this checkout for the new one). The process seeds an organisation into
a fresh database with that code's migrations, publishes every closed wave with that code's
job (``publish_closed_waves``), reads every figure each audience could see through that
code's own view API, and compares it with the truth the benchmark counts itself from
``survey_response`` and ``survey_score``. A figure with nobody behind it is not a figure.

Audiences, over every closed wave:

* **HR**, the organisation's table: every group of department × cohort × group (each
  margin), per family: its respondent count, and each dimension's mean (one figure per
  dimension the group has answers on). Broken down by level too.
* **Managers** (everyone with reports; their scope is the departments of everyone below
  them): their whole scope narrowed by cohort and group, and their departments' heatmap.
  Old engine: computed per request over their departments only
  (``wave_figures(waves, rules, departments)``); ledger: the published scope figures and
  the organisation's figures of their departments.
* **Distribution bands** (HR): each dimension's half-point bins with someone in them; a
  bin is hidden unless its count can be read on its own (a hidden band; in the ledger, a
  bin merged with others into a band, or the whole distribution hidden).
* **Comments** (HR): departments whose free-text comments may be listed.

Two shares per audience and family: figures hidden, and people behind hidden figures over
people behind all figures (respondents for counts, bins and comments; answers for means):
"the share of respondents whose group is hidden", counting each respondent once per figure.

Organisations: ``demo`` (``seed_demo_organisation``: 7 departments, two closed waves of
synthetic answers) and ``synthetic`` (``culture.py``'s seeding at ``--responses``, with its
management tree of 30 managers over 10 departments each and 6 senior managers over 5).

    git worktree add --detach /tmp/before de4b950
    .venv/bin/python bench/suppression.py --before /tmp/before --responses 100000
    .venv/bin/python bench/suppression.py --before /tmp/before --responses 1000000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/intrapreneur_bench
    git worktree remove /tmp/before
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

import culture
from boards import database
from culture import stop_cleanly_on_sigterm
from directory import quiet_logs, say
from flask_migrate import upgrade
from sqlalchemy import select, text

import intrapreneur
from intrapreneur import create_app
from intrapreneur.cli.demo_data import seed_demo_organisation
from intrapreneur.culture import aggregates, dashboard, queries
from intrapreneur.culture.aggregates import Filters
from intrapreneur.culture.services import publish_closed_waves
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person

# Imported in the process that runs one engine, with that engine's code on PYTHONPATH:
# whatever the ledger alone has is imported where it is used.
BENCH = Path(__file__).resolve().parent
CHECKOUT = BENCH.parent
TABLE = ("department", "cohort", "group")
NONE = "none"
RESPONDENTS = "respondents"
COUNTS, MEANS = "respondent counts", "means"
BINS, DISTRIBUTIONS, COMMENTS = "half-point bins", "whole distributions", "departments"
FAMILIES = (COUNTS, MEANS, BINS, DISTRIBUTIONS, COMMENTS)
HR, SCOPE, HEATMAP = "HR: organisation table", "managers: their scope", "managers: departments"
BANDS, COMMENTS_AUDIENCE = "HR: distribution bands", "HR: comments"
ORDER = (HR, SCOPE, HEATMAP, BANDS, COMMENTS_AUDIENCE)
ENGINES = ("before", "after")

Cell = tuple[str, str, str]  # (department, cohort, group), "none" where there is none
Key = frozenset[tuple[str, str]]  # a group's coordinates


@dataclass
class Tally:
    figures: int = 0
    hidden: int = 0
    people: int = 0
    hidden_people: int = 0

    def add(self, people: int, hidden: bool) -> None:
        self.figures += 1
        self.people += people
        if hidden:
            self.hidden += 1
            self.hidden_people += people

    def share(self) -> str:
        return f"{self.hidden / self.figures:6.1%}" if self.figures else "–"

    def people_share(self) -> str:
        return f"{self.hidden_people / self.people:6.1%}" if self.people else "–"


# -- the truth ------------------------------------------------------------------------------


def wave_cells(wave_id: int) -> dict[Cell, Counter[str]]:
    """The finest cells of a wave: respondents, and answers per dimension, from the tables."""
    cells: dict[Cell, Counter[str]] = defaultdict(Counter)
    responses = text(
        'SELECT department_id, cohort_id, "group", count(*) FROM survey_response'
        ' WHERE wave_id = :wave GROUP BY department_id, cohort_id, "group"'
    )
    for department, cohort, group, n in db.session.execute(responses, {"wave": wave_id}):
        cells[_cell(department, cohort, group)][RESPONDENTS] = n
    scores = text(
        'SELECT department_id, cohort_id, "group", dimension, count(*) FROM survey_score'
        ' WHERE wave_id = :wave GROUP BY department_id, cohort_id, "group", dimension'
    )
    for department, cohort, group, dimension, n in db.session.execute(scores, {"wave": wave_id}):
        cells[_cell(department, cohort, group)][dimension] = n
    return cells


def _cell(department: int | None, cohort: int | None, group: str) -> Cell:
    return (
        NONE if department is None else str(department),
        NONE if cohort is None else str(cohort),
        str(group),
    )


def margins(
    cells: dict[Cell, Counter[str]],
    dimensions: Sequence[str] = TABLE,
    departments: set[str] | None = None,
) -> dict[Key, Counter[str]]:
    """Every group of these dimensions (each margin) over the cells of these departments."""
    totals: dict[Key, Counter[str]] = defaultdict(Counter)
    for cell, counts in cells.items():
        if departments is not None and cell[0] not in departments:
            continue
        pairs = [(d, value) for d, value in zip(TABLE, cell, strict=True) if d in dimensions]
        for size in range(len(pairs) + 1):
            for kept in combinations(pairs, size):
                totals[frozenset(kept)].update(counts)
    return totals


def level(key: Key) -> str:
    names = [d for d in TABLE if d in dict(key)]
    return " × ".join(names) or "everyone"


# The table's levels, finest first: department × cohort × group, department × cohort, …
LEVELS = [
    " × ".join(kept) or "everyone"
    for size in range(len(TABLE), -1, -1)
    for kept in combinations(TABLE, size)
]


# -- the engines' views ---------------------------------------------------------------------


class Views:
    """What an audience sees, through the code on PYTHONPATH (the old engine or the
    ledger): per closed wave, the organisation's figures, a manager's scope and heatmap,
    the bands and the comment departments."""

    def __init__(self, today: date) -> None:
        self.ledger = importlib.util.find_spec("intrapreneur.culture.ledger") is not None
        self.rules = dashboard.rules_in_force()
        self.waves = queries.published_series(today)
        self.series = dashboard.wave_figures(self.waves, self.rules)
        assert len(self.series) == len(self.waves), "a closed wave is not published"

    def organisation(self, index: int) -> dict[Key, Any]:
        return {frozenset(f.group.items()): f for f in self.series[index].selected()}

    def manager(self, departments: set[str]) -> list[Callable[[Key, bool], Any]]:
        """Per wave, a lookup of the manager's figure of a group: ``scoped`` for their
        whole scope (coordinates without a department), else their heatmap's."""
        if self.ledger:
            from intrapreneur.culture.ledger.people import scope_key

            scope = scope_key(departments)

            def published(figures: Any, key: Key, scoped: bool) -> Any:
                coordinates = dict(key)
                found = figures.scoped(scope, **coordinates) if scoped else None
                assert found is not None or not scoped, f"scope {scope} not published"
                return found or figures.get(**coordinates)

            return [lambda key, scoped, f=f: published(f, key, scoped) for f in self.series]
        computed = dashboard.wave_figures(self.waves, self.rules, departments)
        return [lambda key, _scoped, f=f: f.get(**dict(key)) for f in computed]

    def hidden_bins(self, index: int, dimension: str, bins: list[float]) -> set[float]:
        """The bins (with someone in them) whose count cannot be read on its own."""
        bands = self.series[index].distribution(dimension)
        if not self.ledger:
            return {float(band.score) for band in bands if band.respondents is None}
        if bands is None:
            return set(bins)
        merged = set()
        for band in bands:
            inside = [b for b in bins if band.low <= b <= band.high]
            if len(inside) > 1:
                merged.update(inside)
        return merged

    def comment_departments(self, index: int) -> set[str]:
        return self.series[index].comment_departments()


def figure_hidden(figure: Any, dimension: str) -> bool:
    """Whether a figure's respondent count (``RESPONDENTS``) or a dimension's mean is
    hidden; the old engine's figures have no ``is_hidden``."""
    assert figure.label != "no responses", f"{figure.group}: no figure where people answered"
    if dimension == RESPONDENTS or figure.hidden:
        return figure.hidden
    if hasattr(figure, "is_hidden") and figure.is_hidden(dimension):
        return True
    return figure.means.get(dimension) is None


# -- tallying -------------------------------------------------------------------------------


Tallies = dict[tuple[str, str], Tally]
Manager = tuple[set[str], list[Callable[[Key, bool], Any]]]  # departments, per-wave lookups


def tally_groups(
    tallies: Tallies, audience: str, totals: dict[Key, Counter[str]], lookup: Callable
) -> None:
    """Each group's count and each of its means, as one audience sees them."""
    for key, counts in totals.items():
        figure = lookup(key)
        for dimension, people in counts.items():
            family = COUNTS if dimension == RESPONDENTS else MEANS
            hidden = figure_hidden(figure, dimension)
            tallies[audience, family].add(people, hidden)
            if audience == HR:
                tallies[f"  {level(key)}", family].add(people, hidden)


def tally_wave(tallies: Tallies, views: Views, index: int, managers: list[Manager]) -> None:
    wave = views.waves[index]
    cells = wave_cells(wave.id)
    totals = margins(cells)
    tally_groups(tallies, HR, totals, views.organisation(index).__getitem__)
    for departments, lookups in managers:
        lookup = lookups[index]
        scope = margins(cells, ("cohort", "group"), departments)
        tally_groups(tallies, SCOPE, scope, lambda key, lookup=lookup: lookup(key, True))
        heatmap = {k: c for k, c in totals.items() if dict(k).get("department") in departments}
        tally_groups(tallies, HEATMAP, heatmap, lambda key, lookup=lookup: lookup(key, False))
    for dimension in sorted({d for counts in cells.values() for d in counts} - {RESPONDENTS}):
        tally_bands(tallies, views, index, dimension)
    allowed = views.comment_departments(index)
    for key, counts in totals.items():
        if level(key) == "department":
            department = dict(key)["department"]
            tallies[COMMENTS_AUDIENCE, COMMENTS].add(counts[RESPONDENTS], department not in allowed)


def tally_bands(tallies: Tallies, views: Views, index: int, dimension: str) -> None:
    rows = aggregates.distribution(views.waves[index].id, dimension, Filters())
    people = {float(row.key[0]): row.respondents for row in rows if row.respondents}
    hidden = views.hidden_bins(index, dimension, sorted(people))
    for score, n in people.items():
        tallies[BANDS, BINS].add(n, score in hidden)
    tallies[BANDS, DISTRIBUTIONS].add(sum(people.values()), hidden == set(people))


# -- one engine, in its own process ---------------------------------------------------------


def manager_scopes() -> list[set[str]]:
    """Every manager's departments (the departments of everyone below them), once per
    distinct scope, from ``Person.manager_id`` as both engines read it."""
    managers = db.session.scalars(
        select(Person.manager_id).where(Person.manager_id.is_not(None)).distinct()
    )
    scopes = {frozenset(dashboard.departments_managed_by(m)) for m in managers}
    return [set(scope) for scope in sorted(scopes, key=sorted) if scope]


def seed(organisation: str, today: date, args: Any) -> None:
    """The organisation, its waves published by the engine's own job."""
    if organisation == "demo":
        seed_demo_organisation(today)  # publishes its closed waves
        db.session.commit()
        return
    per_wave = args.responses // culture.WAVES
    data = culture.seed_fixed(max(args.people, per_wave), random.Random(2026))  # noqa: S311
    culture.seed_responses(data, per_wave, 0.0, 1.0)
    culture.analyse()
    publish_closed_waves(today)
    db.session.commit()


def run_engine(organisation: str, output: Path, args: Any) -> None:
    """Seed, publish and tally in this process; the tallies go to ``output`` as JSON."""
    today = date.fromisoformat(args.today)
    with (
        tempfile.TemporaryDirectory(prefix="intrapreneur-bench-") as workspace,
        ExitStack() as stack,
    ):
        url, label = database(args.database_url, Path(workspace), stack)
        app = create_app(
            {
                "INTRAPRENEUR_ENV": "test",
                "INTRAPRENEUR_SECRET_KEY": secrets.token_hex(32),
                "INTRAPRENEUR_DATABASE_URL": url,
                "INTRAPRENEUR_INSTANCE_PATH": workspace,
            }
        )
        quiet_logs()
        with app.app_context():
            upgrade()
            seeded = timed(lambda: seed(organisation, today, args))
            scopes = manager_scopes()
            start = time.perf_counter()
            views = Views(today)
            managers = [(departments, views.manager(departments)) for departments in scopes]
            read = time.perf_counter() - start
            tallies: Tallies = defaultdict(Tally)
            for index in range(len(views.waves)):
                tally_wave(tallies, views, index, managers)
            db.session.remove()
            db.engine.dispose()
    result = {
        "code": str(Path(intrapreneur.__file__).parent.parent),
        "database": label,
        "waves": len(views.waves),
        "managers": len(scopes),
        "seed_and_publish_seconds": seeded,
        "views_seconds": read,
        "tallies": [[audience, family, asdict(t)] for (audience, family), t in tallies.items()],
    }
    output.write_text(json.dumps(result))


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


# -- the comparison -------------------------------------------------------------------------


def code_tree(spec: str, stack: ExitStack) -> Path:
    """A checkout to import ``intrapreneur`` from: a directory as it is, or a git revision
    checked out into a temporary worktree, removed at the end."""
    if Path(spec).is_dir():
        return Path(spec).resolve()
    tree = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="intrapreneur-rev-")))
    git = ["git", "-C", str(CHECKOUT), "worktree"]
    subprocess.run([*git, "add", "--detach", str(tree / "tree"), spec], check=True)  # noqa: S603
    stack.callback(subprocess.run, [*git, "remove", "--force", str(tree / "tree")], check=True)
    return tree / "tree"


def measure_engine(organisation: str, tree: Path, workspace: Path, args: Any) -> dict:
    output = workspace / f"{organisation}-{tree.name}-{time.monotonic_ns()}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--engine-run", organisation,
               "--output", str(output), "--today", args.today, "--responses",
               str(args.responses), "--people", str(args.people)]  # fmt: skip
    if args.database_url:
        command += ["--database-url", args.database_url]
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    say(f"\n== {organisation}, code from {tree} ==")
    process = subprocess.Popen(command, env=environment)  # noqa: S603 - our own script
    try:
        assert process.wait() == 0, f"the {tree} run failed"
    finally:
        if process.poll() is None:  # stopped here: let it drop its schema
            process.terminate()
            process.wait()
    result = json.loads(output.read_text())
    assert Path(result["code"]) == tree, f"imported {result['code']}, not {tree}"
    say(
        f"  {result['database']}: seeded and published in {result['seed_and_publish_seconds']:.1f}"
        f" s; {result['waves']} waves, {result['managers']} manager scopes; views read in "
        f"{result['views_seconds']:.1f} s"
    )
    return result


def tallies_of(result: dict) -> dict[tuple[str, str], Tally]:
    return {(audience, family): Tally(**t) for audience, family, t in result["tallies"]}


def comparison_rows(organisation: str, before: dict, after: dict) -> Iterable[tuple[str, ...]]:
    old, new = tallies_of(before), tallies_of(after)
    keys = sorted(set(old) | set(new), key=_row_order)
    for key in keys:
        b, a = old.get(key, Tally()), new.get(key, Tally())
        figures = f"{a.figures:,}" if a.figures == b.figures else f"{b.figures:,} / {a.figures:,}"
        yield (organisation, *key, figures, b.share(), a.share(), b.people_share(),
               a.people_share())  # fmt: skip


def _row_order(key: tuple[str, str]) -> tuple[int, int, int]:
    """Audiences in ``ORDER``; HR's levels (indented) after HR's totals, finest first."""
    audience, family = key
    if audience.startswith("  "):
        return ORDER.index(HR), LEVELS.index(audience.strip()), FAMILIES.index(family)
    return ORDER.index(audience), -1, FAMILIES.index(family)


def print_rows(header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    rows = list(rows)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * width for width in widths), *rows]:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def arguments(argv: list[str] | None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="de4b950", help="old engine: a checkout or a rev")
    parser.add_argument("--after", default=str(CHECKOUT), help="ledger: a checkout or a rev")
    parser.add_argument("--organisations", default="demo,synthetic", help="demo, synthetic")
    parser.add_argument("--responses", type=int, default=100_000, help="synthetic, all waves")
    parser.add_argument("--people", type=int, default=100_000, help="synthetic respondents")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--today", default=date.today().isoformat(), help=argparse.SUPPRESS)
    parser.add_argument("--engine-run", help=argparse.SUPPRESS)  # internal: one engine
    parser.add_argument("--output", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    stop_cleanly_on_sigterm()
    if args.engine_run:
        run_engine(args.engine_run, Path(args.output), args)
        return 0
    say(f"Suppression benchmark ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')})")
    rows = []
    with ExitStack() as stack:
        workspace = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="supp-")))
        trees = {"before": code_tree(args.before, stack), "after": code_tree(args.after, stack)}
        for organisation in args.organisations.split(","):
            results = {e: measure_engine(organisation, trees[e], workspace, args) for e in ENGINES}
            rows += comparison_rows(organisation, results["before"], results["after"])
    say(f"\nHidden shares, before ({args.before}) → after ({args.after}), every closed wave")
    header = ("organisation", "audience", "family", "figures", "hidden before", "after",
              "people hidden before", "after")  # fmt: skip
    print_rows(header, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
