"""Subject access export benchmark: what blanking other people's names costs in an
organisation of 20,000 people.

The demo organisation's busiest person (Tom Becker) gets ``--notifications`` notifications
naming random colleagues, and ``--people`` more people join the organisation (name, email,
username, directory id and entry each). Then, in the same run:

1. the baseline: Tom's archive built with no one to blank (``archive.build`` alone);
2. the export as the job makes it (``subject_export.make``): the redactor of everyone
   else's identifiers built from the database, every string of the archive through it;
3. for the record, the road not taken: one regular expression of everyone's identifiers,
   arranged as a prefix tree, built and compiled (``privacy/subject_export/redaction.py``
   says why the export uses a dictionary of whole-word runs instead).

Target: the export within 10× its baseline at 20,000 people. The redactor's cost grows
with the organisation (one dictionary entry per identifier, built once per export), not
with the person's data, so a small archive shows it most.

    .venv/bin/python bench/subject_export.py [--people 20000] [--notifications 500]
    .venv/bin/python bench/subject_export.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/intrapreneur_bench
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from directory import bench_app, postgres_schema, say
from flask_migrate import upgrade
from sqlalchemy import insert, select

from intrapreneur.cli.demo_data import seed_demo_organisation
from intrapreneur.core import jobs
from intrapreneur.core.jobs import RunningJob
from intrapreneur.core.models import utcnow
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind
from intrapreneur.privacy.subject_export import archive, make
from intrapreneur.privacy.subject_export.redaction import IDENTIFYING
from intrapreneur.privacy.subject_export.sections import sections

TARGET = 10.0
FIRST = ["Anna", "Bob", "Carla", "Dieter", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas"]
LAST = ["Smith", "Meyer", "Kim", "Liu", "Okafor", "Alves", "Martin", "Fischer", "Said", "Raman"]


def add_people(count: int, rng: random.Random) -> list[str]:
    """``count`` more employees; their display names."""
    names = []
    rows = []
    for number in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}-{number}"
        username = f"bench{number}"
        names.append(name)
        rows.append(
            {
                "kind": PersonKind.EMPLOYEE,
                "display_name": name,
                "username": username,
                "email": f"{username}@corp.example",
                "directory_id": secrets.token_hex(16),
                "directory_dn": f"uid={username},ou=people,dc=corp,dc=example",
            }
        )
    db.session.execute(insert(Person), rows)
    return names


def seed(args: Any) -> int:
    seed_demo_organisation()
    tom = db.session.scalar(select(Person).where(Person.username == "tbecker"))
    assert tom is not None
    rng = random.Random(2026)  # noqa: S311 - test data, not secrecy
    names = add_people(args.people, rng)
    db.session.execute(
        insert(Notification),
        [
            {"person_id": tom.id, "text": f"{rng.choice(names)} reviewed your card ‘Pre-orders’"}
            for _ in range(args.notifications)
        ],
    )
    db.session.commit()
    return tom.id


def regex_alternative(identifiers: list[str]) -> re.Pattern[str]:
    """One pattern of every identifier, as a prefix tree (the alternative not taken)."""
    tree: dict[str, Any] = {}
    for identifier in identifiers:
        node = tree
        for character in identifier:
            node = node.setdefault(character, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(c) + pattern(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and "" not in node else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return re.compile(rf"(?<!\w)(?:{pattern(tree)})(?!\w)", re.IGNORECASE)


def timed(action: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def bench(database_url: str, instance: Path, args: Any) -> float:
    app = bench_app(database_url, instance)
    with app.app_context():
        upgrade()
        seconds, tom_id = timed(lambda: seed(args))
        say(f"  seeded the demo, {args.people:,} more people in {seconds:.1f} s")
        tom = db.session.get(Person, tom_id)
        assert tom is not None
        own = sections(own=True)
        summary = {"own": True, "made_at": utcnow(), "marker": "[another person]"}
        baseline, built = timed(
            lambda: archive.build(
                tom, own, redact=str, summary=summary, on_progress=lambda done: None
            )
        )
        job = jobs.record("subject-export", {"person_id": tom_id}, max_attempts=1)
        running = RunningJob(id=job.id, attempt=1)
        export, file = timed(lambda: make(tom, asker=tom, job=running, now=utcnow()))
        db.session.rollback()
        people = db.session.execute(select(*[getattr(Person, n) for n in IDENTIFYING])).all()
        identifiers = [str(v).casefold() for row in people for v in row if v]
        alternative, _ = timed(lambda: regex_alternative(identifiers))
        db.engine.dispose()
    ratio = export / baseline
    rows = sum(part.count for part in built.parts)
    verdict = "ok" if ratio <= TARGET else "MISSED"
    say(f"\n  archive of {rows:,} rows, {file.size / 1024:,.0f} KiB")
    say(f"  baseline, nobody to blank: {baseline:.2f} s")
    say(f"  export, {args.people:,} people to blank: {export:.2f} s")
    say(f"  ratio {ratio:.2f}× (target ≤ {TARGET:.0f}×): {verdict}")
    say(f"  one regex of {len(identifiers):,} identifiers, built and compiled: {alternative:.1f} s")
    return ratio


def arguments(argv: list[str] | None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20_000, help="people beside the demo's")
    parser.add_argument("--notifications", type=int, default=500, help="Tom's, naming others")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    say(f"Subject access export benchmark ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d')})")
    with (
        tempfile.TemporaryDirectory(prefix="intrapreneur-bench-") as workspace,
        ExitStack() as stack,
    ):
        if args.database_url:
            url, label = stack.enter_context(postgres_schema(args.database_url)), "PostgreSQL"
        else:
            url, label = f"sqlite:///{Path(workspace) / 'bench.db'}", "SQLite"
        say(f"  on {label}")
        ratio = bench(url, Path(workspace), args)
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
