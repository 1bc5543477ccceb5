"""Jobs across threads, processes and Redis, on a database of their own whose commits are real.

The suite's shared app keeps every test inside one rolled-back transaction, which no other
thread or process can see; a worker must see committed rows, so these tests build an app on
a fresh database. Redis tests use a queue named for this run, so parallel test workers and
other people's runs on the same Redis never take each other's jobs.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from rq import Queue, SimpleWorker
from sqlalchemy import delete, func, select

from intrapreneur import create_app
from intrapreneur.core import jobs
from intrapreneur.core.jobs import Outcome
from intrapreneur.core.models import AuditEvent, BackgroundJob, JobStatus
from intrapreneur.core.schedule import SCHEDULE
from intrapreneur.extensions import db
from intrapreneur.identity.local_directory import LocalDirectoryServer
from intrapreneur.identity.models import Person
from tests.conftest import directory_environment, environment_for
from tests.core.job_tasks import EFFECT
from tests.identity.test_directory_sync import IN_DIRECTORY

ROOT = Path(__file__).resolve().parents[2]
INTRAPRENEUR = str(Path(sys.executable).with_name("intrapreneur"))


@pytest.fixture(scope="module")
def real_app(
    empty_database: Callable[[str], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    queue = f"tests-{secrets.token_hex(6)}"
    with empty_database("jobs") as url:
        environment = environment_for(
            url,
            tmp_path_factory.mktemp("jobs"),
            INTRAPRENEUR_JOBS_QUEUE=queue,
            INTRAPRENEUR_JOB_RETRY_DELAYS="0,0",
        )
        application = create_app(environment, TESTING=True, JOBS_IN_PROCESS="thread")
        with application.app_context():
            upgrade()
        yield application
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def real(real_app: Flask) -> Iterator[Flask]:
    """The app with a clean job table, inside an app context; Redis off unless a test sets it."""
    with real_app.app_context():
        yield real_app
        real_app.config["REDIS_URL"] = None
        db.session.execute(delete(BackgroundJob))
        db.session.commit()


@pytest.fixture
def rq_queue(real: Flask, redis_url: str) -> Iterator[Queue]:
    real.config["REDIS_URL"] = redis_url
    queue = jobs.rq_queue(real)
    yield queue
    queue.delete(delete_jobs=True)  # also forgets the queue's name in RQ's list of queues
    leftovers = queue.connection.keys(f"rq:*{queue.name}*")
    if leftovers:
        queue.connection.delete(*leftovers)


# Each read ends its transaction: on SQLite an open one holds the lock a worker needs.


def effects(marker: str) -> int:
    count = db.session.scalar(
        select(func.count()).where(
            AuditEvent.action == EFFECT, AuditEvent.details["marker"].as_string() == marker
        )
    )
    db.session.rollback()
    return count


def state(job_id: int) -> tuple[JobStatus, int]:
    job = db.session.get(BackgroundJob, job_id, populate_existing=True)
    assert job is not None
    status, attempts = job.status, job.attempts
    db.session.rollback()
    return status, attempts


def test_without_redis_a_job_runs_on_a_thread_of_this_process(real: Flask) -> None:
    job_id = jobs.enqueue("tests.flaky", marker="thread", fail_until=2)
    db.session.commit()

    assert jobs.wait_for_jobs(real, timeout=60)
    assert state(job_id) == (JobStatus.SUCCEEDED, 2)
    assert effects("thread") == 1


def test_in_process_retries_wait_out_their_back_off_on_a_timer(
    real: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(real.config, "JOB_RETRY_DELAYS", (1,))
    slow = jobs.enqueue("tests.flaky", marker="back-off", fail_until=2)
    db.session.commit()
    # Another job given meanwhile runs too (the pause waits on a timer, not the thread).
    quick = jobs.enqueue("tests.note", marker="meanwhile")
    db.session.commit()

    assert jobs.wait_for_jobs(real, timeout=60)  # the wait covers the pending retry too
    assert state(slow) == (JobStatus.SUCCEEDED, 2)
    assert state(quick) == (JobStatus.SUCCEEDED, 1)
    assert effects("back-off") == 1


def test_progress_is_visible_to_other_connections_while_the_job_runs(real: Flask) -> None:
    job_id = jobs.enqueue("tests.progress", steps=3)
    db.session.commit()

    assert jobs.wait_for_jobs(real, timeout=60)
    job = db.session.get(BackgroundJob, job_id, populate_existing=True)
    assert job is not None
    assert job.message == "the page saw 1/3, 2/3, 3/3"
    assert (job.progress_done, job.progress_total) == (3, 3)
    db.session.rollback()


def test_two_runners_given_one_job_run_it_once(real: Flask) -> None:
    job_id = jobs.record("tests.note", {"marker": "twice"}, max_attempts=1).id
    db.session.commit()
    start = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def runner() -> None:
        start.wait()
        outcomes.append(jobs.run_job(real, job_id).outcome)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == [Outcome.SKIPPED, Outcome.SUCCEEDED]
    assert state(job_id) == (JobStatus.SUCCEEDED, 1)
    assert effects("twice") == 1


def test_with_redis_the_job_waits_for_a_worker(real: Flask, rq_queue: Queue) -> None:
    job_id = jobs.enqueue("tests.note", marker="rq")
    db.session.commit()

    assert jobs.wait_for_jobs(real, timeout=0)  # nothing runs in this process
    assert rq_queue.count == 1
    assert state(job_id) == (JobStatus.QUEUED, 0)

    SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=True)

    assert state(job_id) == (JobStatus.SUCCEEDED, 1)
    assert effects("rq") == 1


def test_rq_retries_a_failed_job_with_the_configured_back_off(real: Flask, rq_queue: Queue) -> None:
    job_id = jobs.enqueue("tests.flaky", marker="rq-retry", fail_until=3)
    db.session.commit()
    queued = rq_queue.jobs[0]
    assert (queued.retries_left, queued.retry_intervals) == (2, [0, 0])

    SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=True)

    assert state(job_id) == (JobStatus.SUCCEEDED, 3)
    assert effects("rq-retry") == 1


# A real worker process (forking, as in production) that also knows the test tasks.
WORKER = """
import tests.core.job_tasks
from intrapreneur import create_app
from intrapreneur.core import jobs
app = create_app()
with app.app_context():
    jobs.work(app, burst=True, max_jobs=1)
