"""OpenID Connect sign-in against a real provider on loopback (``oidc_provider.py``): the
whole authorisation code flow through the app, and each token or answer it must refuse."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from joserfc.jwk import RSAKey
from sqlalchemy import select

from intrapreneur import create_app
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.settings import load_directory
from intrapreneur.settings.oidc import load_oidc
from tests.conftest import GUEST_PASSWORD, environment_for, sign_in_as
from tests.identity.oidc_provider import (
    REDIRECTING,
    Claims,
    Provider,
    expiring_provider,
    query_of,
    running_provider,
    silent_server,
    unsigned,
)
from tests.identity.single_sign_on import (
    NOT_IN_DIRECTORY,
    assert_refused_and_logged,
    directory_employee,
    signed_in_person,
)

# The provider (in its own thread) runs on APIs its Authlib version deprecates; our side must not.
pytestmark = pytest.mark.filterwarnings(
    "ignore:get_jwt_config:DeprecationWarning", "ignore:get_audiences:DeprecationWarning"
)

CLIENT_ID = "intrapreneur-test"
SECRET_MARKERS = ("eyJ", "code=", "client-secret")


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture
def use_provider(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Point the app at a provider; keyword arguments override INTRAPRENEUR_OIDC_* names."""

    def configure(issuer: str, directory: Any = None, **variables: str) -> None:
        env = {
            "INTRAPRENEUR_OIDC_ISSUER": issuer,
            "INTRAPRENEUR_OIDC_CLIENT_ID": CLIENT_ID,
            "INTRAPRENEUR_OIDC_CLIENT_SECRET": "client-secret",
            "INTRAPRENEUR_OIDC_DISPLAY_NAME": "Example Corp",
            "INTRAPRENEUR_OIDC_TIMEOUT": "1",
            **{f"INTRAPRENEUR_OIDC_{name}": value for name, value in variables.items()},
        }
        monkeypatch.setitem(app.config, "OIDC", load_oidc(env, directory))
        if directory is not None:
            monkeypatch.setitem(app.config, "DIRECTORY", directory)

    return configure


@pytest.fixture
def employee(make_person: Callable[..., Person]) -> Person:
    return directory_employee(make_person)


@dataclass
class Scene:
    """What most tests here use: the app and its client, the provider, the employee the
    directory provided, and the captured log."""

    app: Flask
    client: FlaskClient
    provider: Provider
    use_provider: Callable[..., None]
    employee: Person
    caplog: pytest.LogCaptureFixture
    monkeypatch: pytest.MonkeyPatch


@pytest.fixture
def scene(
    app: Flask,
    client: FlaskClient,
    provider: Provider,
    use_provider: Callable[..., None],
    employee: Person,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> Scene:
    caplog.set_level(logging.INFO, logger="intrapreneur")
    return Scene(app, client, provider, use_provider, employee, caplog, monkeypatch)


def start(client: FlaskClient, next_url: str | None = None) -> str:
    """Press the sign-in button: the app answers with a plain 302 to the provider."""
    response = client.get("/sign-in/oidc", query_string={"next": next_url} if next_url else {})
    assert response.status_code == 302
    return response.location


def sign_in_at_provider(client: FlaskClient, provider: Provider, sub: str, **claims: Any) -> Any:
    provider.set_user(sub, **claims)
    return client.get(provider.answer(start(client), sub=sub))


def test_sign_in_with_the_provider_signs_the_directory_person_in(scene: Scene) -> None:
    scene.use_provider(scene.provider.url)

    authorisation = start(scene.client, next_url="/account")
    asked = query_of(authorisation)
    assert authorisation.startswith(f"{scene.provider.url}/oauth2/authorize?")
    assert asked["client_id"] == CLIENT_ID
    assert asked["code_challenge_method"] == "S256" and asked["code_challenge"]
    assert asked["state"] and asked["nonce"]
    scene.provider.set_user("ann-at-idp", email="ANN@corp.example")
    response = scene.client.get(scene.provider.answer(authorisation, sub="ann-at-idp"))

    assert response.status_code == 302 and response.location == "/account"
    assert signed_in_person(scene.client) == f"{scene.employee.id}.{scene.employee.session_version}"
    signed_in = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.signed_in")
    ).one()
    assert signed_in.details["method"] == "oidc"


