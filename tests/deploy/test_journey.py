"""One journey, end to end over HTTP, on both set-ups issue 7 names.

HR invites a guest into a set → the invitation email arrives → the guest opens its link,
sets a password and signs in with it → HR schedules a session for tomorrow → the session
invitation with its calendar file arrives → the daily reminders run → the reminder arrives.

- **Embedded**: one `intrapreneur serve` process on SQLite, no Redis; scheduled work runs as
  a cron job would, `intrapreneur scheduled TASK` with the same settings.
- **Production**: gunicorn with two workers, PostgreSQL, Redis and an `intrapreneur worker`
  process; the test plays the scheduler's part (`jobs.enqueue`, as `enqueue_due` does) and the
  worker runs the jobs, on the tests' Redis and PostgreSQL (started for the run when none is
  configured: tests/services.py).

Both run with production settings (``INTRAPRENEUR_ENV=production``: in-process jobs on a
thread, Secure cookies, break-glass sign-in off); HR signs in through the real slapd, the
guest with the password they set; email goes to a real SMTP server on loopback.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from email.message import EmailMessage
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, build_opener
from zoneinfo import ZoneInfo

import icalendar
import pytest
from flask import Flask
from rq.job import JobStatus as RqStatus

from intrapreneur import create_app
from intrapreneur.core import jobs
from intrapreneur.core.models import BackgroundJob, JobStatus
from intrapreneur.core.timezones import DEFAULT_ZONE
from intrapreneur.extensions import db
from intrapreneur.identity.local_directory import LocalDirectoryServer
from tests.conftest import (
    MAIL_FROM,
    PostgresDatabase,
    SmtpServer,
    directory_environment,
    ldap_password,
)
from tests.deploy.test_serve import (
    INTRAPRENEUR,
    Server,
    _clean_environment,
    _free_port,
    stop_process,
)
from tests.deploy.test_serve import _wait_until_up as _wait_until_serving
from tests.formats import moment

GUEST_EMAIL = "grace.guest@startup.example"
GUEST_NAME = "Grace Guest"
GUEST_PASSWORD = "amber-kettle-orchard-violin-83"
HR_LOGIN = "alice"  # in the test directory's hr group
SET_NAME = "Harbour Set"
SESSION_START = clock(10, 0)  # in HR's zone, the default one
SESSION_PLACE = "Room 4.12"
MAIL_SECONDS = 60  # a generous deadline for an email to arrive, not a timed assertion
JOB_SECONDS = 60


# -- a browser: its own cookies, forms posted with the CSRF token their page carries ---------


@dataclass(frozen=True)
class Page:
    status: int
    url: str
    text: str

    def csrf_token(self) -> str:
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.text)
        assert match, f"{self.url} carries a CSRF token"
        return match.group(1)

    def option(self, label: str) -> str:
        """The value of the <option> whose text contains ``label``."""
        match = re.search(rf'<option[^>]*value="([^"]*)"[^>]*>[^<]*{re.escape(label)}', self.text)
        assert match, f"{self.url} offers {label!r}"
        return match.group(1)

    def field(self, name: str) -> str:
        match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', self.text)
        assert match, f"{self.url} has a filled-in {name!r}"
        return match.group(1)


class Browser:
    def __init__(self, root: str) -> None:
        # Browsers treat loopback as a secure context, so they keep and send the Secure
        # cookies production sets even over plain HTTP to 127.0.0.1.
        jar = CookieJar(DefaultCookiePolicy(secure_protocols=("http", "https")))
        self._opener = build_opener(HTTPCookieProcessor(jar))
        self.root = root

    def get(self, target: str) -> Page:
        return self._open(target, None)

    def post(self, target: str, fields: dict[str, str], *, token_from: Page) -> Page:
        """Submit a form shown on ``token_from`` (redirects are followed, as a browser does)."""
        return self._open(target, {**fields, "csrf_token": token_from.csrf_token()})

    def fill_in(self, target: str, fields: dict[str, str]) -> Page:
        """Open the form at ``target`` and submit it with ``fields``."""
        return self.post(target, fields, token_from=self.get(target))

    def _open(self, target: str, fields: dict[str, str] | None) -> Page:
        url = target if target.startswith("http") else self.root + target
        data = urlencode(fields).encode() if fields is not None else None
        try:
            with self._opener.open(url, data=data, timeout=30) as response:
                return Page(response.status, response.url, response.read().decode())
        except HTTPError as error:
            with error:
                return Page(error.code, error.url, error.read().decode())


# -- the journey, the same on every set-up -------------------------------------------------


@dataclass(frozen=True)
class Deployment:
    """A running set-up: its web address, the SMTP server it sends to, and how it runs a
    scheduled task (``run_task("reminders")`` returns the task's one-line summary)."""

    root: str
    inbox: SmtpServer
    run_task: Callable[[str], str]
    logs: Callable[[], str]


def _await_mail(inbox: SmtpServer, to: str, subject: str, logs: Callable[[], str]) -> EmailMessage:
    """The one email to ``to`` with this subject, once it has arrived."""
    deadline = time.monotonic() + MAIL_SECONDS
    while True:
        found = [
            mail.message
            for mail in inbox.received
            if mail.recipients == [to] and mail.message["Subject"] == subject
        ]
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(found) == 1, f"one {subject!r} to {to}; received {_summary(inbox)}\n{logs()}"
    assert found[0]["To"].addresses[0].addr_spec == to
    return found[0]


def _summary(inbox: SmtpServer) -> list[tuple[list[str], str]]:
    return [(mail.recipients, str(mail.message["Subject"])) for mail in inbox.received]


def _text_of(message: EmailMessage) -> str:
    """The plain-text part; every email has an HTML part too."""
    text_part, html_part = (message.get_body(preferencelist=(kind,)) for kind in ("plain", "html"))
    assert text_part is not None and html_part is not None, message.as_string()
    return text_part.get_content()


def _calendar_of(message: EmailMessage) -> icalendar.Calendar:
    """The calendar file, sent as Google Calendar does: an ``invite.ics`` attachment and a
    ``text/calendar`` alternative with the same method, which Outlook and Apple Mail act on."""
    attachments = [part for part in message.iter_attachments() if part.get_filename()]
    assert [part.get_filename() for part in attachments] == ["invite.ics"]
    calendar = icalendar.Calendar.from_ical(attachments[0].get_content())
    alternatives = [
        part.get_param("method")
        for part in message.walk()
        if part.get_content_type() == "text/calendar" and not part.get_filename()
    ]
    assert alternatives == [str(calendar["METHOD"])], message.as_string()
    return calendar


def _link_in(text_body: str, root: str, path: str) -> str:
    match = re.search(rf"{re.escape(root)}{path}\S*", text_body)
    assert match, f"a link to {root}{path} in:\n{text_body}"
    return match.group(0)


def _journey(site: Deployment) -> None:
    hr = Browser(site.root)
    signed_in = hr.fill_in("/sign-in", {"login": HR_LOGIN, "password": ldap_password(HR_LOGIN)})
    assert "Alice Archer" in signed_in.text, signed_in.text  # through the directory
    set_path = _new_set(hr)
    guest = _invited_guest(site, hr, set_path)
    _session_tomorrow(site, hr, guest, set_path)
    _reminder(site, guest, set_path)
    assert len(site.inbox.received) == 3, _summary(site.inbox)  # nothing else went out


def _new_set(hr: Browser) -> str:
    """HR creates a programme, a cohort starting today and a set in it; the set's path."""
    today = date.today()
    cohort_form = hr.fill_in("/programmes/new", {"name": "Founders", "description": ""})
    cohort = hr.post(
        cohort_form.url,
        {
            "name": "Founders 2026",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=90)).isoformat(),
            "capacity": "12",
        },
        token_from=cohort_form,
    )
    cohort_path = urlsplit(cohort.url).path
    assert re.fullmatch(r"/cohorts/\d+", cohort_path), cohort.url
    created = hr.fill_in(
        f"{cohort_path}/sets/new",
        {
            "name": SET_NAME,
            "facilitator_id": "0",
            "default_format": "power_hour",
            "cadence_days": "14",
        },
    )
    set_path = urlsplit(created.url).path
    assert re.fullmatch(r"/sets/\d+", set_path), created.url
    return set_path


