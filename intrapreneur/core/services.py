"""Writes shared by every domain: the audit trail.

People are stored in the log by number only (``actor_id``, and ``object_id`` for events
done to a person) and named when the log is read (``AuditEvent.actor_name``), so erasing a
person's name needs no rewrite of the log: their events then read as their tombstone. What
someone typed that may name a person (a login, an address asked for a reset link, a
filter) is kept as a keyed hash (``typed_text_hash``): repeated attempts on one unknown name
still line up, and nobody reading the database alone can tell what was typed.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from flask import current_app, has_request_context, request

from intrapreneur.core.models import AuditEvent
from intrapreneur.core.security import signing_keys
from intrapreneur.extensions import db

if TYPE_CHECKING:
    from intrapreneur.identity.models import Person

SYSTEM_ACTOR = "system"
# The label of every event a person did: who it was is ``actor_id``, named when read.
PERSON_ACTOR = "person"


def record(
    action: str,
    *,
    actor: Person | None,
    obj: Any = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (the request commits it).

    Callers must never pass secrets (passwords, tokens) in ``details``, nor what names a
    person (a name, an email address, a username): a person goes in as ``actor`` or ``obj``
    (or as a ``…_id`` detail), typed text as ``typed_text_hash``.
    """
    if obj is not None and obj.id is None:
        db.session.flush()
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=SYSTEM_ACTOR if actor is None else PERSON_ACTOR,
        # Not stored: the name as it is now, for the syslog copy sent at commit.
        actor_name=SYSTEM_ACTOR if actor is None else actor.display_name,
        action=action,
        object_type=getattr(obj, "__tablename__", None),
        object_id=str(obj.id) if obj is not None else None,
        details=details,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def typed_text_hash(text: str, *, key: str | None = None) -> str:
    """HMAC-SHA256 of what someone typed (trimmed, lower-case), under a key derived from the
    secret key (``key``: another secret key, to match events hashed before a rotation).

    Migration 0035 hashes the logins of older events the same way (a test holds them equal).
    """
    secret = current_app.config["SECRET_KEY"] if key is None else key
    derived = hashlib.sha256(f"audit-typed-text:{secret}".encode()).digest()
    return hmac.new(derived, text.strip().lower().encode(), hashlib.sha256).hexdigest()


def typed_text_hashes(text: str) -> list[str]:
    """The hash of ``text`` under the secret key and under each earlier one still accepted
    (``SECRET_KEY_FALLBACKS``): what a search for it must match."""
    return [typed_text_hash(text, key=key) for key in signing_keys()]
