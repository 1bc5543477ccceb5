"""Background tasks of the privacy domain: the retention run."""

from __future__ import annotations

from intrapreneur.core.jobs import RunningJob, task
from intrapreneur.core.models import BackgroundJob, utcnow
from intrapreneur.extensions import db
from intrapreneur.privacy import retention


@task("retention")
def retention_run(job: RunningJob, *, dry_run: bool = False) -> str:
    """Apply the retention rules (daily, or from the data protection page). The counts come
    first and set the progress bar; each batch then commits on its own, so a run that fails
    midway keeps what it finished, and its retry (or tomorrow's run) continues."""
    asked = db.session.get(BackgroundJob, job.id)
    by = asked.requested_by if asked is not None else None
    report = retention.plan(utcnow(), dry_run=dry_run)
    job.progress(0, report.planned)
    if not dry_run:
        retention.apply(report, by=by, on_progress=job.advance)
    return report.describe()