def _invited_guest(site: Deployment, hr: Browser, set_path: str) -> Browser:
    """HR invites a guest into the set; the guest follows the emailed link, sets a password,
    and signs in with it. The guest's browser, signed in."""
    invite_form = hr.get("/guests/invite")
    invited = hr.post(
        "/guests/invite",
        {
            "email": GUEST_EMAIL,
            "display_name": GUEST_NAME,
            "access_ends_on": invite_form.field("access_ends_on"),
            "placement": invite_form.option(SET_NAME),
        },
        token_from=invite_form,
    )
    assert invited.status == 201, invited.text

    site.run_task("mail-delivery")
    invitation = _await_mail(site.inbox, GUEST_EMAIL, "Your invitation to Intrapreneur", site.logs)
    assert invitation["From"] == MAIL_FROM
    link = _link_in(_text_of(invitation), site.root, "/invitations/")

    guest = Browser(site.root)
    accepted = guest.fill_in(link, {"password": GUEST_PASSWORD, "confirm": GUEST_PASSWORD})
    assert f"Welcome, {GUEST_NAME}. Your password is set." in accepted.text, accepted.text
    used = guest.get(link)  # a link works once
    assert "This invitation has already been used." in used.text, used.status
    signed_out = guest.post("/sign-out", {}, token_from=accepted)
    assert "You are signed out." in signed_out.text
    home = guest.fill_in("/sign-in", {"login": GUEST_EMAIL, "password": GUEST_PASSWORD})
    assert urlsplit(home.url).path == "/", home.url
    assert GUEST_NAME in home.text
    assert SET_NAME in guest.get(set_path).text  # a member of the set HR placed them in
    return guest


