"""Background tasks of the portfolio: the sponsors' monthly digest."""

from __future__ import annotations

from intrapreneur.core.jobs import RunningJob, task
from intrapreneur.core.models import utcnow
from intrapreneur.experiments.portfolio.digest import queue_sponsor_digests


@task("sponsor-digests")
def sponsor_digests(job: RunningJob) -> str:
    """Email each sponsor last month's portfolio in figures (in a month's first week; once
    per sponsor and month however often it runs)."""
    return queue_sponsor_digests(utcnow()).describe()
