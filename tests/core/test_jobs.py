"""Background jobs in the test suite's own app: jobs run in-process, right after the commit.

``tests/core/test_jobs_queue.py`` covers RQ, threads and two workers on one job, on a
database of their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from intrapreneur.core import jobs, queries
from intrapreneur.core.jobs import Outcome, task
from intrapreneur.core.models import AuditEvent, BackgroundJob, JobStatus
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests.core.job_tasks import EFFECT


def effects(marker: str) -> int:
    return db.session.scalar(
        select(func.count()).where(
            AuditEvent.action == EFFECT, AuditEvent.details["marker"].as_string() == marker
        )
    )


def job_row(job_id: int) -> BackgroundJob:
    db.session.expire_all()
    job = db.session.get(BackgroundJob, job_id)
    assert job is not None
    return job


@pytest.fixture
def quick_retries(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two retries (three attempts), with no pause in the thread and RQ modes either."""
    monkeypatch.setitem(app.config, "JOB_RETRY_DELAYS", (0, 0))


def test_a_job_starts_only_when_the_caller_commits(app: Flask) -> None:
    job_id = jobs.enqueue("tests.note", marker="after-commit")
    assert job_row(job_id).status is JobStatus.QUEUED
    assert effects("after-commit") == 0

    db.session.commit()

    job = job_row(job_id)
    assert (job.status, job.attempts, job.message) == (JobStatus.SUCCEEDED, 1, "noted after-commit")
    assert job.started_at is not None and job.finished_at is not None
    assert job.error is None
    assert effects("after-commit") == 1


def test_a_rolled_back_caller_starts_nothing(app: Flask) -> None:
    jobs.enqueue("tests.note", marker="rolled-back")
    db.session.rollback()
    db.session.commit()  # a later commit of the same session does not start it either

    assert effects("rolled-back") == 0
    assert db.session.scalar(select(func.count()).select_from(BackgroundJob)) == 0


def test_a_savepoint_inside_the_callers_transaction_neither_starts_nor_drops_its_jobs(
    app: Flask,
) -> None:
    job_id = jobs.enqueue("tests.note", marker="savepoints")
    with db.session.begin_nested():
        pass  # released: the caller's transaction is still open
    savepoint = db.session.begin_nested()
    savepoint.rollback()
    assert effects("savepoints") == 0
    assert job_row(job_id).status is JobStatus.QUEUED

    db.session.commit()

    assert job_row(job_id).status is JobStatus.SUCCEEDED
    assert effects("savepoints") == 1


def test_the_requester_and_arguments_are_kept(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    admin = make_person(Role.ADMIN)
    job_id = jobs.enqueue("tests.note", requested_by=admin, marker="kept")
    db.session.commit()
    job = job_row(job_id)
    assert (job.requested_by_id, job.arguments, job.task) == (
        admin.id,
        {"marker": "kept"},
        "tests.note",
    )


def test_a_failed_attempt_is_retried_and_its_effect_rolled_back(
    app: Flask, quick_retries: None
) -> None:
    job_id = jobs.enqueue("tests.flaky", marker="flaky", fail_until=2)
    db.session.commit()

    job = job_row(job_id)
    assert (job.status, job.attempts, job.max_attempts) == (JobStatus.SUCCEEDED, 2, 3)
    assert job.message == "worked on attempt 2"
    assert job.error is None
    # The failed attempt's work was rolled back: the effect happened once.
    assert effects("flaky") == 1


def test_a_job_failing_every_attempt_shows_its_error_not_its_traceback(
    app: Flask, quick_retries: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="intrapreneur.core.jobs"):
        job_id = jobs.enqueue("tests.flaky", marker="hopeless", fail_until=99)
        db.session.commit()

    job = job_row(job_id)
    assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
    assert job.error == "ConnectionError: attempt 3 could not reach the mail server"
    assert job.finished_at is not None
    assert effects("hopeless") == 0
    # The log has each attempt with its traceback; the last one as an error.
    failures = [r for r in caplog.records if "tests.flaky" in r.getMessage()]
    assert [r.levelname for r in failures] == ["WARNING", "WARNING", "ERROR"]
    assert all(r.exc_info for r in failures)


def test_only_the_first_line_of_an_error_is_shown(app: Flask, quick_retries: None) -> None:
    job_id = jobs.enqueue("tests.database-error", email="someone@corp.example")
    db.session.commit()

    assert job_row(job_id).error == "ValueError: duplicate key value"


def test_a_refused_job_fails_at_once_with_its_message(app: Flask, quick_retries: None) -> None:
    job_id = jobs.enqueue("tests.refuse")
    db.session.commit()

    job = job_row(job_id)
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)
    assert job.error == "Nothing to do: the wave is already closed."


def test_a_job_that_is_not_queued_is_not_run_again(app: Flask) -> None:
    job_id = jobs.enqueue("tests.note", marker="once")
    db.session.commit()

    assert jobs.run_job(app, job_id).outcome is Outcome.SKIPPED
    assert job_row(job_id).attempts == 1
    assert effects("once") == 1


def test_enqueue_refuses_unknown_tasks_and_unsafe_arguments(app: Flask) -> None:
    with pytest.raises(jobs.UnknownTask, match="no task is called 'nightly-magic'"):
        jobs.enqueue("nightly-magic")
    with pytest.raises(ValueError, match="must not carry secrets: smtp_password"):
        jobs.enqueue("tests.note", marker="x", smtp_password="hunter2")
    with pytest.raises(ValueError, match="plain JSON values"):
        jobs.enqueue("tests.note", marker=object())


def test_when_redis_is_down_the_job_runs_in_this_process(
    app: Flask,
    closed_port: int,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{closed_port}/0")

    with caplog.at_level(logging.WARNING, logger="intrapreneur.core.jobs"):
        job_id = jobs.enqueue("tests.note", marker="no-redis")
        db.session.commit()

    assert job_row(job_id).status is JobStatus.SUCCEEDED
    assert effects("no-redis") == 1
    assert any(
        "Redis is not answering (ConnectionError)" in record.getMessage()
        for record in caplog.records
    )


def test_the_back_off_follows_the_configured_delays() -> None:
    delays = (30, 120, 600)
    assert [jobs.retry_delay(delays, attempt) for attempt in (1, 2, 3)] == [30, 120, 600]


def test_a_task_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match=r"two functions are registered as the task 'tests\.note'"):
        task("tests.note")(lambda job: None)


def test_the_queue_depth_counts_jobs_not_yet_done_by_task(app: Flask) -> None:
    for marker in ("a", "b"):
        jobs.record("tests.note", {"marker": marker}, max_attempts=1)
    jobs.record("directory-sync", {}, max_attempts=1)
    jobs.record("tests.refuse", {}, max_attempts=1).status = JobStatus.FAILED
    db.session.flush()

    assert queries.jobs_waiting() == {"tests.note": 2, "directory-sync": 1}