def test_the_sign_in_page_shows_the_button_and_keeps_the_form_for_local_accounts(
    scene: Scene,
) -> None:
    without = scene.client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with" not in without and "company username and password" in without

    scene.use_provider(scene.provider.url)
    scene.monkeypatch.setitem(scene.app.config, "PASSWORD_SIGN_IN", False)
    page = scene.client.get("/sign-in").get_data(as_text=True)

    assert 'href="/sign-in/oidc"' in page and "Sign in with Example Corp" in page
    assert "company username and password" not in page
    assert 'name="password"' in page  # guests and the break-glass admin still sign in here


def test_a_directory_password_is_refused_when_password_sign_in_is_off(
    use_directory: Callable[..., Any], make_guest: Callable[..., Person], scene: Scene
) -> None:
    """With INTRAPRENEUR_PASSWORD_SIGN_IN=false a right directory password signs nobody in,
    while a guest's local password still does."""
    use_directory()
    scene.monkeypatch.setitem(scene.app.config, "WTF_CSRF_ENABLED", False)
    scene.monkeypatch.setitem(scene.app.config, "PASSWORD_SIGN_IN", False)

    refused = scene.client.post("/sign-in", data={"login": "bob", "password": "bob-Secret-Pass-1"})

    assert refused.status_code == 401 and signed_in_person(scene.client) is None
    guest = make_guest()
    allowed = scene.client.post("/sign-in", data={"login": guest.email, "password": GUEST_PASSWORD})
    assert allowed.status_code == 302 and signed_in_person(scene.client) is not None


def assert_refused(
    response: Any, scene: Scene, shown: str, *, reason: str, status: int = 401
) -> None:
    """A clear page saying ``shown`` (the provider's error code, where there is one), nobody
    signed in, the refusal audited with ``reason`` (one of a fixed few) and logged, and no
    token, code or secret in any log line."""
    logged = assert_refused_and_logged(
        response, scene.client, scene.caplog, shown, reason=reason, status=status
    )
    assert not any(marker in logged for marker in SECRET_MARKERS)


def test_the_provider_refusing_shows_its_error_code(scene: Scene) -> None:
    scene.use_provider(scene.provider.url)

    response = scene.client.get(scene.provider.answer(start(scene.client), sub=None))

    assert_refused(response, scene, "access_denied", reason="oidc_provider_error")


def test_a_callback_without_state_is_refused(scene: Scene) -> None:
    scene.use_provider(scene.provider.url)
    scene.provider.set_user("ann-at-idp", email=scene.employee.email)
    callback = scene.provider.answer(start(scene.client), sub="ann-at-idp")

    response = scene.client.get(callback.replace("state=", "ignored="))

    assert_refused(response, scene, "mismatching_state", reason="oidc_state_mismatch")


def test_a_replayed_callback_is_refused(scene: Scene) -> None:
    """The state is used up by the first callback; and replayed with the cookie from before
    it (which still holds the state), the code is used up at the provider."""
    scene.use_provider(scene.provider.url)
    scene.provider.set_user("ann-at-idp", email=scene.employee.email)
    callback = scene.provider.answer(start(scene.client), sub="ann-at-idp")
    cookie_before = scene.client.get_cookie("session")
    assert cookie_before is not None
    assert scene.client.get(callback).status_code == 302
    scene.client.delete_cookie("session")  # signed out, as a new browser would be

    again = scene.client.get(callback)

    assert_refused(again, scene, "mismatching_state", reason="oidc_state_mismatch")
    scene.client.set_cookie("session", cookie_before.value)
    with_old_cookie = scene.client.get(callback)
    assert_refused(with_old_cookie, scene, "invalid_grant", reason="oidc_provider_error")


