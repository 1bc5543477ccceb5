"""``intrapreneur worker``, ``intrapreneur scheduler`` and ``intrapreneur scheduled TASK``."""

from __future__ import annotations

import signal
import sys
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import RedisError

from intrapreneur.cli.app import refuse_unknown_schema_or_exit
from intrapreneur.core import jobs, schedule
from intrapreneur.core.models import BackgroundJob, JobStatus
from intrapreneur.extensions import db

STOP_GRACE_SECONDS = 25


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run background jobs from Redis (INTRAPRENEUR_REDIS_URL) until stopped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    refuse_unknown_schema_or_exit(app)
    if not app.config.get("REDIS_URL"):
        click.echo(
            "intrapreneur: the worker needs Redis: set INTRAPRENEUR_REDIS_URL "
            "(without it, jobs run inside the web process and there is nothing to start)",
            err=True,
        )
        sys.exit(2)
    queue = jobs.rq_queue(app, for_worker=True)
    try:
        queue.connection.ping()
    except RedisError as error:
        click.echo(f"intrapreneur: Redis is not answering ({type(error).__name__})", err=True)
        sys.exit(1)
    click.echo(f"Working on queue {queue.name!r}{' until it is empty' if burst else ''}.")
    jobs.work(app, burst=burst)


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Enqueue scheduled work (directory sync nightly …) until SIGTERM or Ctrl-C."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    refuse_unknown_schema_or_exit(app)
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    for entry in schedule.SCHEDULE:
        click.echo(entry.describe(app.config))
    schedule.run_scheduler(app, stop)
    click.echo("Stopping: waiting for the jobs running in this process.")
    # Within Kubernetes' usual 30 s grace; a retry still waiting out its pause stays queued
    # and is handed on again by requeue-stranded.
    if not jobs.wait_for_jobs(app, timeout=STOP_GRACE_SECONDS):
        click.echo("Stopped with jobs unfinished: they stay queued and are handed on later.")


@click.command("scheduled")
@click.argument("task")
@with_appcontext
def scheduled(task: str) -> None:
    """Run the scheduled TASK once, now, in this process (for Kubernetes CronJobs).

    The job is recorded like any other, and not retried here: the CronJob's own back-off
    decides whether to try again. The exit status is 0 when it succeeded, or when the task is
    off here (the directory sync without a directory).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    entry = next((entry for entry in schedule.SCHEDULE if entry.task == task), None)
    if entry is None:
        known = ", ".join(entry.task for entry in schedule.SCHEDULE)
        click.echo(f"intrapreneur: {task!r} is not a scheduled task (known: {known})", err=True)
        sys.exit(2)
    if not entry.applies(app.config):
        # As the scheduler does: an entry whose setting is missing (no directory) is off.
        click.echo(f"{task} is off (not configured): nothing to do.")
        return
    job_id = jobs.record(task, dict(entry.arguments), max_attempts=1).id
    db.session.commit()
    jobs.run_job(app, job_id)
    job = db.session.get(BackgroundJob, job_id)
    assert job is not None
    if job.status is JobStatus.SUCCEEDED:
        click.echo(f"{task} succeeded (job {job_id}): {job.message}")
        return
    click.echo(f"{task} failed (job {job_id}): {job.error}", err=True)
    sys.exit(1)
