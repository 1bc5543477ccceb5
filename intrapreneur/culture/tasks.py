"""Background tasks of the culture domain: publishing closed survey waves."""

from __future__ import annotations

from datetime import date

from intrapreneur.core.jobs import RunningJob, task
from intrapreneur.culture.services import publish_closed_waves


@task("survey-waves")
def survey_waves(job: RunningJob) -> str:
    """Suppress each newly closed wave once and keep its figures (hourly, and when HR closes
    a wave early). Invitations need no task: they wait in the outbox until the opening day."""
    published = publish_closed_waves(date.today())
    return f"{published} closed survey wave(s) published."
