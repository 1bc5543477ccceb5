"""SAML 2.0 sign-in against a real IdP on loopback (``saml_idp.py``): the whole round trip
through the app (redirect to the IdP, the IdP's form posted back to the ACS), and each
answer it must refuse."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from intrapreneur import create_app
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.identity.saml_models import SamlRequest, SamlUsedId
from intrapreneur.settings import load_directory
from intrapreneur.settings.saml import load_saml
from tests.conftest import environment_for
from tests.identity.oidc_provider import silent_server
from tests.identity.saml_idp import (
    IdentityProvider,
    User,
    key_and_certificate,
    posted_form,
    running_idp,
)
from tests.identity.single_sign_on import (
    NOT_IN_DIRECTORY,
    assert_refused_and_logged,
    directory_employee,
    refused_events,
    signed_in_person,
)

SP_ENTITY_ID = "https://intrapreneur.test/sign-in/saml/metadata"
ACS_PATH = "/sign-in/saml/acs"


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    with running_idp() as running:
        yield running


@pytest.fixture(scope="module")
def sp_keys() -> tuple[str, str]:
    return key_and_certificate("intrapreneur-test-sp")


@pytest.fixture
def use_idp(
    app: Flask, idp: IdentityProvider, sp_keys: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., None]:
    """Point the app at the IdP (and register the app there from its metadata URL);
    keyword arguments override INTRAPRENEUR_SAML_* names."""

    def configure(directory: Any = None, **variables: str) -> None:
        env = {
            "INTRAPRENEUR_SAML_IDP_METADATA": f"{idp.url}/metadata",
            "INTRAPRENEUR_SAML_SP_ENTITY_ID": SP_ENTITY_ID,
            "INTRAPRENEUR_SAML_SP_KEY": sp_keys[0],
            "INTRAPRENEUR_SAML_SP_CERT": sp_keys[1],
            "INTRAPRENEUR_SAML_DISPLAY_NAME": "Example Corp",
            "INTRAPRENEUR_SAML_TIMEOUT": "2",
            **{f"INTRAPRENEUR_SAML_{name}": value for name, value in variables.items()},
        }
        monkeypatch.setitem(app.config, "SAML", load_saml(env, directory))
        if directory is not None:
            monkeypatch.setitem(app.config, "DIRECTORY", directory)
        metadata = app.test_client().get("/sign-in/saml/metadata")
        if metadata.status_code == 200:
            idp.register(metadata.get_data(as_text=True))

    return configure


@pytest.fixture
def employee(make_person: Callable[..., Person]) -> Person:
    return directory_employee(make_person)


@dataclass
class Scene:
    app: Flask
    client: FlaskClient
    idp: IdentityProvider
    use_idp: Callable[..., None]
    employee: Person
    caplog: pytest.LogCaptureFixture
    monkeypatch: pytest.MonkeyPatch


@pytest.fixture
def scene(
    app: Flask,
    client: FlaskClient,
    idp: IdentityProvider,
    use_idp: Callable[..., None],
    employee: Person,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Scene]:
    caplog.set_level(logging.INFO, logger="intrapreneur")
    idp.reset()
    yield Scene(app, client, idp, use_idp, employee, caplog, monkeypatch)
    idp.reset()


def start(client: FlaskClient, next_url: str | None = None) -> str:
    """Press the sign-in button: a plain 302 to the IdP with the AuthnRequest."""
    response = client.get("/sign-in/saml", query_string={"next": next_url} if next_url else {})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.location


def at_idp(client: FlaskClient) -> tuple[str, dict[str, str]]:
    """Start, then the IdP's page (fetched over HTTP as the browser would): its form."""
    page = requests.get(start(client), timeout=10)
    assert page.status_code == 200, page.text[:300]
    return posted_form(page.text)


def post_back(client: FlaskClient, form: tuple[str, dict[str, str]]) -> Any:
    """The browser submitting the IdP's form to the app's ACS."""
    action, fields = form
    assert urlsplit(action).path == ACS_PATH
    return client.post(ACS_PATH, data=fields)


