"""Job rows: asking for a run of a task (``enqueue``), recording one, and retrying a failed
one. Arguments are kept in the database and in Redis and shown to admins: plain JSON, no
secrets."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import select, update

from intrapreneur.core.jobs.handoff import hand_on_after_commit
from intrapreneur.core.jobs.registry import UnknownTask, registered
from intrapreneur.core.models import BackgroundJob, JobStatus
from intrapreneur.extensions import db

if TYPE_CHECKING:
    from intrapreneur.identity.models import Person

SECRET_WORDS = ("password", "secret", "token")


def enqueue(
    name: str,
    *,
    requested_by: Person | None = None,
    scheduled_for: datetime | None = None,
    **arguments: Any,
) -> int:
    """Record a run of the task ``name``; it starts once the caller's transaction commits
    (``handoff``), and not at all if it rolls back.

    Returns the job's id (for its progress page). Raises UnknownTask, or ValueError for
    arguments that are not JSON or look like secrets.
    """
    job = record(
        name,
        arguments,
        requested_by=requested_by,
        scheduled_for=scheduled_for,
        max_attempts=1 + len(current_app.config["JOB_RETRY_DELAYS"]),
    )
    hand_on_after_commit([job.id])
    return job.id


def enqueue_unless_waiting(name: str, *, requested_by: Person | None = None) -> int:
    """A run of the argument-less task ``name``: the one queued or running, else a new one.
    For pages that ask for work to be done (and may be viewed many times meanwhile)."""
    waiting = db.session.scalar(
        select(BackgroundJob.id)
        .where(
            BackgroundJob.task == name,
            BackgroundJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        )
        .limit(1)
    )
    return waiting if waiting is not None else enqueue(name, requested_by=requested_by)


def record(
    name: str,
    arguments: dict[str, Any],
    *,
    max_attempts: int,
    requested_by: Person | None = None,
    scheduled_for: datetime | None = None,
) -> BackgroundJob:
    """The job's row alone, not handed to anyone (``intrapreneur scheduled`` runs it itself)."""
    if registered(name) is None:
        raise UnknownTask(name)
    _check_arguments(arguments)
    job = BackgroundJob(
        task=name,
        arguments=arguments,
        status=JobStatus.QUEUED,
        attempts=0,
        max_attempts=max_attempts,
        progress_done=0,
        requested_by_id=requested_by.id if requested_by else None,
        scheduled_for=scheduled_for,
    )
    db.session.add(job)
    db.session.flush()
    return job


def retry_failed(job: BackgroundJob) -> bool:
    """Queue a failed job again with a fresh set of attempts (an admin fixed the cause);
    it starts once the caller commits. False if the job has not failed (any more)."""
    retried = db.session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.id == job.id, BackgroundJob.status == JobStatus.FAILED)
        .values(
            status=JobStatus.QUEUED,
            attempts=0,
            max_attempts=1 + len(current_app.config["JOB_RETRY_DELAYS"]),
            finished_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if retried.rowcount != 1:  # type: ignore[attr-defined]
        return False
    db.session.refresh(job)
    hand_on_after_commit([job.id])
    return True


def _check_arguments(arguments: dict[str, Any]) -> None:
    try:
        json.dumps(arguments)
    except TypeError as error:
        raise ValueError(f"job arguments must be plain JSON values: {error}") from None
    secret = [key for key in arguments if any(word in key.lower() for word in SECRET_WORDS)]
    if secret:
        raise ValueError(f"job arguments must not carry secrets: {', '.join(secret)}")
