"""Scheduled work: one table of registered tasks and when they run.

``intrapreneur scheduler`` enqueues each entry once per period (its *slot*); Kubernetes
CronJobs run ``intrapreneur scheduled <task>`` with the same entries instead. A slot is
enqueued once however many schedulers run: the job table refuses a second (task, slot).
A scheduler that was stopped catches up the latest missed slot of each entry, once.
Times are UTC.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from intrapreneur.core import jobs
from intrapreneur.core.models import BackgroundJob, utcnow
from intrapreneur.extensions import db

log = logging.getLogger(__name__)

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
WEEK = 7 * DAY  # from Monday: EPOCH is a Monday
FIVE_MINUTES = 5 * MINUTE
EPOCH = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday at midnight: slots fall on round times
TICK_SECONDS = 20


@dataclass(frozen=True)
class Scheduled:
    """Run the registered task ``task`` every ``every``.

    ``hour_setting`` names a config key holding the UTC hour of a daily (or weekly: Monday's)
    entry;
    ``needs_setting`` a config key without which the entry is skipped (no directory, no
    directory sync); ``arguments`` are the task's keyword arguments.
    """

    task: str
    every: timedelta
    hour_setting: str | None = None
    needs_setting: str | None = None
    arguments: Mapping[str, Any] = field(default_factory=dict)

    def applies(self, config: Mapping[str, Any]) -> bool:
        return self.needs_setting is None or bool(config.get(self.needs_setting))

    def offset(self, config: Mapping[str, Any]) -> timedelta:
        return timedelta(hours=config[self.hour_setting]) if self.hour_setting else timedelta()

    def describe(self, config: Mapping[str, Any]) -> str:
        """ "directory-sync: daily at 02:00 UTC", for the scheduler's start-up lines."""
        every = {
            MINUTE: "every minute",
            FIVE_MINUTES: "every 5 minutes",
            HOUR: "every hour",
            DAY: "daily",
            WEEK: "weekly on Mondays",
        }.get(self.every)
        at = f" at {EPOCH + self.offset(config):%H:%M} UTC" if self.every in (DAY, WEEK) else ""
        off = "" if self.applies(config) else " (off: not configured)"
        return f"{self.task}: {every or f'every {self.every}'}{at}{off}"


# The schedule. Entries name tasks registered with @jobs.task in a domain's tasks.py.
SCHEDULE: tuple[Scheduled, ...] = (
    Scheduled(
        "directory-sync", every=DAY, hour_setting="DIRECTORY_SYNC_HOUR", needs_setting="DIRECTORY"
    ),
    Scheduled("reminders", every=DAY, hour_setting="REMINDERS_HOUR"),
    Scheduled("review-digests", every=DAY, hour_setting="REMINDERS_HOUR"),
    Scheduled("survey-reminders", every=DAY, hour_setting="REMINDERS_HOUR"),
    Scheduled("learning-digests", every=WEEK, hour_setting="REMINDERS_HOUR"),
    # Daily, but it writes only in a month's first week, once per sponsor and month.
    Scheduled("sponsor-digests", every=DAY, hour_setting="REMINDERS_HOUR"),
    Scheduled("survey-waves", every=HOUR),
    Scheduled("mail-delivery", every=MINUTE),
    # Often enough that a job whose process died (its heartbeat silent) starts again soon.
    Scheduled("requeue-stranded", every=FIVE_MINUTES),
    # The retention rules (privacy.retention), old jobs and export files among them.
    Scheduled("retention", every=DAY),
)


def latest_slot(now: datetime, every: timedelta, offset: timedelta = timedelta()) -> datetime:
    """The most recent start of a period at or before ``now`` (periods start at the offset)."""
    periods = (now - EPOCH - offset) // every
    return EPOCH + offset + periods * every


def due(
    schedule: Collection[Scheduled],
    now: datetime,
    config: Mapping[str, Any],
    enqueued: Collection[tuple[str, datetime]],
) -> list[tuple[Scheduled, datetime]]:
    """The entries whose latest slot is not among the ``enqueued`` (task, slot) pairs."""
    slots = [
        (entry, latest_slot(now, entry.every, entry.offset(config)))
        for entry in schedule
        if entry.applies(config)
    ]
    return [(entry, slot) for entry, slot in slots if (entry.task, slot) not in enqueued]


def enqueue_due(app: Flask, now: datetime, schedule: Collection[Scheduled] = SCHEDULE) -> list[int]:
    """Enqueue every entry that is due; returns the new jobs' ids. One entry's trouble
    (a database hiccup, a task that is not registered) is logged and does not stop the rest."""
    started = []
    if not schedule:
        return started
    with app.app_context():
        earliest = min(latest_slot(now, e.every, e.offset(app.config)) for e in schedule)
        enqueued = set(
            db.session.execute(
                select(BackgroundJob.task, BackgroundJob.scheduled_for).where(
                    BackgroundJob.scheduled_for >= earliest
                )
            ).all()
        )
        for entry, slot in due(schedule, now, app.config, enqueued):
            try:
                job_id = jobs.enqueue(entry.task, scheduled_for=slot, **entry.arguments)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                log.info("%s for %s was enqueued by another scheduler", entry.task, slot)
            except Exception:
                db.session.rollback()
                log.exception("could not enqueue %s for %s", entry.task, slot)
            else:
                log.info("enqueued %s for %s as job %s", entry.task, slot, job_id)
                started.append(job_id)
    return started


def run_scheduler(app: Flask, stop: threading.Event, tick: float = TICK_SECONDS) -> None:
    """Enqueue due work every ``tick`` seconds until ``stop`` is set (SIGTERM, Ctrl-C)."""
    while not stop.is_set():
        try:
            enqueue_due(app, utcnow())
        except Exception:
            log.exception("the scheduler could not read the schedule; it tries again")
        stop.wait(tick)