def sign_in_at_idp(client: FlaskClient) -> Any:
    return post_back(client, at_idp(client))


def assert_refused(
    response: Any, scene: Scene, shown: str, *, reason: str, status: int = 401
) -> None:
    """A clear page saying ``shown``, nobody signed in, the refusal audited with ``reason``
    and logged, and no assertion in any log line."""
    assert_refused_and_logged(
        response, scene.client, scene.caplog, shown, reason=reason, status=status
    )
    # No logger at all (pysaml2's included) wrote the response or any part of its XML.
    everything = "\n".join(record.getMessage() for record in scene.caplog.records)
    assert "PD94" not in everything and "PHNhbWxw" not in everything  # base64 of "<?x", "<samlp"
    assert not re.search(r"<\w+:(Response|Assertion|NameID)\b", everything)


def test_signing_in_at_the_idp_signs_the_directory_person_in(scene: Scene) -> None:
    scene.use_idp()

    authn_request = start(scene.client, next_url="/account")
    assert authn_request.startswith(f"{scene.idp.url}/sso?SAMLRequest=")
    assert "Signature=" in authn_request  # signed with the SP's key
    action, fields = posted_form(requests.get(authn_request, timeout=10).text)
    sent = scene.idp.requests[-1]
    assert sent.assertion_consumer_service_url == f"http://localhost{ACS_PATH}"
    assert sent.issuer.text == SP_ENTITY_ID
    response = post_back(scene.client, (action, fields))

    assert response.status_code == 302 and response.location == "/account"
    assert signed_in_person(scene.client) == f"{scene.employee.id}.{scene.employee.session_version}"
    signed_in = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.signed_in")
    ).one()
    assert signed_in.details["method"] == "saml"
    # Both the request and the assertion are recorded as used, until the assertion ends.
    used = {row.id.split(":")[0]: row for row in db.session.scalars(select(SamlUsedId))}
    assert set(used) == {"request", "assertion"}
    assert used["assertion"].expires_at > datetime.now(UTC) + timedelta(minutes=3)
    assert db.session.scalar(select(SamlRequest)) is None


def test_a_response_wrapped_in_base64_lines_is_read(scene: Scene) -> None:
    """As some IdPs send it: the base64 text in lines of 76 characters."""
    scene.use_idp()
    action, fields = at_idp(scene.client)
    encoded = fields["SAMLResponse"]
    fields["SAMLResponse"] = "\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))

    response = post_back(scene.client, (action, fields))

    assert response.status_code == 302 and signed_in_person(scene.client) is not None


def _shifted(xml: str, attribute: str, by: timedelta) -> str:
    """Every ``attribute`` time in the Response moved to now + ``by``."""
    when = (datetime.now(UTC) + by).strftime("%Y-%m-%dT%H:%M:%SZ")
    return re.sub(f'{attribute}="[^"]+"', f'{attribute}="{when}"', xml)


def expired(by: timedelta) -> Callable[[str], str]:
    return lambda xml: _shifted(
        _shifted(xml, "NotOnOrAfter", by), "NotBefore", by - timedelta(minutes=10)
    )


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda xml: xml, id="re_signed_unchanged"),
        # The IdP's clock a little behind ours: within the allowed skew of a minute.
        pytest.param(expired(timedelta(seconds=-20)), id="expired_within_the_skew"),
    ],
)
def test_a_re_signed_assertion_with_valid_conditions_is_accepted(
    tamper: Callable[[str], str], scene: Scene
) -> None:
    """The control for the refusals below: tampering and signing again alone change nothing."""
    scene.use_idp()
    scene.idp.tamper = tamper

    response = sign_in_at_idp(scene.client)

    assert response.status_code == 302 and signed_in_person(scene.client) is not None


def _set_idp(**knobs: Any) -> Callable[[IdentityProvider], None]:
    def apply(idp: IdentityProvider) -> None:
        for name, value in knobs.items():
            setattr(idp, name, value(idp) if callable(value) else value)

    return apply


