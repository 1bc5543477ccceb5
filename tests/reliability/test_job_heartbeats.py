"""A worker that dies mid-job: its job is known for dead, run again, and happens once.

On PostgreSQL a running job writes a heartbeat from a thread of its own; one silent for
SILENT_AFTER is taken for dead. On SQLite no heartbeat is written (a task holding the one
write lock would hold it back, and a live job would look dead); there the hour decides. A job
taken for dead while it was only slow keeps only the later attempt's work.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask, current_app
from sqlalchemy import select, update

from intrapreneur.core import jobs
from intrapreneur.core import services as audit
from intrapreneur.core.jobs import JOB_TIMEOUT_SECONDS, Outcome, RunningJob, heartbeats, task
from intrapreneur.core.models import BackgroundJob, JobStatus, utcnow
from intrapreneur.extensions import db
from tests.core.job_tasks import EFFECT
from tests.core.test_jobs import effects, job_row
from tests.reliability.racing import WAIT_SECONDS, commit_and_let_go, wait_for

LET_GO = threading.Event()
FIRST_ATTEMPT_ENDED = threading.Event()
SECOND_ATTEMPTS: list[threading.Thread] = []


@task("tests.wait-to-be-let-go")
def wait_to_be_let_go(job: RunningJob) -> str:
    LET_GO.wait(WAIT_SECONDS)
    return "let go"


@pytest.fixture
def let_go() -> Iterator[threading.Event]:
    LET_GO.clear()
    yield LET_GO
    LET_GO.set()


def committed(job_id: int) -> Any:
    """The job's attempts, start and heartbeat as another connection sees them."""
    with db.engine.connect() as reader:
        return reader.execute(
            select(
                BackgroundJob.attempts, BackgroundJob.started_at, BackgroundJob.heartbeat_at
            ).where(BackgroundJob.id == job_id)
        ).one()


def heartbeat_of(job_id: int) -> tuple[datetime | None, datetime | None]:
    row = committed(job_id)
    return row.started_at, row.heartbeat_at


def running_in_a_thread(app: Flask, job_id: int, *, attempt: int = 1) -> threading.Thread:
    """The job run by another thread, once that thread has claimed it."""
    runner = threading.Thread(target=jobs.run_job, args=(app, job_id), daemon=True)
    runner.start()
    wait_for(lambda: committed(job_id).attempts >= attempt, f"attempt {attempt} to claim the job")
    return runner


def test_on_postgresql_a_running_job_beats_until_it_ends(
    racing_app: Flask, monkeypatch: pytest.MonkeyPatch, let_go: threading.Event
) -> None:
    if not jobs.writes_heartbeats(db.engine):
        pytest.skip("PostgreSQL only: on SQLite no heartbeat is written (the next test)")
    monkeypatch.setattr(heartbeats, "HEARTBEAT_SECONDS", 0.05)
    job_id = jobs.record("tests.wait-to-be-let-go", {}, max_attempts=1).id
    commit_and_let_go()

    runner = running_in_a_thread(racing_app, job_id)
    started, first = heartbeat_of(job_id)
    # The claim is the first beat; the thread may have beaten again since.
    assert started is not None and first is not None and first >= started

    def a_later_beat() -> datetime | None:
        beat = heartbeat_of(job_id)[1]
        return beat if beat != first else None

    beat = wait_for(a_later_beat, "a heartbeat while the job ran")
    assert beat > first
    assert not jobs.abandoned(job_row(job_id), beat)
    db.session.rollback()

    let_go.set()
    runner.join(WAIT_SECONDS)
    assert job_row(job_id).status is JobStatus.SUCCEEDED
    db.session.rollback()
    last = heartbeat_of(job_id)[1]
    time.sleep(0.2)  # four beats' time: the heartbeat ended with the job
    assert heartbeat_of(job_id)[1] == last


def test_on_sqlite_no_heartbeat_is_written_and_only_the_hour_decides(
    racing_app: Flask, monkeypatch: pytest.MonkeyPatch, let_go: threading.Event
) -> None:
    if jobs.writes_heartbeats(db.engine):
        pytest.skip("SQLite only: PostgreSQL writes heartbeats (the test above)")
    monkeypatch.setattr(heartbeats, "HEARTBEAT_SECONDS", 0.05)
    job_id = jobs.record("tests.wait-to-be-let-go", {}, max_attempts=1).id
    commit_and_let_go()

    runner = running_in_a_thread(racing_app, job_id)
    time.sleep(0.2)
    started, beat = heartbeat_of(job_id)
    assert beat is None
    assert started is not None and not jobs.abandoned(
        job_row(job_id), started + heartbeats.SILENT_AFTER * 2
    )
    db.session.rollback()
    let_go.set()
    runner.join(WAIT_SECONDS)
    assert job_row(job_id).status is JobStatus.SUCCEEDED


@task("tests.taken-over")
def taken_over(job: RunningJob, *, marker: str, second_ends_first: bool) -> str:
    """Its first attempt is taken for dead while it still runs, and a second attempt claims
    the job: the second ends before the first does, or after it."""
    if job.attempt == 1:
        taken_for_dead(job.id)
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        if second_ends_first:
            jobs.run_job(app, job.id)
        else:
            SECOND_ATTEMPTS.append(running_in_a_thread(app, job.id, attempt=2))
    elif not second_ends_first:
        FIRST_ATTEMPT_ENDED.wait(WAIT_SECONDS)
    audit.record(EFFECT, actor=None, marker=marker, attempt=job.attempt)
    return f"finished attempt {job.attempt}"


def taken_for_dead(job_id: int) -> None:
    with db.engine.begin() as elsewhere:
        elsewhere.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job_id)
            .values(started_at=utcnow() - timedelta(seconds=JOB_TIMEOUT_SECONDS + 60))
        )


@pytest.mark.parametrize(
    "second_ends_first", [True, False], ids=["second-ends-first", "first-ends-first"]
)
def test_a_job_taken_for_dead_while_still_running_keeps_only_the_later_attempts_work(
    racing_app: Flask, second_ends_first: bool
) -> None:
    FIRST_ATTEMPT_ENDED.clear()
    SECOND_ATTEMPTS.clear()
    arguments = {"marker": "taken over", "second_ends_first": second_ends_first}
    job_id = jobs.record("tests.taken-over", arguments, max_attempts=1).id
    commit_and_let_go()

    first_attempt = jobs.run_job(racing_app, job_id)
    assert first_attempt.outcome is Outcome.SKIPPED
    FIRST_ATTEMPT_ENDED.set()
    for second in SECOND_ATTEMPTS:
        second.join(WAIT_SECONDS)

    job = job_row(job_id)
    assert (job.status, job.attempts, job.message) == (
        JobStatus.SUCCEEDED,
        2,
        "finished attempt 2",
    )
    assert effects("taken over") == 1
