"""The hand-off: a job recorded in a transaction starts once that transaction commits.

A job asked for in a request is handed to the queue after that request's commit, and not
before: the job must see the caller's data, and a rolled-back request must start nothing.
``hand_on_after_commit`` notes the job ids on the session; two Session listeners, registered
by the application factory through ``dispatch_jobs_after_commit``, hand the noted jobs on
after the commit (``dispatch``: to RQ, or to this process) and forget them on a rollback.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from intrapreneur.core.jobs.pool import in_process
from intrapreneur.core.jobs.queue import send_to_rq
from intrapreneur.extensions import db

log = logging.getLogger("intrapreneur.core.jobs")

_PENDING = "intrapreneur.jobs.pending"


def hand_on_after_commit(job_ids: list[int]) -> None:
    """Dispatch these jobs once the current transaction commits (forgotten on rollback)."""
    db.session.info.setdefault(_PENDING, []).extend(job_ids)


def dispatch_jobs_after_commit() -> None:
    """Make every commit hand on the jobs recorded in its transaction, and every rollback
    forget them. Listens on all Sessions, once however many apps are built; called by the
    application factory."""
    if not event.contains(Session, "after_commit", _dispatch_after_commit):
        event.listen(Session, "after_commit", _dispatch_after_commit)
    if not event.contains(Session, "after_rollback", _forget_after_rollback):
        event.listen(Session, "after_rollback", _forget_after_rollback)


def _dispatch_after_commit(session: Session) -> None:
    # A savepoint's end fires this too; only the outermost commit makes the rows visible.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if pending:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        for job_id in pending:
            dispatch(app, job_id)


def _forget_after_rollback(session: Session) -> None:
    # A savepoint rolled back leaves the enclosing transaction, and its jobs, standing.
    if session.in_nested_transaction():
        return
    session.info.pop(_PENDING, None)


def dispatch(app: Flask, job_id: int) -> None:
    """Hand a committed job to RQ, or run it in this process; never raises (it runs inside
    a commit, and the caller's work is already saved)."""
    if app.config.get("REDIS_URL"):
        try:
            send_to_rq(app, job_id)
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