def _signed_in_with(scene: Scene, rewrite: Any) -> Any:
    """The employee's sign-in, with the ID token the provider issues passed through ``rewrite``."""
    scene.provider.rewrite = rewrite
    try:
        return sign_in_at_provider(
            scene.client, scene.provider, "ann-at-idp", email=scene.employee.email
        )
    finally:
        scene.provider.rewrite = None


def rewritten(change: Callable[[Claims], Claims], key: RSAKey | None = None) -> Any:
    return lambda claims, provider: provider.sign(change(claims), key)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda claims: claims, id="unchanged"),
        # The provider's clock a little ahead of ours: within the allowed skew of a minute.
        pytest.param(lambda claims: {**claims, "exp": claims["iat"] - 20}, id="within_skew"),
    ],
)
def test_a_re_signed_token_with_valid_claims_is_accepted(
    change: Callable[[Claims], Claims], scene: Scene
) -> None:
    """The control for the refusals below: re-signing alone changes nothing."""
    scene.use_provider(scene.provider.url)
    response = _signed_in_with(scene, rewritten(change))

    assert response.status_code == 302 and signed_in_person(scene.client) is not None


REFUSED_TOKENS = {
    # Another client's token naming us as authorised party: Authlib alone would take it.
    "wrong_audience": (
        rewritten(lambda claims: {**claims, "aud": "another-app", "azp": CLIENT_ID}),
        "invalid_claim",
    ),
    "wrong_issuer": (
        rewritten(lambda claims: {**claims, "iss": "https://idp.evil.example"}),
        "invalid_claim",
    ),
    "wrong_nonce": (rewritten(lambda claims: {**claims, "nonce": "not-ours"}), "invalid_claim"),
    "no_nonce": (
        rewritten(lambda claims: {k: v for k, v in claims.items() if k != "nonce"}),
        "missing_claim",
    ),
    "foreign_key": (
        rewritten(lambda claims: claims, RSAKey.generate_key(2048, parameters={"kid": "test-key"})),
        "bad_signature",
    ),
    "expired_beyond_the_leeway": (
        rewritten(lambda claims: {**claims, "exp": claims["iat"] - 90}),
        "expired_token",
    ),
    "malformed": (lambda claims, provider: "not.a-token", "decode_error"),
}


@pytest.mark.parametrize("name", sorted(REFUSED_TOKENS))
def test_a_token_failing_a_check_is_refused(name: str, scene: Scene) -> None:
    """Each token comes from the provider's token endpoint, with one claim or the signature
    changed and signed again with the key the provider publishes (see oidc_provider.py)."""
    rewrite, code = REFUSED_TOKENS[name]
    scene.use_provider(scene.provider.url)
    response = _signed_in_with(scene, rewrite)

    assert_refused(response, scene, code, reason="oidc_invalid_id_token")


def test_an_unsigned_token_is_refused_even_when_the_provider_offers_none(scene: Scene) -> None:
    """The discovery document lists "none" (and HS256) beside RS256; only public-key
    signatures count, so an ``alg: none`` token is refused."""
    scene.use_provider(scene.provider.url)
    scene.provider.discovery_changes = {
        "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"]
    }
    try:
        response = _signed_in_with(scene, lambda claims, _: unsigned(claims))
    finally:
        scene.provider.discovery_changes = {}

    assert_refused(response, scene, "unsupported_algorithm", reason="oidc_invalid_id_token")


def test_a_token_expired_by_the_provider_is_refused(scene: Scene) -> None:
    """The mock itself issues tokens that expired ten minutes ago."""
    with expiring_provider() as expiring:
        scene.use_provider(expiring.url)
        response = sign_in_at_provider(
            scene.client, expiring, "ann-at-idp", email=scene.employee.email
        )

    assert_refused(response, scene, "expired_token", reason="oidc_invalid_id_token")


def test_a_provider_that_does_not_answer_is_reported_as_down(scene: Scene) -> None:
    with silent_server() as silent:
        scene.use_provider(silent, TIMEOUT="0.5")
        response = scene.client.get("/sign-in/oidc")

    assert_refused(response, scene, "not answering right now", reason="oidc_timeout", status=503)