def _session_tomorrow(site: Deployment, hr: Browser, guest: Browser, set_path: str) -> None:
    """HR schedules a session for tomorrow; the guest's invitation carries its calendar file."""
    scheduled = hr.fill_in(
        f"{set_path}/sessions/new",
        {
            "day": (date.today() + timedelta(days=1)).isoformat(),
            "start": SESSION_START.strftime("%H:%M"),
            "location": SESSION_PLACE,
            "video_url": "",
            "session_format": "power_hour",
            "count": "1",
        },
    )
    assert "1 session scheduled." in scheduled.text, scheduled.text
    found = re.search(r'href="/sessions/(\d+)"', scheduled.text)
    assert found, scheduled.text
    session_id = found.group(1)

    site.run_task("mail-delivery")
    invitation = _await_mail(site.inbox, GUEST_EMAIL, _session_subject(), site.logs)
    calendar = _calendar_of(invitation)
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"session-{session_id}@127.0.0.1"
    assert event.decoded("DTSTART") == _session_start()
    assert str(event["LOCATION"]) == SESSION_PLACE
    assert str(event["ATTENDEE"]).lower() == f"mailto:{GUEST_EMAIL}"
    # The same event as the session's own download: calendars keep one entry, not two.
    download = icalendar.Calendar.from_ical(guest.get(f"/sessions/{session_id}.ics").text)
    assert [str(found["UID"]) for found in download.walk("VEVENT")] == [str(event["UID"])]


