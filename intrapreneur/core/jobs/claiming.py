"""Claiming a job: queued → running in one conditional UPDATE, so a job handed to two workers
runs once; and which running jobs were abandoned by a process that stopped, so that they may
be claimed again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, update

from intrapreneur.core.jobs import heartbeats
from intrapreneur.core.models import BackgroundJob, JobStatus
from intrapreneur.extensions import db

# RQ stops a job after this long; a row left "running" longer than this belonged to a worker
# that died, and may be claimed again.
JOB_TIMEOUT_SECONDS = 60 * 60


def abandoned(job: BackgroundJob, now: datetime) -> bool:
    """The process running the job has stopped (killed, or its machine gone): it has run
    longer than RQ lets any job run, or its heartbeat went silent. It may be claimed again."""
    ran_too_long, silent_since = _abandon_cutoffs(now)
    return job.status is JobStatus.RUNNING and (
        (job.started_at is not None and job.started_at < ran_too_long)
        or (job.heartbeat_at is not None and job.heartbeat_at < silent_since)
    )


def abandoned_rows(now: datetime) -> ColumnElement[bool]:
    """``abandoned`` as a WHERE clause."""
    ran_too_long, silent_since = _abandon_cutoffs(now)
    return and_(
        BackgroundJob.status == JobStatus.RUNNING,
        or_(BackgroundJob.started_at < ran_too_long, BackgroundJob.heartbeat_at < silent_since),
    )


def _abandon_cutoffs(now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(seconds=JOB_TIMEOUT_SECONDS), now - heartbeats.SILENT_AFTER


def claim(job_id: int, now: datetime) -> bool:
    """Take the job if it is queued (or abandoned), as a new attempt, and commit; False when
    another worker has it or it is done."""
    claimed = db.session.execute(
        update(BackgroundJob)
        .where(
            BackgroundJob.id == job_id,
            or_(BackgroundJob.status == JobStatus.QUEUED, abandoned_rows(now)),
        )
        .values(
            status=JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now if heartbeats.writes_heartbeats(db.engine) else None,
            finished_at=None,
            attempts=BackgroundJob.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1  # type: ignore[attr-defined]
