"""Web benchmark: the signed-in home page under gunicorn against a trivial route.

Seeds the demo organisation into PostgreSQL, starts ``intrapreneur serve`` with two
workers and production settings on loopback, signs in through the real sign-in form as a
guest entrepreneur, and loads each route with ``wrk`` (50 connections, 2 threads), the
routes in turn, ``--runs`` times:

* the trivial route ``/healthz``, the baseline: the same app, server and middleware;
* the home page ``/`` with the signed-in session cookie;
* the signed-in floor: ``/sign-in`` with the cookie, which loads the person and redirects
  home, the least any signed-in page costs.

Target: the home page serves at least half the requests per second of the trivial route
(the medians of the runs). Also reports the latency percentiles at 50 concurrent clients,
and counts as an error every response that is not the expected one: a 200 naming the
signed-in person for ``/``, a 200 saying ok for ``/healthz``, a redirect home for the floor.
Then, in this process with the server's settings, counts the home page's SQL statements
and splits its time between the database driver and the rest (``--profile``: cProfile).

    .venv/bin/python bench/web.py [--duration 20] [--runs 3] [--database-url URL] [--profile]

It needs ``wrk`` (Debian: ``apt-get install wrk``) and a PostgreSQL server; the run works
in a schema of its own in the bench database (created if missing) and drops it afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import pstats
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from boards import (
    SQL_SHOWN,
    FreshContextClient,
    print_profile,
    recorded_statements,
    replay,
    signed_in_client,
    timed,
)
from directory import logged_statements, postgres_schema, quiet_logs, say
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select

from intrapreneur import create_app
from intrapreneur.cli.demo_data import seed_demo_organisation
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/intrapreneur_bench"
TARGET = 0.5  # home page requests per second over the trivial route's
WORKERS = 2
CONNECTIONS = 50
# wrk's default of 2 s would count the slowest requests of a busy machine as errors and
# leave them out of the percentiles; gunicorn's own timeout is 30 s.
WRK_TIMEOUT = 10
WRK_THREADS = 2
HOST = "127.0.0.1"
STARTUP_SECONDS = 60.0
IN_PROCESS_REQUESTS = 500
PACKAGES_SHOWN = 12
# A demo guest entrepreneur in Set Aurora: the home page lists the set and its next sessions.
GUEST_EMAIL = "leo@santos-labs.example"
GREETING = "Hello, Leo Santos"

# Each wrk thread checks every response; done() prints one JSON line the benchmark parses.
# Latencies are in microseconds.
WRK_SCRIPT = """
wrk.headers["Cookie"] = {cookie}
local wanted_status = {status}
local expected = {expected}
local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrong = 0
  wrong_status = 0
end

function response(status, headers, body)
  local good
  if status == 302 then
    good = headers["Location"] == expected
  else
    good = string.find(body, expected, 1, true) ~= nil
  end
  if status ~= wanted_status or not good then
    wrong = wrong + 1
    wrong_status = status
  end
end

function done(summary, latency, requests)
  local wrong_total, wrong_status = 0, 0
  for _, thread in ipairs(threads) do
    wrong_total = wrong_total + thread:get("wrong")
    wrong_status = math.max(wrong_status, thread:get("wrong_status"))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {{"requests": %d, "duration_us": %d, "p50": %d, "p90": %d, "p95": %d, ' ..
    '"p99": %d, "socket_errors": %d, "wrong": %d, "wrong_status": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, wrong_total, wrong_status))
end
"""


@dataclass(frozen=True)
class Route:
    label: str
    path: str
    cookie: str
    expected: str  # text every good response carries; for a redirect, its Location
    status: int = 200


@dataclass(frozen=True)
class Run:
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    socket_errors: int  # connect, read, write errors and timeouts
    wrong: int  # responses with another status, or without the expected text
    wrong_status: int  # the status of a wrong response, 0 if none

    @property
    def errors(self) -> int:
        return self.socket_errors + self.wrong

    def describe_errors(self) -> str:
        if not self.errors:
            return "errors 0"
        return (
            f"errors {self.errors} ({self.socket_errors} socket errors or timeouts, "
            f"{self.wrong} wrong responses, e.g. status {self.wrong_status})"
        )


@dataclass(frozen=True)
class Summary:
    route: Route
    runs: list[Run]

    def median(self, name: str) -> float:
        return statistics.median(getattr(run, name) for run in self.runs)

    @property
    def errors(self) -> int:
        return sum(run.errors for run in self.runs)


# -- the database and the server ------------------------------------------------------------


def server_environment(database_url: str, instance: Path) -> dict[str, str]:
    """Production settings, as a deployment would give them (no Redis: neither route
    touches it, and the login limit falls back to memory)."""
    return {
        "INTRAPRENEUR_ENV": "production",
        "INTRAPRENEUR_SECRET_KEY": secrets.token_hex(32),
        "INTRAPRENEUR_SURVEY_PSEUDONYM_KEY": secrets.token_hex(32),
        "INTRAPRENEUR_DATABASE_URL": database_url,
        "INTRAPRENEUR_INSTANCE_PATH": str(instance),
    }


def seed(app: Flask) -> str:
    """Migrate, seed the demo organisation and return the guest's password."""
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        summary = seed_demo_organisation()
        db.session.commit()
        say(f"  seeded the demo organisation in {time.perf_counter() - start:.1f} s")
        password = summary.guest_passwords[GUEST_EMAIL]
        db.session.remove()
    return password


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class RunningServer:
    port: int
    process: subprocess.Popen[bytes]  # the gunicorn master; its children are the workers


@contextmanager
def running_server(env: dict[str, str], workspace: Path) -> Iterator[RunningServer]:
    """``intrapreneur serve`` with two workers on a free loopback port; its access log
    goes to a file, as a production log collector would take it off the process."""
    port = free_port()
    root = Path(__file__).resolve().parents[1]
    command = [
        str(Path(sys.executable).parent / "intrapreneur"),
        "serve",
        "--bind",
        f"{HOST}:{port}",
    ]
    server_env = {
        **os.environ,
        **env,
        "INTRAPRENEUR_WEB_WORKERS": str(WORKERS),
        "PROMETHEUS_MULTIPROC_DIR": str(workspace / "prometheus"),
        # The server runs this checkout's code, like the benchmark itself.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    log = (workspace / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 -- fixed arguments
        command, env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        wait_until_up(server, port, workspace / "server.log")
        yield RunningServer(port, server)
    finally:
        stop(server, seconds=35)
        log.close()


def stop(process: subprocess.Popen[Any], seconds: float) -> None:
    """SIGTERM, so it stops gracefully; SIGKILL if it has not within ``seconds``."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_up(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start:\n{log.read_text()[-2000:]}")
        try:
            if get(port, "/healthz", "")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer within {STARTUP_SECONDS:.0f} s")


# -- signing in -----------------------------------------------------------------------------


def request(
    port: int, method: str, path: str, cookie: str, body: str | None = None
) -> tuple[int, dict[str, str], str, list[str]]:
    """One request on its own connection: status, headers, body and the Set-Cookie lines.

    Cookies are handled by hand: production marks them Secure, and a client that honours
    the flag would not send them back over plain HTTP."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        set_cookies = response.headers.get_all("Set-Cookie") or []
        return response.status, dict(response.headers), text, set_cookies
    finally:
        connection.close()


def get(port: int, path: str, cookie: str) -> tuple[int, str]:
    status, _, text, _ = request(port, "GET", path, cookie)
    return status, text


def session_cookie(set_cookies: list[str]) -> str:
    jar: SimpleCookie = SimpleCookie()
    for line in set_cookies:
        jar.load(line)
    if "session" not in jar:
        raise SystemExit("the server set no session cookie")
    return f"session={jar['session'].value}"


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the real form (CSRF token included) and return the Cookie header."""
    status, _, page, set_cookies = request(port, "GET", "/sign-in", "")
    assert status == 200, f"/sign-in answered {status}"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "the sign-in form carries no CSRF token"
    form = urlencode({"csrf_token": token.group(1), "login": email, "password": password})
    status, headers, _, set_cookies = request(
        port, "POST", "/sign-in", session_cookie(set_cookies), form
    )
    if status != 302 or headers.get("Location") != "/":
        raise SystemExit(f"sign-in refused: {status} to {headers.get('Location')}")
    return session_cookie(set_cookies)


# -- loading --------------------------------------------------------------------------------


def wrk_script(route: Route, workspace: Path) -> Path:
    path = workspace / f"wrk-{route.path.strip('/') or 'home'}.lua"
    path.write_text(
        WRK_SCRIPT.format(
            cookie=json.dumps(route.cookie),
            status=route.status,
            expected=json.dumps(route.expected),
        )
    )
    path.chmod(0o600)
    return path


def load(port: int, route: Route, script: Path, seconds: int) -> Run:
    command = [
        "wrk",
        f"--threads={WRK_THREADS}",
        f"--connections={CONNECTIONS}",
        f"--duration={seconds}s",
        f"--timeout={WRK_TIMEOUT}s",
        "--latency",
        f"--script={script}",
        f"http://{HOST}:{port}{route.path}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next((line for line in output.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no summary:\n{output}")
    figures = json.loads(line.removeprefix("BENCH "))
    return Run(
        requests_per_second=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50"] / 1000,
        p90_ms=figures["p90"] / 1000,
        p95_ms=figures["p95"] / 1000,
        p99_ms=figures["p99"] / 1000,
        socket_errors=figures["socket_errors"],
        wrong=figures["wrong"],
        wrong_status=figures["wrong_status"],
    )


def bench_routes(port: int, routes: list[Route], workspace: Path, args: Any) -> list[Summary]:
    """Warm the routes up, then run each in turn, in reverse order every other run, so
    none always finds the machine in the state another left."""
    scripts = {route.path: wrk_script(route, workspace) for route in routes}
    for route in routes:
        load(port, route, scripts[route.path], args.warmup)
    runs: dict[str, list[Run]] = {route.path: [] for route in routes}
    for n in range(args.runs):
        for route in routes if n % 2 == 0 else reversed(routes):
            run = load(port, route, scripts[route.path], args.duration)
            runs[route.path].append(run)
            say(
                f"  run {n + 1} {route.label:<15} {run.requests_per_second:8.1f} req/s  "
                f"p95 {run.p95_ms:6.1f} ms  {run.describe_errors()}"
            )
    return [Summary(route, runs[route.path]) for route in routes]


# -- what a home page costs in the app ------------------------------------------------------


@dataclass(frozen=True)
class InProcess:
    """One request in this process with the server's settings, through the Flask test
    client: no HTTP, no gunicorn, no access log."""

    statements: int
    home_ms: float
    floor_ms: float
    trivial_ms: float
    driver_ms: float  # of home_ms, the mean in the driver's execute, round trips included
    bare_ms: float  # the home page's statements replayed on a raw connection


def median_ms(client: FlaskClient, path: str, count: int) -> float:
    return statistics.median(timed(lambda: client.get(path)) for _ in range(count)) * 1000


def package_of(filename: str) -> str:
    """``sqlalchemy`` for .../site-packages/sqlalchemy/orm/query.py; templates by name."""
    if filename.endswith(".html"):
        return "templates"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    if "/intrapreneur/" in filename:
        return "intrapreneur"
    if filename == "~":
        return "C built-ins"
    return "python" if "/lib/python" in filename else "other"


def print_time_by_package(action: Callable[[], object], count: int, label: str) -> None:
    """Own time (cProfile's tottime) summed by package: where a request's time goes."""
    profiler = cProfile.Profile()
    profiler.runcall(action)
    by_package: Counter[str] = Counter()
    for (filename, _, _), (_, _, own, _, _) in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        by_package[package_of(filename)] += own
    total = sum(by_package.values())
    say(f"\n-- {count} × {label} in process: own time by package (under cProfile) --")
    for package, seconds in by_package.most_common(PACKAGES_SHOWN):
        say(f"  {package:<20} {seconds * 1000 / count:6.2f} ms a request  {seconds / total:6.1%}")


def in_process(app: Flask, args: Any) -> InProcess:
    """The home page's statements and where its time goes; with --profile, cProfile too."""
    count = IN_PROCESS_REQUESTS
    with app.app_context():
        person_id = db.session.scalar(select(Person.id).where(Person.email == GUEST_EMAIL))
        db.session.remove()
        client = signed_in_client(app, person_id)
        visitor = FreshContextClient(app, app.response_class)
        for _ in range(count // 10):
            client.get("/")
            visitor.get("/healthz")
        with recorded_statements() as statements:
            response = client.get("/")
        assert response.status_code == 200, f"/ answered {response.status_code} in process"
        if args.profile:
            for statement, _ in statements:
                say("    " + " ".join(statement.split())[:SQL_SHOWN])
            print_profile("home page in process", lambda: client.get("/"))
            print_time_by_package(
                lambda: [client.get("/") for _ in range(count)], count, "home page"
            )
        trivial = median_ms(visitor, "/healthz", count)
        floor = median_ms(client, "/sign-in", count)
        with logged_statements() as log:
            home = median_ms(client, "/", count)
        bare = statistics.median(timed(lambda: replay(statements)) for _ in range(count))
        db.engine.dispose()
    driver = sum(log.seconds.values()) * 1000 / count
    return InProcess(len(statements), home, floor, trivial, driver, bare * 1000)


# -- the report -----------------------------------------------------------------------------


def print_table(summaries: list[Summary], measured: InProcess) -> bool:
    trivial, home = summaries[:2]
    ratio = home.median("requests_per_second") / trivial.median("requests_per_second")
    say(
        f"\nMedians of {len(home.runs)} runs, {CONNECTIONS} connections, "
        f"{WRK_THREADS} wrk threads, gunicorn {WORKERS} workers:"
    )
    header = ("route", "req/s", "of trivial", "p50", "p90", "p95", "p99", "errors")
    rows = [
        (f"{s.route.label} ({s.route.path})", f"{s.median('requests_per_second'):,.1f}",
         f"{s.median('requests_per_second') / trivial.median('requests_per_second'):.2f}",
         f"{s.median('p50_ms'):.1f} ms", f"{s.median('p90_ms'):.1f} ms",
         f"{s.median('p95_ms'):.1f} ms", f"{s.median('p99_ms'):.1f} ms", str(s.errors))
        for s in summaries
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * width for width in widths), *rows]:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    passed = ratio >= TARGET
    say(
        f"\nhome / trivial: {ratio:.2f} (target ≥ {TARGET}) {'ok' if passed else 'MISSED'}"
        f"\nhome page p95 at {CONNECTIONS} clients: {home.median('p95_ms'):.1f} ms"
        f"\nin process, medians of {IN_PROCESS_REQUESTS}: home page {measured.home_ms:.2f} ms "
        f"(in the driver {measured.driver_ms:.2f} ms for {measured.statements} SQL statements, "
        f"replayed bare {measured.bare_ms:.2f} ms), signed-in floor {measured.floor_ms:.2f} ms, "
        f"/healthz {measured.trivial_ms:.2f} ms"
    )
    errors = sum(s.errors for s in summaries)
    if errors:
        say(f"{errors} responses failed or were not the expected page: MISSED")
    return passed and not errors


def arguments(argv: list[str] | None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of each timed run")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each route")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load before timing")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="PostgreSQL URL")
    parser.add_argument("--profile", action="store_true", help="cProfile home pages in process")
    return parser.parse_args(argv)


def bench(args: Any, url: str, workspace: Path) -> bool:
    env = server_environment(url, workspace)
    app = create_app(env)
    quiet_logs()
    password = seed(app)
    with running_server(env, workspace) as server:
        port = server.port
        cookie = sign_in(port, GUEST_EMAIL, password)
        status, page = get(port, "/", cookie)
        assert status == 200 and GREETING in page, f"/ with the cookie answered {status}"
        assert get(port, "/", "")[0] == 302, "/ without a cookie must send to the sign-in"
        say(f"  signed in as {GUEST_EMAIL} through the form; {args.duration} s a run")
        routes = [
            Route("trivial", "/healthz", "", '"status":"ok"'),
            Route("home page", "/", cookie, GREETING),
            # Signed in, /sign-in loads the person and redirects home: the least any
            # signed-in page costs (session cookie, person and roles, no page).
            Route("signed-in floor", "/sign-in", cookie, "/", status=302),
        ]
        summaries = bench_routes(port, routes, workspace, args)
    return print_table(summaries, in_process(app, args))


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    if shutil.which("wrk") is None:
        say("wrk is not installed: apt-get install wrk (Debian), brew install wrk (macOS)")
        return 2
    say(f"Web benchmark ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d')})")
    with (
        tempfile.TemporaryDirectory(prefix="intrapreneur-bench-") as workspace,
        postgres_schema(args.database_url) as url,
    ):
        passed = bench(args, url, Path(workspace))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
