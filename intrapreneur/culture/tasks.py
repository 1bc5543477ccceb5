"""Background tasks of the culture domain: survey invitations and reminders, publishing closed
survey waves, and exports prepared in the background."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext

from intrapreneur.core.dates import number_text
from intrapreneur.core.jobs import JobRefused, RunningJob, task
from intrapreneur.core.models import BackgroundJob, ExportFile, utcnow
from intrapreneur.culture import exports
from intrapreneur.culture.dashboard import NotPublishedYet, rules_in_force
from intrapreneur.culture.exports import ExportFilters
from intrapreneur.culture.models import SurveyGroup
from intrapreneur.culture.services import instrument_of, publish_closed_waves
from intrapreneur.culture.survey_emails import email_invitations, queue_survey_reminders
from intrapreneur.extensions import db

EXPORT_KEPT = timedelta(days=7)  # then the retention run removes the file


@task("survey-waves")
def survey_waves(job: RunningJob) -> str:
    """Suppress each newly closed wave once and keep its figures (hourly, and when HR closes
    a wave early)."""
    published = publish_closed_waves(date.today())
    return ngettext(
        "%(num)d closed survey wave published.", "%(num)d closed survey waves published.", published
    )


@task("survey-invitations")
def survey_invitations(job: RunningJob, *, wave_id: int, site: str | None = None) -> str:
    """Email each invitee of a new wave their personal link (queued when HR creates it)."""
    queued = email_invitations(wave_id, site, on_progress=job.advance)
    return ngettext(
        "%(num)d survey invitation queued.", "%(num)d survey invitations queued.", queued
    )


@task("survey-reminders")
def survey_reminders(job: RunningJob) -> str:
    """Queue the reminder round due today of each open wave (daily; at most two per wave, and
    a round is queued once however often the job runs). Who has not answered is decided
    when each email is sent, and never stored (``survey_emails``)."""
    return queue_survey_reminders(utcnow()).describe()


@task("culture-export")
def culture_export(
    job: RunningJob,
    *,
    export_format: str,
    waves: list[int],
    cohort: str | None = None,
    group: str | None = None,
) -> str:
    """HR's export made in the background and kept for the person who asked for it (the
    request that asked checked the filters and wrote the audit log)."""
    filters = ExportFilters(tuple(waves), cohort, SurveyGroup(group) if group else None)
    today = date.today()
    series = exports.waves_through(filters.wave_ids, today)
    if series is None or export_format not in exports.CONTENT_TYPES:
        raise JobRefused(_("That survey wave is not published any more, or the format is unknown."))
    instruments = {w.instrument_key: instrument_of(w) for w in series if w.id in waves}
    try:
        export = exports.gather(filters, rules_in_force(), instruments, today)
    except NotPublishedYet as waiting:
        raise JobRefused(str(waiting)) from None
    content = exports.file_content(export, export_format)
    asked = db.session.get(BackgroundJob, job.id)
    assert asked is not None and asked.requested_by_id is not None
    db.session.add(
        ExportFile(
            job_id=job.id,
            person_id=asked.requested_by_id,
            file_name=exports.file_name(filters.wave_ids, export_format),
            content_type=exports.CONTENT_TYPES[export_format],
            content=content,
            size=len(content),
            expires_at=utcnow() + EXPORT_KEPT,
        )
    )
    return _(
        "Ready to download for %(days)s days (%(size)s KiB).",
        days=EXPORT_KEPT.days,
        size=number_text(len(content) / 1024, 0),
    )
