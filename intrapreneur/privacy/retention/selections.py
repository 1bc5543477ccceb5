"""What each retention rule selects, as SQL conditions over one table each.

The same condition counts (the dry run, the settings page) and picks the batches the run
acts on, so a count and what is done cannot disagree. Every condition reads only the
run's fixed ``Moments``; rows leave a selection by being acted on (deleted, erased,
blanked), which is what makes a rerun continue where an interrupted one stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, inspect, or_, select

from intrapreneur.core.mail_models import EmailStatus, OutgoingEmail
from intrapreneur.core.models import BackgroundJob, ExportFile, JobStatus
from intrapreneur.culture.models import SurveyResponse, SurveyWave
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Invitation, PasswordReset, Person
from intrapreneur.identity.saml_models import SamlRequest, SamlUsedId
from intrapreneur.privacy.retention.moments import Moments


@dataclass(frozen=True)
class Rows:
    """The rows of one table that a rule selects at given moments."""

    model: type[Any]
    where: Callable[[Moments], ColumnElement[bool]]

    @property
    def key(self) -> Any:
        return inspect(self.model).primary_key[0]

    def count(self, at: Moments) -> int:
        return db.session.scalar(select(func.count()).select_from(self.model).where(self.where(at)))

    def still_selected(self, keys: list[Any], at: Moments) -> tuple[ColumnElement[bool], ...]:
        """These rows, if still selected when acted on: a run alongside acts on none twice."""
        return self.key.in_(keys), self.where(at)

    def key_batches(self, at: Moments, size: int) -> Iterator[list[Any]]:
        """The selected keys, ``size`` at a time in key order. Each batch is read once the
        one before was acted on: rows that left the selection are not met again, and rows
        still in it (a refused erasure) are passed by rather than met forever."""
        after = None
        while True:
            statement = select(self.key).where(self.where(at)).order_by(self.key).limit(size)
            if after is not None:
                statement = statement.where(self.key > after)
            keys = list(db.session.scalars(statement))
            if not keys:
                return
            yield keys
            after = keys[-1]


def people_to_erase(at: Moments) -> ColumnElement[bool]:
    """Not yet erased, and switched off, or a guest whose access ended, before the cutoff."""
    before = at["deactivated_people"]
    return and_(
        Person.erased_at.is_(None),
        or_(
            and_(~Person.active, Person.deactivated_at < before),
            Person.access_ends_on < before.date(),  # a guest's last day (only guests have one)
        ),
    )


def emails_done_with(at: Moments) -> ColumnElement[bool]:
    """Sent, or given up: a failed email's ``next_attempt_at`` is its last attempt's lease."""
    return or_(
        and_(OutgoingEmail.status == EmailStatus.SENT, OutgoingEmail.sent_at < at["sent_emails"]),
        and_(
            OutgoingEmail.status == EmailStatus.FAILED,
            OutgoingEmail.next_attempt_at < at["sent_emails"],
        ),
    )


def finished_jobs(at: Moments) -> ColumnElement[bool]:
    """Succeeded or failed before the cutoff; never one queued or running."""
    return and_(
        BackgroundJob.status.in_([JobStatus.SUCCEEDED, JobStatus.FAILED]),
        BackgroundJob.finished_at < at["job_rows"],
    )


def old_export_files(at: Moments) -> ColumnElement[bool]:
    """Made before the cutoff, expired, or made by a job that goes now: a file goes with its
    job, so it is counted here rather than vanish uncounted with the job."""
    return or_(
        ExportFile.created_at < at["export_files"],
        ExportFile.expires_at <= at.now,
        ExportFile.job_id.in_(select(BackgroundJob.id).where(finished_jobs(at))),
    )


def old_notifications(at: Moments) -> ColumnElement[bool]:
    return Notification.created_at < at["notifications"]


def spent_invitations(at: Moments) -> ColumnElement[bool]:
    """Accepted, withdrawn or expired before the cutoff. A guest who never accepted keeps
    their person row: the deactivated-people rule (or HR) decides about them."""
    before = at["tokens"]
    return or_(
        Invitation.accepted_at < before,
        Invitation.withdrawn_at < before,
        Invitation.expires_at < before,
    )


def spent_password_resets(at: Moments) -> ColumnElement[bool]:
    before = at["tokens"]
    return or_(PasswordReset.used_at < before, PasswordReset.expires_at < before)


def expired_saml_requests(at: Moments) -> ColumnElement[bool]:
    """Useless once expired, whatever the period: nothing reads them after."""
    return SamlRequest.expires_at < at.now


def expired_saml_ids(at: Moments) -> ColumnElement[bool]:
    return SamlUsedId.expires_at < at.now


def old_survey_comments(at: Moments) -> ColumnElement[bool]:
    """Non-empty comments of waves closed before the cutoff: closed early (``closed_at``),
    or at the end of their last day."""
    before = at["survey_comments"]
    closed = select(SurveyWave.id).where(
        or_(
            SurveyWave.closed_at < before,
            and_(SurveyWave.closed_at.is_(None), SurveyWave.closes_on < before.date()),
        )
    )
    return and_(SurveyResponse.comment != "", SurveyResponse.wave_id.in_(closed))


PEOPLE = Rows(Person, people_to_erase)
SENT_EMAILS = Rows(OutgoingEmail, emails_done_with)
EXPORT_FILES = Rows(ExportFile, old_export_files)
JOB_ROWS = Rows(BackgroundJob, finished_jobs)
NOTIFICATIONS = Rows(Notification, old_notifications)
TOKENS = (
    Rows(Invitation, spent_invitations),
    Rows(PasswordReset, spent_password_resets),
    Rows(SamlRequest, expired_saml_requests),
    Rows(SamlUsedId, expired_saml_ids),
)
SURVEY_COMMENTS = Rows(SurveyResponse, old_survey_comments)
