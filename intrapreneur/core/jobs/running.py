"""Running one attempt at a job, and what comes of it: success, a retry, or failure.

``run_job`` claims the row, calls the task in an application context and session of its own,
and commits the task's work together with the "succeeded" status. A failure is rolled back and
recorded (type and message; the traceback goes to the log only) and retried after
``JOB_RETRY_DELAYS``; when no retry is left the job is failed, for admins.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import update

from intrapreneur.core.i18n import reader_locale, writing_for
from intrapreneur.core.jobs.attempts import RunningJob, still_ours
from intrapreneur.core.jobs.claiming import claim
from intrapreneur.core.jobs.heartbeats import Heartbeat
from intrapreneur.core.jobs.registry import JobRefused, registered
from intrapreneur.core.models import BackgroundJob, JobStatus, utcnow
from intrapreneur.extensions import db

log = logging.getLogger("intrapreneur.core.jobs")

TEXT_LIMIT = 2000


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # not queued: another worker has it, or it is done


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    retry_in: float = 0.0  # seconds to wait before the next attempt (RETRY only)


def run_job(app: Flask, job_id: int) -> Result:
    """Claim the job and run it once, in an application context (and session) of its own."""
    with app.app_context():
        return _run(job_id, utcnow())


def _run(job_id: int, now: datetime) -> Result:
    if not claim(job_id, now):
        log.info("job %s is not queued (another worker has it, or it is done): skipped", job_id)
        return Result(Outcome.SKIPPED)
    row = db.session.get(BackgroundJob, job_id)
    assert row is not None
    # The job writes its outcome (and its dates) for whoever asked for it, in their language
    # and zone, and says which language that is; a scheduled job, in the organisation's.
    with writing_for(row.requested_by):
        return _attempt(row)


def _attempt(row: BackgroundJob) -> Result:
    job_id, name, arguments, max_attempts = row.id, row.task, dict(row.arguments), row.max_attempts
    running = RunningJob(id=job_id, attempt=row.attempts)
    row.language = reader_locale()
    # End the read: on SQLite an open transaction holds the one write lock, which the
    # progress writes and the pages that show them need while the task runs.
    db.session.commit()
    log.info("job %s (%s) attempt %d of %d started", job_id, name, running.attempt, max_attempts)
    try:
        function = registered(name)
        if function is None:
            # Written down in the asker's language, as the outcome would have been.
            raise JobRefused(_("No task called %(name)s is known to this version.", name=name))
        with Heartbeat(db.engine, running):
            summary = function(running, **arguments)
            # The task's writes fail here under their own error (a full disk, say), not as
            # "raised as a result of Query-invoked autoflush", which is all admins would read.
            db.session.flush()
        if not _store(
            running,
            status=JobStatus.SUCCEEDED,
            message=(summary or "Done.")[:TEXT_LIMIT],
            error=None,
            finished_at=utcnow(),
        ):
            return _superseded(running, name)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        return _record_failure(name, running, max_attempts, error)
    log.info("job %s (%s) succeeded: %s", job_id, name, summary)
    return Result(Outcome.SUCCEEDED)


def _store(running: RunningJob, **values: Any) -> bool:
    """Write the outcome, if the row is still this attempt's; False when a later attempt took
    the job over (this one was taken for dead), and this attempt's work must not be kept."""
    stored = db.session.execute(
        update(BackgroundJob)
        .where(*still_ours(running))
        .values(progress_done=running.done, progress_total=running.total, **values)
        .execution_options(synchronize_session=False)
    )
    return stored.rowcount == 1  # type: ignore[attr-defined]


def _superseded(running: RunningJob, name: str) -> Result:
    db.session.rollback()
    log.warning(
        "job %s (%s) attempt %d was taken over by a later attempt: its work is undone",
        running.id,
        name,
        running.attempt,
    )
    return Result(Outcome.SKIPPED)


def describe(error: BaseException) -> str:
    """What admins see of a failure: the type and the message's first line, never a
    traceback (nor the SQL and parameters a database error adds on its next lines)."""
    if isinstance(error, JobRefused):
        return str(error)[:TEXT_LIMIT]
    first_line = next(iter(str(error).splitlines()), "")
    return f"{type(error).__name__}: {first_line}"[:TEXT_LIMIT]


def retry_delay(delays: tuple[int, ...], attempt: int) -> int:
    """Seconds before the attempt after ``attempt`` (1-based): the back-off of the settings."""
    return delays[min(attempt, len(delays)) - 1]


def _record_failure(name: str, running: RunningJob, max_attempts: int, error: Exception) -> Result:
    retry = not isinstance(error, JobRefused) and running.attempt < max_attempts
    # The full traceback goes to the log only; the row keeps the type and message.
    log.log(
        logging.WARNING if retry else logging.ERROR,
        "job %s (%s) attempt %d of %d failed%s",
        running.id,
        name,
        running.attempt,
        max_attempts,
        "; it will be retried" if retry else "",
        exc_info=error,
    )
    if not _store(
        running,
        status=JobStatus.QUEUED if retry else JobStatus.FAILED,
        error=describe(error),
        finished_at=None if retry else utcnow(),
    ):
        return _superseded(running, name)
    db.session.commit()
    if not retry:
        return Result(Outcome.FAILED)
    delays = current_app.config["JOB_RETRY_DELAYS"]
    return Result(Outcome.RETRY, retry_in=retry_delay(delays, running.attempt))
