"""Load benchmark: the production set-up under a realistic mix of 50 people at once.

Starts what production runs, on loopback: a directory (slapd) of ``--people`` employees,
Redis, ``intrapreneur worker`` and ``intrapreneur serve`` (gunicorn, 2 workers) on
PostgreSQL with production settings. Seeds it: everyone synced from the directory (so
people sign in through it), a programme whose cohort of ``--participants`` is split into
sets of seven with a facilitator and sessions (the latest held one with a hot seat),
ventures with cards, an open survey wave inviting the cohort and a comparison group, and
two closed, published waves for the culture dashboard.

Then runs locust headless twice with the same ``--users`` and waits: the baseline, every
user asking for ``/healthz``; and the mix of bench/load_mix.py (sign-ins through the
directory, home pages, session screen updates by facilitators, board moves, survey
answers, dashboard views by HR). Prints per endpoint and in total the throughput, the
50th/95th/99th percentile latency and the error rate, each as a ratio to the baseline,
and the target (no error, p95 under 500 ms) as met or missed. Finally profiles the
endpoint with the highest p95 in process with the server's settings (cProfile; the SQL
driver's share of its time).

    .venv/bin/python bench/load.py [--run-time 60] [--users 50] [--people 20000]

It needs locust (``pip install -e '.[bench]'``), slapd and redis-server, and a PostgreSQL
server; the run works in a schema of its own in the bench database and drops it after.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from boards import FreshContextClient, print_profile, signed_in_client, timed
from directory import (
    BenchDirectoryServer,
    directory_environment,
    employee,
    groups,
    logged_statements,
    password,
    postgres_schema,
    preload_ldif,
    quiet_logs,
    say,
    uid,
)
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import select
from web import (
    DEFAULT_DATABASE_URL,
    RunningServer,
    print_time_by_package,
    running_server,
    server_environment,
    stop,
)

from intrapreneur import create_app
from intrapreneur.cli.demo_data import SeedSummary, seed_card, seed_sessions, seed_surveys
from intrapreneur.culture.models import SurveyInvitation, SurveyWave
from intrapreneur.experiments import services as experiments
from intrapreneur.experiments.models import Stage, Visibility
from intrapreneur.extensions import db
from intrapreneur.identity.directory import Directory
from intrapreneur.identity.models import Person
from intrapreneur.identity.sync import sync_directory
from intrapreneur.learning.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    SetMembership,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.reliability
from tests.reliability.servers import REDIS_MISSING, REDIS_SERVER, ThrowawayRedis

TARGET_P95_MS = 500.0
MIX = ["Employee", "Owner", "Respondent", "Facilitator", "HR"]  # the classes of load_mix.py
SET_SIZE = 7
CARDS_PER_VENTURE = 6
SIGN_IN_POOL = 2000  # employees the mix signs in as, drawn from the whole directory
DASHBOARD_MARKER = "Scores by department"  # shown once a closed wave's figures are published
PROFILE_REQUESTS = 50
IN_PROCESS_RUNS = 20
LOCUST_GRACE_SECONDS = 120  # beyond --run-time: start-up, stopping users, writing the CSV
LOCUSTFILE = Path(__file__).with_name("load_mix.py")


# -- seeding --------------------------------------------------------------------------------


def role_indexes(size: int) -> set[int]:
    """People in a role group of the bench directory: they are not made participants."""
    return {
        int(member[1:])
        for group in groups(size)
        if not group.cn.startswith(("staff-", "all-"))
        for member in group.members
        if not member.startswith("group:")
    }


def signing_in(index: int, size: int) -> dict[str, Any]:
    return {"login": uid(index), "password": password(index), "name": employee(index, size).name}


def seed_site(app: Flask, args: Any) -> dict[str, Any]:
    """Sync everyone from the directory, seed the programme, boards and surveys; return
    the plan load_mix.py reads."""
    size = args.people
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        report = sync_directory(Directory(current_app.config["DIRECTORY"]))
        say(
            f"  synced from the directory in {time.perf_counter() - start:.1f} s: "
            f"{report.describe()}"
        )
        start = time.perf_counter()
        people = {person.username: person for person in db.session.scalars(select(Person))}
        taken = role_indexes(size)
        chosen = [i for i in range(11, size, 37) if i not in taken][: args.participants]
        participants = [people[uid(i)] for i in chosen]
        cohort, sets = seed_cohort(participants, people, date.today())
        ventures = seed_ventures(participants[: args.ventures])
        hr = people[uid(3)]
        seed_surveys(SeedSummary(), cohort, hr, date.today())
        db.session.commit()
        plan = build_plan(size, sets, ventures, chosen)
        say(
            f"  seeded {len(participants)} participants in {len(sets)} sets, "
            f"{len(ventures)} ventures, {len(plan['respondents'])} survey invitees in "
            f"{time.perf_counter() - start:.1f} s"
        )
        db.session.remove()
        db.engine.dispose()
    return plan


def seed_cohort(
    participants: list[Person], people: dict[str, Person], today: date
) -> tuple[Cohort, list[LearningSet]]:
    """A cohort in sets of seven, each with a coach of the directory as facilitator and
    the demo's sessions: two held, the latest with a hot seat, two to come."""
    programme = Programme(name="Load programme", description="The load benchmark's programme.")
    cohort = Cohort(
        programme=programme,
        name="Load cohort",
        starts_on=today - timedelta(days=28),
        ends_on=today + timedelta(days=120),
        capacity=len(participants),
        enrolment_open=False,
    )
    db.session.add_all([programme, cohort])
    sets = []
    for number in range(math.ceil(len(participants) / SET_SIZE)):
        members = participants[number * SET_SIZE : (number + 1) * SET_SIZE]
        coach = people[uid(5 + 100 * number)]  # the coaches group: 5, 105, 205, …
        learning_set = LearningSet(cohort=cohort, name=f"Set {number + 1:03d}", facilitator=coach)
        db.session.add(learning_set)
        for person in members:
            db.session.add(
                SetMembership(learning_set=learning_set, person=person, joined_on=cohort.starts_on)
            )
            db.session.add(Enrolment(cohort=cohort, person=person, status=EnrolmentStatus.ACCEPTED))
        db.session.flush()
        seed_sessions(SeedSummary(), learning_set, members, today)
        sets.append(learning_set)
    return cohort, sets


