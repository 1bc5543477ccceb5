"""Bearer-token access for the read-only JSON API (HR systems, not people).

API routes ignore the session cookie: a browser that is signed in gets no
further than anyone else without a token. Refusals are JSON with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue

from intrapreneur.core.permissions import ACCESS_ATTRIBUTE
from intrapreneur.extensions import db
from intrapreneur.identity import api_tokens
from intrapreneur.identity.models import ApiScope

View = TypeVar("View", bound=Callable[..., Any])


def refusal(status: int, reason: str) -> ResponseReturnValue:
    # Read by programs, as JSON: English, like the API's documentation (openapi.json), and not
    # translated (issue 21 translates what people read).
    response = jsonify(error=reason)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="intrapreneur"'
    return response, status


def api_access(scope: ApiScope) -> Callable[[View], View]:
    """Callers holding a live token of this scope; others get 401 or 403 as JSON."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            kind, _, token = request.headers.get("Authorization", "").partition(" ")
            if kind.lower() != "bearer" or not token.strip():
                return refusal(401, "Send an API token: 'Authorization: Bearer <token>'.")
            try:
                client = api_tokens.api_client_for(token.strip(), datetime.now(UTC))
            except api_tokens.ApiTokenRefused as refused:
                return refusal(401, refused.reason)
            if client.scope is not scope:
                return refusal(403, f"This token may not read {scope.value}.")
            g.api_client = client
            response = view(*args, **kwargs)
            db.session.commit()  # the client's last use, noted by api_client_for
            return response

        setattr(guarded, ACCESS_ATTRIBUTE, f"api:{scope.value}")
        return guarded  # type: ignore[return-value]

    return decorate
