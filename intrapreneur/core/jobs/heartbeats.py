"""Heartbeats: how a running job shows that its process is still alive.

On PostgreSQL a running job writes a heartbeat every ``HEARTBEAT_SECONDS``, from a thread of
its own, so a job whose process was killed is known for dead after ``SILENT_AFTER``, not
after the hour (``claiming.JOB_TIMEOUT_SECONDS``). SQLite has one writer: while a task holds
its write lock no heartbeat could be written, so there the hour alone decides (the embedded
default is one process anyway).

Both figures are read from this module when they are used: tests shorten them here.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import Engine, update
from sqlalchemy.exc import SQLAlchemyError

from intrapreneur.core.jobs.attempts import RunningJob, still_ours
from intrapreneur.core.models import BackgroundJob, utcnow

log = logging.getLogger("intrapreneur.core.jobs")

HEARTBEAT_SECONDS = 15
SILENT_AFTER = timedelta(seconds=90)


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
                        .where(*still_ours(self._running))
                        .values(heartbeat_at=utcnow())
                    )
            except SQLAlchemyError as error:
                log.warning(
                    "job %s: heartbeat not recorded (%s)", self._running.id, type(error).__name__
                )
