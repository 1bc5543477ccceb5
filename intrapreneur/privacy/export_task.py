"""The background task that makes a person's copy of their data (``subject_export``)."""

from __future__ import annotations

from flask_babel import gettext as _

from intrapreneur.core.dates import moment_text, number_text
from intrapreneur.core.jobs import JobRefused, RunningJob, task
from intrapreneur.core.models import BackgroundJob, utcnow
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.privacy import subject_export
from intrapreneur.privacy.subject_export.services import TASK


@task(TASK)
def subject_export_task(job: RunningJob, *, person_id: int) -> str:
    """Build the archive for whoever asked; refused (at once, no retry) when the person was
    erased or the asker may no longer have it."""
    asked = db.session.get(BackgroundJob, job.id)
    person = db.session.get(Person, person_id)
    if asked is None or asked.requested_by is None or person is None:
        raise JobRefused(_("There is nobody to make this export for."))
    try:
        file = subject_export.make(person, asker=asked.requested_by, job=job, now=utcnow())
    except subject_export.ExportRefused as refused:
        raise JobRefused(refused.message) from None
    return _(
        "Ready to download until %(moment)s (%(size)s KiB).",
        moment=moment_text(file.expires_at, "medium"),
        size=number_text(file.size / 1024, 0),
    )