WRONG_ACS = "https://elsewhere.example/sign-in/saml/acs"
REFUSED_RESPONSES: dict[str, tuple[Callable[[IdentityProvider], None], str]] = {
    "unsigned_assertion": (_set_idp(sign_assertion=False), "SignatureError"),
    "wrong_audience": (_set_idp(audience="https://another-app.example"), "Exception"),
    "expired_beyond_the_skew": (
        _set_idp(tamper=lambda idp: expired(timedelta(minutes=-5))),
        "ResponseLifetimeExceed",
    ),
    # Three minutes ahead: beyond the skew, still before the IdP's NotOnOrAfter (five).
    "not_yet_valid": (
        _set_idp(tamper=lambda idp: lambda xml: _shifted(xml, "NotBefore", timedelta(minutes=3))),
        "ToEarly",
    ),
    "wrong_recipient": (
        _set_idp(
            tamper=lambda idp: (
                lambda xml: re.sub('Recipient="[^"]+"', f'Recipient="{WRONG_ACS}"', xml)
            )
        ),
        "VerificationError",
    ),
    "wrong_destination": (
        _set_idp(
            tamper=lambda idp: (
                lambda xml: re.sub('Destination="[^"]+"', f'Destination="{WRONG_ACS}"', xml)
            )
        ),
        "wrong_destination",
    ),
    "wrong_issuer": (
        _set_idp(
            tamper=lambda idp: (
                lambda xml: xml.replace(f">{idp.entity_id}<", ">https://idp.evil.example/metadata<")
            )
        ),
        # No key for that issuer in the metadata.
        "MissingKey",
    ),
    "foreign_signing_key": (_set_idp(signing_server=lambda idp: idp.impostor), "SignatureError"),
    # An attribute changed after the IdP signed, without signing again.
    "altered_after_signing": (
        _set_idp(
            tamper=lambda idp: lambda xml: xml.replace("ann@corp.example", "bob@corp.example"),
            sign_assertion=False,
        ),
        "SignatureError",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED_RESPONSES))
def test_a_response_failing_a_check_is_refused(name: str, scene: Scene) -> None:
    """Each response comes from the IdP's form, changed as named (see saml_idp.py)."""
    set_up, code = REFUSED_RESPONSES[name]
    scene.use_idp()
    set_up(scene.idp)

    response = sign_in_at_idp(scene.client)

    assert_refused(response, scene, f"error code: {code})", reason="saml_invalid_response")


def test_the_idps_error_status_is_shown_with_its_code(scene: Scene) -> None:
    scene.use_idp()
    scene.idp.error = ("urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", "wrong password")

    response = sign_in_at_idp(scene.client)

    assert_refused(response, scene, "error code: Responder/AuthnFailed", reason="saml_idp_error")


def test_the_same_response_posted_twice_is_refused_the_second_time(scene: Scene) -> None:
    scene.monkeypatch.setitem(scene.app.config, "WTF_CSRF_ENABLED", False)
    scene.use_idp()
    form = at_idp(scene.client)
    cookie = scene.client.get_cookie("intrapreneur_saml", path=ACS_PATH)
    assert cookie is not None
    assert post_back(scene.client, form).status_code == 302
    scene.client.post("/sign-out")
    # The browser's cookie for the round trip back, as a replaying attacker would keep it.
    scene.client.set_cookie("intrapreneur_saml", cookie.value, path=ACS_PATH)

    again = post_back(scene.client, form)

    assert_refused(again, scene, "error code: response_already_used", reason="saml_replayed")


def test_a_replay_is_refused_by_another_web_process(scene: Scene, tmp_path: Path) -> None:
    """The used IDs are in the database: a second app (another process's memory, its own
    pysaml2 client and cache) refuses the response the first one accepted."""
    scene.use_idp()
    form = at_idp(scene.client)
    assert post_back(scene.client, form).status_code == 302
    other = create_app(
        environment_for(scene.app.config["SQLALCHEMY_DATABASE_URI"], tmp_path), TESTING=True
    )
    other.config["SAML"] = scene.app.config["SAML"]
    other.config["DIRECTORY"] = scene.app.config["DIRECTORY"]
    browser = other.test_client()

    with other.app_context():
        again = browser.post(ACS_PATH, data=form[1])

    assert again.status_code == 401
    assert "error code: response_already_used" in again.get_data(as_text=True)
    assert refused_events()[-1].details["reason"] == "saml_replayed"


