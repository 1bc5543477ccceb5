"""Background jobs: named tasks run by RQ workers on Redis, or in this process without it.

Why RQ: it is small, mature and well kept, needs nothing but the Redis that production
already runs for rate limits, retries with intervals, and forks a fresh process per job, so
a job that leaks or crashes cannot take its worker down. Celery does much more than we need
(several brokers, result backends, workflows) at a large configuration cost; arq is
asyncio-only; Dramatiq would do, but RQ has more users and the simpler model.

Every job takes one path, wherever it runs:

1. ``enqueue(name, **arguments)`` adds a ``BackgroundJob`` row to the caller's transaction.
2. When that transaction commits, and not before (the job must see the caller's data, and a
   rolled-back request must start nothing), the job goes to RQ; without Redis, or when Redis
   does not answer, it runs in this process.
3. ``run_job`` claims the row (queued → running in one conditional UPDATE, so a job handed
   to two workers runs once), calls the task in an application context and session of its
   own, and commits the task's work together with the "succeeded" status. A failure is
   rolled back and recorded (type and message; the traceback goes to the log only) and
   retried after ``JOB_RETRY_DELAYS``; when no retry is left the job is failed, for admins.

Tasks register with ``@task("name")`` in their domain's ``tasks.py``; ``intrapreneur/tasks.py``
imports them all, as ``intrapreneur/models.py`` does for models.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, Worker
from sqlalchemy import ColumnElement, Engine, and_, event, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from intrapreneur.core.models import BackgroundJob, JobStatus, utcnow
from intrapreneur.extensions import db

if TYPE_CHECKING:
    from intrapreneur.identity.models import Person

log = logging.getLogger(__name__)

# RQ stops a job after this long; a row left "running" longer than this belonged to a worker
# that died, and may be claimed again.
JOB_TIMEOUT_SECONDS = 60 * 60
# On PostgreSQL a running job writes a heartbeat this often, from a thread of its own, so a
# job whose process was killed is known for dead after SILENT_AFTER, not after the hour.
# SQLite has one writer: while a task holds its write lock no heartbeat could be written, so
# there the hour alone decides (the embedded default is one process anyway).
HEARTBEAT_SECONDS = 15
SILENT_AFTER = timedelta(seconds=90)
TEXT_LIMIT = 2000
# Arguments are shown to admins and kept in the database and in Redis: no secrets.
SECRET_WORDS = ("password", "secret", "token")

Task = Callable[..., str | None]
_TASKS: dict[str, Task] = {}
_PENDING = "intrapreneur.jobs.pending"


class UnknownTask(ValueError):
    def __init__(self, name: str) -> None:
        known = ", ".join(sorted(_TASKS)) or "none"
        super().__init__(f"no task is called {name!r} (known: {known})")


class JobRefused(Exception):
    """Raised by a task that cannot succeed by trying again: the job fails at once, and the
    message (written for an admin) is shown as it is."""


class RetryLater(Exception):
    """Raised to RQ so that it retries the job after its interval."""


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # not queued: another worker has it, or it is done


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    retry_in: float = 0.0  # seconds to wait before the next attempt (RETRY only)


def task(name: str) -> Callable[[Task], Task]:
    """Register ``function(job, **arguments) -> summary`` as the task ``name``.

    ``job`` is a ``RunningJob`` (progress reports); the summary is a short line shown to
    admins. The function may be run more than once for one job (retries), so it must be
    idempotent; it flushes and never commits: the runner commits once, with the status.
    """

    def register(function: Task) -> Task:
        if _TASKS.get(name, function) is not function:
            raise ValueError(f"two functions are registered as the task {name!r}")
        _TASKS[name] = function
        return function

    return register


def task_names() -> list[str]:
    return sorted(_TASKS)


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
                .where(*_still_ours(job))
                .values(progress_done=job.done, progress_total=job.total)
            )
    except SQLAlchemyError as error:
        log.warning("job %s: progress not recorded (%s)", job.id, type(error).__name__)


# -- enqueueing ------------------------------------------------------------------------------


def enqueue(
    name: str,
    *,
    requested_by: Person | None = None,
    scheduled_for: datetime | None = None,
    **arguments: Any,
) -> int:
    """Record a run of the task ``name``; it starts once the caller's transaction commits.

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


def hand_on_after_commit(job_ids: list[int]) -> None:
    """Dispatch these jobs once the current transaction commits (forgotten on rollback)."""
    db.session.info.setdefault(_PENDING, []).extend(job_ids)


