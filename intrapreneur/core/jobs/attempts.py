"""One attempt at a job: what its task is given (``RunningJob``), and the condition that a
row is still that attempt's, which every write made on the attempt's behalf repeats."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import ColumnElement, update
from sqlalchemy.exc import SQLAlchemyError

from intrapreneur.core.models import BackgroundJob, JobStatus
from intrapreneur.extensions import db

# The package's name, as before it was split: log lines and their filters stay as they were.
log = logging.getLogger("intrapreneur.core.jobs")


@dataclass
class RunningJob:
    """What a task is given: its job's id and attempt, and a way to show its progress."""

    id: int
    attempt: int
    done: int = 0
    total: int | None = None

    def progress(self, done: int, total: int | None = None) -> None:
        """Record how far the task is, for the progress page: once per batch, not per row."""
        self.done = done
        if total is not None:
            self.total = total
        _write_progress(self)

    def advance(self, count: int) -> None:
        self.progress(self.done + count)


def _write_progress(job: RunningJob) -> None:
    # Progress must be visible while the task's own transaction is still open, so it goes
    # through a connection of its own. SQLite lets one writer in at a time, and while the
    # task's session holds a transaction it holds that lock: the write could only wait for
    # itself, so the figures wait for the final write instead.
    if db.engine.dialect.name == "sqlite" and db.session().in_transaction():
        return
    try:
        with db.engine.begin() as connection:
            connection.execute(
                update(BackgroundJob)
                .where(*still_ours(job))
                .values(progress_done=job.done, progress_total=job.total)
            )
    except SQLAlchemyError as error:
        log.warning("job %s: progress not recorded (%s)", job.id, type(error).__name__)


def still_ours(running: RunningJob) -> tuple[ColumnElement[bool], ...]:
    """The row is still this attempt's: running, and not claimed again since."""
    return (
        BackgroundJob.id == running.id,
        BackgroundJob.status == JobStatus.RUNNING,
        BackgroundJob.attempts == running.attempt,
    )
