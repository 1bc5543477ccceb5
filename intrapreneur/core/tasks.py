"""Housekeeping of the job table itself: jobs nobody will run are handed on again.

Old history (finished jobs, export files) is removed by the retention run
(``privacy.retention``: the ``job_rows`` and ``export_files`` rules), whose periods an
administrator sets: one place for each rule."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select

from intrapreneur.core import jobs, mail
from intrapreneur.core.jobs import RunningJob, task
from intrapreneur.core.models import BackgroundJob, JobStatus, utcnow
from intrapreneur.extensions import db

# A queued job not started this long after it was queued (or after its last attempt, plus the
# longest back-off) was lost: its process stopped, or Redis lost it.
STRANDED_AFTER = timedelta(minutes=15)
BATCH = 1000


@task("requeue-stranded")
def requeue_stranded(job: RunningJob) -> str:
    """Hand on again the jobs nobody is going to run. Safe to overdo: a job handed to two
    workers still runs once (the claim), so a slow queue only costs a skipped copy."""
    now = utcnow()
    longest_pause = max(current_app.config["JOB_RETRY_DELAYS"], default=0)
    waiting_since = func.coalesce(BackgroundJob.started_at, BackgroundJob.created_at)
    stranded = list(
        db.session.scalars(
            select(BackgroundJob.id)
            .where(
                BackgroundJob.id != job.id,
                or_(
                    and_(
                        BackgroundJob.status == JobStatus.QUEUED,
                        waiting_since < now - STRANDED_AFTER - timedelta(seconds=longest_pause),
                    ),
                    jobs.abandoned_rows(now),
                ),
            )
            .order_by(BackgroundJob.id)
            .limit(BATCH)
        )
    )
    jobs.hand_on_after_commit(stranded)
    return f"{len(stranded)} stranded jobs handed on again."


@task("mail-delivery")
def mail_delivery(job: RunningJob) -> str:
    """Send the due emails of the outbox. Each email is marked sent in its own transaction
    (``mail.deliver_due`` commits as it goes), so a failure later in the batch never makes
    an email that went out look unsent."""
    return mail.deliver_due(on_progress=job.advance).describe()
