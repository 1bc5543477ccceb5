"""Sign-in through the organisation's OpenID provider (authorisation code flow with PKCE,
state and nonce), with Authlib's Flask client.

Authlib checks the ID token's signature against the provider's keys (fetched once more on
an unknown ``kid``) and its claims; this module adds what Authlib leaves to the application
(``SSO-NOTES.md``): the audience and issuer named explicitly, signing algorithms limited to
public-key ones, the discovery document's issuer compared with the configured one, a timeout
on every request to the provider and no redirect followed on them. Every failure becomes a
``SignInRefused`` carrying the provider's error code where it sent one; no token, code or
secret is ever logged.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from joserfc.errors import JoseError

from intrapreneur.identity import sso_people
from intrapreneur.identity.services import SignInRefused
from intrapreneur.settings.oidc import OidcSettings

log = logging.getLogger(__name__)

# Public-key algorithms only: never "none", never HS* (which would take a public key as the secret).
SIGNING_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
CLOCK_SKEW_SECONDS = 60
CLIENT_NAME = "oidc"
# In the session cookie of a sign-in that began at the provider: sign-out ends its session too.
SESSION_MARK = "signed_in_with_oidc"


class NoRedirectSession(OAuth2Session):
    """Every request to the provider goes to the URL its own discovery names, never further:
    a redirect raises ``TooManyRedirects`` instead of being followed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_redirects = 0


def settings() -> OidcSettings | None:
    return current_app.config.get("OIDC")


def _client(oidc: OidcSettings) -> Any:
    """The Authlib client for these settings, built once per app (its discovery document
    and key set are kept on it)."""
    cached = current_app.extensions.get("intrapreneur.oidc")
    if cached is not None and cached[0] is oidc:
        return cached[1]
    oauth = OAuth(current_app._get_current_object())  # type: ignore[attr-defined]
    client = oauth.register(
        CLIENT_NAME,
        client_id=oidc.client_id,
        client_secret=oidc.client_secret,
        server_metadata_url=oidc.discovery_url,
        client_kwargs={
            "scope": oidc.scopes,
            "code_challenge_method": "S256",
            # On discovery, keys and the token request alike (SSO-NOTES.md).
            "default_timeout": oidc.timeout,
        },
    )
    client.client_cls = NoRedirectSession
    current_app.extensions["intrapreneur.oidc"] = (oidc, client)
    return client


def _metadata(oidc: OidcSettings, client: Any) -> dict[str, Any]:
    """The provider's discovery document, checked once: it must be the configured issuer's,
    and only public-key signatures are accepted whatever it offers."""
    metadata: dict[str, Any] = client.load_server_metadata()
    if "intrapreneur_checked" in metadata:
        return metadata
    if str(metadata.get("issuer", "")).rstrip("/") != oidc.issuer.rstrip("/"):
        client.server_metadata.clear()
        raise refusal(reason="discovery_issuer_mismatch")
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    metadata["id_token_signing_alg_values_supported"] = [
        algorithm for algorithm in offered if algorithm in SIGNING_ALGORITHMS
    ]
    metadata["intrapreneur_checked"] = True
    return metadata


def refusal(reason: str, code: str | None = None, *, status: int = 401) -> SignInRefused:
    return sso_people.refusal(
        method="oidc", protocol="OpenID Connect", reason=reason, code=code, status=status
    )


UNREACHABLE_MESSAGE = _l(
    "Your organisation's sign-in service is not answering right now. Try again in a few minutes."
)


def _talk_to_provider(action: Any) -> Any:
    """Run ``action`` against the provider; each way it can fail becomes a refusal."""
    oidc = settings()
    assert oidc is not None
    client = _client(oidc)
    try:
        _metadata(oidc, client)
        return action(oidc, client)
    except MismatchingStateError:
        raise refusal(reason="state_mismatch", code=MismatchingStateError.error) from None
    except OAuthError as error:
        raise refusal(reason="provider_error", code=str(error.error or "oauth_error")) from None
    except JoseError as error:
        raise refusal(reason="invalid_id_token", code=error.error) from None
    except requests.Timeout:
        raise SignInRefused(
            reason="oidc_timeout", message=UNREACHABLE_MESSAGE, status=503
        ) from None
    except requests.HTTPError as error:
        answer = error.response.status_code if error.response is not None else "error"
        raise refusal(reason="provider_http_error", code=f"http_{answer}", status=502) from None
    except requests.TooManyRedirects:
        raise refusal(reason="provider_redirect", status=502) from None
    except requests.RequestException:
        raise SignInRefused(
            reason="oidc_unreachable", message=UNREACHABLE_MESSAGE, status=503
        ) from None
    except ValueError:
        raise refusal(reason="malformed_response", status=502) from None


def authorisation_redirect(redirect_uri: str) -> ResponseReturnValue:
    """A 302 to the provider's authorisation endpoint; state, nonce and the PKCE verifier
    wait in this browser's session for the callback."""
    return _talk_to_provider(lambda _, client: client.authorize_redirect(redirect_uri))


def verified_claims() -> dict[str, Any]:
    """The callback's ID token claims, once the state, code, signature, issuer, audience,
    lifetime and nonce have all been checked."""

    def exchange(oidc: OidcSettings, client: Any) -> dict[str, Any]:
        token = client.authorize_access_token(
            claims_options={
                "iss": {"essential": True, "values": [_metadata(oidc, client)["issuer"]]},
                "aud": {"essential": True, "values": [oidc.client_id]},
            },
            leeway=CLOCK_SKEW_SECONDS,
        )
        claims = token.get("userinfo")
        if claims is None:
            raise refusal(reason="missing_id_token")
        return dict(claims)

    return _talk_to_provider(exchange)


def end_session_url(post_logout_redirect_uri: str) -> str | None:
    """Where to send a person signing out so the provider signs them out too, when its
    discovery offers an ``end_session_endpoint``; None otherwise or when it cannot be asked."""
    oidc = settings()
    if oidc is None:
        return None
    try:
        metadata = _metadata(oidc, _client(oidc))
    except (SignInRefused, requests.RequestException, ValueError):
        log.warning("OpenID provider unavailable at sign-out: signed out here only")
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    if not _same_origin(str(endpoint), oidc.issuer):
        # The sign-out form may only lead to the issuer's origin (the CSP's form-action,
        # core/security.py), and the app follows no redirect outside the configured provider:
        # a browser would stop on a blocked page, so the person is signed out here only.
        log.warning("OpenID provider's end_session_endpoint is not on the issuer's origin")
        return None
    logout = _client(oidc).create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri, client_id=oidc.client_id
    )
    return str(logout["url"])


def _same_origin(url: str, other: str) -> bool:
    first, second = urlsplit(url), urlsplit(other)
    return (first.scheme, first.netloc) == (second.scheme, second.netloc)