def _reminder(site: Deployment, guest: Browser, set_path: str) -> None:
    """The daily reminders run; the guest is reminded, with a link to the set."""
    summary = site.run_task("reminders")
    assert "0 commitment reminders and 1 session reminders queued." in summary, summary
    site.run_task("mail-delivery")
    reminder = _await_mail(site.inbox, GUEST_EMAIL, f"Tomorrow: {_session_subject()}", site.logs)
    reminded = _text_of(reminder)
    assert SESSION_PLACE in reminded
    set_page = guest.get(_link_in(reminded, site.root, "/sets/"))
    assert urlsplit(set_page.url).path == set_path
    assert SESSION_PLACE in set_page.text


def _session_start() -> datetime:
    """Tomorrow at SESSION_START in HR's zone (the default one), as scheduled."""
    return datetime.combine(date.today() + timedelta(days=1), SESSION_START, ZoneInfo(DEFAULT_ZONE))


def _session_subject() -> str:
    """The set and the start in the guest's zone, the default one too."""
    return f"{SET_NAME}, {moment(_session_start())}"


# -- the set-ups --------------------------------------------------------------------------


def _settings(
    database_url: str, instance: Path, port: int, mail_port: int, ldap: LocalDirectoryServer
) -> dict[str, str]:
    """Production settings, as an operator would write them."""
    return {
        "INTRAPRENEUR_ENV": "production",
        "INTRAPRENEUR_SECRET_KEY": secrets.token_hex(32),
        "INTRAPRENEUR_SURVEY_PSEUDONYM_KEY": secrets.token_hex(32),
        "INTRAPRENEUR_DATABASE_URL": database_url,
        "INTRAPRENEUR_INSTANCE_PATH": str(instance),
        "INTRAPRENEUR_BASE_URL": f"http://127.0.0.1:{port}",
        "INTRAPRENEUR_SMTP_URL": f"smtp://127.0.0.1:{mail_port}?starttls=false",
        "INTRAPRENEUR_MAIL_FROM": MAIL_FROM,
        **directory_environment(ldap),
    }


def _command(settings: dict[str, str], *arguments: str) -> str:
    """Run ``intrapreneur ARGUMENTS`` with ``settings``; its output, or the test fails."""
    finished = subprocess.run(
        [str(INTRAPRENEUR), *arguments],
        env=_clean_environment(**settings),
        capture_output=True,
        text=True,
        timeout=JOB_SECONDS,
    )
    assert finished.returncode == 0, f"{arguments}:\n{finished.stdout}\n{finished.stderr}"
    return finished.stdout