def test_the_assertion_moved_into_a_response_to_a_new_request_is_refused(scene: Scene) -> None:
    """The signed assertion taken from a used response and sent as the answer to a request
    the attacker started since: the Response's InResponseTo is not signed, the assertion is
    (and its ID is recorded as used)."""
    scene.monkeypatch.setitem(scene.app.config, "WTF_CSRF_ENABLED", False)
    scene.use_idp()
    action, fields = at_idp(scene.client)
    assert post_back(scene.client, (action, fields)).status_code == 302
    scene.client.post("/sign-out")
    old = base64.b64decode(fields["SAMLResponse"]).decode()
    old_request = re.search(r'InResponseTo="([^"]+)"', old)
    assert old_request is not None
    start(scene.client)  # a new request, outstanding for this browser
    new_request = db.session.scalars(select(SamlRequest)).one().id
    moved = old.replace(
        f'InResponseTo="{old_request.group(1)}"', f'InResponseTo="{new_request}"', 1
    )

    response = scene.client.post(
        ACS_PATH, data={"SAMLResponse": base64.b64encode(moved.encode()).decode()}
    )

    assert response.status_code == 401 and signed_in_person(scene.client) is None
    assert refused_events()[-1].details["reason"] in ("saml_invalid_response", "saml_replayed")


def test_a_response_nobody_asked_for_is_refused(scene: Scene) -> None:
    """IdP-initiated (no InResponseTo), or answering a request this app never sent."""
    scene.use_idp()
    scene.idp.tamper = lambda xml: re.sub(r' InResponseTo="[^"]+"', "", xml)
    response = sign_in_at_idp(scene.client)
    assert_refused(response, scene, "error code: unsolicited_response", reason="saml_unsolicited")

    scene.idp.tamper = None
    form = at_idp(scene.client)
    db.session.execute(delete(SamlRequest))  # as if never sent, or expired and purged
    db.session.commit()
    response = post_back(scene.client, form)
    assert_refused(response, scene, "error code: no_outstanding_request", reason="saml_unsolicited")


def test_a_response_posted_from_another_browser_is_refused(scene: Scene, app: Flask) -> None:
    """A response to a request someone else's browser started (login CSRF: the attacker's
    own sign-in posted into the victim's browser) does not carry that browser's cookie."""
    scene.use_idp()
    attackers_form = at_idp(app.test_client())

    response = post_back(scene.client, attackers_form)

    assert_refused(
        response, scene, "error code: request_from_another_browser", reason="saml_other_browser"
    )


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><samlp:Response '
    'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol2;</samlp:Response>'
)


@pytest.mark.parametrize(
    "posted",
    [
        {},
        {"SAMLResponse": "not base64 at all!"},
        {"SAMLResponse": base64.b64encode(b"<samlp:Response unclosed").decode()},
        {"SAMLResponse": base64.b64encode(b"<html>an IdP's error page</html>").decode()},
        {"SAMLResponse": base64.b64encode(BILLION_LAUGHS.encode()).decode()},
    ],
    ids=["missing", "not_base64", "not_xml", "not_a_response", "entities"],
)
def test_a_malformed_response_gets_a_clear_400(posted: dict[str, str], scene: Scene) -> None:
    scene.use_idp()
    start(scene.client)

    response = scene.client.post(ACS_PATH, data=posted)

    assert_refused(response, scene, "not readable", reason="saml_malformed_response", status=400)


