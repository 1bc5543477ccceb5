"""The SAML round trip's state in the database, shared by every web process: the requests
waiting for the IdP's answer, each bound to the browser that sent it, and the IDs already
used, so that no answer signs anybody in twice."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from intrapreneur.extensions import db
from intrapreneur.identity.saml import refusal
from intrapreneur.identity.saml_models import SamlRequest, SamlUsedId

# Long enough to sign in at the IdP (and its MFA), short enough that a forgotten tab expires.
REQUEST_LIFETIME = timedelta(minutes=10)
# The used-ID column's size.
MAX_ID_LENGTH = 300


def _hash(browser_token: str) -> str:
    return hashlib.sha256(browser_token.encode()).hexdigest()


def remember_request(request_id: str, next_url: str, now: datetime) -> str:
    """Keep a request sent to the IdP; the token for the browser's cookie that must come
    back with the answer. Requests nobody answered in time are purged here."""
    db.session.execute(delete(SamlRequest).where(SamlRequest.expires_at < now))
    browser_token = secrets.token_urlsafe(32)
    db.session.add(
        SamlRequest(
            id=request_id,
            browser_hash=_hash(browser_token),
            next_url=next_url,
            expires_at=now + REQUEST_LIFETIME,
        )
    )
    return browser_token


def take_request(request_id: str | None, browser_token: str | None, now: datetime) -> str:
    """The page to go on to once the request this answer names is used up; refused when the
    request was answered before, never sent, expired or sent from another browser."""
    if request_id is None:
        raise refusal(reason="unsolicited", code="unsolicited_response")
    if db.session.get(SamlUsedId, f"request:{request_id}") is not None:
        raise refusal(reason="replayed", code="response_already_used")
    pending = db.session.get(SamlRequest, request_id)
    if pending is None or pending.expires_at <= now:
        raise refusal(reason="unsolicited", code="no_outstanding_request")
    # Deleted by one process only: a second one answering at the same moment finds nothing.
    taken = db.session.execute(delete(SamlRequest).where(SamlRequest.id == request_id))
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise refusal(reason="replayed", code="response_already_used")
    if browser_token is None or not hmac.compare_digest(_hash(browser_token), pending.browser_hash):
        raise refusal(reason="other_browser", code="request_from_another_browser")
    return pending.next_url


def mark_used(ids: list[str], until: datetime, now: datetime) -> None:
    """Record the answered request and the assertion as used until ``until``; refused if
    another process recorded one of them first. Entries past their time are purged here."""
    if any(len(used) > MAX_ID_LENGTH for used in ids):
        raise refusal(reason="invalid_response", code="id_too_long")
    db.session.execute(delete(SamlUsedId).where(SamlUsedId.expires_at < now))
    try:
        with db.session.begin_nested():
            db.session.add_all(SamlUsedId(id=used, expires_at=until) for used in ids)
    except IntegrityError:
        raise refusal(reason="replayed", code="assertion_already_used") from None
