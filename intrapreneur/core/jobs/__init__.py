"""Background jobs: named tasks run by RQ workers on Redis, or in this process without it.

Every job takes one path, wherever it runs:

1. ``enqueue(name, **arguments)`` adds a ``BackgroundJob`` row to the caller's transaction
   (``records``).
2. When that transaction commits, and not before (the job must see the caller's data, and a
   rolled-back request must start nothing), the job goes to RQ (``queue``); without Redis,
   or when Redis does not answer, it runs in this process (``pool``). The Session listeners
   that do this (``handoff``) are registered by the application factory.
3. ``run_job`` claims the row (queued → running in one conditional UPDATE, so a job handed
   to two workers runs once: ``claiming``), calls the task in an application context and
   session of its own, and commits the task's work together with the "succeeded" status. A
   failure is rolled back and recorded (type and message; the traceback goes to the log
   only) and retried after ``JOB_RETRY_DELAYS``; when no retry is left the job is failed,
   for admins (``running``). While it runs, a job beats (``heartbeats``).

Tasks register with ``@task("name")`` (``registry``) in their domain's ``tasks.py``;
``intrapreneur/tasks.py`` imports them all, as ``intrapreneur/models.py`` does for models.

The modules import one way: registry, attempts → heartbeats → claiming → running → pool,
queue → handoff → records; this package imports them all and names what callers use.
The figures a test may shorten (``heartbeats.HEARTBEAT_SECONDS``, ``heartbeats.SILENT_AFTER``)
are read from their module when used, so they are not repeated here.
"""

from intrapreneur.core.jobs.attempts import RunningJob
from intrapreneur.core.jobs.claiming import JOB_TIMEOUT_SECONDS, abandoned, abandoned_rows
from intrapreneur.core.jobs.handoff import (
    dispatch,
    dispatch_jobs_after_commit,
    hand_on_after_commit,
)
from intrapreneur.core.jobs.heartbeats import writes_heartbeats
from intrapreneur.core.jobs.pool import in_process, wait_for_jobs
from intrapreneur.core.jobs.queue import rq_queue, run_queued, work
from intrapreneur.core.jobs.records import (
    enqueue,
    enqueue_unless_waiting,
    record,
    retry_failed,
)
from intrapreneur.core.jobs.registry import JobRefused, UnknownTask, task, task_names
from intrapreneur.core.jobs.running import Outcome, Result, retry_delay, run_job

__all__ = [
    "JOB_TIMEOUT_SECONDS",
    "JobRefused",
    "Outcome",
    "Result",
    "RunningJob",
    "UnknownTask",
    "abandoned",
    "abandoned_rows",
    "dispatch",
    "dispatch_jobs_after_commit",
    "enqueue",
    "enqueue_unless_waiting",
    "hand_on_after_commit",
    "in_process",
    "record",
    "retry_delay",
    "retry_failed",
    "rq_queue",
    "run_job",
    "run_queued",
    "task",
    "task_names",
    "wait_for_jobs",
    "work",
    "writes_heartbeats",
]
