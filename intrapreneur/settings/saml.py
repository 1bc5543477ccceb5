"""SAML 2.0 sign-in settings (``INTRAPRENEUR_SAML_*``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from intrapreneur.settings.directory import DirectorySettings
from intrapreneur.settings.oidc import LOOPBACK_HOSTS
from intrapreneur.settings.reading import PREFIX, ConfigError, read, seconds, whole_number

# What the person is matched by: the persistent NameID (stored on the person at the first
# sign-in, found then by the email attribute), or an attribute compared with the directory's
# email or username at every sign-in.
MATCHES = ("name_id", "email", "username")
# A persistent NameID is at most 256 characters (SAML core 8.3.7): the column's size.
MAX_NAME_ID_LENGTH = 256


@dataclass(frozen=True)
class SamlSettings:
    """Where the organisation's SAML identity provider describes itself, who we are to it,
    and how its assertions name our people."""

    # An https:// (or loopback http://) URL to fetch, or the metadata document itself.
    idp_metadata_url: str | None
    idp_metadata: str | None = field(repr=False)
    sp_entity_id: str
    sp_key: str | None = field(repr=False)
    sp_cert: str | None
    match: str
    email_attribute: str
    username_attribute: str
    groups_attribute: str | None
    display_name: str
    clock_skew: int
    timeout: float


def _metadata(env: Mapping[str, str]) -> tuple[str | None, str | None] | None:
    """The IdP metadata's URL, or its text read from a file; None when SAML is off."""
    source = read(env, "SAML_IDP_METADATA")
    if source is None:
        return None
    parts = urlsplit(source)
    if parts.scheme in ("http", "https"):
        # Plain http only on this machine (an IdP in a test); anything else must be TLS.
        if not parts.netloc or (parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS):
            raise ConfigError(
                f"{PREFIX}SAML_IDP_METADATA must be an https:// URL or a file, not {source!r}"
            )
        return source, None
    try:
        return None, Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"{PREFIX}SAML_IDP_METADATA is neither an https:// URL nor a readable file: "
            f"{error.strerror}"
        ) from None


def _key_pair(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The SP's signing key and certificate (PEM), both or neither."""
    key, cert = read(env, "SAML_SP_KEY"), read(env, "SAML_SP_CERT")
    if key is None and cert is None:
        return None, None
    if key is None or cert is None:
        raise ConfigError(
            f"{PREFIX}SAML_SP_KEY and {PREFIX}SAML_SP_CERT go together (or their _FILE forms)"
        )
    try:
        private = load_pem_private_key(key.encode(), password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"{PREFIX}SAML_SP_KEY is not an unencrypted PEM private key") from None
    try:
        public = x509.load_pem_x509_certificate(cert.encode()).public_key()
    except ValueError:
        raise ConfigError(f"{PREFIX}SAML_SP_CERT is not a PEM certificate") from None
    if public != private.public_key():
        raise ConfigError(f"{PREFIX}SAML_SP_CERT is not the certificate of SAML_SP_KEY")
    return key, cert


def load_saml(env: Mapping[str, str], directory: DirectorySettings | None) -> SamlSettings | None:
    """The SAML identity provider's settings; None when INTRAPRENEUR_SAML_IDP_METADATA is
    not set."""
    metadata = _metadata(env)
    if metadata is None:
        return None
    if read(env, "OIDC_ISSUER") is not None:
        raise ConfigError(
            f"{PREFIX}SAML_IDP_METADATA and {PREFIX}OIDC_ISSUER are both set: "
            "choose one single sign-on"
        )
    entity_id = read(env, "SAML_SP_ENTITY_ID")
    if not entity_id:
        raise ConfigError(
            f"{PREFIX}SAML_SP_ENTITY_ID is needed with SAML_IDP_METADATA: the name this "
            "application is registered under at the IdP, e.g. "
            "https://intrapreneur.example.com/sign-in/saml/metadata"
        )
    match = read(env, "SAML_MATCH") or "email"
    if match not in MATCHES:
        raise ConfigError(f"{PREFIX}SAML_MATCH must be one of {', '.join(MATCHES)}, not {match!r}")
    groups_attribute = read(env, "SAML_GROUPS_ATTRIBUTE")
    if groups_attribute and (directory is None or not directory.role_map):
        raise ConfigError(
            f"{PREFIX}SAML_GROUPS_ATTRIBUTE needs {PREFIX}LDAP_ROLE_MAP to turn groups into roles"
        )
    key, cert = _key_pair(env)
    return SamlSettings(
        idp_metadata_url=metadata[0],
        idp_metadata=metadata[1],
        sp_entity_id=entity_id,
        sp_key=key,
        sp_cert=cert,
        match=match,
        email_attribute=read(env, "SAML_EMAIL_ATTRIBUTE") or "email",
        username_attribute=read(env, "SAML_USERNAME_ATTRIBUTE") or "username",
        groups_attribute=groups_attribute,
        display_name=read(env, "SAML_DISPLAY_NAME") or "your organisation",
        clock_skew=whole_number(env, "SAML_CLOCK_SKEW", 60, minimum=0, maximum=300),
        timeout=seconds(env, "SAML_TIMEOUT", 10, 60),
    )
