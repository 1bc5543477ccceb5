"""Writes shared by every domain: the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import has_request_context, request

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db

if TYPE_CHECKING:
    from intrapreneur.identity.models import Person

SYSTEM_ACTOR = "system"


def record(
    action: str,
    *,
    actor: Person | None,
    obj: Any = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (the request commits it).

    Callers must never pass secrets (passwords, tokens) in ``details``.
    """
    if obj is not None and obj.id is None:
        db.session.flush()
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.audit_label if actor is not None else SYSTEM_ACTOR,
        action=action,
        object_type=getattr(obj, "__tablename__", None),
        object_id=str(obj.id) if obj is not None else None,
        details=details,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
