"""The weekly digest of new learnings shared with the organisation.

Once a week (the ``learning-digests`` job, Mondays), every employee who has not turned it off
gets one email listing the learnings decided the week before — Monday 00:00 to Monday 00:00
UTC — on ventures shared with the whole organisation, newest first, each with its venture,
decision, evidence and a link to its card. Guests never get it: organisation-wide content is
not theirs unless shared into one of their sets. No learnings that week, no email.

Each email carries a key per person and reported week (the outbox's ``dedupe_key``), so a
run repeated or retried, or run late in the week, adds nothing. The email is written in each
recipient's language and zone (``core.mail.queue``). Services flush; the job commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask_babel import lazy_ngettext

from intrapreneur.core import mail
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.experiments.library import queries
from intrapreneur.extensions import db

# An email lists this many; the library, linked from it, has the rest.
DIGEST_LIMIT = 20
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class LearningDigestReport:
    learnings: int
    emailed: int

    def describe(self) -> str:
        return (
            f"{self.learnings} learnings shared with the organisation last week, "
            f"emailed to {self.emailed} people."
        )


def reported_week(now: datetime) -> tuple[datetime, datetime]:
    """The whole UTC week before the one ``now`` falls in: [its Monday, the next Monday)."""
    monday = now.astimezone(UTC).date() - timedelta(days=now.astimezone(UTC).weekday())
    this_week = datetime.combine(monday, time(), tzinfo=UTC)
    return this_week - WEEK, this_week


def queue_learning_digests(now: datetime) -> LearningDigestReport:
    """Queue last week's digest for everyone who gets it; repeating it that week adds nothing."""
    since, before = reported_week(now)
    total = queries.count_shared_with_organisation(since, before)
    if not total:
        return LearningDigestReport(0, 0)
    learnings = [
        {**row._asdict(), "url": mail.absolute_url("ventures.card", experiment_id=row.id)}
        for row in queries.shared_with_organisation(since, before, DIGEST_LIMIT)
    ]
    # The library's period filter names days: the reported week's first and last.
    period = {
        "since": since.date().isoformat(),
        "until": (before - timedelta(days=1)).date().isoformat(),
    }
    context = {
        "learnings": learnings,
        "total": total,
        "more": total - len(learnings),
        "library_url": mail.absolute_url("library.index", **period),
        "preferences_url": mail.preferences_url(),
    }
    subject = lazy_ngettext(
        "%(num)d new learning shared with the organisation last week",
        "%(num)d new learnings shared with the organisation last week",
        total,
    )
    emailed = 0
    for person in db.session.scalars(queries.digest_recipients()):
        emailed += mail.queue(
            person,
            EmailKind.LEARNING_DIGEST,
            subject=subject,
            template="learning_digest",
            context=context,
            now=now,
            dedupe_key=f"learning_digest:{person.id}:{since.date().isoformat()}",
        )
    db.session.flush()
    return LearningDigestReport(total, emailed)
