"""The RQ backend: jobs handed to RQ workers through Redis (``intrapreneur worker``).

Why RQ: it is small, mature and well kept, needs nothing but the Redis that production
already runs for rate limits, retries with intervals, and forks a fresh process per job, so
a job that leaks or crashes cannot take its worker down. Celery does much more than we need
(several brokers, result backends, workflows) at a large configuration cost; arq is
asyncio-only; Dramatiq would do, but RQ has more users and the simpler model.
"""

from __future__ import annotations

import os

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry, Worker

from intrapreneur.core.jobs.claiming import JOB_TIMEOUT_SECONDS
from intrapreneur.core.jobs.running import Outcome, run_job
from intrapreneur.extensions import db

# The name of ``run_queued`` that RQ stores in Redis with every job. It names the package,
# where ``run_queued`` is re-exported, as it did before the package was split: a job queued
# by one version still runs on a worker of another during a rolling upgrade.
RQ_ENTRY_POINT = "intrapreneur.core.jobs.run_queued"


class RetryLater(Exception):
    """Raised to RQ so that it retries the job after its interval."""


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


def send_to_rq(app: Flask, job_id: int) -> None:
    """Put the committed job on the app's RQ queue, with the retries of the settings."""
    delays = app.config["JOB_RETRY_DELAYS"]
    queue = rq_queue(app)
    queue.enqueue(
        RQ_ENTRY_POINT,
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
    """RQ's entry point (``RQ_ENTRY_POINT``); ``intrapreneur worker`` runs it inside the
    application."""
    result = run_job(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]
    if result.outcome is Outcome.RETRY:
        raise RetryLater(f"job {job_id} failed; it is retried in {result.retry_in:g} s")
    return result.outcome.value
