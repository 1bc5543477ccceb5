"""Background tasks of the learning library: the weekly learning digest."""

from __future__ import annotations

from intrapreneur.core.jobs import RunningJob, task
from intrapreneur.core.models import utcnow
from intrapreneur.experiments.library.digest import queue_learning_digests


@task("learning-digests")
def learning_digests(job: RunningJob) -> str:
    """Email employees last week's learnings shared with the organisation (weekly; running it
    again the same week adds nothing: each email has a key per person and week)."""
    return queue_learning_digests(utcnow()).describe()
