"""Each retention rule removes what is just older than its period and keeps what is just
younger, counted from the moment its rule names (settings.RETENTION_RULES), and counts
exactly what it then removes. The people and audit-log rules: test_retention_contracts.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from intrapreneur.core.mail_models import EmailStatus, OutgoingEmail
from intrapreneur.core.models import BackgroundJob, ExportFile, JobStatus
from intrapreneur.culture.models import SurveyResponse
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Invitation, PasswordReset, Person, PersonKind, Role
from intrapreneur.identity.saml_models import SamlRequest, SamlUsedId
from intrapreneur.privacy import settings
from intrapreneur.privacy.retention.moments import cutoff, months_before
from intrapreneur.privacy.settings import RETENTION_BY_NAME
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


def _done(report, rule: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    outcome = report.outcome(rule)
    return outcome.planned, outcome.done


def test_sent_and_given_up_emails_go_the_period_after(app: Flask) -> None:
    before = NOW - timedelta(days=30)
    gone = {
        email(EmailStatus.SENT, sent_at=before - SECOND, last_try=before - SECOND),
        email(EmailStatus.FAILED, last_try=before - SECOND),
    }
    kept = {
        email(EmailStatus.SENT, sent_at=before, last_try=before - DAY),
        email(EmailStatus.FAILED, last_try=before + SECOND),
        # Still to send, however old: the outbox needs them.
        email(EmailStatus.PENDING, last_try=before - DAY),
        email(EmailStatus.SENDING, last_try=before - DAY),
    }

    report = applied("sent_emails")

    assert ids(OutgoingEmail) == kept
    assert _done(report, "sent_emails") == (len(gone), len(gone))


def test_export_files_go_when_old_or_expired_and_with_their_job(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    owner = make_person(Role.HR)
    before = NOW - timedelta(days=7)
    later = NOW + DAY
    made_long_ago = export_file(owner, made=before - SECOND, expires=later)
    expired = export_file(owner, made=NOW - DAY, expires=NOW)
    old_job = job(JobStatus.SUCCEEDED, NOW - timedelta(days=90) - SECOND)
    with_old_job = export_file(owner, made=NOW - DAY, expires=later, job_id=old_job)
    kept = {
        export_file(owner, made=before, expires=later),
        export_file(owner, made=NOW - DAY, expires=NOW + SECOND),
    }

    report = applied("export_files")

    assert ids(ExportFile) == kept
    assert {made_long_ago, expired, with_old_job}.isdisjoint(ids(ExportFile))
    assert _done(report, "export_files") == (3, 3)
    assert old_job in ids(BackgroundJob)  # the jobs' own rule was not asked for


def test_finished_jobs_go_the_period_after_finishing_never_one_waiting(app: Flask) -> None:
    before = NOW - timedelta(days=90)
    gone = {
        job(JobStatus.SUCCEEDED, before - SECOND),
        job(JobStatus.FAILED, before - SECOND),
    }
    kept = {
        job(JobStatus.SUCCEEDED, before),
        job(JobStatus.FAILED, before + SECOND),
        job(JobStatus.QUEUED, None, created_at=before - timedelta(days=400)),
        job(JobStatus.RUNNING, None, started_at=before - timedelta(days=400)),
    }

    report = applied("job_rows")

    assert ids(BackgroundJob) == kept
    assert _done(report, "job_rows") == (len(gone), len(gone))


def test_a_job_and_its_file_go_together_each_counted_by_its_rule(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    """A file younger than its own period goes with its job, counted as a file."""
    old_job = job(JobStatus.SUCCEEDED, NOW - timedelta(days=91))
    export_file(make_person(), made=NOW - DAY, expires=NOW + DAY, job_id=old_job)

    report = applied("export_files", "job_rows")

    assert (ids(ExportFile), ids(BackgroundJob)) == (set(), set())
    assert _done(report, "export_files") == (1, 1)
    assert _done(report, "job_rows") == (1, 1)


def test_notifications_go_the_period_after_they_were_written(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    reader = make_person()
    before = NOW - timedelta(days=365)
    notification(reader, before - SECOND)
    kept = {notification(reader, before), notification(reader, NOW)}

    report = applied("notifications")

    assert ids(Notification) == kept
    assert _done(report, "notifications") == (1, 1)


def test_spent_links_go_the_period_after_and_handshakes_once_expired(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    guest = make_person(kind=PersonKind.GUEST)
    before = NOW - timedelta(days=30)
    far = NOW + timedelta(days=14)
    gone_invitations = {
        invitation(guest, expires=far, accepted_at=before - SECOND),
        invitation(guest, expires=far, withdrawn_at=before - SECOND),
        # Never accepted: the row goes, the guest stays (the people rule decides about them).
        invitation(guest, expires=before - SECOND),
    }
    kept_invitations = {
        invitation(guest, expires=far, accepted_at=before),
        invitation(guest, expires=before + SECOND),
        invitation(guest, expires=far),
    }
    password_reset(guest, expires=before - SECOND)
    password_reset(guest, expires=far, used=before - SECOND)
    kept_resets = {
        password_reset(guest, expires=before + SECOND, used=before),
        password_reset(guest, expires=far),
    }
    expired = saml_rows(NOW - SECOND)
    waiting = saml_rows(NOW + SECOND)

    report = applied("tokens")

    assert ids(Invitation) == kept_invitations
    assert ids(PasswordReset) == kept_resets
    assert ids(SamlRequest) == {waiting[0]} and ids(SamlUsedId) == {waiting[1]}
    assert expired[0] not in ids(SamlRequest)
    gone = len(gone_invitations) + 2 + 2
    assert _done(report, "tokens") == (gone, gone)
    assert db.session.get(Person, guest.id) is not None


def test_survey_comments_are_emptied_the_period_after_the_wave_closed(app: Flask) -> None:
    before = NOW - timedelta(days=3 * 365 + 1)  # three years (one of them a leap year)
    assert before == cutoff(RETENTION_BY_NAME["survey_comments"], 3, NOW)
    closed_early = wave(closes_on=before.date() + DAY, closed_at=before - SECOND)
    ended = wave(closes_on=before.date() - DAY)
    ended_at_the_cutoff = wave(closes_on=before.date())
    long_ended = wave(closes_on=before.date() - DAY * 30)
    recent_early_close = wave(closes_on=before.date() - DAY, closed_at=before + SECOND)
    emptied = {response(closed_early, "Too many meetings"), response(ended, "More time, please")}
    untouched = {
        response(ended_at_the_cutoff, "Kept a little longer"),
        response(recent_early_close, "Closed early, but recently"),
    }
    already_empty = response(long_ended, "")  # not counted: nothing to empty
    emptied.add(response(long_ended, "Old, and goes too"))

    report = applied("survey_comments")

    db.session.expire_all()
    comments = dict(db.session.execute(select(SurveyResponse.id, SurveyResponse.comment)).all())
    assert {i for i, text in comments.items() if text == ""} == emptied | {already_empty}
    assert all(comments[i] for i in untouched)
    assert len(comments) == 6  # the responses themselves stay: every figure stays the same
    assert _done(report, "survey_comments") == (3, 3)


def test_a_shorter_period_set_by_an_admin_is_applied(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    admin, reader = make_person(Role.ADMIN), make_person()
    settings.change({"notifications": "7"}, by=admin, now=NOW)
    week_old = notification(reader, NOW - timedelta(days=7) - SECOND)
    kept = notification(reader, NOW - timedelta(days=7))

    report = applied("notifications")

    assert ids(Notification) == {kept} and week_old not in ids(Notification)
    assert report.outcome("notifications").period == 7


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 3, 31, 9, tzinfo=UTC), 1, datetime(2026, 2, 28, 9, tzinfo=UTC)),
        (datetime(2024, 3, 31, 9, tzinfo=UTC), 1, datetime(2024, 2, 29, 9, tzinfo=UTC)),
        (datetime(2026, 1, 15, 9, tzinfo=UTC), 13, datetime(2024, 12, 15, 9, tzinfo=UTC)),
        (datetime(2028, 2, 29, 9, tzinfo=UTC), 12, datetime(2027, 2, 28, 9, tzinfo=UTC)),
        (datetime(2026, 6, 15, 12, tzinfo=UTC), 24, datetime(2024, 6, 15, 12, tzinfo=UTC)),
    ],
)
def test_months_and_years_are_counted_on_the_calendar(
    moment: datetime, months: int, expected: datetime
) -> None:
    assert months_before(moment, months) == expected


def test_each_rule_counts_from_its_own_unit() -> None:
    def at(name: str, period: int) -> datetime:
        return cutoff(RETENTION_BY_NAME[name], period, NOW)

    assert at("sent_emails", 30) == NOW - timedelta(days=30)
    assert at("deactivated_people", 24) == datetime(2024, 6, 15, 12, tzinfo=UTC)
    assert at("audit_events", 6) == datetime(2020, 6, 15, 12, tzinfo=UTC)