def test_a_discovery_document_of_another_issuer_is_refused(scene: Scene) -> None:
    """The discovery document at the configured issuer names another issuer."""
    scene.use_provider(scene.provider.url)
    scene.provider.discovery_changes = {"issuer": "https://idp.evil.example"}
    try:
        response = scene.client.get("/sign-in/oidc")
    finally:
        scene.provider.discovery_changes = {}

    assert_refused(
        response, scene, "discovery_issuer_mismatch", reason="oidc_discovery_issuer_mismatch"
    )


def test_a_provider_hanging_on_the_token_request_is_reported_as_down(scene: Scene) -> None:
    """The timeout holds for the token request too, which Authlib's own option did not reach."""
    scene.use_provider(scene.provider.url, TIMEOUT="0.5")
    scene.provider.token_held = threading.Event()
    try:
        response = sign_in_at_provider(
            scene.client, scene.provider, "ann-at-idp", email=scene.employee.email
        )
    finally:
        scene.provider.token_held.set()
        scene.provider.token_held = None

    assert_refused(response, scene, "not answering right now", reason="oidc_timeout", status=503)


# -- who signs in ----------------------------------------------------------------------------


def test_the_subject_is_stored_at_the_first_sign_in_and_matched_from_then_on(scene: Scene) -> None:
    scene.monkeypatch.setitem(scene.app.config, "WTF_CSRF_ENABLED", False)
    scene.use_provider(scene.provider.url, MATCH_CLAIM="sub")
    assert (
        sign_in_at_provider(
            scene.client, scene.provider, "ann-sub", email=scene.employee.email
        ).status_code
        == 302
    )
    db.session.refresh(scene.employee)
    assert scene.employee.oidc_subject == "ann-sub"
    scene.client.post("/sign-out")
    scene.employee.email = "ann.renamed@corp.example"  # the directory renamed her
    db.session.commit()

    # The scene.provider still has her old address: the stored subject, not the email, decides.
    again = sign_in_at_provider(
        scene.client, scene.provider, "ann-sub", email="someone@corp.example"
    )

    assert again.status_code == 302
    assert signed_in_person(scene.client) == f"{scene.employee.id}.{scene.employee.session_version}"


def test_another_subject_for_a_linked_person_is_refused(scene: Scene) -> None:
    scene.employee.oidc_subject = "ann-sub"
    db.session.commit()
    scene.use_provider(scene.provider.url, MATCH_CLAIM="sub")

    response = sign_in_at_provider(
        scene.client, scene.provider, "impostor-sub", email=scene.employee.email
    )

    assert_refused(response, scene, NOT_IN_DIRECTORY, reason="oidc_subject_mismatch", status=403)


def test_preferred_username_matches_the_directory_username(scene: Scene) -> None:
    scene.use_provider(scene.provider.url, MATCH_CLAIM="preferred_username")

    response = sign_in_at_provider(scene.client, scene.provider, "x1", preferred_username="ANN")

    assert response.status_code == 302
    assert signed_in_person(scene.client) == f"{scene.employee.id}.{scene.employee.session_version}"


@pytest.mark.parametrize(
    ("claims", "shown", "reason", "status"),
    [
        ({"email": "nobody@corp.example"}, NOT_IN_DIRECTORY, "oidc_unknown_person", 403),
        (
            {"email": "ann@corp.example", "email_verified": False},
            "email_not_verified",
            "oidc_email_not_verified",
            401,
        ),
        ({"name": "No Email"}, "missing_claim_email", "oidc_missing_claim", 401),
    ],
)
def test_a_person_the_directory_does_not_provide_is_refused(
    claims: dict[str, Any], shown: str, reason: str, status: int, scene: Scene
) -> None:
    scene.use_provider(scene.provider.url)

    response = sign_in_at_provider(scene.client, scene.provider, "someone", **claims)

    assert_refused(response, scene, shown, reason=reason, status=status)


