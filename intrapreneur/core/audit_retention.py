"""The one way through the audit log's append-only guard: deleting events older than the
retention rule's cutoff, oldest first, in batches.

The database refuses every UPDATE of ``audit_event`` and every DELETE except of rows older
than the cutoff written in ``audit_retention_cutoff``, and only while that cutoff is at least
a year old (less a day's allowance for the app's and the database's clocks), so neither a
bug nor a hand-written statement can empty the recent log (triggers of migration 0035).
``delete_events_before`` writes the cutoff, deletes and removes the cutoff again, all in the
caller's transaction: outside it, nothing may be deleted. The caller (the retention job)
audits what it deleted; these functions record nothing and never commit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, select

from intrapreneur.core.models import AuditEvent, AuditRetentionCutoff
from intrapreneur.extensions import db

# The youngest cutoff accepted here; the database accepts a day more, for clock skew.
MINIMUM_AGE = timedelta(days=365)


def count_events_before(cutoff: datetime) -> int:
    """How many events happened before ``cutoff`` (what a dry run reports)."""
    statement = select(func.count()).select_from(AuditEvent).where(AuditEvent.occurred_at < cutoff)
    return db.session.scalar(statement) or 0


def delete_events_before(cutoff: datetime, *, limit: int) -> int:
    """Delete up to ``limit`` of the oldest events that happened before ``cutoff``, in the
    current transaction; return how many went (0: none left). ValueError for a cutoff
    younger than a year: such events are never deleted."""
    if limit < 1:
        raise ValueError(f"a batch deletes at least one event, not {limit}")
    latest = datetime.now(UTC) - MINIMUM_AGE
    if cutoff > latest:
        raise ValueError(
            f"audit events are kept at least a year: the cutoff {cutoff.isoformat()} "
            f"is after {latest.isoformat()}"
        )
    oldest = (
        select(AuditEvent.id)
        .where(AuditEvent.occurred_at < cutoff)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
        .limit(limit)
    )
    declared = AuditRetentionCutoff.__table__
    db.session.execute(delete(declared))
    db.session.execute(insert(declared).values(id=1, cutoff=cutoff))
    # In bulk, past the ORM's own refusal (which guards single objects against bugs).
    deleted = db.session.execute(
        delete(AuditEvent).where(AuditEvent.id.in_(oldest)),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.execute(delete(declared))
    return deleted
