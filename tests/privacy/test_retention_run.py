"""The retention run as a whole: a dry run counts exactly what the real run then removes,
each batch is one transaction with its audit event, and a run interrupted midway leaves
whole batches behind and is finished by the next run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, event, func, select, update

from intrapreneur.core.mail_models import EmailStatus, OutgoingEmail
from intrapreneur.core.models import AuditEvent, BackgroundJob, ExportFile, JobStatus
from intrapreneur.culture.models import SurveyResponse
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Invitation, PasswordReset, Person, PersonKind, Role
from intrapreneur.identity.saml_models import SamlRequest, SamlUsedId
from intrapreneur.privacy.retention import apply, plan, selections
from tests.privacy.retention_builders import (
    DAY,
    NOW,
    SECOND,
    applied,
    email,
    export_file,
    ids,
    invitation,
    job,
    notification,
    password_reset,
    response,
    saml_rows,
    wave,
)

# The rules that need no other part of issue 22 (erasure, the audit log's guard): the
# people and audit-event rules are checked with them in test_retention_contracts.py.
OWN_RULES = (
    "sent_emails",
    "export_files",
    "job_rows",
    "notifications",
    "tokens",
    "survey_comments",
)
TABLES_OF: dict[str, tuple[type[Any], ...]] = {
    "sent_emails": (OutgoingEmail,),
    "export_files": (ExportFile,),
    "job_rows": (BackgroundJob,),
    "notifications": (Notification,),
    "tokens": (Invitation, PasswordReset, SamlRequest, SamlUsedId),
}


def some_of_everything(make_person: Callable[..., Person], copies: int = 2) -> None:
    """Rows of every kind, ``copies`` due and one not due of each."""
    reader = make_person()
    guest = make_person(kind=PersonKind.GUEST)
    old = NOW - timedelta(days=4 * 365)
    for _ in range(copies):
        email(EmailStatus.SENT, sent_at=old, last_try=old)
        old_job = job(JobStatus.SUCCEEDED, old)
        export_file(reader, made=NOW - DAY, expires=NOW + DAY, job_id=old_job)
        job(JobStatus.FAILED, old)
        notification(reader, old)
        invitation(guest, expires=old)
        password_reset(guest, expires=old)
        saml_rows(NOW - SECOND)
        response(wave(closes_on=old.date()), "Old comment")
    email(EmailStatus.SENT, sent_at=NOW, last_try=NOW)
    export_file(reader, made=NOW, expires=NOW + DAY)
    notification(reader, NOW)
    invitation(guest, expires=NOW + DAY)
    saml_rows(NOW + DAY)
    response(wave(closes_on=NOW.date()), "Recent comment")


def sizes() -> dict[str, int]:
    """What each rule acts on, as the tables show it: rows of its tables, non-empty comments."""
    db.session.expire_all()
    counted = {
        rule: sum(db.session.scalar(select(func.count()).select_from(t)) for t in tables)
        for rule, tables in TABLES_OF.items()
    }
    counted["survey_comments"] = db.session.scalar(
        select(func.count()).where(SurveyResponse.comment != "")
    )
    return counted


def applied_events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "privacy.retention_applied")
            .order_by(AuditEvent.id)
        )
    )


def test_a_dry_run_counts_exactly_what_the_real_run_removes(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    some_of_everything(make_person)
    before = sizes()

    dry = plan(NOW, dry_run=True, rules=OWN_RULES)

    assert sizes() == before  # a dry run changes nothing
    assert applied_events() == []
    assert "Dry run, nothing changed" in dry.describe()

    real = applied(*OWN_RULES)

    after = sizes()
    for rule in OWN_RULES:
        removed = before[rule] - after[rule]
        assert dry.outcome(rule).planned == removed == real.outcome(rule).done, rule
        assert real.outcome(rule).planned == removed, rule
    assert all(real.outcome(rule).done for rule in OWN_RULES)  # each rule had work to do
    assert "Retention rules applied" in real.describe()
    # Nothing is left for a run straight after: the selections are by age, not by the run.
    assert plan(NOW, rules=OWN_RULES).planned == 0


def test_each_batch_is_committed_with_its_audit_event_and_reports_progress(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    admin, reader = make_person(Role.ADMIN), make_person()
    for _ in range(5):
        notification(reader, NOW - timedelta(days=400))
    report = plan(NOW, rules=["notifications"])
    progress: list[int] = []

    apply(report, by=admin, batch_size=2, on_progress=progress.append)

    assert progress == [2, 2, 1] and sum(progress) == report.planned
    events = applied_events()
    assert [event.details["count"] for event in events] == [2, 2, 1]
    assert {event.details["kind"] for event in events} == {"notifications"}
    assert {event.actor_id for event in events} == {admin.id}
    assert events[0].details["before"] == (NOW - timedelta(days=365)).isoformat()
    assert events[0].details["refused"] == []


@contextmanager
def failing(statement: str, on: int) -> Iterator[None]:
    """The ``on``-th statement beginning with ``statement`` fails, as a lost connection would."""
    seen = 0

    def check(connection: Any, cursor: Any, sql: str, *_: Any) -> None:
        nonlocal seen
        if sql.startswith(statement):
            seen += 1
            if seen == on:
                raise ConnectionError("the database went away")

    event.listen(db.engine, "before_cursor_execute", check)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", check)


def test_an_interrupted_run_keeps_whole_batches_and_the_next_run_finishes(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    reader = make_person()
    old = [notification(reader, NOW - timedelta(days=400)) for _ in range(5)]
    recent = notification(reader, NOW)

    # The second batch has deleted its rows when writing its audit event fails.
    with failing("INSERT INTO audit_event", on=2), pytest.raises(ConnectionError):
        applied("notifications", batch_size=2)
    db.session.rollback()

    # The first batch is gone and recorded; the second is back whole, not half done.
    assert ids(Notification) == {*old[2:], recent}
    assert [event.details["count"] for event in applied_events()] == [2]

    rerun = applied("notifications", batch_size=2)

    assert ids(Notification) == {recent}
    assert (rerun.outcome("notifications").planned, rerun.outcome("notifications").done) == (3, 3)
    assert [event.details["count"] for event in applied_events()] == [2, 2, 1]


def test_a_run_counts_before_it_acts_and_reports_in_the_readers_words(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    some_of_everything(make_person, copies=1)

    report = plan(NOW, rules=OWN_RULES)
    planned = {outcome.rule.name: outcome.planned for outcome in report.outcomes}
    apply(report, by=None)

    assert planned == {
        "sent_emails": 1,
        "export_files": 1,
        "job_rows": 2,
        "notifications": 1,
        "tokens": 4,
        "survey_comments": 1,
    }
    assert report.describe() == (
        "Retention rules applied: 1 sent email deleted, 1 export file deleted, "
        "2 job records deleted, 1 notification deleted, "
        "4 spent invitations, reset links and sign-in records deleted, "
        "1 survey comment emptied."
    )


def test_a_run_alongside_acts_only_on_rows_still_selected(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    """Two runs at once (the nightly one, one from the command line) may both read the same
    batch of keys: the later one acts only on rows its rule still selects, and counts only
    what it did."""
    reader = make_person()
    for _ in range(3):
        notification(reader, NOW - timedelta(days=400))
        response(wave(closes_on=(NOW - timedelta(days=4 * 365)).date()), "Old comment")
    at = plan(NOW, rules=OWN_RULES).at
    read_by_both = {
        rows: next(rows.key_batches(at, 10))
        for rows in (selections.NOTIFICATIONS, selections.SURVEY_COMMENTS)
    }

    first = applied("notifications", "survey_comments")

    assert [o.done for o in first.outcomes] == [3, 3]
    gone = selections.NOTIFICATIONS
    emptied = selections.SURVEY_COMMENTS
    late_delete = delete(Notification).where(*gone.still_selected(read_by_both[gone], at))
    late_update = (
        update(SurveyResponse)
        .where(*emptied.still_selected(read_by_both[emptied], at))
        .values(comment="")
    )
    assert db.session.execute(late_delete).rowcount == 0
    assert db.session.execute(late_update).rowcount == 0