def test_a_comment_inside_the_name_id_does_not_cut_it_short(scene: Scene) -> None:
    """The IdP signed the NameID ``ann@corp.example.evil.test`` (Mallory's account); a
    comment added after signing leaves the signature valid (comments are not signed) and
    would make a parser reading the first text node see Ann's NameID."""
    scene.employee.saml_name_id = "ann@corp.example"
    db.session.commit()
    scene.use_idp(MATCH="name_id")
    scene.idp.user = User("ann@corp.example.evil.test", {"email": ["mallory@evil.test"]})
    scene.idp.tamper = lambda xml: xml.replace(
        "ann@corp.example.evil.test<", "ann@corp.example<!---->.evil.test<"
    )

    response = sign_in_at_idp(scene.client)

    assert_refused(response, scene, NOT_IN_DIRECTORY, reason="saml_unknown_person", status=403)


def test_a_person_the_directory_does_not_provide_is_refused(scene: Scene) -> None:
    scene.use_idp()
    scene.idp.user = User("nobody-id", {"email": ["nobody@corp.example"]})

    response = sign_in_at_idp(scene.client)

    assert_refused(response, scene, NOT_IN_DIRECTORY, reason="saml_unknown_person", status=403)


def test_a_missing_match_attribute_is_refused_with_its_name(scene: Scene) -> None:
    scene.use_idp()
    scene.idp.user = User("ann-id", {"displayName": ["Ann"]})

    response = sign_in_at_idp(scene.client)

    assert_refused(response, scene, "missing_attribute_email", reason="saml_missing_attribute")


def test_guests_and_local_accounts_never_match(
    make_person: Callable[..., Person], scene: Scene
) -> None:
    admin = make_person(Role.ADMIN, email="root@corp.example")
    guest = make_person(kind=PersonKind.GUEST, email="guest@guest.example")
    scene.use_idp()

    for person in (admin, guest):
        assert person.email is not None
        scene.idp.user = User(f"id-{person.id}", {"email": [person.email]})
        response = sign_in_at_idp(scene.client)
        assert_refused(response, scene, NOT_IN_DIRECTORY, reason="saml_unknown_person", status=403)


# -- who signs in ----------------------------------------------------------------------------


def test_the_name_id_is_stored_at_the_first_sign_in_and_matched_from_then_on(
    scene: Scene,
) -> None:
    scene.monkeypatch.setitem(scene.app.config, "WTF_CSRF_ENABLED", False)
    scene.use_idp(MATCH="name_id")
    scene.idp.user = User("ann-persistent", {"email": [scene.employee.email or ""]})
    assert sign_in_at_idp(scene.client).status_code == 302
    db.session.refresh(scene.employee)
    assert scene.employee.saml_name_id == "ann-persistent"
    scene.client.post("/sign-out")

    # The IdP now sends another address: the stored NameID, not the email, decides.
    scene.idp.user = User("ann-persistent", {"email": ["someone@corp.example"]})
    again = sign_in_at_idp(scene.client)

    assert again.status_code == 302
    db.session.refresh(scene.employee)
    assert signed_in_person(scene.client) == f"{scene.employee.id}.{scene.employee.session_version}"


def test_another_name_id_for_a_linked_person_is_refused(scene: Scene) -> None:
    scene.employee.saml_name_id = "ann-persistent"
    db.session.commit()
    scene.use_idp(MATCH="name_id")
    scene.idp.user = User("impostor", {"email": [scene.employee.email or ""]})

    response = sign_in_at_idp(scene.client)

    assert_refused(response, scene, NOT_IN_DIRECTORY, reason="saml_subject_mismatch", status=403)


def test_an_unknown_person_the_directory_knows_is_provisioned(
    use_directory: Callable[..., Any], scene: Scene
) -> None:
    """As the password sign-in does: looked up by username in the real directory, created
    with its fields and roles (Alice is in the hr group)."""
    directory = use_directory()
    scene.use_idp(directory=directory, MATCH="username", USERNAME_ATTRIBUTE="uid")
    scene.idp.user = User("alice-id", {"uid": ["alice"]})

    response = sign_in_at_idp(scene.client)

    assert response.status_code == 302
    alice = db.session.scalars(select(Person).where(Person.username == "alice")).one()
    assert alice.display_name == "Alice Archer" and Role.HR in alice.role_names
    assert signed_in_person(scene.client) == f"{alice.id}.{alice.session_version}"


