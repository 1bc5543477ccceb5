"""A real OpenID provider on loopback for the sign-in tests: oidc-provider-mock 0.3.4 in a
thread, behind a thin WSGI layer that lets a test change what it answers.

The mock issues tokens as a well-behaved provider does (signed, right audience, the nonce
it was sent); it cannot issue a token for another audience, an unsigned one, one signed by
a foreign key or one with a wrong nonce. For those a test sets ``rewrite``: the layer then
takes the ID token the mock issued, lets the test change its claims and signs it again with
a key the test controls (or not at all), and publishes that key as the provider's key set, so
the refused token travels the real path: the provider's token endpoint, Authlib, our checks.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from oidc_provider_mock import app as provider_app

from tests.identity.single_sign_on import served

Claims = dict[str, Any]
# Every path under it answers with a redirect to the same path without it.
REDIRECTING = "/redirecting"
Rewrite = Callable[[Claims, "Provider"], str]


def _claims_of(id_token: str) -> Claims:
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def unsigned(claims: Claims) -> str:
    """A token with ``alg: none`` and no signature."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class Provider:
    """The mock provider's WSGI app, with the test's changes applied on the way out."""

    def __init__(self, **options: Any) -> None:
        self.app = provider_app(**options)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.rewrite: Rewrite | None = None
        # Fields of the discovery document the test replaces.
        self.discovery_changes: dict[str, Any] = {}
        self.url = ""
        # Set: the token endpoint waits for it before answering (a provider hanging mid-way).
        self.token_held: threading.Event | None = None

    def sign(self, claims: Claims, key: RSAKey | None = None) -> str:
        key = key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ["PATH_INFO"]
        if path.startswith(REDIRECTING):
            # A provider (or something in its place) sending the app elsewhere.
            start_response("302 Found", [("Location", self.url + path[len(REDIRECTING) :])])
            return [b""]
        if path == "/oauth2/token" and self.token_held is not None:
            self.token_held.wait(10)
        if self.rewrite is not None and path == "/jwks":
            return self._json(start_response, KeySet([self.key]).as_dict(private=False))
        if path == "/oauth2/token" and self.rewrite is not None:
            body = self._passed_on(environ)
            if "id_token" in body:
                body["id_token"] = self.rewrite(_claims_of(body["id_token"]), self)
            return self._json(start_response, body)
        if path == "/.well-known/openid-configuration" and self.discovery_changes:
            body = {**self._passed_on(environ), **self.discovery_changes}
            return self._json(start_response, body)
        return self.app(environ, start_response)

    def _passed_on(self, environ: dict[str, Any]) -> dict[str, Any]:
        """The mock's own answer, as JSON."""
        body = b"".join(self.app(environ, lambda status, headers, *_: None))
        return json.loads(body)

    @staticmethod
    def _json(start_response: Any, body: dict[str, Any]) -> list[bytes]:
        data = json.dumps(body).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [data]

    # -- what a person does at the provider ---------------------------------------------

    def set_user(self, sub: str, **claims: Any) -> None:
        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5).raise_for_status()

    def answer(self, authorisation_url: str, *, sub: str | None = None) -> str:
        """The provider's redirect back to us, as after a person chose ``sub`` on its page
        (or pressed "deny" when ``sub`` is None): the callback's path and query."""
        form = {"sub": sub} if sub is not None else {"action": "deny"}
        response = requests.post(authorisation_url, data=form, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text[:300]
        parts = urlsplit(response.headers["Location"])
        return f"{parts.path}?{parts.query}"


@contextmanager
def running_provider(**options: Any) -> Iterator[Provider]:
    provider = Provider(**options)
    with served(provider, "localhost") as port:
        provider.url = f"http://localhost:{port}"
        yield provider


def expiring_provider() -> Any:
    """A provider whose ID tokens expired ten minutes before they were issued."""
    return running_provider(access_token_max_age=timedelta(minutes=-10))


@contextmanager
def silent_server() -> Iterator[str]:
    """An address that accepts connections and never answers: an IdP that is down."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
