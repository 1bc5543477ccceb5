"""A real SAML 2.0 identity provider on loopback for the sign-in tests: pysaml2's own IdP
(``saml2.server.Server``) behind a small WSGI app in a thread, with a key and certificate
generated when the tests start (nothing private is committed).

``GET /metadata`` serves its metadata; ``GET /sso`` takes the app's AuthnRequest
(HTTP-Redirect), checks it as an IdP does and answers as the IdP's page would: a form that
posts the signed Response to the ACS URL the request names. What it answers with is the
test's to change: ``user`` (the NameID and attributes), ``sign_assertion``, ``audience``,
``error`` (a failed status instead of an assertion), and ``tamper``: a change to the signed
Response's XML after which the assertion is signed again, with the IdP's key or with
``signing_server``'s (another IdP's, for a foreign key), so the refused response travels
the real path: the IdP's form, the app's ACS, pysaml2, our checks.
"""

from __future__ import annotations

import base64
import html
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID
from defusedxml.ElementTree import fromstring
from saml2 import BINDING_HTTP_REDIRECT, class_name, saml
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.sigver import get_xmlsec_binary

from tests.identity.single_sign_on import served

with warnings.catch_warnings():
    # pysaml2's IdP module names a cipher mode cryptography has moved (AES-CFB, unused here).
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    from saml2.server import Server

ASSERTION_NS = "{urn:oasis:names:tc:SAML:2.0:assertion}"
PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


def key_and_certificate(common_name: str) -> tuple[str, str]:
    """A fresh RSA key and a self-signed certificate for it (PEM), for this test run only."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


def _server(entity_id: str, url: str, directory: Path) -> Server:
    key, cert = key_and_certificate(entity_id)
    (directory / "idp.key").write_text(key)
    (directory / "idp.crt").write_text(cert)
    config = IdPConfig().load(
        {
            "entityid": entity_id,
            "xmlsec_binary": get_xmlsec_binary(),
            "key_file": str(directory / "idp.key"),
            "cert_file": str(directory / "idp.crt"),
            "metadata": {},
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(f"{url}/sso", BINDING_HTTP_REDIRECT)]
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {"default": {"lifetime": {"minutes": 5}}},
                }
            },
        }
    )
    return Server(config=config)


@dataclass
class User:
    """Who signs in at the IdP: the NameID it sends and the attributes."""

    name_id: str
    attributes: dict[str, list[str]] = field(default_factory=dict)


Tamper = Callable[[str], str]


class IdentityProvider:
    """The IdP's WSGI app, with the test's changes applied to what it answers."""

    def __init__(self, url: str, directory: Path) -> None:
        self.url = url
        self.entity_id = f"{url}/metadata"
        self.server = _server(self.entity_id, url, directory / "idp")
        # Another IdP claiming to be this one, signing with its own key.
        self.impostor = _server(self.entity_id, url, directory / "impostor")
        self.user = User("ann-persistent-id", {"email": ["ann@corp.example"]})
        self.sign_assertion = True
        self.audience: str | None = None
        self.error: tuple[str, str] | None = None
        self.tamper: Tamper | None = None
        self.signing_server: Server | None = None
        # The AuthnRequests received, as pysaml2 read them.
        self.requests: list[Any] = []

    def metadata(self) -> str:
        return create_metadata_string(None, config=self.server.config, valid=None).decode()

    def register(self, sp_metadata: str) -> None:
        """The administrator registering the app at the IdP, from its metadata URL's answer."""
        self.server.metadata.load("inline", sp_metadata)

    def reset(self) -> None:
        self.user = User("ann-persistent-id", {"email": ["ann@corp.example"]})
        self.sign_assertion, self.audience, self.error = True, None, None
        self.tamper, self.signing_server = None, None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        if path == "/metadata":
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [self.metadata().encode()]
        if path == "/sso":
            query = {k: v[0] for k, v in parse_qs(environ["QUERY_STRING"]).items()}
            page = self._answer(query["SAMLRequest"])
            start_response("200 OK", [("Content-Type", "text/html")])
            return [page.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not here"]

    def _answer(self, saml_request: str) -> str:
        request = self.server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        self.requests.append(request)
        acs_url = request.assertion_consumer_service_url
        if self.error is not None:
            response = str(self.server.create_error_response(request.id, acs_url, self.error))
        else:
            response = self._response(request, acs_url)
        return self.form(acs_url, response)

    def _response(self, request: Any, acs_url: str) -> str:
        response = str(
            self.server.create_authn_response(
                identity=self.user.attributes,
                in_response_to=request.id,
                destination=acs_url,
                sp_entity_id=self.audience or request.issuer.text,
                name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=self.user.name_id),
                authn={"class_ref": PASSWORD_CLASS},
                sign_assertion=self.sign_assertion,
                sign_response=False,
            )
        )
        if self.tamper is None and self.signing_server is None:
            return response
        response = (self.tamper or (lambda xml: xml))(response)
        if not self.sign_assertion:
            return response
        signer = self.signing_server or self.server
        assertion = fromstring(response.encode()).find(f"{ASSERTION_NS}Assertion")
        assert assertion is not None
        return str(
            signer.sec.sign_statement(
                response, class_name(saml.Assertion()), node_id=assertion.get("ID")
            )
        )

    @staticmethod
    def form(acs_url: str, response: str) -> str:
        encoded = base64.b64encode(response.encode()).decode()
        return (
            f'<form method="post" action="{html.escape(acs_url)}">'
            f'<input type="hidden" name="SAMLResponse" value="{encoded}">'
            '<input type="hidden" name="RelayState" value="">'
            '<button type="submit">Continue</button></form>'
        )


def posted_form(page: str) -> tuple[str, dict[str, str]]:
    """The IdP page's form: where it posts, and its fields (as a browser would send them)."""
    action = re.search(r'action="([^"]+)"', page)
    assert action is not None, page[:300]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
    return html.unescape(action.group(1)), fields


@contextmanager
def running_idp() -> Iterator[IdentityProvider]:
    with tempfile.TemporaryDirectory(prefix="saml-idp-") as directory:
        for name in ("idp", "impostor"):
            (Path(directory) / name).mkdir()
        # The IdP's entity id names its port: the app answers once the port is known.
        holder: dict[str, IdentityProvider] = {}
        with served(lambda env, start: holder["idp"](env, start), "127.0.0.1") as port:
            holder["idp"] = IdentityProvider(f"http://127.0.0.1:{port}", Path(directory))
            yield holder["idp"]