"""


def process_environment(app: Flask, **extra: str) -> dict[str, str]:
    """The environment of a process working on the same database and queue as ``app``."""
    return {
        **os.environ,
        **environment_for(
            app.config["SQLALCHEMY_DATABASE_URI"],
            Path(app.instance_path),
            **{
                "INTRAPRENEUR_REDIS_URL": app.config["REDIS_URL"] or "",
                "INTRAPRENEUR_JOBS_QUEUE": app.config["JOBS_QUEUE"],
                **extra,
            },
        ),
        "PYTHONPATH": str(ROOT),
    }


def worker_process(app: Flask) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", WORKER], env=process_environment(app), cwd=ROOT)


def test_two_rq_workers_given_one_job_run_it_once(real: Flask, rq_queue: Queue) -> None:
    job_id = jobs.record("tests.note", {"marker": "rq-twice"}, max_attempts=1).id
    db.session.commit()
    # The same row handed to Redis twice (a retried enqueue, a restored queue).
    copies = [f"{rq_queue.name}-{job_id}-{copy}" for copy in "ab"]
    for copy in copies:
        rq_queue.enqueue(jobs.run_queued, job_id, job_id=copy)

    workers = [worker_process(real) for _ in copies]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]

    results = sorted(rq_queue.fetch_job(copy).return_value() for copy in copies)
    assert results == ["skipped", "succeeded"]
    assert state(job_id) == (JobStatus.SUCCEEDED, 1)
    assert effects("rq-twice") == 1


@pytest.mark.ldap
def test_the_worker_command_runs_the_directory_sync(
    real: Flask, rq_queue: Queue, ldap_server: LocalDirectoryServer
) -> None:
    job_id = jobs.enqueue("directory-sync")
    db.session.commit()

    finished = subprocess.run(
        [INTRAPRENEUR, "worker", "--burst"],
        env=process_environment(real, **directory_environment(ldap_server)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert finished.returncode == 0, finished.stderr
    assert f"Working on queue {rq_queue.name!r} until it is empty." in finished.stdout
    assert state(job_id) == (JobStatus.SUCCEEDED, 1)
    people = db.session.scalar(select(func.count()).select_from(Person))
    db.session.rollback()
    assert people == IN_DIRECTORY


def test_the_scheduler_says_what_it_runs_and_stops_on_sigterm(real: Flask) -> None:
    scheduler = subprocess.Popen(
        [INTRAPRENEUR, "scheduler"],
        env=process_environment(
            real, INTRAPRENEUR_REDIS_URL="", INTRAPRENEUR_DIRECTORY_SYNC_HOUR="3"
        ),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert scheduler.stdout is not None
    # It says what it runs, once its signal handlers are in place.
    plan = [scheduler.stdout.readline() for _ in SCHEDULE]
    scheduler.send_signal(signal.SIGTERM)
    rest, errors = scheduler.communicate(timeout=120)

    assert scheduler.returncode == 0, errors
    assert plan == [
        "directory-sync: daily at 03:00 UTC (off: not configured)\n",
        "reminders: daily at 07:00 UTC\n",
        "review-digests: daily at 07:00 UTC\n",
        "survey-reminders: daily at 07:00 UTC\n",
        "learning-digests: weekly on Mondays at 07:00 UTC\n",
        "sponsor-digests: daily at 07:00 UTC\n",
        "survey-waves: every hour\n",
        "mail-delivery: every minute\n",
        "requeue-stranded: every 5 minutes\n",
        "retention: daily at 00:00 UTC\n",
    ]
    assert rest == "Stopping: waiting for the jobs running in this process.\n"
