"""OpenID Connect sign-in settings (``INTRAPRENEUR_OIDC_*``) and the password form's switch
(which either single sign-on may replace)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from intrapreneur.settings.directory import DirectorySettings
from intrapreneur.settings.reading import PREFIX, ConfigError, flag, read, seconds

# Claims stored on the person at the first sign-in, then matched for good.
SUBJECT_CLAIMS = ("sub", "oid")
# Claims matched against the directory's email or username at every sign-in.
EMAIL_CLAIMS = ("email",)
USERNAME_CLAIMS = ("preferred_username", "upn")
MATCH_CLAIMS = (*SUBJECT_CLAIMS, *EMAIL_CLAIMS, *USERNAME_CLAIMS)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class OidcSettings:
    """Where the organisation's OpenID provider is, and how its people are matched to ours."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: str
    match_claim: str
    groups_claim: str | None
    display_name: str
    timeout: float

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _issuer(env: Mapping[str, str]) -> str | None:
    issuer = read(env, "OIDC_ISSUER")
    if issuer is None:
        return None
    parts = urlsplit(issuer)
    # Plain http only on this machine (a provider in a test); anything else must be TLS.
    if not parts.netloc or not (
        parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
    ):
        raise ConfigError(
            f"{PREFIX}OIDC_ISSUER must be an https:// URL such as "
            f"https://login.example.com/realms/corp, not {issuer!r}"
        )
    return issuer


def load_oidc(env: Mapping[str, str], directory: DirectorySettings | None) -> OidcSettings | None:
    """The OpenID provider's settings; None when INTRAPRENEUR_OIDC_ISSUER is not set."""
    issuer = _issuer(env)
    if issuer is None:
        return None
    client_id = read(env, "OIDC_CLIENT_ID")
    client_secret = read(env, "OIDC_CLIENT_SECRET")
    if not client_id or not client_secret:
        raise ConfigError(
            f"{PREFIX}OIDC_CLIENT_ID and {PREFIX}OIDC_CLIENT_SECRET are both needed "
            "with OIDC_ISSUER (register the app at your provider)"
        )
    scopes = read(env, "OIDC_SCOPES") or "openid email profile"
    if "openid" not in scopes.split():
        raise ConfigError(f"{PREFIX}OIDC_SCOPES must include openid, not {scopes!r}")
    match_claim = read(env, "OIDC_MATCH_CLAIM") or "email"
    if match_claim not in MATCH_CLAIMS:
        raise ConfigError(
            f"{PREFIX}OIDC_MATCH_CLAIM must be one of {', '.join(MATCH_CLAIMS)}, "
            f"not {match_claim!r}"
        )
    groups_claim = read(env, "OIDC_GROUPS_CLAIM")
    if groups_claim and (directory is None or not directory.role_map):
        raise ConfigError(
            f"{PREFIX}OIDC_GROUPS_CLAIM needs {PREFIX}LDAP_ROLE_MAP to turn groups into roles"
        )
    return OidcSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        match_claim=match_claim,
        groups_claim=groups_claim,
        display_name=read(env, "OIDC_DISPLAY_NAME") or "your organisation",
        timeout=seconds(env, "OIDC_TIMEOUT", 10, 60),
    )


def password_sign_in(env: Mapping[str, str], single_sign_on: bool) -> bool:
    """Whether employees may still sign in with their directory password (default: yes);
    switching it off needs a single sign-on (OpenID Connect or SAML) in its place."""
    if read(env, "PASSWORD_SIGN_IN") is None or flag(env, "PASSWORD_SIGN_IN"):
        return True
    if not single_sign_on:
        raise ConfigError(
            f"{PREFIX}PASSWORD_SIGN_IN=false needs {PREFIX}OIDC_ISSUER or "
            f"{PREFIX}SAML_IDP_METADATA: employees would have no way to sign in"
        )
    return False
