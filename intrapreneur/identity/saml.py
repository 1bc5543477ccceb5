"""Sign-in through the organisation's SAML 2.0 identity provider, with pysaml2 as the
service provider: an AuthnRequest by HTTP-Redirect, the IdP's Response by HTTP-POST.

pysaml2 checks the assertion's signature against the IdP's metadata, the audience, the
lifetime (with the allowed clock skew) and that the response answers a request we sent.
This module adds what it leaves to the application (``SSO-NOTES.md``): assertions must be
signed; the recipient is checked by passing ``conv_info``; a wrong Destination, which
pysaml2 only logs, is refused; the IdP's error status is shown with its code; replays are
refused through the database (``saml_store``). Every failure becomes a ``SignInRefused``;
no assertion or key is ever logged.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import functools
import stat
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import requests
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask import current_app
from flask_babel import lazy_gettext as _l
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, time_util
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT
from saml2.sigver import SigverError, get_xmlsec_binary

from intrapreneur.identity import sso_people
from intrapreneur.identity.services import SignInRefused
from intrapreneur.settings.saml import MAX_NAME_ID_LENGTH, SamlSettings

PROTOCOL_NS = "{urn:oasis:names:tc:SAML:2.0:protocol}"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
# A fetched IdP metadata document is read again after this long (its keys may rotate).
METADATA_KEPT_SECONDS = 3600
UNREACHABLE_MESSAGE = _l(
    "Your organisation's sign-in service is not answering right now. Try again in a few minutes."
)
MALFORMED_MESSAGE = _l(
    "This does not look like an answer from your organisation's sign-in service "
    "(the SAML response is missing or not readable). Start the sign-in again."
)


def settings() -> SamlSettings | None:
    return current_app.config.get("SAML")


def refusal(reason: str, code: str | None = None, *, status: int = 401) -> SignInRefused:
    return sso_people.refusal(
        method="saml", protocol="SAML", reason=reason, code=code, status=status
    )


# -- the service provider's configuration ------------------------------------------------


def _idp_metadata(saml: SamlSettings) -> str:
    """The IdP's metadata document: from the settings' file, or fetched from its URL with a
    timeout and no redirect followed."""
    if saml.idp_metadata is not None:
        return saml.idp_metadata
    assert saml.idp_metadata_url is not None
    try:
        answer = requests.get(saml.idp_metadata_url, timeout=saml.timeout, allow_redirects=False)
    except requests.Timeout:
        raise SignInRefused(
            reason="saml_timeout", message=UNREACHABLE_MESSAGE, status=503
        ) from None
    except requests.RequestException:
        raise SignInRefused(
            reason="saml_unreachable", message=UNREACHABLE_MESSAGE, status=503
        ) from None
    if answer.status_code != 200:
        raise refusal(
            reason="metadata_unavailable", code=f"metadata_http_{answer.status_code}", status=502
        )
    return answer.text


@functools.cache
def _key_files(key: str, cert: str) -> tuple[str, str]:
    """pysaml2 (xmlsec1) reads the SP's key and certificate from files: written once per
    process to a directory only this user can read."""
    directory = Path(tempfile.mkdtemp(prefix="intrapreneur-saml-"))
    paths = []
    for name, text in (("sp.key", key), ("sp.crt", cert)):
        path = directory / name
        path.touch(mode=stat.S_IRUSR | stat.S_IWUSR)
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths[0], paths[1]


def _config(saml: SamlSettings, acs_url: str) -> SPConfig:
    """pysaml2's configuration, built once per app and kept (with the fetched metadata) for
    an hour."""
    cached = current_app.extensions.get("intrapreneur.saml")
    if (
        cached is not None
        and cached[0] is saml
        and cached[1] == acs_url
        and cached[2] > time.time()
    ):
        return cached[3]
    metadata = _idp_metadata(saml)
    service: dict[str, Any] = {
        "endpoints": {"assertion_consumer_service": [(acs_url, BINDING_HTTP_POST)]},
        "want_assertions_signed": True,
        "want_response_signed": False,
        "allow_unsolicited": False,
        "authn_requests_signed": saml.sp_key is not None,
        "name_id_format_allow_create": True,
    }
    if saml.match == "name_id":
        service["name_id_format"] = NAMEID_FORMAT_PERSISTENT
    values: dict[str, Any] = {
        "entityid": saml.sp_entity_id,
        "metadata": {"inline": [metadata]},
        "service": {"sp": service},
        "accepted_time_diff": saml.clock_skew,
        "allow_unknown_attributes": True,
    }
    try:
        values["xmlsec_binary"] = get_xmlsec_binary()
        if saml.sp_key is not None and saml.sp_cert is not None:
            values["key_file"], values["cert_file"] = _key_files(saml.sp_key, saml.sp_cert)
        config = SPConfig().load(values)
    except SigverError:
        raise refusal(reason="xmlsec_missing", status=503) from None
    except Exception:  # pysaml2 raises many unrelated types on a bad document
        raise refusal(reason="metadata_unreadable", status=502) from None
    current_app.extensions["intrapreneur.saml"] = (
        saml,
        acs_url,
        time.time() + METADATA_KEPT_SECONDS,
        config,
    )
    return config


def _client(acs_url: str) -> Saml2Client:
    """A new client per request: pysaml2 keeps every person it saw in its own memory."""
    saml = settings()
    assert saml is not None
    return Saml2Client(config=_config(saml, acs_url))


def _idp(client: Saml2Client) -> tuple[str, str]:
    """The IdP's entity id and its HTTP-Redirect single sign-on URL: the metadata must
    describe exactly one IdP offering that binding."""
    providers = list(client.metadata.identity_providers())
    if len(providers) != 1:
        raise refusal(
            reason="metadata_idp_count", code=f"metadata_names_{len(providers)}_idps", status=502
        )
    try:
        services = client.metadata.single_sign_on_service(providers[0], BINDING_HTTP_REDIRECT)
    except Exception:  # pysaml2 raises a bare Exception when there is none
        services = []
    if not services:
        raise refusal(reason="metadata_no_redirect_binding", status=502)
    return providers[0], services[0]["location"]


def sp_metadata(acs_url: str) -> str:
    """This service provider's metadata, signed when a key is configured."""
    saml = settings()
    assert saml is not None
    config = _config(saml, acs_url)
    signed = saml.sp_key is not None
    document = create_metadata_string(None, config=config, valid=None, sign=signed)
    # pysaml2 returns the signed document as text, the unsigned one as bytes.
    return document if isinstance(document, str) else document.decode()