@contextmanager
def _process(
    settings: dict[str, str], logs: Path, *arguments: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``intrapreneur ARGUMENTS`` running in the background, stopped (SIGTERM) afterwards."""
    with (
        (logs / f"{arguments[0]}.out").open("wb") as out,
        (logs / f"{arguments[0]}.err").open("wb") as err,
        subprocess.Popen(
            [str(INTRAPRENEUR), *arguments],
            env=_clean_environment(**settings),
            stdout=out,
            stderr=err,
        ) as process,
    ):
        try:
            yield process
        finally:
            stop_process(process)


def _all_logs(folder: Path) -> Callable[[], str]:
    def read() -> str:
        return "\n".join(f"{log.name}:\n{log.read_text()}" for log in sorted(folder.glob("*.*")))

    return read


def _serve(stack: ExitStack, settings: dict[str, str], port: int, logs: Path, workers: int) -> None:
    """Migrate the database with `intrapreneur db upgrade`, then `intrapreneur serve` until
    ``stack`` closes."""
    _command(settings, "db", "upgrade")
    process = stack.enter_context(
        _process(
            {**settings, "INTRAPRENEUR_WEB_WORKERS": str(workers)},
            logs,
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
        )
    )
    _wait_until_serving(Server(process, port, logs / "serve.out", logs / "serve.err"))


@pytest.fixture
def mailbox(smtp_server: SmtpServer) -> SmtpServer:
    """The loopback SMTP server, its inbox empty."""
    smtp_server.received.clear()
    return smtp_server


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder


@pytest.fixture
def embedded(
    tmp_path: Path, logs: Path, mailbox: SmtpServer, ldap_server: LocalDirectoryServer
) -> Iterator[Deployment]:
    """One gunicorn process on SQLite, no Redis; cron runs `intrapreneur scheduled TASK`."""
    port = _free_port()
    settings = _settings(
        f"sqlite:///{tmp_path / 'journey.db'}",
        tmp_path / "instance",
        port,
        mailbox.port,
        ldap_server,
    )

    def run_task(task: str) -> str:
        line = _command(settings, "scheduled", task)
        assert line.startswith(f"{task} succeeded"), line
        return line

    with ExitStack() as stack:
        _serve(stack, settings, port, logs, workers=1)
        yield Deployment(f"http://127.0.0.1:{port}", mailbox, run_task, _all_logs(logs))


def _through_worker(app: Flask, task: str) -> str:
    """Enqueue ``task`` on Redis as the scheduler does; the worker process runs it."""
    with app.app_context():
        job_id = jobs.enqueue(task)
        db.session.commit()  # handed to RQ now
        deadline = time.monotonic() + JOB_SECONDS
        while True:
            job = db.session.get(BackgroundJob, job_id, populate_existing=True)
            assert job is not None
            status, message, error = job.status, job.message, job.error
            db.session.rollback()
            if status in (JobStatus.SUCCEEDED, JobStatus.FAILED) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert status is JobStatus.SUCCEEDED, f"{task}: {status} {error}"
        # Run by the worker from Redis, not in this process. RQ records "finished" just after
        # the job's own commit, once the task function has returned: wait for that too.
        handed_on = jobs.rq_queue(app).fetch_job(f"{app.config['JOBS_QUEUE']}-{job_id}")
        assert handed_on is not None, f"{task} never went through Redis"
        while handed_on.get_status() != RqStatus.FINISHED and time.monotonic() < deadline:
            time.sleep(0.05)
        assert handed_on.get_status() == RqStatus.FINISHED
        return message or ""


def _forget_queue(app: Flask) -> None:
    """Leave nothing in Redis: the queue, its jobs, and the stopped worker's record (which RQ
    would keep for a minute)."""
    queue = jobs.rq_queue(app)
    queue.delete(delete_jobs=True)
    leftovers = queue.connection.keys(f"rq:*{queue.name}*") + [
        key
        for key in queue.connection.keys("rq:worker:*")
        if queue.connection.hget(key, "queues") == queue.name.encode()
    ]
    if leftovers:
        queue.connection.delete(*leftovers)


@pytest.fixture
def production(
    tmp_path: Path,
    logs: Path,
    mailbox: SmtpServer,
    ldap_server: LocalDirectoryServer,
    postgres_database: PostgresDatabase,
    redis_url: str,
) -> Iterator[Deployment]:
    """Gunicorn (2 workers) on a fresh PostgreSQL database, Redis, an `intrapreneur worker`."""
    port = _free_port()
    with ExitStack() as stack:
        url = stack.enter_context(postgres_database("journey"))
        settings = {
            **_settings(url, tmp_path / "instance", port, mailbox.port, ldap_server),
            "INTRAPRENEUR_REDIS_URL": redis_url,
            "INTRAPRENEUR_JOBS_QUEUE": f"journey-{secrets.token_hex(6)}",
        }
        # The test's own handle on the database and queue, to enqueue as the scheduler does.
        app = create_app(settings)
        stack.callback(_dispose, app)
        stack.callback(_forget_queue, app)
        _serve(stack, settings, port, logs, workers=2)
        stack.enter_context(_process(settings, logs, "worker"))
        yield Deployment(
            f"http://127.0.0.1:{port}",
            mailbox,
            lambda task: _through_worker(app, task),
            _all_logs(logs),
        )


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


@pytest.mark.ldap
def test_embedded_journey(embedded: Deployment) -> None:
    _journey(embedded)


@pytest.mark.ldap
def test_production_journey(production: Deployment) -> None:
    _journey(production)
