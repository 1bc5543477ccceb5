"""The ``retention`` task through the job runner: scheduled daily, started from the data
protection page, with progress, its outcome written for whoever asked, and a failed
attempt's finished batches kept while its retry does the rest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from intrapreneur.core import jobs
from intrapreneur.core.mail_models import EmailStatus, OutgoingEmail
from intrapreneur.core.models import BackgroundJob, JobStatus, utcnow
from intrapreneur.core.schedule import DAY, SCHEDULE
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests.core.test_jobs import job_row, quick_retries  # noqa: F401  (a fixture)
from tests.privacy.retention_builders import email, ids, job, notification
from tests.privacy.test_retention_run import applied_events, failing


def _old_rows(reader: Person) -> set[int]:
    now = utcnow()
    email(EmailStatus.SENT, sent_at=now - timedelta(days=40), last_try=now - timedelta(days=40))
    job(JobStatus.SUCCEEDED, now - timedelta(days=100))
    return {notification(reader, now - timedelta(days=400)) for _ in range(3)}


def test_the_retention_run_is_scheduled_daily() -> None:
    (entry,) = [entry for entry in SCHEDULE if entry.task == "retention"]
    assert entry.every == DAY
    assert "prune-jobs" not in {entry.task for entry in SCHEDULE}  # folded into retention


def test_a_run_started_by_an_admin_acts_with_progress_and_is_audited_as_theirs(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    admin = make_person(Role.ADMIN)
    recent = notification(admin, utcnow())
    _old_rows(admin)

    job_id = jobs.enqueue("retention", requested_by=admin)
    db.session.commit()

    done = job_row(job_id)
    assert done.status is JobStatus.SUCCEEDED, done.error
    assert (done.progress_done, done.progress_total) == (5, 5)
    assert ids(Notification) == {recent} and ids(OutgoingEmail) == set()
    assert ids(BackgroundJob) == {job_id}  # the old job went; never the running one
    assert {event.actor_id for event in applied_events()} == {admin.id}


def test_a_scheduled_run_acts_as_the_system(app: Flask, make_person: Callable[..., Person]) -> None:
    _old_rows(make_person())

    job_id = jobs.enqueue("retention")
    db.session.commit()

    done = job_row(job_id)
    assert done.status is JobStatus.SUCCEEDED, done.error
    assert done.message is not None and done.message.startswith("Retention rules applied: ")
    assert "3 notifications deleted" in done.message
    assert {event.actor_label for event in applied_events()} == {"system"}


def test_a_dry_run_job_changes_nothing(app: Flask, make_person: Callable[..., Person]) -> None:
    old = _old_rows(make_person())

    job_id = jobs.enqueue("retention", dry_run=True)
    db.session.commit()

    done = job_row(job_id)
    assert done.message is not None and done.message.startswith("Dry run, nothing changed: ")
    assert "3 notifications to delete" in done.message
    assert ids(Notification) == old and applied_events() == []


def test_a_failed_attempt_keeps_its_batches_and_the_retry_finishes(
    app: Flask,
    make_person: Callable[..., Person],
    quick_retries: None,  # noqa: F811
) -> None:
    old = _old_rows(make_person())

    # The emails' batch is committed; the notifications' batch fails with its audit event.
    with failing("INSERT INTO audit_event", on=2):
        job_id = jobs.enqueue("retention")
        db.session.commit()

    done = job_row(job_id)
    assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 2)
    assert ids(Notification).isdisjoint(old) and ids(OutgoingEmail) == set()
    counts = [(event.details["kind"], event.details["count"]) for event in applied_events()]
    assert counts == [("sent_emails", 1), ("job_rows", 1), ("notifications", 3)]
    assert done.message is not None and "0 sent emails deleted" in done.message