def authn_request(acs_url: str) -> tuple[str, str]:
    """The id of a new AuthnRequest and the URL sending it to the IdP (HTTP-Redirect)."""
    client = _client(acs_url)
    idp, sso_url = _idp(client)
    request_id, info = client.prepare_for_authenticate(
        entityid=idp, binding=BINDING_HTTP_REDIRECT, relay_state=""
    )
    location = dict(info["headers"])["Location"]
    # Never anywhere but the IdP's single sign-on URL the metadata names.
    if not location.startswith(sso_url + ("&" if "?" in sso_url else "?")):
        raise refusal(reason="redirect_elsewhere", status=502)
    return str(request_id), location


# -- the IdP's answer ------------------------------------------------------------------


@dataclass(frozen=True)
class PostedResponse:
    """What the posted Response says about itself before any check: which request it
    answers and its status."""

    encoded: str
    in_response_to: str | None
    status: str
    sub_status: str | None


def posted_response(encoded: str | None) -> PostedResponse:
    """The posted SAMLResponse read (safely: no entities, no DTD), or a 400 refusal."""
    try:
        # Some IdPs wrap the base64 text in lines: whitespace is not part of it.
        root = fromstring(base64.b64decode("".join((encoded or "").split()), validate=True))
    except (binascii.Error, ValueError, ParseError, DefusedXmlException):
        raise SignInRefused(
            reason="saml_malformed_response", message=MALFORMED_MESSAGE, status=400
        ) from None
    if root.tag != f"{PROTOCOL_NS}Response":
        raise SignInRefused(reason="saml_malformed_response", message=MALFORMED_MESSAGE, status=400)
    codes = root.findall(f"{PROTOCOL_NS}Status/{PROTOCOL_NS}StatusCode")
    nested = codes[0].findall(f"{PROTOCOL_NS}StatusCode") if codes else []
    return PostedResponse(
        encoded=encoded or "",
        in_response_to=root.get("InResponseTo"),
        status=codes[0].get("Value", "") if codes else "",
        sub_status=nested[0].get("Value") if nested else None,
    )


