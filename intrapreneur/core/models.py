"""Model building blocks shared by every domain, and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    case,
    cast,
    column,
    event,
    func,
    select,
    table,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from intrapreneur.extensions import db

if TYPE_CHECKING:
    from intrapreneur.identity.models import Person


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database.

    SQLite drops the zone on the way in; this keeps Python values aware on the
    way out so comparisons never mix naive and aware times.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def string_enum(enum_class: type[StrEnum], name: str) -> Enum:
    # VARCHAR plus CHECK, not a native PostgreSQL enum: adding a value stays a cheap migration.
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The person table as far as the audit log reads it (core imports no domain's models).
_PERSON = table("person", column("id", Integer), column("display_name", String))


class AuditEvent(db.Model):
    """Append-only: who did what, when, to which object.

    People are kept by number (``actor_id``; ``object_id`` when ``object_type`` is
    "person") and named when read: ``actor_name`` is the actor's name now (after erasure
    their tombstone), or ``actor_label`` for an actor that is not a person ("system").
    ``details`` never hold a name, email address or username (``services.record``). Rows are
    deleted only by the retention rule, through ``audit_retention`` (migration 0035).
    """

    __tablename__ = "audit_event"
    # Activity histories read one object's events (a card, a board).
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # "system", or "person" for every event a person did (never their name).
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    # Read with every event in the same statement (one indexed lookup per row, no N+1).
    # Kept through a flush: ``services.record`` sets it for the syslog copy sent at commit.
    actor_name: Mapped[str] = column_property(
        func.coalesce(
            select(_PERSON.c.display_name).where(_PERSON.c.id == actor_id).scalar_subquery(),
            actor_label,
        ),
        expire_on_flush=False,
    )
    # The person the event was done to, by name; read only where a page shows it.
    subject_name: Mapped[str | None] = column_property(
        select(_PERSON.c.display_name)
        .where(
            # CASE: object ids of other kinds are never cast (they need not be numbers).
            _PERSON.c.id == case((object_type == "person", cast(object_id, Integer)))
        )
        .scalar_subquery(),
        deferred=True,
    )


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_audit_change(mapper: Any, connection: Any, target: AuditEvent) -> None:
    # The database refuses too (triggers, migrations 0001 and 0035); this gives a clear
    # error early. Retention deletes old events in bulk (``audit_retention``), not here.
    raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")


class AuditRetentionCutoff(db.Model):
    """The moment before which audit events may be deleted, written by the retention job
    (``audit_retention.delete_events_before``) and removed again in the same transaction.

    The database's DELETE guard on ``audit_event`` reads it: a row goes only if it is older
    than this cutoff and the cutoff is at least a year old; with no row here, nothing goes.
    """

    __tablename__ = "audit_retention_cutoff"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    cutoff: Mapped[datetime] = mapped_column(UTCDateTime)


class JobStatus(StrEnum):
    QUEUED = "queued"  # waiting for a worker (again, after a failed attempt with retries left)
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # every attempt failed, or the task refused: an admin should look


class BackgroundJob(CreatedAtMixin, db.Model):
    """One request to run a registered task (``intrapreneur.core.jobs``), and how it went.

    The row, not the queue, is the truth: a worker runs a job only after moving its row
    from queued to running in one conditional UPDATE, so a job handed to two workers runs
    once. ``arguments`` are JSON and never hold secrets (they are shown to admins).
    ``error`` is the exception's type and message only; tracebacks go to the log.
    """

    __tablename__ = "background_job"
    # A scheduled slot is enqueued once, however many schedulers run.
    __table_args__ = (UniqueConstraint("task", "scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique constraint, whose first column it is.
    task: Mapped[str] = mapped_column(String(80))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        string_enum(JobStatus, "job_status"), default=JobStatus.QUEUED, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # The language ``message`` and ``error`` are written in (the asker's, when it ran).
    language: Mapped[str | None] = mapped_column(String(16))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written while the job runs (PostgreSQL): a silent one belonged to a process that died.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[Person | None] = relationship()

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class ExportFile(CreatedAtMixin, db.Model):
    """A file a background job made for one person to download (a large export).

    Kept in the database, not on a web process's disk: any replica can serve it, and it
    goes when it expires (the retention run) or with its job. Only the person who asked for it
    may download it.
    """

    __tablename__ = "export_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(
        ForeignKey("background_job.id", ondelete="CASCADE"), unique=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