def record(
    name: str,
    arguments: dict[str, Any],
    *,
    max_attempts: int,
    requested_by: Person | None = None,
    scheduled_for: datetime | None = None,
) -> BackgroundJob:
    """The job's row alone, not handed to anyone (``intrapreneur scheduled`` runs it itself)."""
    if name not in _TASKS:
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


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        for job_id in pending:
            dispatch(app, job_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def dispatch(app: Flask, job_id: int) -> None:
    """Hand a committed job to RQ, or run it in this process; never raises (it runs inside
    a commit, and the caller's work is already saved)."""
    if app.config.get("REDIS_URL"):
        try:
            _send_to_rq(app, job_id)
            return
        except RedisError as error:
            # Pages keep working while Redis is down: the job runs here instead.
            log.warning(
                "Redis is not answering (%s): job %s runs in this process instead",
                type(error).__name__,
                job_id,
            )
        except Exception:
            log.exception("job %s could not be handed to RQ; it runs in this process", job_id)
    try:
        in_process(app).submit(job_id)
    except Exception:
        log.exception("job %s could not be started in this process", job_id)


def redis_connection(app: Flask, *, for_worker: bool = False) -> Redis:
    """One client (thread-safe, pooled) per app and purpose.

    Web processes give up quickly so a Redis outage cannot hang a page; the worker waits
    on a blocking pop for minutes, so its reads have no timeout of their own.
    """
    key = f"intrapreneur.redis.{'worker' if for_worker else 'web'}"
    url = app.config["REDIS_URL"]
    client = app.extensions.get(key)
    if client is None or client.url != url:
        client = _Client(url, for_worker)
        app.extensions[key] = client
    return client.redis


class _Client:
    def __init__(self, url: str, for_worker: bool) -> None:
        self.url = url
        self.redis = Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=None if for_worker else 5
        )


def rq_queue(app: Flask, *, for_worker: bool = False) -> Queue:
    return Queue(app.config["JOBS_QUEUE"], connection=redis_connection(app, for_worker=for_worker))


def _send_to_rq(app: Flask, job_id: int) -> None:
    delays = app.config["JOB_RETRY_DELAYS"]
    queue = rq_queue(app)
    queue.enqueue(
        run_queued,
        job_id,
        # One RQ job per row and queue: enqueueing the same row again replaces it.
        job_id=f"{queue.name}-{job_id}",
        retry=Retry(max=len(delays), interval=list(delays)) if delays else None,
        job_timeout=JOB_TIMEOUT_SECONDS,
        result_ttl=24 * 60 * 60,
        failure_ttl=7 * 24 * 60 * 60,
    )


def work(app: Flask, *, burst: bool = False, max_jobs: int | None = None) -> None:
    """Run an RQ worker on the app's queue (``intrapreneur worker``), in an app context."""
    queue = rq_queue(app, for_worker=True)
    # RQ forks a child per job; the parent's pooled database connections must not be used
    # by the child (both would talk on one socket), so the child drops them unclosed.
    engine = db.engine
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    # The RQ scheduler moves retries whose back-off has passed back onto the queue.
    Worker([queue], connection=queue.connection).work(
        burst=burst, max_jobs=max_jobs, with_scheduler=True, logging_level="INFO"
    )


def run_queued(job_id: int) -> str:
    """RQ's entry point; ``intrapreneur worker`` runs it inside the application."""
    result = run_job(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]
    if result.outcome is Outcome.RETRY:
        raise RetryLater(f"job {job_id} failed; it is retried in {result.retry_in:g} s")
    return result.outcome.value


# -- running ---------------------------------------------------------------------------------


def run_job(app: Flask, job_id: int) -> Result:
    """Claim the job and run it once, in an application context (and session) of its own."""
    with app.app_context():
        return _run(job_id, utcnow())


def _run(job_id: int, now: datetime) -> Result:
    if not _claim(job_id, now):
        log.info("job %s is not queued (another worker has it, or it is done): skipped", job_id)
        return Result(Outcome.SKIPPED)
    row = db.session.get(BackgroundJob, job_id)
    assert row is not None
    name, arguments, max_attempts = row.task, dict(row.arguments), row.max_attempts
    running = RunningJob(id=job_id, attempt=row.attempts)
    # End the read: on SQLite an open transaction holds the one write lock, which the
    # progress writes and the pages that show them need while the task runs.
    db.session.commit()
    log.info("job %s (%s) attempt %d of %d started", job_id, name, running.attempt, max_attempts)
    try:
        if name not in _TASKS:
            raise JobRefused(f"No task called {name!r} is known to this version.")
        with Heartbeat(db.engine, running):
            summary = _TASKS[name](running, **arguments)
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
    return now - timedelta(seconds=JOB_TIMEOUT_SECONDS), now - SILENT_AFTER


