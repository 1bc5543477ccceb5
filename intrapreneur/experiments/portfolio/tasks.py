"""Background tasks of the portfolio: the sponsors' monthly digest."""

from __future__ import annotations

from datetime import UTC, datetime

from intrapreneur.core.jobs import RunningJob, task
from intrapreneur.core.models import utcnow
from intrapreneur.experiments.portfolio.digest import queue_sponsor_digests


@task("sponsor-digests")
def sponsor_digests(job: RunningJob, *, on: str | None = None) -> str:
    """Email each sponsor last month's portfolio in figures (in a month's first week; once
    per sponsor and month however often it runs). ``on`` ("2027-01-03") runs it as on that
    day: an operator sending a month's digest late, or a test."""
    now = utcnow() if on is None else datetime.fromisoformat(on).replace(hour=7, tzinfo=UTC)
    return queue_sponsor_digests(now).describe()
