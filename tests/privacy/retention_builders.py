"""Rows of each kind the retention rules select, made at given moments, and a run of some
rules at a fixed moment (never the wall clock's: the boundaries are to the second)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from intrapreneur.core.mail_models import EmailKind, EmailStatus, OutgoingEmail
from intrapreneur.core.models import BackgroundJob, ExportFile, JobStatus
from intrapreneur.culture.models import SurveyGroup, SurveyResponse, SurveyWave
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Invitation, PasswordReset, Person
from intrapreneur.identity.saml_models import SamlRequest, SamlUsedId
from intrapreneur.privacy.retention import RetentionReport, apply, plan

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
_numbers = itertools.count(1)


def applied(*rules: str, now: datetime = NOW, **options: Any) -> RetentionReport:
    """Count, then act on, ``rules`` (every rule when none is named), as one run does."""
    report = plan(now, rules=rules or None)
    apply(report, by=None, **options)
    return report


def ids(model: type[Any]) -> set[Any]:
    db.session.expire_all()
    return set(db.session.scalars(select(model.id)))


def email(status: EmailStatus, *, sent_at: datetime | None = None, last_try: datetime) -> int:
    row = OutgoingEmail(
        to_address=f"someone{next(_numbers)}@corp.example",
        kind=EmailKind.SESSION_REMINDER,
        subject="Your session tomorrow",
        text_body="",
        html_body="",
        status=status,
        sent_at=sent_at,
        next_attempt_at=last_try,
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def job(status: JobStatus, finished_at: datetime | None, **values: Any) -> int:
    row = BackgroundJob(task="tests.note", status=status, finished_at=finished_at, **values)
    db.session.add(row)
    db.session.flush()
    return row.id


def export_file(
    owner: Person, *, made: datetime, expires: datetime, job_id: int | None = None
) -> int:
    if job_id is None:
        job_id = job(JobStatus.SUCCEEDED, made)
    row = ExportFile(
        job_id=job_id,
        person_id=owner.id,
        file_name="figures.csv",
        content_type="text/csv",
        content=b"a,b\n",
        size=4,
        expires_at=expires,
        created_at=made,
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def notification(reader: Person, written: datetime) -> int:
    row = Notification(person_id=reader.id, text="Your card was reviewed", created_at=written)
    db.session.add(row)
    db.session.flush()
    return row.id


def invitation(guest: Person, *, expires: datetime, **values: datetime) -> int:
    row = Invitation(
        person_id=guest.id,
        secret_hash=f"{next(_numbers):064d}",
        expires_at=expires,
        created_at=expires - timedelta(days=14),
        **values,
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def password_reset(guest: Person, *, expires: datetime, used: datetime | None = None) -> int:
    row = PasswordReset(
        person_id=guest.id, secret_hash=f"{next(_numbers):064d}", expires_at=expires, used_at=used
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def saml_rows(expires: datetime) -> tuple[str, str]:
    number = next(_numbers)
    request = SamlRequest(
        id=f"request-{number}", browser_hash="0" * 64, next_url="/", expires_at=expires
    )
    used = SamlUsedId(id=f"assertion-{number}", expires_at=expires)
    db.session.add_all([request, used])
    db.session.flush()
    return request.id, used.id


def wave(*, closes_on: date, closed_at: datetime | None = None) -> SurveyWave:
    row = SurveyWave(
        title=f"Pulse {next(_numbers)}",
        instrument_key="intrapreneur-culture@1.0",
        opens_on=closes_on - timedelta(days=14),
        closes_on=closes_on,
        closed_at=closed_at,
    )
    db.session.add(row)
    db.session.flush()
    return row


def response(of: SurveyWave, comment: str) -> int:
    row = SurveyResponse(
        wave_id=of.id,
        pseudonym=f"pseudonym-{next(_numbers)}",
        group=SurveyGroup.PARTICIPANT,
        answers={},
        comment=comment,
        submitted_on=of.opens_on,
    )
    db.session.add(row)
    db.session.flush()
    return row.id
