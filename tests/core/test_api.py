"""The read-only API: tokens created by admins, shown once, stored hashed, revocable,
scoped; the session cookie opens nothing; refusals are JSON."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity import api_tokens
from intrapreneur.identity.models import ApiClient, ApiScope, Person, Role
from tests.conftest import csrf_token, sign_in_as

BEHAVIOUR = "/api/v1/culture/behaviour"
SCORES = "/api/v1/culture/scores"


def _token(admin: Person) -> str:
    _, token = api_tokens.create_api_client(
        name="Warehouse", scope=ApiScope.CULTURE_READ, by=admin, now=datetime.now(UTC)
    )
    db.session.commit()
    return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_admin_creates_a_token_that_is_shown_once_and_stored_hashed(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.ADMIN))

    response = client.post(
        "/admin/api-clients",
        data={
            "csrf_token": csrf_token(client, "/admin/api-clients"),
            "name": "Warehouse",
            "expires_on": (date.today() + timedelta(days=30)).isoformat(),
        },
    )

    assert response.status_code == 201
    token = re.search(r'value="(ipr_[^"]+)"', response.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    stored = db.session.scalars(select(ApiClient)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in client.get("/admin/api-clients").get_data(as_text=True)
    assert stored.token_prefix in client.get("/admin/api-clients").get_data(as_text=True)
    details = db.session.scalars(select(AuditEvent.details)).all()
    assert not any(token in str(d) for d in details)
    assert client.get(BEHAVIOUR, headers=_bearer(token)).status_code == 200


def test_the_api_answers_a_valid_token_with_aggregates_and_notes_its_use(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    token = _token(make_person(Role.ADMIN))

    response = client.get(BEHAVIOUR, headers=_bearer(token))

    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert set(body) == {
        "participation",
        "experiments_per_month",
        "decisions",
        "reviews",
        "interaction_network",
    }
    db.session.expire_all()
    assert db.session.scalars(select(ApiClient)).one().last_used_at is not None


def test_no_token_a_wrong_one_or_a_revoked_one_is_refused_in_json(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    admin = make_person(Role.ADMIN)
    token = _token(admin)

    for headers in ({}, {"Authorization": "Basic abc"}, _bearer("ipr_not-a-token")):
        response = client.get(BEHAVIOUR, headers=headers)
        assert response.status_code == 401 and "error" in response.get_json()
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # A signed-in browser is no API client: the session cookie opens nothing.
    sign_in_as(client, make_person(Role.HR))
    assert client.get(BEHAVIOUR).status_code == 401

    sign_in_as(client, admin)
    stored = db.session.scalars(select(ApiClient)).one()
    client.post(
        f"/admin/api-clients/{stored.id}/revoke",
        data={"csrf_token": csrf_token(client, "/admin/api-clients")},
    )
    response = client.get(BEHAVIOUR, headers=_bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"] == "This token is not valid or has been revoked."


def test_the_openapi_description_lists_every_api_route(client: FlaskClient, app: object) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {"/api/v1" + path for path in spec["paths"]}
    routes = {
        rule.rule
        for rule in app.url_map.iter_rules()  # type: ignore[attr-defined]
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json")
    }
    assert documented == routes
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_a_request_the_api_cannot_read_is_refused_in_json_as_described(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    token = _token(make_person(Role.ADMIN))

    response = client.get(f"{SCORES}?wave=1%00", headers=_bearer(token))

    assert response.status_code == 400 and response.is_json
    assert "NUL" in response.get_json()["error"]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "400" in spec["paths"]["/culture/scores"]["get"]["responses"]


def test_a_token_stops_when_the_admin_who_created_it_leaves(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    """A token is its issuer's delegation, as their own sign-in is; the admin page says
    which tokens stopped, so another admin can issue new ones."""
    issuer, other_admin = make_person(Role.ADMIN), make_person(Role.ADMIN)
    token = _token(issuer)
    assert client.get(BEHAVIOUR, headers=_bearer(token)).status_code == 200

    issuer.active = False
    db.session.commit()

    refused = client.get(BEHAVIOUR, headers=_bearer(token))
    assert refused.status_code == 401 and refused.is_json
    sign_in_as(client, other_admin)
    listing = client.get("/admin/api-clients").get_data(as_text=True)
    assert "stopped: its creator can no longer sign in" in listing
