"""Background tasks of the culture domain: publishing closed survey waves."""

from __future__ import annotations

from datetime import date

from intrapreneur.core.jobs import RunningJob, task
from intrapreneur.culture.services import email_invitations, publish_closed_waves


@task("survey-waves")
def survey_waves(job: RunningJob) -> str:
    """Suppress each newly closed wave once and keep its figures (hourly, and when HR closes
    a wave early)."""
    published = publish_closed_waves(date.today())
    return f"{published} closed survey wave(s) published."


@task("survey-invitations")
def survey_invitations(job: RunningJob, *, wave_id: int, site: str | None = None) -> str:
    """Email each invitee of a new wave their personal link (queued when HR creates it)."""
    return f"{email_invitations(wave_id, site, on_progress=job.advance)} survey invitations queued."