def test_guests_and_local_accounts_never_match(
    make_person: Callable[..., Person], scene: Scene
) -> None:
    """The break-glass admin and guests sign in with their passwords only, even when the
    provider names their address."""
    admin = make_person(Role.ADMIN, email="root@corp.example")
    guest = make_person(kind=PersonKind.GUEST, email="guest@guest.example")
    scene.use_provider(scene.provider.url)

    for person in (admin, guest):
        assert person.email is not None
        response = sign_in_at_provider(
            scene.client, scene.provider, person.email, email=person.email
        )
        assert_refused(response, scene, NOT_IN_DIRECTORY, reason="oidc_unknown_person", status=403)


def test_a_switched_off_person_is_refused_as_at_the_password_sign_in(scene: Scene) -> None:
    scene.employee.active = False
    db.session.commit()
    scene.use_provider(scene.provider.url)

    response = sign_in_at_provider(
        scene.client, scene.provider, "ann-at-idp", email=scene.employee.email
    )

    assert_refused(response, scene, "switched off", reason="inactive")


def test_an_unknown_person_the_directory_knows_is_provisioned(
    use_directory: Callable[..., Any], scene: Scene
) -> None:
    """As the password sign-in does: looked up by username, created with the directory's
    fields and roles (Alice is in the hr group)."""
    directory = use_directory()
    scene.use_provider(scene.provider.url, directory=directory, MATCH_CLAIM="preferred_username")

    response = sign_in_at_provider(
        scene.client, scene.provider, "alice-sub", preferred_username="alice"
    )

    assert response.status_code == 302
    alice = db.session.scalars(select(Person).where(Person.username == "alice")).one()
    assert alice.display_name == "Alice Archer" and alice.directory_id
    assert Role.HR in alice.role_names
    assert signed_in_person(scene.client) == f"{alice.id}.{alice.session_version}"


def test_roles_come_from_the_groups_claim_through_the_role_map(scene: Scene) -> None:
    directory = load_directory(
        {
            "INTRAPRENEUR_LDAP_URL": "ldap://127.0.0.1:1",
            "INTRAPRENEUR_LDAP_USER_BASE": "ou=people,dc=corp,dc=example",
            "INTRAPRENEUR_LDAP_ROLE_MAP": '{"hr": ["HR-Team"], "admin": ["App-Admins"]}',
        }
    )
    scene.use_provider(scene.provider.url, directory=directory, GROUPS_CLAIM="groups")

    response = sign_in_at_provider(
        scene.client,
        scene.provider,
        "ann-at-idp",
        email=scene.employee.email,
        groups=["hr-team", "Sales"],
    )

    assert response.status_code == 302
    db.session.refresh(scene.employee)
    assert scene.employee.role_names == {Role.EMPLOYEE, Role.HR}
    changed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.roles_changed")
    ).one()
    assert changed.details["added"] == ["hr"] and changed.details["source"] == "oidc"


# -- signing out -------------------------------------------------------------------------------


def test_signing_out_ends_the_providers_session_too(scene: Scene) -> None:
    scene.monkeypatch.setitem(scene.app.config, "WTF_CSRF_ENABLED", False)
    scene.use_provider(scene.provider.url)
    sign_in_at_provider(scene.client, scene.provider, "ann-at-idp", email=scene.employee.email)

    response = scene.client.post("/sign-out")

    assert response.status_code == 302
    assert response.location.startswith(f"{scene.provider.url}/oauth2/end_session?")
    asked = query_of(response.location)
    assert asked["post_logout_redirect_uri"] == "http://localhost/sign-in"
    assert asked["client_id"] == CLIENT_ID
    assert signed_in_person(scene.client) is None


def _sign_out_with_discovery(scene: Scene, changes: dict[str, Any]) -> Any:
    """Sign in at the provider and out again while its discovery document has ``changes``."""
    scene.monkeypatch.setitem(scene.app.config, "WTF_CSRF_ENABLED", False)
    scene.use_provider(scene.provider.url)
    scene.provider.discovery_changes = changes
    try:
        sign_in_at_provider(scene.client, scene.provider, "ann-at-idp", email=scene.employee.email)
        return scene.client.post("/sign-out")
    finally:
        scene.provider.discovery_changes = {}


