"""Directory benchmarks: what one sign-in costs and how fast a full sync runs.

Both run against a real slapd (python-ldap's slapdtest, like the tests) and
print every figure next to a raw python-ldap baseline measured in the same run
on the same server, and the ratio of the two:

1. Sign-in: ``Directory.authenticate`` against a bare search-then-bind.
   Target: within 1.5× of the bare version. Also counts the LDAP operations.
2. Sync: ``sync_directory`` over ``--people`` entries against a raw paged read
   of the same entries. Target: 50,000 entries in under 60 s, memory flat.

    .venv/bin/python bench/directory.py [--people 50000] [--sign-ins 200]

Set INTRAPRENEUR_BENCH_DATABASE_URL to a PostgreSQL URL to sync there as well;
the run works in a schema of its own and drops it afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import os
import pstats
import random
import re
import resource
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import ldap
from flask import Flask, current_app
from flask_migrate import upgrade
from ldap.controls import SimplePagedResultsControl
from ldap.filter import escape_filter_chars
from ldap.ldapobject import SimpleLDAPObject
from sqlalchemy import create_engine, event, make_url, text

from intrapreneur import create_app
from intrapreneur.extensions import db
from intrapreneur.identity.directory import Directory
from intrapreneur.identity.local_directory import (
    GROUPS,
    PEOPLE,
    SERVICE_DN,
    Employee,
    Group,
    LocalDirectoryServer,
    base_ldif,
    employee_ldif,
    group_dn,
    group_ldif,
    organisation_ldif,
)
from intrapreneur.identity.sync import sync_directory
from intrapreneur.settings import DirectorySettings, load_directory

SERVICE_PASSWORD = "bench-service-Secret-1"  # noqa: S105 - throwaway test server
SIZE_LIMIT = 1000  # Active Directory's MaxPageSize: more than this needs paging.
PAGE_SIZE = 500  # The app's default INTRAPRENEUR_LDAP_PAGE_SIZE; the baseline pages alike.
LDAP_TIMEOUT = 5.0  # The app's default INTRAPRENEUR_LDAP_TIMEOUT.
SAMPLE_EVERY = 10_000  # Entries between two memory samples during a sync.
STATEMENT_SHAPE = 40  # Characters of a statement and of its WHERE clause in the summary.
SIGN_IN_TARGET = 1.5
SYNC_TARGET_SECONDS = 60.0
SYNC_TARGET_PEOPLE = 50_000

# slapdtest leaves LMDB's 10 MiB default map size, too small for 50,000 entries.
MAP_SIZE = "olcDbMaxSize: 4294967296"
# A company server indexes what sign-in and group look-ups filter on. Added with
# slapmodify once the schemas are loaded: the config template comes before them.
INDEXES = """dn: olcDatabase={1}mdb,cn=config
changetype: modify
add: olcDbIndex
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: member eq
olcDbIndex: entryUUID eq
"""

DEPARTMENTS = (
    *("Executive", "Finance", "Sales", "Marketing", "Operations", "Engineering", "Support"),
    *("Legal", "People", "IT", "Research", "Design", "Procurement", "Logistics", "Quality"),
    *("Security", "Data", "Product", "Facilities", "Audit"),
)
TITLES = ("Analyst", "Engineer", "Consultant", "Specialist", "Coordinator", "Associate")
FIRST_NAMES = ("Ada", "Ben", "Cleo", "Dev", "Eva", "Finn", "Gia", "Hugo", "Ines", "Jon", "Kai")
LAST_NAMES = ("Archer", "Baker", "Cole", "Dyer", "Evans", "Fox", "Gray", "Hale", "Irwin", "Moss")
REPORTS_PER_MANAGER = 8
# Role groups are small and one is nested (facilitators ⊃ coaches), as in the tests;
# department groups nest into one large all-staff group that no role maps to.
ROLE_MAP = {
    "hr": [group_dn("hr")],
    "admin": [group_dn("admins")],
    "facilitator": [group_dn("facilitators")],
}


# -- the organisation -----------------------------------------------------------------------


def uid(index: int) -> str:
    return f"u{index:06d}"


def password(index: int) -> str:
    return f"{uid(index)}-Secret-Pass-1"


def employee(index: int, size: int) -> Employee:
    """Employee ``index`` of a tree where everyone but the first reports to someone earlier."""
    manages = index * REPORTS_PER_MANAGER + 1 < size
    return Employee(
        uid(index),
        f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[index % len(LAST_NAMES)]}",
        password(index),
        department=DEPARTMENTS[index % len(DEPARTMENTS)],
        title="Manager" if manages else TITLES[index % len(TITLES)],
        manager=uid((index - 1) // REPORTS_PER_MANAGER) if index else None,
    )


def groups(size: int) -> list[Group]:
    staff = [
        Group(f"staff-{name.lower()}", [uid(i) for i in range(number, size, len(DEPARTMENTS))])
        for number, name in enumerate(DEPARTMENTS)
    ]
    return [
        Group("hr", [uid(i) for i in range(3, size, 250)]),
        Group("admins", [uid(1), uid(2)]),
        Group("coaches", [uid(i) for i in range(5, size, 100)]),
        Group("facilitators", ["group:coaches", *(uid(i) for i in range(7, size, 1000))]),
        *staff,
        Group("all-staff", [f"group:{group.cn}" for group in staff]),
    ]


def preload_ldif(size: int) -> str:
    """Everything slapadd needs, memberOf included: slapadd runs no overlay to fill it."""
    all_groups = groups(size)
    direct: defaultdict[str, list[str]] = defaultdict(list)
    for group in all_groups:
        for member in group.members:
            if not member.startswith("group:"):
                direct[member].append(group_dn(group.cn))
    people = (
        employee_ldif(person) + "".join(f"memberOf: {dn}\n" for dn in direct[person.uid])
        for person in (employee(index, size) for index in range(size))
    )
    return "\n".join([base_ldif(SERVICE_PASSWORD), *people, *map(group_ldif, all_groups)])


# -- the server -----------------------------------------------------------------------------


class BenchDirectoryServer(LocalDirectoryServer):
    """A LocalDirectoryServer indexed like a company server, optionally filled by
    slapadd before it starts: seconds for 50,000 entries where ldapadd takes minutes."""

    def __init__(self, preload: str = "") -> None:
        super().__init__(size_limit=SIZE_LIMIT)
        self.preload = preload
        self.slapd_conf_template = self.slapd_conf_template.replace(
            "olcDbDirectory: %(directory)s", f"olcDbDirectory: %(directory)s\n{MAP_SIZE}"
        )

    def _write_config(self) -> None:
        super()._write_config()
        slapmodify = self._find_command("slapmodify", in_sbin=True)
        self._cli_popen(slapmodify, extra_args=["-n0"], stdin_data=INDEXES.encode())
        if self.preload:
            # Quick mode skips consistency checks we do not need for generated data.
            self.slapadd(self.preload, ["-n1", "-q"])


def directory_environment(server: LocalDirectoryServer) -> dict[str, str]:
    """The INTRAPRENEUR_LDAP_* variables of tests/conftest.py, with production's defaults
    for page size and timeout."""
    return {
        "INTRAPRENEUR_LDAP_URL": server.ldap_uri,
        "INTRAPRENEUR_LDAP_BIND_DN": SERVICE_DN,
        "INTRAPRENEUR_LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
        "INTRAPRENEUR_LDAP_USER_BASE": PEOPLE,
        "INTRAPRENEUR_LDAP_GROUP_BASE": GROUPS,
        "INTRAPRENEUR_LDAP_NESTED_GROUPS": "true",
        "INTRAPRENEUR_LDAP_ROLE_MAP": json.dumps(ROLE_MAP),
    }


def directory_settings(server: LocalDirectoryServer) -> DirectorySettings:
    settings = load_directory(directory_environment(server))
    assert settings is not None
    return settings


def requested_attributes(settings: DirectorySettings) -> list[str]:
    """What Directory asks for, so the baselines move the same bytes."""
    return [*settings.attributes.values(), "memberOf"]


def service_connection(url: str) -> Any:
    connection = ldap.initialize(url)
    connection.set_option(ldap.OPT_NETWORK_TIMEOUT, LDAP_TIMEOUT)
    connection.set_option(ldap.OPT_TIMEOUT, LDAP_TIMEOUT)
    connection.simple_bind_s(SERVICE_DN, SERVICE_PASSWORD)
    return connection


# -- measuring ------------------------------------------------------------------------------


def say(message: str) -> None:
    print(message, flush=True)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def percentile_95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def _status_kib(name: str) -> int:
    """A line of /proc/self/status (VmRSS, VmHWM), in KiB."""
    found = re.search(rf"^{name}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    assert found, f"/proc/self/status has no {name}"
    return int(found.group(1))


def rss_mib() -> float:
    return _status_kib("VmRSS") / 1024


def reset_peak_rss() -> bool:
    """Restart VmHWM from the current RSS (Linux ≥ 4.0), so the peak is this phase's own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mib(reset_worked: bool) -> float:
    if reset_worked:
        return _status_kib("VmHWM") / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def counted_ldap_operations() -> Iterator[Counter[str]]:
    """Count protocol operations: every *_s helper of python-ldap goes through these three."""
    counts: Counter[str] = Counter()
    originals = {
        name: getattr(SimpleLDAPObject, name)
        for name in ("simple_bind", "search_ext", "unbind_ext")
    }

    def simple_bind(self: Any, who: Any = None, *args: Any, **kwargs: Any) -> Any:
        counts["service bind" if who == SERVICE_DN else "user bind"] += 1
        return originals["simple_bind"](self, who, *args, **kwargs)

    def search_ext(self: Any, base: str, *args: Any, **kwargs: Any) -> Any:
        counts["group search" if base.lower().endswith(GROUPS) else "user search"] += 1
        return originals["search_ext"](self, base, *args, **kwargs)

    def unbind_ext(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts["unbind"] += 1
        return originals["unbind_ext"](self, *args, **kwargs)

    patches = {"simple_bind": simple_bind, "search_ext": search_ext, "unbind_ext": unbind_ext}
    for name, replacement in patches.items():
        setattr(SimpleLDAPObject, name, replacement)
    try:
        yield counts
    finally:
        for name, original in originals.items():
            setattr(SimpleLDAPObject, name, original)


def describe_operations(counts: Counter[str], runs: int) -> str:
    order = ("service bind", "user search", "group search", "user bind", "unbind")
    return ", ".join(f"{counts[name] / runs:g} {name}" for name in order if counts[name])


# -- 1. sign-in -----------------------------------------------------------------------------


@dataclass
class SignInResult:
    people: int
    sign_ins: int
    ours: list[float]
    bare: list[float]
    operations: dict[str, str]


def bare_sign_in(url: str, username: str, password: str, attributes: list[str]) -> None:
    """The least a search-then-bind can do: service bind, one search, user bind, unbind."""
    connection = service_connection(url)
    user_filter = f"(&(objectClass=inetOrgPerson)(uid={escape_filter_chars(username)}))"
    [(dn, _)] = connection.search_s(PEOPLE, ldap.SCOPE_SUBTREE, user_filter, attributes)
    connection.simple_bind_s(dn, password)
    connection.unbind_s()


def load_sign_in_server(server: BenchDirectoryServer, size: int) -> None:
    """Through ldapadd, so the memberOf overlay fills memberOf as on a real server."""
    say(f"Loading {size:,} people and {len(groups(size))} groups with ldapadd…")
    seconds = timed(lambda: server.ldapadd(base_ldif(SERVICE_PASSWORD)))
    people = [employee(i, size) for i in range(size)]
    seconds += timed(lambda: server.ldapadd(organisation_ldif(people, groups(size))))
    say(f"  loaded in {seconds:.1f} s")


def time_sign_ins(
    directory: Directory, url: str, users: list[int], attributes: list[str]
) -> tuple[list[float], list[float]]:
    ours: list[float] = []
    bare: list[float] = []
    for number, index in enumerate(users, 1):
        runs = [
            (ours, partial(directory.authenticate, uid(index), password(index))),
            (bare, partial(bare_sign_in, url, uid(index), password(index), attributes)),
        ]
        if number % 2:
            runs.reverse()  # Neither side always goes first, so neither always finds warm caches.
        for samples, action in runs:
            samples.append(timed(action))
        if number % 50 == 0 or number == len(users):
            say(f"  {number:,}/{len(users):,} sign-ins")
    return ours, bare


def count_sign_in_operations(directory: Directory, users: dict[str, list[int]]) -> dict[str, str]:
    found = {}
    for kind, indexes in users.items():
        with counted_ldap_operations() as counts:
            for index in indexes:
                directory.authenticate(uid(index), password(index))
        found[kind] = describe_operations(counts, len(indexes))
    return found


def bench_sign_in(size: int, sign_ins: int) -> SignInResult:
    say(f"\n== 1. Sign-in: {sign_ins:,} sign-ins against {size:,} people ==")
    with BenchDirectoryServer() as server:
        load_sign_in_server(server, size)
        settings = directory_settings(server)
        directory = Directory(settings)
        attributes = requested_attributes(settings)
        chooser = random.Random(7)  # noqa: S311 - varied users, the same ones every run
        users = [chooser.randrange(size) for _ in range(sign_ins)]
        time_sign_ins(directory, server.ldap_uri, users[:20], attributes)  # warm-up
        ours, bare = time_sign_ins(directory, server.ldap_uri, users, attributes)
        operations = count_sign_in_operations(
            directory,
            {
                "all timed users (mean)": users,
                "in a department group only": [9],
                "hr (direct)": [3],
                "coach (nested in facilitators)": [5],
            },
        )
    return SignInResult(size, sign_ins, ours, bare, operations)


# -- 2. sync --------------------------------------------------------------------------------


@dataclass
class SyncRun:
    label: str
    seconds: float
    seen: int
    statements: StatementLog
    report: str
    rss_before: float
    peak: float
    samples: list[tuple[int, float]] = field(default_factory=list)


@dataclass
class SyncResult:
    people: int
    load_seconds: float
    raw_read_seconds: float
    runs: list[SyncRun] = field(default_factory=list)


class Progress:
    """The on_progress callback: one line and one RSS sample every SAMPLE_EVERY entries."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.next_sample = min(SAMPLE_EVERY, total)
        self.started = time.perf_counter()
        self.samples: list[tuple[int, float]] = []

    def __call__(self, count: int) -> None:
        self.done += count
        if self.done < self.next_sample:
            return
        self.next_sample = min(self.next_sample + SAMPLE_EVERY, self.total)
        self.samples.append((self.done, rss_mib()))
        elapsed = time.perf_counter() - self.started
        say(f"  {self.done:>7,} entries  {elapsed:6.1f} s  RSS {self.samples[-1][1]:6.1f} MiB")


def raw_paged_read(url: str, attributes: list[str]) -> int:
    """The baseline: every person, page by page, with nothing done to the entries."""
    connection = service_connection(url)
    control = SimplePagedResultsControl(True, size=PAGE_SIZE, cookie="")
    entries = 0
    while True:
        message = connection.search_ext(
            PEOPLE, ldap.SCOPE_SUBTREE, "(&(objectClass=inetOrgPerson)(uid=*))", attributes,
            serverctrls=[control],
        )  # fmt: skip
        _, page, _, controls = connection.result3(message, timeout=LDAP_TIMEOUT)
        entries += sum(1 for dn, _ in page if dn is not None)
        cookie = next((c.cookie for c in controls if c.controlType == control.controlType), b"")
        if not cookie:
            break
        control.cookie = cookie
    connection.unbind_s()
    return entries


def start_sync_server(stack: ExitStack, size: int) -> tuple[BenchDirectoryServer, float]:
    say(f"Generating {size:,} people and loading them with slapadd…")
    start = time.perf_counter()
    server = BenchDirectoryServer(preload_ldif(size))
    stack.enter_context(server)
    server.preload = ""  # The text is loaded; let the memory go before the sync measures it.
    seconds = time.perf_counter() - start
    say(f"  slapd up with {size:,} people in {seconds:.1f} s")
    return server, seconds


def time_raw_read(server: BenchDirectoryServer, size: int) -> float:
    """Best of two reads: the first also warms slapd's caches for everyone after it."""
    attributes = requested_attributes(directory_settings(server))
    best = float("inf")
    for attempt in (1, 2):
        start = time.perf_counter()
        entries = raw_paged_read(server.ldap_uri, attributes)
        best = min(best, time.perf_counter() - start)
        assert entries == size, f"the directory holds {entries:,} people, not {size:,}"
        say(f"  raw paged read {attempt}: {entries:,} entries in {best:.2f} s")
    return best


def bench_app(database_url: str, instance: Path) -> Flask:
    """The app a benchmark measures, on ``database_url``, its logs quiet."""
    app = create_app(
        {
            "INTRAPRENEUR_ENV": "test",
            "INTRAPRENEUR_SECRET_KEY": secrets.token_hex(32),
            "INTRAPRENEUR_DATABASE_URL": database_url,
            "INTRAPRENEUR_INSTANCE_PATH": str(instance),
        }
    )
    quiet_logs()
    return app


def app_environment(
    database_url: str, instance: Path, server: BenchDirectoryServer
) -> dict[str, str]:
    return {
        "INTRAPRENEUR_ENV": "test",
        "INTRAPRENEUR_SECRET_KEY": secrets.token_hex(32),
        "INTRAPRENEUR_DATABASE_URL": database_url,
        "INTRAPRENEUR_INSTANCE_PATH": str(instance),
        **directory_environment(server),
    }


@dataclass
class StatementLog:
    """SQL statements by shape (their first words): how many, and the time spent in each."""

    counts: Counter[str] = field(default_factory=Counter)
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def slowest(self, count: int = 3) -> list[tuple[str, int, float]]:
        ranked = sorted(self.seconds.items(), key=lambda item: -item[1])[:count]
        return [(shape, self.counts[shape], seconds) for shape, seconds in ranked]


def statement_shape(statement: str) -> str:
    """The statement's start and, when there is one, its WHERE clause's start: enough
    to tell the sync's look-ups apart, which all begin ``SELECT person.id, …``."""
    flat = " ".join(statement.split())
    head, where, condition = flat.partition(" WHERE ")
    shape = head[:STATEMENT_SHAPE]
    return f"{shape} … WHERE {condition[:STATEMENT_SHAPE]}" if where else shape


@contextmanager
def logged_statements() -> Iterator[StatementLog]:
    log = StatementLog()
    started: list[float] = []

    def before(*_: Any) -> None:
        started.append(time.perf_counter())

    def after(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        shape = statement_shape(statement)
        log.counts[shape] += 1
        log.seconds[shape] += time.perf_counter() - started.pop()

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        yield log
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)


def one_sync(label: str, size: int, profiler: cProfile.Profile | None) -> SyncRun:
    """Run one sync in the current app context, counting statements and sampling memory."""
    say(f"{label}:")
    directory = Directory(current_app.config["DIRECTORY"])
    progress = Progress(size)
    rss_before = rss_mib()
    reset_worked = reset_peak_rss()
    with logged_statements() as statements:
        if profiler:
            profiler.enable()
        start = time.perf_counter()
        report = sync_directory(directory, on_progress=progress)
        seconds = time.perf_counter() - start
        if profiler:
            profiler.disable()
    return SyncRun(
        label, seconds, report.seen, statements, report.describe(), rss_before,
        peak_rss_mib(reset_worked), progress.samples,
    )  # fmt: skip


def sync_database(
    label: str, database_url: str, instance: Path, server: BenchDirectoryServer, args: Any
) -> list[SyncRun]:
    """A first sync into an empty schema (everyone created), then one with nothing to change."""
    app = create_app(app_environment(database_url, instance, server))
    profiler = cProfile.Profile() if args.profile else None
    quiet_logs()
    with app.app_context():
        upgrade()
        try:
            first = one_sync(f"{label}, first sync", args.people, profiler)
            again = one_sync(f"{label}, re-sync (nothing changed)", args.people, None)
        finally:
            db.session.remove()
            db.engine.dispose()
    if profiler:
        print_profile(profiler)
    return [first, again]


def quiet_logs() -> None:
    """create_app logs at INFO; keep the bench output to warnings and our own lines."""
    logging.getLogger().setLevel(logging.WARNING)


def print_profile(profiler: cProfile.Profile) -> None:
    for order in ("tottime", "cumulative"):
        say(f"\n-- profile of the first sync, top 25 by {order} --")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(25)


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema in the bench database (created if missing), dropped afterwards:
    the run never reads or changes anything else in that database."""
    parsed = make_url(url)
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = "SELECT 1 FROM pg_database WHERE datname = :name"
        if not connection.scalar(text(exists), {"name": parsed.database}):
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    server.dispose()
    schema = f"bench_{os.getpid()}"
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        with_path = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
        yield with_path.render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def bench_sync(args: Any, workspace: Path) -> SyncResult:
    say(f"\n== 2. Sync: {args.people:,} people ==")
    with ExitStack() as stack:
        server, load_seconds = start_sync_server(stack, args.people)
        result = SyncResult(args.people, load_seconds, time_raw_read(server, args.people))
        sqlite = f"sqlite:///{workspace / 'bench.db'}"
        result.runs += sync_database("SQLite", sqlite, workspace, server, args)
        postgres = os.environ.get("INTRAPRENEUR_BENCH_DATABASE_URL")
        if postgres:
            url = stack.enter_context(postgres_schema(postgres))
            result.runs += sync_database("PostgreSQL", url, workspace, server, args)
    return result


# -- the summary ----------------------------------------------------------------------------


def verdict(passed: bool) -> str:
    return "ok" if passed else "MISSED"


def sign_in_rows(result: SignInResult) -> list[tuple[str, ...]]:
    rows = []
    for name, measure in (("median", statistics.median), ("p95", percentile_95)):
        ours, bare = measure(result.ours) * 1000, measure(result.bare) * 1000
        rows.append(
            (f"sign-in {name}", f"{ours:.2f} ms", f"{bare:.2f} ms", f"{ours / bare:.2f}×",
             f"≤ {SIGN_IN_TARGET}×", verdict(ours / bare <= SIGN_IN_TARGET))
        )  # fmt: skip
    return rows


def sync_rows(result: SyncResult) -> list[tuple[str, ...]]:
    raw = result.raw_read_seconds
    rows = []
    for run in result.runs:
        # The target is for 50,000 entries; scale it for smaller runs.
        target = SYNC_TARGET_SECONDS * result.people / SYNC_TARGET_PEOPLE
        rows.append(
            (run.label, f"{run.seconds:.1f} s ({run.seen / run.seconds:,.0f}/s)",
             f"{raw:.2f} s raw read", f"{run.seconds / raw:.1f}×", f"< {target:.0f} s",
             verdict(run.seconds < target))
        )  # fmt: skip
        growth = run.samples[-1][1] - run.samples[0][1] if run.samples else 0.0
        rows.append(
            ("  memory peak / growth", f"{run.peak:.0f} MiB / {growth:+.1f} MiB",
             f"{run.rss_before:.0f} MiB before", f"{run.peak / run.rss_before:.2f}×",
             "flat", verdict(growth < 0.1 * run.rss_before))
        )  # fmt: skip
    return rows


def print_table(rows: list[tuple[str, ...]]) -> None:
    header = ("measure", "ours", "baseline", "ratio", "target", "")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * width for width in widths), *rows]:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def print_summary(sign_in: SignInResult, sync: SyncResult) -> None:
    say(f"\n== Summary ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}) ==")
    print_table(sign_in_rows(sign_in) + sync_rows(sync))
    say(f"\nLDAP operations per sign-in (bare baseline: 1 service bind, 1 user search, "
        f"1 user bind, 1 unbind), {sign_in.people:,} people:")  # fmt: skip
    for kind, operations in sign_in.operations.items():
        say(f"  {kind:32} {operations}")
    say(f"\nSync of {sync.people:,} people (directory loaded in {sync.load_seconds:.1f} s):")
    for run in sync.runs:
        per_entry = run.statements.total / max(run.seen, 1)
        say(f"  {run.label}: {run.report}")
        samples = ", ".join(f"{done:,}: {rss:.0f}" for done, rss in run.samples)
        say(f"    RSS MiB after N entries: {samples}")
        say(f"    {run.statements.total:,} SQL statements ({per_entry:.2f} per entry); slowest:")
        for shape, count, seconds in run.statements.slowest():
            say(f"      {seconds:6.1f} s {count:7,}×  {shape}…")


# -- main -----------------------------------------------------------------------------------


def arguments(argv: list[str] | None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=SYNC_TARGET_PEOPLE, help="sync size")
    parser.add_argument("--sign-ins", type=int, default=200, help="timed sign-ins")
    parser.add_argument(
        "--sign-in-people", type=int, default=3000, help="people on the sign-in server"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the first sync")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    try:
        # The temporary folder and both slapd servers go away on any exit, Ctrl+C included.
        with tempfile.TemporaryDirectory(prefix="intrapreneur-bench-") as workspace:
            sign_in = bench_sign_in(args.sign_in_people, args.sign_ins)
            sync = bench_sync(args, Path(workspace))
    except KeyboardInterrupt:
        say("\nInterrupted: servers stopped and temporary files removed.")
        return 130
    print_summary(sign_in, sync)
    return 0


if __name__ == "__main__":
    sys.exit(main())
