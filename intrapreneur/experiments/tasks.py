"""Background tasks of the experiments domain: the managers' daily review digest."""

from __future__ import annotations

from flask import current_app

from intrapreneur.core.jobs import RunningJob, task
from intrapreneur.core.models import utcnow
from intrapreneur.experiments.digests import queue_review_digests


@task("review-digests")
def review_digests(job: RunningJob) -> str:
    """Tell each manager of the cards waiting for their review, marking those overdue (daily;
    running it again the same day adds nothing: each digest has a key per manager and day)."""
    overdue_days = current_app.config["REVIEW_OVERDUE_DAYS"]
    return queue_review_digests(utcnow(), overdue_days).describe()
