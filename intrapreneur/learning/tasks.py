"""Background tasks of the learning domain: tomorrow's reminders."""

from __future__ import annotations

from datetime import date

from intrapreneur.core.jobs import RunningJob, task
from intrapreneur.learning.emails import queue_reminders


@task("reminders")
def reminders(job: RunningJob) -> str:
    """Queue reminders of the commitments and sessions due tomorrow (daily; running it twice
    queues nothing more: each reminder has a key of its own)."""
    return queue_reminders(date.today()).describe()
