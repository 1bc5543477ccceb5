"""Reads of the audit log."""

from __future__ import annotations

from sqlalchemy import Select, select

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db


def audit_events(*, action: str | None = None) -> Select[tuple[AuditEvent]]:
    """Newest first; ``action`` narrows to one kind of event."""
    statement = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        statement = statement.where(AuditEvent.action == action)
    return statement


def audit_actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )
