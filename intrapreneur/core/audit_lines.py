"""Audit events as JSON objects, one per line: the SIEM export and the syslog forward.

Both carry the same fields: ISO-8601 UTC time, actor id and name, action, object, details
and IP. The actor is named as they are when the line is written: the export names them as
they are now (after erasure, their tombstone), the syslog copy as they were at the commit.
That copy leaves the database, so erasing a person does not reach it: the SIEM keeps it for
its own retention period. Details never carry secrets (``services.record`` forbids them); a
detail whose name looks like one is blanked anyway, as in the app's own log.
"""

from __future__ import annotations

import json
import logging
from logging.handlers import SysLogHandler
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from intrapreneur.core.logs import REDACTED, SECRET_FIELD, dress, remove_handlers
from intrapreneur.core.models import AuditEvent
from intrapreneur.settings import ConfigError
from intrapreneur.settings.monitoring import SyslogSettings

# Its handler (the syslog one) is added only when INTRAPRENEUR_SYSLOG_ADDRESS is set.
AUDIT_LOG = logging.getLogger("intrapreneur.audit")
AUDIT_LOG.propagate = False  # the trail goes to syslog, not into the app's own log
AUDIT_LOG.setLevel(logging.INFO)
_PENDING = "audit_lines_pending"
SYSLOG_HANDLER = "intrapreneur-syslog"


def as_record(audit_event: AuditEvent) -> dict[str, Any]:
    return {
        "id": audit_event.id,
        "occurred_at": audit_event.occurred_at.isoformat(),
        "actor_id": audit_event.actor_id,
        "actor": audit_event.actor_name,
        "action": audit_event.action,
        "object_type": audit_event.object_type,
        "object_id": audit_event.object_id,
        "details": {
            key: REDACTED if SECRET_FIELD.search(key) else value
            for key, value in (audit_event.details or {}).items()
        },
        "ip": audit_event.ip_address,
    }


def json_line(audit_event: AuditEvent) -> str:
    return json.dumps(as_record(audit_event), ensure_ascii=False, default=str) + "\n"


def configure_syslog(chosen: SyslogSettings | None) -> None:
    """Send audit events (and, if chosen, the app's log) to syslog, or stop sending them.

    Replaces what an earlier app set up (tests build several apps).
    """
    root = logging.getLogger()
    remove_handlers(AUDIT_LOG, SYSLOG_HANDLER)
    remove_handlers(root, SYSLOG_HANDLER)
    if chosen is None:
        return
    AUDIT_LOG.addHandler(_syslog_handler(chosen))
    if chosen.app_log:
        root.addHandler(_syslog_handler(chosen))


def forwarding() -> bool:
    """Whether audit events are sent to syslog (otherwise nothing is noted for sending)."""
    return any(handler.get_name() == SYSLOG_HANDLER for handler in AUDIT_LOG.handlers)


def _syslog_handler(chosen: SyslogSettings) -> SysLogHandler:
    try:
        handler = SysLogHandler(address=chosen.address, facility=chosen.facility)
    except OSError as error:  # a host name that does not resolve
        raise ConfigError(f"INTRAPRENEUR_SYSLOG_ADDRESS cannot be used: {error}") from None
    handler.ident = "intrapreneur: "  # the syslog tag receivers file the lines under
    dress(handler, SYSLOG_HANDLER)
    return handler


# Forwarding: an event is sent once its transaction commits, never when it is rolled back.
# It is written down at flush, with the transaction it was flushed in (its id and time are
# known then; after the commit its attributes are expired and may not be loaded in a hook).


def _innermost(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_flush")
def _note_flushed_events(session: Session, _context: Any) -> None:
    if not forwarding():
        return
    flushed = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if flushed:
        transaction = _innermost(session)
        session.info.setdefault(_PENDING, []).extend(
            (transaction, as_record(audit_event)) for audit_event in flushed
        )


@event.listens_for(Session, "after_commit")
def _forward_committed_events(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the outer one may yet fail
        return
    for _, record in session.info.pop(_PENDING, []):
        AUDIT_LOG.info(record["action"], extra={"audit": record})


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back_events(session: Session, previous: SessionTransaction) -> None:
    """A savepoint rolled back takes its own events with it, and only those."""
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [
            (transaction, record)
            for transaction, record in pending
            if not _within(transaction, previous)
        ]


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted_events(session: Session, transaction: SessionTransaction) -> None:
    """A session closed without a commit: what it flushed was never stored."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
