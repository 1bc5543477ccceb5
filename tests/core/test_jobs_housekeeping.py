"""Housekeeping tasks: jobs nobody will run are handed on again. (Old history is removed by
the retention run: tests/privacy/test_retention_rules.py.)"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from intrapreneur.core import jobs
from intrapreneur.core.jobs import heartbeats
from intrapreneur.core.models import BackgroundJob, JobStatus, utcnow
from intrapreneur.extensions import db
from tests.core import job_tasks  # noqa: F401  (registers tests.note)
from tests.core.test_jobs import effects, job_row


def old_job(marker: str, *, age: timedelta, **values: object) -> int:
    job = jobs.record("tests.note", {"marker": marker}, max_attempts=1)
    job.created_at = utcnow() - age
    for name, value in values.items():
        setattr(job, name, value)
    db.session.commit()
    return job.id


def test_stranded_jobs_are_handed_on_again_and_run_once(app: Flask) -> None:
    lost = old_job("lost", age=timedelta(hours=1))
    abandoned = old_job(
        "abandoned",
        age=timedelta(hours=3),
        status=JobStatus.RUNNING,
        attempts=1,
        started_at=utcnow() - timedelta(hours=2),
    )
    silent = running_job("silent", heartbeat_age=heartbeats.SILENT_AFTER + timedelta(seconds=1))
    beating = running_job("beating", heartbeat_age=heartbeats.SILENT_AFTER - timedelta(seconds=30))
    fresh = old_job("fresh", age=timedelta(minutes=1))

    job_id = jobs.enqueue("requeue-stranded")
    db.session.commit()

    assert job_row(job_id).message == "3 stranded jobs handed on again."
    assert (job_row(lost).status, effects("lost")) == (JobStatus.SUCCEEDED, 1)
    assert (job_row(abandoned).status, job_row(abandoned).attempts) == (JobStatus.SUCCEEDED, 2)
    assert (job_row(silent).status, effects("silent")) == (JobStatus.SUCCEEDED, 1)
    assert (job_row(beating).status, effects("beating")) == (JobStatus.RUNNING, 0)
    assert (job_row(fresh).status, effects("fresh")) == (JobStatus.QUEUED, 0)


def running_job(marker: str, *, heartbeat_age: timedelta | None) -> int:
    """Claimed five minutes ago by a worker whose last heartbeat is ``heartbeat_age`` old."""
    now = utcnow()
    return old_job(
        marker,
        age=timedelta(minutes=6),
        status=JobStatus.RUNNING,
        attempts=1,
        started_at=now - timedelta(minutes=5),
        heartbeat_at=None if heartbeat_age is None else now - heartbeat_age,
    )


def test_a_job_is_abandoned_when_it_ran_too_long_or_went_silent(app: Flask) -> None:
    """The rule the job page shows and the rule requeue-stranded applies are one rule."""
    hour = timedelta(seconds=jobs.JOB_TIMEOUT_SECONDS)
    cases = {
        "silent": running_job(
            "silent", heartbeat_age=heartbeats.SILENT_AFTER + timedelta(seconds=1)
        ),
        "beating": running_job("beating", heartbeat_age=timedelta(seconds=10)),
        "no heartbeat (SQLite)": running_job("sqlite", heartbeat_age=None),
        "no heartbeat, past the hour": old_job(
            "past the hour",
            age=hour * 2,
            status=JobStatus.RUNNING,
            started_at=utcnow() - hour - timedelta(seconds=1),
        ),
        "queued, once silent": old_job("queued", age=hour * 2, heartbeat_at=utcnow() - hour),
    }
    now = utcnow()
    by_the_page = {name for name, job_id in cases.items() if jobs.abandoned(job_row(job_id), now)}
    by_sql = set(db.session.scalars(select(BackgroundJob.id).where(jobs.abandoned_rows(now))))
    assert by_the_page == {"silent", "no heartbeat, past the hour"}
    assert by_sql == {cases[name] for name in by_the_page}
