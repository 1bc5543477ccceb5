"""The schedule: which slot is due when (pure functions), and each slot enqueued once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from intrapreneur.core.models import BackgroundJob, JobStatus
from intrapreneur.core.schedule import (
    DAY,
    HOUR,
    MINUTE,
    SCHEDULE,
    Scheduled,
    due,
    enqueue_due,
    latest_slot,
)
from intrapreneur.extensions import db
from tests.core import job_tasks  # noqa: F401  (registers tests.note)

NIGHTLY = Scheduled("directory-sync", every=DAY, hour_setting="SYNC_HOUR", needs_setting="LDAP")
HOURLY = Scheduled("survey-waves", every=HOUR)
EVERY_MINUTE = Scheduled("mail", every=MINUTE)
CONFIG = {"SYNC_HOUR": 2, "LDAP": "configured"}


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (at(27, 14, 5, 30), at(27, 2)),  # after today's hour: today's slot
        (at(27, 2), at(27, 2)),  # on the hour: this slot
        (at(27, 1, 59, 59), at(26, 2)),  # before it: yesterday's
    ],
)
def test_a_nightly_slot_is_the_last_configured_hour_passed(now: datetime, slot: datetime) -> None:
    assert latest_slot(now, DAY, NIGHTLY.offset(CONFIG)) == slot


def test_hourly_and_minutely_slots_fall_on_round_times() -> None:
    now = at(27, 14, 5, 30)
    assert latest_slot(now, HOUR) == at(27, 14)
    assert latest_slot(now, MINUTE) == at(27, 14, 5)


def test_an_entry_is_due_until_its_slot_is_enqueued() -> None:
    now = at(27, 14, 5, 30)
    schedule = (NIGHTLY, HOURLY, EVERY_MINUTE)

    assert due(schedule, now, CONFIG, enqueued=set()) == [
        (NIGHTLY, at(27, 2)),
        (HOURLY, at(27, 14)),
        (EVERY_MINUTE, at(27, 14, 5)),
    ]
    enqueued = {
        ("directory-sync", at(27, 2)),
        ("survey-waves", at(27, 14)),
        ("mail", at(27, 14, 4)),
    }
    assert due(schedule, now, CONFIG, enqueued) == [(EVERY_MINUTE, at(27, 14, 5))]
    # An hour later the hourly entry is due again; the nightly one waits for tomorrow.
    assert due(schedule, at(27, 15, 0, 1), CONFIG, enqueued) == [
        (HOURLY, at(27, 15)),
        (EVERY_MINUTE, at(27, 15)),
    ]


def test_an_entry_whose_setting_is_missing_is_never_due() -> None:
    assert due((NIGHTLY,), at(27, 14), {"SYNC_HOUR": 2, "LDAP": None}, enqueued=set()) == []


def test_the_shipped_schedule_names_registered_tasks(app: Flask) -> None:
    from intrapreneur.core.jobs import task_names

    assert {entry.task for entry in SCHEDULE} <= set(task_names())


def _scheduled_jobs() -> list[tuple[str, datetime | None, JobStatus]]:
    return [
        (job.task, job.scheduled_for, job.status)
        for job in db.session.scalars(select(BackgroundJob).order_by(BackgroundJob.id))
    ]


def test_each_slot_is_enqueued_once_and_run(app: Flask) -> None:
    hourly_note = (Scheduled("tests.note", every=HOUR, arguments={"marker": "hourly"}),)

    first = enqueue_due(app, at(27, 14, 5), hourly_note)
    again = enqueue_due(app, at(27, 14, 59), hourly_note)
    later = enqueue_due(app, at(27, 15, 1), hourly_note)

    assert (len(first), again, len(later)) == (1, [], 1)
    assert _scheduled_jobs() == [
        ("tests.note", at(27, 14), JobStatus.SUCCEEDED),
        ("tests.note", at(27, 15), JobStatus.SUCCEEDED),
    ]


def test_one_entry_in_trouble_does_not_stop_the_others(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    schedule = (
        Scheduled("not-registered", every=HOUR),
        Scheduled("tests.note", every=HOUR, arguments={"marker": "still"}),
    )
    with caplog.at_level(logging.ERROR, logger="intrapreneur.core.schedule"):
        started = enqueue_due(app, at(27, 9, 30), schedule)

    assert len(started) == 1
    assert _scheduled_jobs() == [("tests.note", at(27, 9), JobStatus.SUCCEEDED)]
    assert "could not enqueue not-registered" in caplog.text
