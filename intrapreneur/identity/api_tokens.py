"""API clients: HR systems given a bearer token for the read-only API. The token is shown
once and stored as its SHA-256; it stops when revoked, when it expires, or when the admin
who issued it leaves. Services flush; the request commits."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity import queries
from intrapreneur.identity.models import ApiClient, ApiScope, Person
from intrapreneur.identity.services import digest

# Marks the token as ours (secret scanners and people can spot it); not a secret itself.
API_TOKEN_PREFIX = "ipr_"  # noqa: S105


def create_api_client(
    *, name: str, scope: ApiScope, by: Person, now: datetime, expires_at: datetime | None = None
) -> tuple[ApiClient, str]:
    """A new API client and its token, which is returned this once and never stored. It
    expires at ``expires_at``, by default after the lifetime the form offers."""
    expires_at = expires_at or now + timedelta(days=current_app.config["API_TOKEN_DAYS"])
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name,
        scope=scope,
        token_prefix=token[:12],
        token_hash=digest(token),
        created_by_id=by.id,
        created_at=now,
        expires_at=expires_at,
    )
    db.session.add(client)
    audit.record(
        "api_client.created",
        actor=by,
        obj=client,
        name=name,
        scope=scope.value,
        expires_at=expires_at.isoformat(),
    )
    return client, token


def revoke_api_client(client: ApiClient, *, by: Person, now: datetime) -> None:
    client.revoked_at = client.revoked_at or now
    audit.record("api_client.revoked", actor=by, obj=client, name=client.name)


class ApiTokenRefused(Exception):
    """A bearer token that opens nothing; ``reason`` is told to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def api_client_for(token: str, now: datetime) -> ApiClient:
    """The live client holding this bearer token; its last use is noted (at most once a
    minute, so reading the API does not write on every call)."""
    client = queries.api_client_by_token_hash(digest(token))
    if client is None or not client.works(now.date()):
        # Told to a program calling the API, in English like the rest of the API's answers.
        raise ApiTokenRefused(reason="This token is not valid or has been revoked.")
    if client.has_expired(now):
        # Saying when tells the HR system's owner what to fix: ask an admin for a new token.
        raise ApiTokenRefused(
            reason=f"This token expired on {client.expires_at:%Y-%m-%d %H:%M} UTC; "
            "ask an administrator for a new one."
        )
    if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=1):
        client.last_used_at = now
    return client