def test_signing_out_stays_here_when_the_provider_offers_no_end_session(scene: Scene) -> None:
    response = _sign_out_with_discovery(scene, {"end_session_endpoint": None})

    assert response.status_code == 302 and response.location == "/sign-in"


def test_an_end_session_on_another_origin_is_not_followed(
    scene: Scene, caplog: pytest.LogCaptureFixture
) -> None:
    """The CSP's form-action allows the issuer's origin only: a redirect elsewhere after the
    sign-out form would leave the browser on a blocked page (and the app follows no redirect
    outside the configured provider), so the person is signed out here and it is logged."""
    response = _sign_out_with_discovery(
        scene, {"end_session_endpoint": "https://elsewhere.example/bye"}
    )

    assert response.status_code == 302 and response.location == "/sign-in"
    assert signed_in_person(scene.client) is None
    assert "end_session_endpoint is not on the issuer's origin" in caplog.text
    assert "elsewhere.example" not in response.headers["Content-Security-Policy"]


def test_a_password_sign_in_signs_out_here_only(scene: Scene) -> None:
    scene.monkeypatch.setitem(scene.app.config, "WTF_CSRF_ENABLED", False)
    scene.use_provider(scene.provider.url)
    sign_in_as(scene.client, scene.employee)

    assert scene.client.post("/sign-out").location == "/sign-in"


def test_the_provider_is_an_allowed_form_destination_for_signing_out(tmp_path: Path) -> None:
    """Browsers check ``form-action`` on the redirects after a form as well: the sign-out
    form's 302 to the provider must be allowed, and nothing else outside this site."""
    configured = create_app(
        environment_for(
            f"sqlite:///{tmp_path / 'csp.db'}",
            tmp_path,
            INTRAPRENEUR_OIDC_ISSUER="https://login.example.com/realms/corp",
            INTRAPRENEUR_OIDC_CLIENT_ID=CLIENT_ID,
            INTRAPRENEUR_OIDC_CLIENT_SECRET="client-secret",
        )
    )

    policy = configured.test_client().get("/healthz").headers["Content-Security-Policy"]

    assert "form-action 'self' https://login.example.com;" in policy


def test_a_made_up_error_is_shown_cut_short_and_counted_under_one_reason(scene: Scene) -> None:
    """Anyone can call the callback with any ``error``: it must not become a new audit
    reason or metric label each time, nor fill the page."""
    scene.use_provider(scene.provider.url)
    made_up = "x" * 500

    response = scene.client.get("/sign-in/oidc/callback", query_string={"error": made_up})

    assert_refused(response, scene, "x" * 64, reason="oidc_provider_error")
    assert "x" * 65 not in response.get_data(as_text=True)


def test_a_redirect_from_the_provider_is_not_followed(scene: Scene) -> None:
    """The configured issuer's discovery answers with a redirect (here to a working provider):
    the app asks only the URLs the settings and the discovery name, so it refuses."""
    scene.use_provider(scene.provider.url + REDIRECTING)

    response = scene.client.get("/sign-in/oidc")

    assert_refused(
        response, scene, "provider_redirect", reason="oidc_provider_redirect", status=502
    )


def test_a_new_signing_key_is_fetched_once_when_the_provider_rotates_its_keys(scene: Scene) -> None:
    """The first sign-in caches the provider's keys; the provider then signs with a new key
    (another ``kid``) and publishes it: the app fetches the key set again and accepts."""
    scene.monkeypatch.setitem(scene.app.config, "WTF_CSRF_ENABLED", False)
    scene.use_provider(scene.provider.url)
    assert (
        sign_in_at_provider(
            scene.client, scene.provider, "ann-at-idp", email=scene.employee.email
        ).status_code
        == 302
    )
    scene.client.post("/sign-out")
    response = _signed_in_with(scene, rewritten(lambda claims: claims))

    assert response.status_code == 302 and signed_in_person(scene.client) is not None
