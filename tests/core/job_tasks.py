"""Tasks for the job tests, registered on import (also by the worker processes the tests start).

Each leaves audit events as its visible effect, so a test can count how many times a job's
work really happened.
"""

from __future__ import annotations

from sqlalchemy import select

from intrapreneur.core import services as audit
from intrapreneur.core.jobs import JobRefused, RunningJob, task
from intrapreneur.core.models import BackgroundJob
from intrapreneur.extensions import db

EFFECT = "tests.job-effect"


@task("tests.note")
def note(job: RunningJob, *, marker: str) -> str:
    audit.record(EFFECT, actor=None, marker=marker, attempt=job.attempt)
    return f"noted {marker}"


@task("tests.flaky")
def flaky(job: RunningJob, *, marker: str, fail_until: int) -> str:
    """Fails until its attempt number reaches ``fail_until``; its effect is rolled back then."""
    audit.record(EFFECT, actor=None, marker=marker, attempt=job.attempt)
    if job.attempt < fail_until:
        raise ConnectionError(f"attempt {job.attempt} could not reach the mail server")
    return f"worked on attempt {job.attempt}"


@task("tests.refuse")
def refuse(job: RunningJob) -> str:
    raise JobRefused("Nothing to do: the wave is already closed.")


@task("tests.database-error")
def database_error(job: RunningJob, *, email: str) -> str:
    """Fails as a database does: the SQL and its parameters on the lines after the first."""
    raise ValueError(f"duplicate key value\n[SQL: INSERT INTO person]\n[parameters: ('{email}',)]")


@task("tests.progress")
def report_progress(job: RunningJob, *, steps: int) -> str:
    """Reports each step and reads it back as the progress page would, mid-job."""
    seen = []
    for step in range(1, steps + 1):
        job.progress(step, steps)
        with db.engine.connect() as page:
            row = page.execute(
                select(BackgroundJob.progress_done, BackgroundJob.progress_total).where(
                    BackgroundJob.id == job.id
                )
            ).one()
            page.rollback()
        seen.append(f"{row.progress_done}/{row.progress_total}")
    return f"the page saw {', '.join(seen)}"