def seed_ventures(owners: list[Person]) -> list[tuple[int, str, Person]]:
    """One venture per owner, open to the organisation, its cards in the backlog."""
    now = datetime.now(UTC) - timedelta(days=10)
    ventures = []
    for number, owner in enumerate(owners, 1):
        venture = experiments.create_venture(
            title=f"Venture {number:03d} of {owner.display_name}",
            problem="Customers wait too long for an answer.",
            customer="Customers of the company",
            stage=Stage.PROBLEM,
            visibility=Visibility.ORGANISATION,
            by=owner,
            now=now,
        )
        for card in range(CARDS_PER_VENTURE):
            seed_card(venture, owner, now, f"Test {card + 1} of venture {number}")
        ventures.append((venture.id, venture.title, owner))
    db.session.flush()
    return ventures


def build_plan(
    size: int, sets: list[LearningSet], ventures: list[tuple[int, str, Person]], chosen: list[int]
) -> dict[str, Any]:
    """Who load_mix.py signs in as, and what each may touch."""
    index_of = {uid(i): i for i in range(size)}
    chooser = random.Random(11)  # noqa: S311 - the same people every run
    facilitators = []
    for learning_set in sets:
        held = db.session.scalar(
            select(HotSeat.session_id)
            .join(LearningSession, LearningSession.id == HotSeat.session_id)
            .where(LearningSession.set_id == learning_set.id)
        )
        coach = index_of[learning_set.facilitator.username]
        facilitators.append(
            {**signing_in(coach, size), "session_id": held, "set_name": learning_set.name}
        )
    wave = db.session.scalar(select(SurveyWave).where(SurveyWave.closes_on >= date.today()))
    assert wave is not None
    invitees = db.session.execute(
        select(Person.id, Person.username)
        .join(SurveyInvitation, SurveyInvitation.person_id == Person.id)
        .where(SurveyInvitation.wave_id == wave.id)
        .order_by(Person.id)
    ).all()
    return {
        "employees": [signing_in(i, size) for i in chooser.sample(range(size), SIGN_IN_POOL)],
        "facilitators": facilitators,
        "owners": [
            {
                **signing_in(index_of[owner.username], size),
                "venture_id": venture_id,
                "venture_title": title,
            }
            for venture_id, title, owner in ventures
        ],
        "respondents": [
            {**signing_in(index_of[username], size), "person_id": person_id}
            for person_id, username in invitees
        ],
        "hr": [signing_in(i, size) for i in range(3, size, 250)],
        "wave_id": wave.id,
        "dashboard_marker": DASHBOARD_MARKER,
    }


