"""Soak: "Nothing lost". The load mix for ``--minutes`` with a fault every minute.

The production set-up of bench/load.py (directory, Redis, ``intrapreneur worker``,
gunicorn with 2 workers), on a PostgreSQL cluster and a Redis of its own (made to be
broken), runs the mix of bench/load_mix.py while the benchmark injects one fault every
``--fault-every`` seconds, in turn:

* **PostgreSQL**: fast stop (connections cut, open transactions rolled back), down for
  ``--outage`` seconds, start;
* **Redis**: killed, down for ``--outage`` seconds, started again (empty, as it keeps
  nothing on disk);
* **a gunicorn worker**: SIGKILL (gunicorn starts another).

At the end it compares what the load tool was told with what the database holds:

* survey answers thanked == survey_response rows of the open wave (by pseudonym);
* board moves reported as saved == ``experiment.moved`` audit events, and each card's
  column is where its last saved move put it;
* attendance saves reported as saved == ``session.attendance`` audit events, and each
  register holds what its last saved save sent;
* questions reported as saved == the questions stored.

A write whose request got no answer (the connection cut under it) may or may not have
been stored; those are counted apart and allowed on either side. A write refused with the
503 page must not be stored. Prints each pair with PASS or FAIL, the status histogram
(every failure should be a clear 503), and exits with 1 on any mismatch.

    .venv/bin/python bench/soak.py [--minutes 10] [--fault-every 60] [--outage 5]
        [--faults postgres,redis,worker] [--keep-logs DIR]
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from directory import say
from load import MIX, Endpoint, Site, arguments, failures, locust, read_stats, running_site
from sqlalchemy import func, select

from intrapreneur.core.models import AuditEvent
from intrapreneur.culture import services as surveys
from intrapreneur.culture.models import SurveyResponse
from intrapreneur.experiments.models import Experiment
from intrapreneur.extensions import db
from intrapreneur.learning.models import Attendance, Question

# Importable because load.py puts the repository root on sys.path.
from tests.reliability.servers import (
    POSTGRES_BIN,
    POSTGRES_MISSING,
    REDIS_MISSING,
    REDIS_SERVER,
    ThrowawayPostgres,
    ThrowawayRedis,
)

FAILURES_SHOWN = 15
TRACEBACK_LINES = 12
ERRORS_SHOWN = 2


# -- faults ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    name: str
    inject: Callable[[], str]  # does it, and says what it did


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def faults(
    site: Site, postgres: ThrowawayPostgres, redis: ThrowawayRedis, outage: float
) -> list[Fault]:
    def restart_postgres() -> str:
        postgres.stop()
        time.sleep(outage)
        postgres.start()
        return f"PostgreSQL fast stop, {outage:g} s down, started"

    def restart_redis() -> str:
        redis.stop()
        time.sleep(outage)
        redis.start()
        return f"Redis killed, {outage:g} s down, started"

    def kill_worker() -> str:
        pid = worker_pids(site.server.process.pid)[0]
        os.kill(pid, signal.SIGKILL)
        return f"gunicorn worker {pid} killed (SIGKILL)"

    return [
        Fault("postgres", restart_postgres),
        Fault("redis", restart_redis),
        Fault("worker", kill_worker),
    ]


def inject_faults(
    rotation: list[Fault], every: float, until: float, stop: threading.Event
) -> list[str]:
    """One fault every ``every`` seconds, in turn, while the load runs."""
    done = []
    started = time.monotonic()
    number = 0
    while not stop.wait(every) and time.monotonic() + every / 2 < until:
        fault = rotation[number % len(rotation)]
        at = time.monotonic() - started
        said = fault.inject()
        done.append(f"{at:5.0f} s  {said}")
        say(f"  fault at {at:.0f} s: {said}")
        number += 1
    return done


# -- what the database holds ----------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    label: str
    told: int  # the writes the load tool was told were saved
    stored: int  # what the database holds of them
    unclear: int  # writes that got no answer: either way is right
    passed: bool
    detail: str = ""


def saved_and_unclear(outcomes: dict[str, list[Any]]) -> tuple[list[Any], list[Any], list[Any]]:
    return outcomes.get("saved", []), outcomes.get("unclear", []), outcomes.get("refused", [])


def within(stored: Counter[Any], saved: Counter[Any], unclear: Counter[Any]) -> bool:
    """Everything saved is stored, and nothing more than the unclear writes besides."""
    return not (saved - stored) and not (stored - saved - unclear)


def check_answers(wave_id: int, outcomes: dict[str, list[Any]]) -> Check:
    saved, unclear, refused = saved_and_unclear(outcomes)
    stored = Counter(
        db.session.scalars(
            select(SurveyResponse.pseudonym).where(SurveyResponse.wave_id == wave_id)
        )
    )
    pseudonym = surveys.pseudonym_of
    told = Counter(pseudonym(person_id) for person_id in saved)
    maybe = Counter(pseudonym(person_id) for person_id in unclear)
    only_refused = {pseudonym(p) for p in refused} - set(told) - set(maybe)
    stored_refused = len(only_refused & set(stored))
    return Check(
        "survey answers thanked / survey_response rows",
        sum(told.values()),
        stored.total(),
        len(unclear),
        within(stored, told, maybe) and not stored_refused,
        f"{len(refused)} refused with 503, {stored_refused} of them stored",
    )


def audited(action: str, since: int, key: Callable[[dict[str, Any], str | None], Any]) -> Counter:
    rows = db.session.execute(
        select(AuditEvent.details, AuditEvent.object_id).where(
            AuditEvent.action == action, AuditEvent.id > since
        )
    )
    return Counter(key(details, object_id) for details, object_id in rows)


def check_moves(since: int, outcomes: dict[str, list[Any]]) -> Check:
    saved, unclear, _ = saved_and_unclear(outcomes)
    stored = audited("experiment.moved", since, lambda d, card: (int(card or 0), d["to"]))
    told = Counter((card, to) for card, to in saved)
    last = {card: to for card, to in saved}
    unsure = {card for card, _ in unclear}
    cards = select(Experiment.id, Experiment.column).where(Experiment.id.in_(last))
    columns = {card: column for card, column in db.session.execute(cards)}
    wrong = [card for card, to in last.items() if card not in unsure and columns[card] != to]
    return Check(
        "board moves saved / experiment.moved audit events",
        told.total(),
        stored.total(),
        len(unclear),
        within(stored, told, Counter(map(tuple, unclear))) and not wrong,
        f"{len(last)} cards moved, {len(wrong)} not in the column of their last saved move",
    )


def check_attendance(since: int, outcomes: dict[str, list[Any]]) -> Check:
    saved, unclear, _ = saved_and_unclear(outcomes)

    def entry(details: dict[str, Any], session: str | None) -> tuple[int, tuple[int, ...]]:
        return int(session or 0), tuple(details["present"])

    stored = audited("session.attendance", since, entry)
    told = Counter((session, tuple(present)) for session, present in saved)
    last = {session: set(present) for session, present in saved}
    unsure = {session for session, _ in unclear}
    wrong = []
    for session, present in last.items():
        rows = db.session.execute(
            select(Attendance.person_id).where(
                Attendance.session_id == session, Attendance.present.is_(True)
            )
        )
        if session not in unsure and set(rows.scalars()) != present:
            wrong.append(session)
    maybe = Counter((session, tuple(present)) for session, present in unclear)
    return Check(
        "attendance saves / session.attendance audit events",
        told.total(),
        stored.total(),
        len(unclear),
        within(stored, told, maybe) and not wrong,
        f"{len(last)} registers, {len(wrong)} not as their last saved save left them",
    )


def check_questions(outcomes: dict[str, list[Any]]) -> Check:
    saved, unclear, _ = saved_and_unclear(outcomes)
    asked = [*saved, *unclear, *outcomes.get("refused", [])]
    stored = Counter(db.session.scalars(select(Question.text).where(Question.text.in_(asked))))
    return Check(
        "questions saved / question rows",
        len(saved),
        stored.total(),
        len(unclear),
        within(stored, Counter(saved), Counter(unclear)),
    )


def print_checks(checks: list[Check]) -> bool:
    for check in checks:
        unclear = f" (+ up to {check.unclear} unanswered)" if check.unclear else ""
        verdict = "PASS" if check.passed else "FAIL"
        say(f"  {verdict}  {check.label}: {check.told}{unclear} / {check.stored}")
        if check.detail:
            say(f"        {check.detail}")
    return all(check.passed for check in checks)


def print_statuses(statuses: dict[str, dict[str, int]]) -> bool:
    """The status histogram; every failure should be a clear 503. True when none is a
    500 (an error the app did not handle)."""
    total: Counter[int] = Counter()
    for name, counts in sorted(statuses.items()):
        histogram = Counter({int(status): count for status, count in counts.items()})
        total += histogram
        say(
            f"  {name:<18} "
            + ", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(histogram.items()))
        )
    say(f"  {'all':<18} " + ", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(total.items())))
    unclear = {status: n for status, n in total.items() if status not in (200, 302, 503)}
    if unclear:
        say(f"  not a clear 503: {unclear} (no answer: the connection was cut under the request)")
    return not any(status >= 500 and status != 503 for status in total)


def print_endpoints(endpoints: list[Endpoint]) -> None:
    for e in endpoints:
        say(
            f"  {e.name:<18} {e.requests:6,} requests  {e.per_second:6.1f}/s  p50 {e.p50:5.0f} ms  "
            f"p95 {e.p95:6.0f} ms  p99 {e.p99:6.0f} ms  failed {e.failures} ({e.error_rate:.2%})"
        )


def failure_count(line: str) -> int:
    return int(line.split("×", 1)[0])


def print_server_errors(log: Path) -> None:
    """The server's first unhandled errors: the app's own log line (JSON, the traceback in
    exc_info) or gunicorn's (a line, then the traceback), each with its traceback's end."""
    lines = log.read_text(errors="replace").splitlines()
    shown = 0
    for number, line in enumerate(lines):
        if shown == ERRORS_SHOWN:
            break
        if "unhandled error on" in line:
            entry = json.loads(line)
            trace = str(entry.get("exc_info", "")).splitlines()
            heading = entry.get("message", line)
        elif "[ERROR]" in line:
            following = itertools.takewhile(lambda text: not text.startswith(("{", "[")),
                                            lines[number + 1 :])  # fmt: skip
            trace, heading = list(following), line
        else:
            continue
        shown += 1
        say(f"\nThe server logged: {heading}")
        for text in trace[-TRACEBACK_LINES:]:
            say(f"  {text[:300]}")


# -- main -----------------------------------------------------------------------------------


@contextmanager
def own_servers(workspace: Path) -> Iterator[tuple[ThrowawayPostgres, ThrowawayRedis]]:
    if POSTGRES_BIN is None:
        raise SystemExit(POSTGRES_MISSING)
    if REDIS_SERVER is None:
        raise SystemExit(REDIS_MISSING)
    # Not a private temporary folder: as root the cluster runs as the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="intrapreneur-soak-pg-"))
    postgres = ThrowawayPostgres(folder)
    redis = ThrowawayRedis()
    try:
        postgres.start()
        redis.start()
        yield postgres, redis
    finally:
        redis.stop()
        postgres.stop(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)


def last_audit_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0))) or 0


def soak(args: Any, workspace: Path) -> bool:
    with (
        own_servers(workspace) as (postgres, redis),
        running_site(args, postgres.url, redis, workspace) as site,
    ):
        with site.app.app_context():
            since = last_audit_id()
            db.session.remove()
        seconds = int(args.minutes * 60)
        stop = threading.Event()
        with locust(site, MIX, "soak", args, seconds):
            rotation = [
                f for f in faults(site, postgres, redis, args.outage) if f.name in args.faults
            ]
            done = inject_faults(
                rotation,
                args.fault_every,
                time.monotonic() + seconds,
                stop,
            )
        say(f"\n{len(done)} faults injected:")
        for line in done:
            say(f"  {line}")
        ledger = json.loads((workspace / "soak_ledger.json").read_text())
        plan = json.loads(site.plan.read_text())
        say(f"\nThe mix under faults ({args.users} users, {seconds} s):")
        print_endpoints(read_stats(workspace / "soak_stats.csv"))
        for line in sorted(failures(site, "soak"), key=failure_count, reverse=True)[
            :FAILURES_SHOWN
        ]:
            say(f"  {line}")
        say("\nStatuses by endpoint:")
        handled = print_statuses(ledger["statuses"])
        if not handled:
            print_server_errors(workspace / "server.log")
        say("\nWhat the load tool was told against what the database holds:")
        with site.app.app_context():
            checks = [
                check_answers(plan["wave_id"], ledger["answers"]),
                check_moves(since, ledger["moves"]),
                check_attendance(since, ledger["attendance"]),
                check_questions(ledger["questions"]),
            ]
            db.session.remove()
        passed = print_checks(checks)
        if args.keep_logs:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            for log in ("server.log", "worker.log", "soak_locust.log"):
                shutil.copy(workspace / log, args.keep_logs / log)
        alive = site.server.process.poll() is None and site.worker.poll() is None
    say(
        f"\n{'PASS' if passed and handled and alive else 'FAIL'}: nothing lost"
        f"{'' if handled else ', but some requests failed with an unhandled error'}"
        f"{'' if alive else ', but a server process had stopped'}"
    )
    return passed and handled and alive


def main(argv: list[str] | None = None) -> int:
    parser = arguments(argv, __doc__)
    parser.add_argument("--minutes", type=float, default=10, help="minutes of load")
    parser.add_argument("--fault-every", type=float, default=60, help="seconds between faults")
    parser.add_argument("--outage", type=float, default=5, help="seconds a server stays down")
    parser.add_argument(
        "--keep-logs", type=Path, metavar="DIR", help="copy the server's logs there at the end"
    )
    parser.add_argument(
        "--faults",
        default="postgres,redis,worker",
        type=lambda value: value.split(","),
        help="the faults to inject in turn (default postgres,redis,worker)",
    )
    args = parser.parse_args(argv)
    say(
        f"Soak ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}, "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    with tempfile.TemporaryDirectory(prefix="intrapreneur-soak-") as folder:
        passed = soak(args, Path(folder))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