def refuse_error_status(posted: PostedResponse) -> None:
    """The IdP said no (a failed or cancelled sign-in): its status codes, shortened to their
    last part ("Responder/AuthnFailed"), on the page and in the log."""
    if posted.status == SUCCESS:
        return
    parts = [code.rsplit(":", 1)[-1] for code in (posted.status, posted.sub_status) if code]
    raise refusal(reason="idp_error", code="/".join(parts) or "no_status")


@dataclass(frozen=True)
class Assertion:
    """A verified assertion: its id, how long it stays valid, and who it names."""

    id: str
    not_on_or_after: datetime
    name_id: str | None
    name_id_format: str | None
    attributes: dict[str, list[str]]


def verified_assertion(posted: PostedResponse, acs_url: str, remote_addr: str) -> Assertion:
    """The Response's assertion, once pysaml2 has checked it answers ``posted.in_response_to``
    (which the caller found outstanding), its signature, issuer, audience, lifetime and
    recipient, and we have checked its Destination."""
    client = _client(acs_url)
    try:
        response = client.parse_authn_request_response(
            posted.encoded,
            BINDING_HTTP_POST,
            outstanding={posted.in_response_to: acs_url},
            # Without conv_info pysaml2 skips the Recipient check altogether.
            conv_info={"remote_addr": remote_addr},
        )
    except Exception as error:  # pysaml2 raises many types, some bare Exception
        raise refusal(reason="invalid_response", code=type(error).__name__) from None
    if response is None:
        raise refusal(reason="invalid_response", code="unreadable_response")
    if response.assertion is None:  # pysaml2's answer to a wrong Destination
        raise refusal(reason="invalid_response", code="wrong_destination")
    return _assertion(response)


def _assertion(response: Any) -> Assertion:
    assertion = response.assertion
    # The assertion's own NotOnOrAfter, or its subject confirmation's: kept until both pass.
    ends = [response.not_on_or_after]
    for confirmation in assertion.subject.subject_confirmation:
        data = confirmation.subject_confirmation_data
        if data is not None and data.not_on_or_after:
            ends.append(calendar.timegm(time_util.str_to_time(data.not_on_or_after)))
    name_id = assertion.subject.name_id
    return Assertion(
        id=str(assertion.id),
        not_on_or_after=datetime.fromtimestamp(max(max(ends), time.time()), UTC),
        # The whole text, comments and all skipped (ElementTree joins the text around them).
        name_id=name_id.text.strip() if name_id is not None and name_id.text else None,
        name_id_format=name_id.format if name_id is not None else None,
        attributes={
            name: [str(value) for value in values if isinstance(value, str)]
            for name, values in (response.ava or {}).items()
        },
    )


def identity_of(assertion: Assertion) -> sso_people.SsoIdentity:
    """The assertion read as what the settings match people by."""
    saml = settings()
    assert saml is not None

    def first(attribute: str) -> str | None:
        values = assertion.attributes.get(attribute) or []
        return values[0].strip() if values and values[0].strip() else None

    email, username = first(saml.email_attribute), first(saml.username_attribute)
    if saml.match == "name_id":
        value = assertion.name_id
        if assertion.name_id_format == NAMEID_FORMAT_TRANSIENT:
            raise refusal(reason="name_id_not_persistent")
        if value is not None and len(value) > MAX_NAME_ID_LENGTH:
            raise refusal(reason="name_id_too_long")
    else:
        value = email if saml.match == "email" else username
    if not value:
        missing = "name_id" if saml.match == "name_id" else getattr(saml, f"{saml.match}_attribute")
        raise refusal(reason="missing_attribute", code=f"missing_attribute_{missing}")
    groups = assertion.attributes.get(saml.groups_attribute, []) if saml.groups_attribute else None
    return sso_people.SsoIdentity(
        method="saml",
        subject_column="saml_name_id",
        match="subject" if saml.match == "name_id" else saml.match,
        value=value,
        email=email,
        username=username,
        groups=groups,
    )
