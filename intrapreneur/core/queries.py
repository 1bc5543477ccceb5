"""Reads of the audit log, of the background jobs and of the files they made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, undefer

from intrapreneur.core.models import AuditEvent, BackgroundJob, ExportFile, JobStatus
from intrapreneur.extensions import db


def audit_events(*, action: str | None = None) -> Select[tuple[AuditEvent]]:
    """Newest first; ``action`` narrows to one kind of event."""
    statement = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        statement = statement.where(AuditEvent.action == action)
    return statement


def audit_actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def background_jobs(
    *, status: JobStatus | None = None, task: str | None = None
) -> Select[tuple[BackgroundJob]]:
    """Newest first, with who asked for each; ``status`` and ``task`` narrow the list."""
    statement = (
        select(BackgroundJob)
        .options(joinedload(BackgroundJob.requested_by))
        .order_by(BackgroundJob.id.desc())
    )
    if status is not None:
        statement = statement.where(BackgroundJob.status == status)
    if task is not None:
        statement = statement.where(BackgroundJob.task == task)
    return statement


def jobs_waiting() -> dict[str, int]:
    """Task name → jobs queued and not yet started (or waiting to retry): the queue depth
    for metrics, the same with or without Redis."""
    rows = db.session.execute(
        select(BackgroundJob.task, func.count())
        .where(BackgroundJob.status == JobStatus.QUEUED)
        .group_by(BackgroundJob.task)
    ).all()
    return {task: count for task, count in rows}


def file_of_job(
    job_id: int, person_id: int, now: datetime, *, content: bool = False
) -> ExportFile | None:
    """The file a job made for this person, while it is kept; None for anyone else's. Its
    content (megabytes) is read only when asked for."""
    statement = select(ExportFile).where(
        ExportFile.job_id == job_id,
        ExportFile.person_id == person_id,
        ExportFile.expires_at > now,
    )
    if content:
        statement = statement.options(undefer(ExportFile.content))
    return db.session.scalar(statement)