def test_roles_come_from_the_groups_attribute_through_the_role_map(scene: Scene) -> None:
    directory = load_directory(
        {
            "INTRAPRENEUR_LDAP_URL": "ldap://127.0.0.1:1",
            "INTRAPRENEUR_LDAP_USER_BASE": "ou=people,dc=corp,dc=example",
            "INTRAPRENEUR_LDAP_ROLE_MAP": '{"hr": ["HR-Team"], "admin": ["App-Admins"]}',
        }
    )
    scene.use_idp(directory=directory, GROUPS_ATTRIBUTE="groups")
    scene.idp.user = User(
        "ann-id", {"email": [scene.employee.email or ""], "groups": ["hr-team", "Sales"]}
    )

    response = sign_in_at_idp(scene.client)

    assert response.status_code == 302
    db.session.refresh(scene.employee)
    assert scene.employee.role_names == {Role.EMPLOYEE, Role.HR}
    changed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.roles_changed")
    ).one()
    assert changed.details["added"] == ["hr"] and changed.details["source"] == "saml"


def test_a_switched_off_person_is_refused_as_at_the_password_sign_in(scene: Scene) -> None:
    scene.employee.active = False
    db.session.commit()
    scene.use_idp()

    response = sign_in_at_idp(scene.client)

    assert_refused(response, scene, "switched off", reason="inactive")


# -- the routes around it ------------------------------------------------------------------


def test_every_saml_route_answers_404_until_saml_is_configured(client: FlaskClient) -> None:
    for path in ("/sign-in/saml", "/sign-in/saml/metadata"):
        assert client.get(path).status_code == 404
    assert client.post(ACS_PATH, data={"SAMLResponse": "x"}).status_code == 404


def test_the_metadata_names_the_entity_the_acs_and_the_signing_certificate(
    scene: Scene, sp_keys: tuple[str, str]
) -> None:
    scene.use_idp()

    response = scene.client.get("/sign-in/saml/metadata")

    document = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "application/samlmetadata+xml"
    assert f'entityID="{SP_ENTITY_ID}"' in document
    assert f'Location="http://localhost{ACS_PATH}"' in document
    assert "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" in document
    assert 'WantAssertionsSigned="true"' in document
    certificate = "".join(sp_keys[1].strip().splitlines()[1:-1])
    assert certificate in document.replace("\n", "")
    assert "PRIVATE KEY" not in document
    assert re.search(r"<\w+:Signature ", document)  # signed with the SP's key


def test_the_round_trip_cookie_is_limited_to_the_acs_and_sent_cross_site(scene: Scene) -> None:
    scene.use_idp()

    response = scene.client.get("/sign-in/saml")

    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("intrapreneur_saml=")
    for part in ("Secure", "HttpOnly", "SameSite=None", f"Path={ACS_PATH}", "Max-Age=600"):
        assert part in cookie


def test_the_sign_in_page_shows_the_button_and_keeps_the_form_for_local_accounts(
    scene: Scene,
) -> None:
    scene.use_idp()
    scene.monkeypatch.setitem(scene.app.config, "PASSWORD_SIGN_IN", False)

    page = scene.client.get("/sign-in", query_string={"next": "/account"}).get_data(as_text=True)

    assert 'href="/sign-in/saml?next=/account"' in page and "Sign in with Example Corp" in page
    assert "company username and password" not in page
    assert 'name="password"' in page


def test_an_idp_whose_metadata_does_not_answer_is_reported_as_down(scene: Scene) -> None:
    with silent_server() as silent:
        scene.use_idp(IDP_METADATA=f"{silent}/metadata", TIMEOUT="0.5")
        response = scene.client.get("/sign-in/saml")

    assert_refused(response, scene, "not answering right now", reason="saml_timeout", status=503)