# -- the site -------------------------------------------------------------------------------


@dataclass
class Site:
    app: Flask  # in this process, with the server's settings
    env: dict[str, str]
    server: RunningServer
    worker: subprocess.Popen[bytes]
    plan: Path
    workspace: Path

    @property
    def port(self) -> int:
        return self.server.port


def site_environment(
    database_url: str, redis_url: str, directory: BenchDirectoryServer, workspace: Path
) -> dict[str, str]:
    """Production settings, as web.py's server has them, with Redis and the directory."""
    return {
        **server_environment(database_url, workspace),
        "INTRAPRENEUR_REDIS_URL": redis_url,
        # Behind the ingress: each simulated person comes from an address of their own
        # (X-Forwarded-For), so sign-in limits count per person, as in production.
        "INTRAPRENEUR_TRUSTED_PROXIES": "1",
        **directory_environment(directory),
    }


@contextmanager
def running_worker(env: dict[str, str], workspace: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``intrapreneur worker``: the background jobs (survey invitations, publishing)."""
    root = Path(__file__).resolve().parents[1]
    log = (workspace / "worker.log").open("wb")
    worker = subprocess.Popen(  # noqa: S603 -- fixed arguments
        [str(Path(sys.executable).parent / "intrapreneur"), "worker"],
        env={**os.environ, **env, "PYTHONPATH": str(root)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield worker
    finally:
        stop(worker, seconds=30)
        log.close()


@contextmanager
def started_redis() -> Iterator[ThrowawayRedis]:
    if REDIS_SERVER is None:
        raise SystemExit(REDIS_MISSING)
    redis = ThrowawayRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@contextmanager
def running_site(
    args: Any, database_url: str, redis: ThrowawayRedis, workspace: Path
) -> Iterator[Site]:
    """The directory, the seeded database, the worker and gunicorn, stopped on exit."""
    with ExitStack() as stack:
        start = time.perf_counter()
        directory = stack.enter_context(BenchDirectoryServer(preload_ldif(args.people)))
        say(f"  slapd up with {args.people:,} people in {time.perf_counter() - start:.1f} s")
        env = site_environment(database_url, redis.url, directory, workspace)
        app = create_app(env)
        quiet_logs()
        plan_path = workspace / "plan.json"
        plan_path.write_text(json.dumps(seed_site(app, args)))
        plan_path.chmod(0o600)
        worker = stack.enter_context(running_worker(env, workspace))
        server = stack.enter_context(running_server(env, workspace))
        yield Site(app, env, server, worker, plan_path, workspace)


# -- running locust -------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    requests: int
    failures: int
    per_second: float
    p50: float
    p95: float
    p99: float

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


@contextmanager
def locust(
    site: Site, classes: list[str], label: str, args: Any, seconds: int
) -> Iterator[subprocess.Popen[str]]:
    """A headless locust run on loopback, in the background for ``seconds``; waits for it
    to end on leaving. Statistics go to ``<label>_stats.csv``, the mix's ledger to
    ``<label>_ledger.json`` in the workspace."""
    prefix = site.workspace / label
    command = [
        str(Path(sys.executable).parent / "locust"),
        *("-f", str(LOCUSTFILE), "--headless", "--only-summary"),
        *("--host", f"http://127.0.0.1:{site.port}"),
        *("--users", str(args.users), "--spawn-rate", str(args.spawn_rate)),
        *("--run-time", f"{seconds}s", "--stop-timeout", "10"),
        *("--csv", str(prefix), "--loglevel", "WARNING"),
        *classes,
    ]
    env = {
        **os.environ,
        "LOAD_MIX_PLAN": str(site.plan),
        "LOAD_MIX_LEDGER": f"{prefix}_ledger.json",
        "LOAD_MIX_WAIT": f"{args.wait[0]},{args.wait[1]}",
    }
    say(f"  locust: {label}, {args.users} users for {seconds} s")
    log = (site.workspace / f"{label}_locust.log").open("w")
    process = subprocess.Popen(  # noqa: S603 -- fixed arguments
        command, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
    )
    try:
        yield process
        process.wait(timeout=seconds + LOCUST_GRACE_SECONDS)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait()
        log.close()
    if not Path(f"{prefix}_stats.csv").exists():
        output = (site.workspace / f"{label}_locust.log").read_text()
        raise SystemExit(f"locust wrote no statistics:\n{output[-3000:]}")


def locust_run(site: Site, classes: list[str], label: str, args: Any) -> list[Endpoint]:
    """One locust run of ``--run-time`` seconds; its endpoints, the total last."""
    with locust(site, classes, label, args, args.run_time):
        pass
    return read_stats(site.workspace / f"{label}_stats.csv")


def read_stats(path: Path) -> list[Endpoint]:
    def milliseconds(value: str) -> float:
        return float(value) if value not in ("", "N/A") else 0.0

    with path.open() as stats:
        return [
            Endpoint(
                "total" if row["Name"] == "Aggregated" else row["Name"],
                int(row["Request Count"]),
                int(row["Failure Count"]),
                float(row["Requests/s"]),
                milliseconds(row["50%"]),
                milliseconds(row["95%"]),
                milliseconds(row["99%"]),
            )
            for row in csv.DictReader(stats)
        ]


def failures(site: Site, label: str) -> list[str]:
    path = site.workspace / f"{label}_failures.csv"
    if not path.exists():
        return []
    with path.open() as rows:
        return [
            f"{row['Occurrences']}× {row['Name']}: {row['Error']}" for row in csv.DictReader(rows)
        ]


# -- the report -----------------------------------------------------------------------------


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base else "–"


def print_report(baseline: Endpoint, mix: list[Endpoint]) -> bool:
    """Every figure beside its ratio to the baseline; True when the target is met."""
    header = (
        "endpoint",
        "requests",
        "req/s",
        "×base",
        "p50 ms",
        "×base",
        "p95 ms",
        "×base",
        "p99 ms",
        "×base",
        "errors",
        "error rate",
    )
    rows = [
        (
            e.name,
            f"{e.requests:,}",
            f"{e.per_second:.1f}",
            ratio(e.per_second, baseline.per_second),
            f"{e.p50:.0f}",
            ratio(e.p50, baseline.p50),
            f"{e.p95:.0f}",
            ratio(e.p95, baseline.p95),
            f"{e.p99:.0f}",
            ratio(e.p99, baseline.p99),
            str(e.failures),
            f"{e.error_rate:.2%}",
        )
        for e in [baseline, *mix]
    ]
    rows[0] = ("baseline /healthz", *rows[0][1:])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * width for width in widths), *rows]:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    total = mix[-1]
    met = total.failures == 0 and total.p95 < TARGET_P95_MS
    say(
        f"\nTarget at {total.name}: error rate 0 and p95 < {TARGET_P95_MS:.0f} ms: "
        f"error rate {total.error_rate:.2%}, p95 {total.p95:.0f} ms: {'met' if met else 'MISSED'}"
    )
    return met


# -- profiling the slowest endpoint ---------------------------------------------------------


def profiled_request(app: Flask, plan: dict[str, Any], name: str) -> Callable[[], Any] | None:
    """Endpoint ``name`` in process, as the mix asks for it; None for the forms that change
    records (they need the version a page showed). The sign-in form's CSRF check is off
    (its token needs a browser's cookie); the directory's check of the password is not."""
    if name == "sign-in":
        app.config["WTF_CSRF_ENABLED"] = False
        people = iter(plan["employees"])  # sign-in limits count per person and address
        client = FreshContextClient(app, app.response_class)

        def sign_in() -> Any:
            person = next(people)
            number = int(person["login"].removeprefix("u"))
            address = f"10.254.{number >> 8 & 255}.{number & 255}"
            client.environ_base["HTTP_X_FORWARDED_FOR"] = address
            form = {"login": person["login"], "password": person["password"]}
            return client.post("/sign-in", data=form)

        return sign_in
    facilitator, owner, hr = plan["facilitators"][0], plan["owners"][0], plan["hr"][0]
    pages = {
        "home page": ("/", plan["employees"][0]["login"]),
        "sign-in form": ("/sign-in", ""),
        "/healthz": ("/healthz", ""),
        "board": (f"/ventures/{owner['venture_id']}", owner["login"]),
        "session screen": (f"/sessions/{facilitator['session_id']}", facilitator["login"]),
        "culture dashboard": ("/culture/", hr["login"]),
        "survey form": (f"/surveys/{plan['wave_id']}/answer", plan["respondents"][-1]["login"]),
    }
    if name not in pages:
        return None
    path, login = pages[name]
    client = signed_in_client(app, person_id(app, login)) if login else FreshContextClient(app)
    return lambda: client.get(path)


def person_id(app: Flask, login: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(Person.id).where(Person.username == login))
        db.session.remove()
    assert found is not None
    return found


def print_in_process(site: Site, mix: list[Endpoint]) -> None:
    """What each endpoint costs alone, in process (no HTTP, no gunicorn, no other load):
    the work behind its latency under load, the rest being the wait for a core."""
    plan = json.loads(site.plan.read_text())
    costs = {}
    with site.app.app_context():
        for name in ["/healthz", *(endpoint.name for endpoint in mix[:-1])]:
            action = profiled_request(site.app, plan, name)
            if action is not None:
                action()  # warm
                costs[name] = statistics.median(timed(action) for _ in range(IN_PROCESS_RUNS))
        db.session.remove()
    say(f"\nIn process, alone (median of {IN_PROCESS_RUNS}; ×base = ratio to /healthz):")
    for name, seconds in costs.items():
        say(f"  {name:<18} {seconds * 1000:7.2f} ms  {ratio(seconds, costs['/healthz'])}")


def profile_slowest(site: Site, mix: list[Endpoint], chosen: str | None) -> None:
    """cProfile the endpoint with the highest p95 that has an in-process twin, or the
    ``chosen`` one."""
    plan = json.loads(site.plan.read_text())
    ranked = sorted(mix[:-1], key=lambda e: (e.name != chosen, -e.p95))
    for endpoint in ranked:
        action = profiled_request(site.app, plan, endpoint.name)
        if action is not None:
            break
        say(f"  ({endpoint.name} has no in-process twin here; the next slowest is profiled)")
    else:
        return
    say(f"\n== Where the time of {endpoint.name!r} goes (p95 {endpoint.p95:.0f} ms) ==")
    with site.app.app_context():
        status = action().status_code  # warm: templates compiled, caches filled
        say(f"  in process it answers {status}")
        with logged_statements() as log:
            seconds = [timed(action) for _ in range(PROFILE_REQUESTS)]
        total = statistics.median(seconds) * 1000
        driver = sum(log.seconds.values()) * 1000 / PROFILE_REQUESTS
        say(
            f"  in process, median of {PROFILE_REQUESTS}: {total:.1f} ms a request; "
            f"{log.total / PROFILE_REQUESTS:.0f} SQL statements taking {driver:.1f} ms "
            f"(mean) in the driver, round trips included; the rest is Python: ORM, "
            f"permissions, templates"
        )
        for shape, count, spent in log.slowest(5):
            say(
                f"    {spent * 1000 / PROFILE_REQUESTS:6.2f} ms  {count // PROFILE_REQUESTS:3}×  "
                f"{shape}…"
            )
        print_profile(endpoint.name, action)
        print_time_by_package(
            lambda: [action() for _ in range(PROFILE_REQUESTS)], PROFILE_REQUESTS, endpoint.name
        )
        db.session.remove()


# -- main -----------------------------------------------------------------------------------


def arguments(argv: list[str] | None, description: str = __doc__) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated people at once")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started a second")
    parser.add_argument("--people", type=int, default=20_000, help="people in the directory")
    parser.add_argument("--participants", type=int, default=200, help="the cohort's size")
    parser.add_argument("--ventures", type=int, default=60, help="ventures (6 cards each)")
    parser.add_argument(
        "--wait",
        type=float,
        nargs=2,
        default=(0.5, 2.0),
        metavar=("MIN", "MAX"),
        help="seconds each simulated person waits between actions",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = arguments(argv)
    parser.add_argument("--run-time", type=int, default=60, help="seconds of each locust run")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="PostgreSQL URL")
    parser.add_argument("--no-profile", action="store_true", help="skip the profile")
    parser.add_argument(
        "--profile-endpoint", metavar="NAME", help="profile this endpoint, not the slowest"
    )
    args = parser.parse_args(argv)
    say(
        f"Load benchmark ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}, "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    with (
        tempfile.TemporaryDirectory(prefix="intrapreneur-load-") as folder,
        postgres_schema(args.database_url) as url,
        started_redis() as redis,
        running_site(args, url, redis, Path(folder)) as site,
    ):
        baseline = locust_run(site, ["Baseline"], "baseline", args)[-1]
        mix = locust_run(site, MIX, "mix", args)
        say(
            f"\nLocust, {args.users} users, waits {args.wait[0]}–{args.wait[1]} s, "
            f"{args.run_time} s a run; latencies in ms; ×base = ratio to the baseline:"
        )
        met = print_report(baseline, mix)
        for line in failures(site, "mix"):
            say(f"  {line}")
        if not args.no_profile:
            print_in_process(site, mix)
            profile_slowest(site, mix, args.profile_endpoint)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