def _claim(job_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(BackgroundJob)
        .where(
            BackgroundJob.id == job_id,
            or_(BackgroundJob.status == JobStatus.QUEUED, abandoned_rows(now)),
        )
        .values(
            status=JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now if writes_heartbeats(db.engine) else None,
            finished_at=None,
            attempts=BackgroundJob.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def writes_heartbeats(engine: Engine) -> bool:
    """Whether running jobs beat on this database (not on SQLite: see HEARTBEAT_SECONDS)."""
    return engine.dialect.name != "sqlite"


class Heartbeat:
    """While a job runs, writes its heartbeat every HEARTBEAT_SECONDS through a connection of
    its own (the task's transaction stays open until the end). Only the attempt that claimed
    the row beats for it: a later attempt that took over is never kept alive by this one."""

    def __init__(self, engine: Engine, running: RunningJob) -> None:
        self._engine, self._running = engine, running
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat_until_stopped, daemon=True)

    def __enter__(self) -> Heartbeat:
        if writes_heartbeats(self._engine):
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()

    def _beat_until_stopped(self) -> None:
        while not self._stopped.wait(HEARTBEAT_SECONDS):
            try:
                with self._engine.begin() as connection:
                    connection.execute(
                        update(BackgroundJob)
                        .where(*_still_ours(self._running))
                        .values(heartbeat_at=utcnow())
                    )
            except SQLAlchemyError as error:
                log.warning(
                    "job %s: heartbeat not recorded (%s)", self._running.id, type(error).__name__
                )


def _still_ours(running: RunningJob) -> tuple[ColumnElement[bool], ...]:
    """The row is still this attempt's: running, and not claimed again since."""
    return (
        BackgroundJob.id == running.id,
        BackgroundJob.status == JobStatus.RUNNING,
        BackgroundJob.attempts == running.attempt,
    )


def _store(running: RunningJob, **values: Any) -> bool:
    """Write the outcome, if the row is still this attempt's; False when a later attempt took
    the job over (this one was taken for dead), and this attempt's work must not be kept."""
    stored = db.session.execute(
        update(BackgroundJob)
        .where(*_still_ours(running))
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


# -- in this process -------------------------------------------------------------------------


class InProcess:
    """Runs jobs in this process, for the one-process trial without Redis.

    ``JOBS_IN_PROCESS = "thread"``: on one worker thread, so the page that started the job
    answers at once and its progress page can be served while the job runs (a job run
    synchronously after the response would hold the only server thread of a small trial).
    Retries wait on a timer, not on the worker thread. One thread: SQLite has one writer.

    ``"inline"`` (the test suite): at once, in the committing thread, retries included with
    no pause, so tests need not wait and every job runs on the test's own connection.
    """

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intrapreneur-job")
        self._idle = threading.Condition()
        self._unfinished = 0

    def submit(self, job_id: int, delay: float = 0) -> None:
        if self._app.config["JOBS_IN_PROCESS"] == "inline":
            self._run_inline(job_id)
            return
        with self._idle:
            self._unfinished += 1
        if delay:
            timer = threading.Timer(delay, self._pool.submit, (self._work, job_id))
            timer.daemon = True
            timer.start()
        else:
            self._pool.submit(self._work, job_id)

    def _run_inline(self, job_id: int) -> None:
        # Retries follow at once: a test must never sit out a back-off it did not ask for.
        while run_job(self._app, job_id).outcome is Outcome.RETRY:
            pass

    def _work(self, job_id: int) -> None:
        try:
            result = run_job(self._app, job_id)
            if result.outcome is Outcome.RETRY:
                self.submit(job_id, delay=result.retry_in)
        except Exception:
            log.exception("job %s could not be run", job_id)
        finally:
            with self._idle:
                self._unfinished -= 1
                self._idle.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every job given to this process has finished (retries included);
        False if ``timeout`` seconds passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)


_in_process_lock = threading.Lock()


def in_process(app: Flask) -> InProcess:
    with _in_process_lock:
        runner = app.extensions.get("intrapreneur.jobs")
        if runner is None:
            runner = app.extensions["intrapreneur.jobs"] = InProcess(app)
        return runner


def wait_for_jobs(app: Flask, timeout: float | None = None) -> bool:
    """Wait for the jobs this process runs itself (the scheduler on stop, tests)."""
    return in_process(app).wait(timeout)
