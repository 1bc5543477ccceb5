"""Reads of the audit log, of the background jobs and of the files they made."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, String, and_, cast, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload, undefer

from intrapreneur.core import jobs
from intrapreneur.core.models import AuditEvent, BackgroundJob, ExportFile, JobStatus
from intrapreneur.extensions import db

Value = TypeVar("Value")


@dataclass(frozen=True)
class AuditFilters:
    """What the audit log is narrowed to; each filter left as None narrows nothing."""

    # The ids of the people asked about: events they did, and events done to them.
    people: Select[tuple[int]] | None = None
    # With them, events whose typed login hashes to one of these (a name nobody has).
    login_hashes: tuple[str, ...] = ()
    action: str | None = None
    since: datetime | None = None  # from this moment on
    before: datetime | None = None  # up to, not including, this moment


def audit_events(filters: AuditFilters = AuditFilters()) -> Select[tuple[AuditEvent]]:
    """Newest first, narrowed by ``filters``, each with its actor's and its person's name."""
    statement = (
        select(AuditEvent)
        .options(undefer(AuditEvent.subject_name))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    if filters.people is not None:
        ids = filters.people.subquery()
        typed = AuditEvent.details["login_hash"].as_string().in_(filters.login_hashes)
        statement = statement.where(
            or_(
                AuditEvent.actor_id.in_(select(ids.c[0])),
                and_(
                    AuditEvent.object_type == "person",
                    AuditEvent.object_id.in_(select(cast(ids.c[0], String))),
                ),
                *([typed] if filters.login_hashes else []),
            )
        )
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.since is not None:
        statement = statement.where(AuditEvent.occurred_at >= filters.since)
    if filters.before is not None:
        statement = statement.where(AuditEvent.occurred_at < filters.before)
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


def counts_by(column: InstrumentedAttribute[Value], values: Iterable[Value]) -> dict[Value, int]:
    """How many rows hold each of ``values`` in ``column`` (0 where none do): one GROUP BY."""
    rows = db.session.execute(select(column, func.count()).group_by(column))
    found = {value: count for value, count in rows}
    return {value: found.get(value, 0) for value in values}


def jobs_by_status() -> dict[JobStatus, int]:
    return counts_by(BackgroundJob.status, JobStatus)


def stranded_job_count(now: datetime) -> int:
    """Jobs whose process died while running them (jobs.abandoned), not yet claimed again."""
    return db.session.scalar(select(func.count()).where(jobs.abandoned_rows(now))) or 0


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
