"""Asking for a person's data, and making it: the request audits and queues the job; the job
(``privacy.export_task``) builds the archive, keeps it for whoever asked, and audits what it
holds (counts only). Both flush and never commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from intrapreneur.core import jobs
from intrapreneur.core import services as audit
from intrapreneur.core.models import BackgroundJob, ExportFile
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.privacy import settings
from intrapreneur.privacy.subject_export import archive
from intrapreneur.privacy.subject_export.permissions import can_export_data_of
from intrapreneur.privacy.subject_export.redaction import redactor_for
from intrapreneur.privacy.subject_export.sections import sections

TASK = "subject-export"
# A person's own copy holds their survey answers beside their name: kept one day at most
# (shorter than the export files' retention when that is longer), so that a copy of the
# database links the two for as short a time as a download needs.
OWN_COPY_KEPT = timedelta(days=1)


def copies_of(person_id: int) -> Select[tuple[int]]:
    """The export files holding a copy of this person's data, whoever asked for them:
    erasure deletes them with the rest."""
    return (
        select(ExportFile.id)
        .join(BackgroundJob, BackgroundJob.id == ExportFile.job_id)
        .where(
            BackgroundJob.task == TASK,
            BackgroundJob.arguments["person_id"].as_integer() == person_id,
        )
    )


CONTENT_TYPE = "application/zip"
ERASED = _l(
    "This person was erased: nothing identifies them any more, so there is no data to export."
)
NOT_ALLOWED = _l("Only the person themselves or an administrator may ask for their data.")


class ExportRefused(Exception):
    """The export cannot be made; the message (translated) says why."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = str(message)


def check(asker: Person, person: Person) -> None:
    """Raise ExportRefused unless ``asker`` may have ``person``'s data and there is some."""
    if not can_export_data_of(asker, person):
        raise ExportRefused(NOT_ALLOWED)
    if person.erased_at is not None:
        raise ExportRefused(ERASED)


def ask(person: Person, *, by: Person) -> int:
    """Queue the export of ``person``'s data for ``by`` (audited); the job's id."""
    check(by, person)
    job_id = jobs.enqueue(TASK, requested_by=by, person_id=person.id)
    audit.record("privacy.subject_export_requested", actor=by, obj=person, job_id=job_id)
    return job_id


def file_name(person: Person, now: datetime) -> str:
    return f"personal-data-{person.id}-{now.date().isoformat()}.zip"


def make(person: Person, *, asker: Person, job: jobs.RunningJob, now: datetime) -> ExportFile:
    """Build ``person``'s archive for ``asker`` and keep it for them to download until the
    export files' retention period ends; audited with what it holds (counts only)."""
    check(asker, person)
    own = asker.id == person.id
    parts = sections(own=own)
    job.progress(0, len(parts))
    marker = _("[another person]")
    made = archive.build(
        person,
        parts,
        redact=redactor_for(person, marker),
        summary={"own": own, "made_at": now, "marker": marker},
        on_progress=job.advance,
    )
    kept = timedelta(days=settings.current().period("export_files"))
    if own:
        kept = min(kept, OWN_COPY_KEPT)
    file = ExportFile(
        job_id=job.id,
        person_id=asker.id,
        file_name=file_name(person, now),
        content_type=CONTENT_TYPE,
        content=made.content,
        size=len(made.content),
        expires_at=now + kept,
    )
    db.session.add(file)
    audit.record(
        "privacy.subject_export_made",
        actor=asker,
        obj=person,
        job_id=job.id,
        rows=made.counts,
        survey_answers=own,
        size=len(made.content),
    )
    return file
