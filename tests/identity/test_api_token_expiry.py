"""API tokens expire on a day the admin chooses (within a limit), carry a scope chosen on the
form, are refused after expiry with the reason, and the admins' page lists those about to
stop."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity import api_tokens
from intrapreneur.identity.models import ApiClient, ApiScope, Person, Role
from intrapreneur.settings import ConfigError, load
from tests.conftest import csrf_token, environment_for, sign_in_as

CLIENTS = "/admin/api-clients"
BEHAVIOUR = "/api/v1/culture/behaviour"


@pytest.fixture
def admin(client: FlaskClient, make_person: Callable[..., Person]) -> Person:
    person = make_person(Role.ADMIN, time_zone="Asia/Tokyo")
    sign_in_as(client, person)
    return person


def _create(client: FlaskClient, **fields: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, CLIENTS), "name": "Warehouse", **fields}
    return client.post(CLIENTS, data=data)


def _token(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r'value="(ipr_[^"]+)"', response.get_data(as_text=True)).group(1)  # type: ignore[union-attr]


def _issue(admin: Person, expires_at: datetime, name: str = "Warehouse") -> str:
    _, token = api_tokens.create_api_client(
        name=name,
        scope=ApiScope.CULTURE_READ,
        by=admin,
        now=datetime.now(UTC) - timedelta(days=100),
        expires_at=expires_at,
    )
    db.session.commit()
    return token


def test_the_form_offers_an_expiry_and_the_one_scope_there_is(
    client: FlaskClient, admin: Person
) -> None:
    page = client.get(CLIENTS).get_data(as_text=True)

    offered = (date.today() + timedelta(days=90)).isoformat()
    field = re.search(r'<input[^>]*name="expires_on"[^>]*>', page)
    assert field and 'type="date"' in field.group(0) and f'value="{offered}"' in field.group(0)
    assert "Read culture figures only, for now" in page
    assert re.findall(r'<option[^>]*value="([^"]*)"', page) == ["culture:read"]


def test_the_chosen_day_is_the_tokens_last_in_the_admins_zone_and_is_audited(
    client: FlaskClient, admin: Person
) -> None:
    last_day = date.today() + timedelta(days=30)

    response = _create(client, expires_on=last_day.isoformat(), scope="culture:read")

    assert response.status_code == 201
    stored = db.session.scalars(select(ApiClient)).one()
    tokyo_midnight = datetime.combine(last_day + timedelta(days=1), time(), ZoneInfo("Asia/Tokyo"))
    assert stored.expires_at == tokyo_midnight.astimezone(UTC)
    assert stored.scope is ApiScope.CULTURE_READ
    assert "works until" in response.get_data(as_text=True)
    created = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api_client.created")
    ).one()
    assert created.details["expires_at"] == stored.expires_at.isoformat()
    assert created.details["scope"] == "culture:read"
    assert _token(response) not in str(created.details)


@pytest.mark.parametrize(
    ("expires_on", "message"),
    [
        ((date.today() + timedelta(days=366)).isoformat(), "at most 365 days from today"),
        ((date.today() - timedelta(days=1)).isoformat(), "Choose today or a later day."),
        ("31/12/2027", "Enter a date as YYYY-MM-DD"),
        ("", "This field is required."),
    ],
)
def test_an_expiry_too_late_past_or_unreadable_is_refused_next_to_the_field(
    client: FlaskClient, admin: Person, expires_on: str, message: str
) -> None:
    response = _create(client, expires_on=expires_on)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'id="expires_on-error">(.*?)</p>', page, re.S)
    assert error and message in error.group(1)
    assert db.session.scalars(select(ApiClient)).all() == []
    assert 'value="Warehouse"' in page  # nothing typed is lost


def test_a_scope_that_does_not_exist_is_refused(client: FlaskClient, admin: Person) -> None:
    expires_on = (date.today() + timedelta(days=10)).isoformat()

    response = _create(client, expires_on=expires_on, scope="culture:write")

    assert response.status_code == 422
    assert db.session.scalars(select(ApiClient)).all() == []


def test_an_expired_token_is_refused_with_the_day_it_expired(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    admin = make_person(Role.ADMIN)
    expired_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    expired = _issue(admin, expired_at, "Old warehouse")
    live = _issue(admin, datetime.now(UTC) + timedelta(minutes=5), "New warehouse")

    refused = client.get(BEHAVIOUR, headers={"Authorization": f"Bearer {expired}"})

    assert refused.status_code == 401 and refused.is_json
    assert refused.get_json()["error"] == (
        f"This token expired on {expired_at:%Y-%m-%d %H:%M} UTC; "
        "ask an administrator for a new one."
    )
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    answered = client.get(BEHAVIOUR, headers={"Authorization": f"Bearer {live}"})
    assert answered.status_code == 200
    db.session.expire_all()
    old = db.session.scalars(select(ApiClient).where(ApiClient.name == "Old warehouse")).one()
    assert old.last_used_at is None  # a refused call is no use


def test_the_admins_page_lists_tokens_expiring_soon_and_marks_expired_ones(
    client: FlaskClient, admin: Person
) -> None:
    now = datetime.now(UTC)
    _issue(admin, now + timedelta(days=3), "Payroll bridge")
    _issue(admin, now + timedelta(days=13, hours=23), "Survey mirror")
    _issue(admin, now + timedelta(days=15), "Warehouse")
    _issue(admin, now - timedelta(days=2), "Retired reporting")
    revoked = now + timedelta(days=2)
    _issue(admin, revoked, "Revoked bridge")
    gone = db.session.scalars(select(ApiClient).where(ApiClient.name == "Revoked bridge")).one()
    api_tokens.revoke_api_client(gone, by=admin, now=now)
    db.session.commit()

    page = client.get(CLIENTS).get_data(as_text=True)

    soon = re.search(r'<section class="notice".*?</section>', page, re.S)
    assert soon and "Expiring soon" in soon.group(0)
    listed = re.findall(r"<li><strong>(.*?)</strong>", soon.group(0))
    assert listed == ["Payroll bridge", "Survey mirror"]  # soonest first; not revoked, not later
    rows = {
        name: row
        for row in re.findall(r"<tr>.*?</tr>", page, re.S)
        for name in re.findall(r'<th scope="row">(.*?)</th>', row)
    }
    assert ">expired<" in rows["Retired reporting"]
    assert "expiring soon" in rows["Payroll bridge"] and "expired<" not in rows["Payroll bridge"]
    assert "expir" not in rows["Warehouse"].split("</td>")[-2]


@pytest.fixture
def longer_tokens(app: Flask) -> Iterator[None]:
    saved = app.config["API_TOKEN_DAYS"], app.config["API_TOKEN_MAX_DAYS"]
    app.config.update(API_TOKEN_DAYS=30, API_TOKEN_MAX_DAYS=730)
    yield
    app.config["API_TOKEN_DAYS"], app.config["API_TOKEN_MAX_DAYS"] = saved


def test_the_offered_and_longest_expiry_follow_the_settings(
    client: FlaskClient, admin: Person, longer_tokens: None
) -> None:
    page = client.get(CLIENTS).get_data(as_text=True)
    assert f'value="{(date.today() + timedelta(days=30)).isoformat()}"' in page

    response = _create(client, expires_on=(date.today() + timedelta(days=700)).isoformat())
    assert response.status_code == 201


def test_token_lifetimes_are_checked_when_the_app_starts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = environment_for("sqlite://", tmp_path)
    assert load(env).api_token_days == (90, 365)
    assert load({**env, "INTRAPRENEUR_API_TOKEN_MAX_DAYS": "30"}).api_token_days == (30, 30)
    with pytest.raises(ConfigError, match="API_TOKEN_DAYS \\(400\\) is longer than"):
        load({**env, "INTRAPRENEUR_API_TOKEN_DAYS": "400"})
    with pytest.raises(ConfigError, match="API_TOKEN_MAX_DAYS must be a whole number"):
        load({**env, "INTRAPRENEUR_API_TOKEN_MAX_DAYS": "forever"})


def test_only_admins_create_tokens(client: FlaskClient, make_person: Callable[..., Person]) -> None:
    admin = make_person(Role.ADMIN)
    sign_in_as(client, admin)
    token = csrf_token(client, CLIENTS)  # a valid form, as an admin's page would carry
    for role in (Role.HR, Role.MANAGER, Role.FACILITATOR):
        sign_in_as(client, make_person(role))
        response = client.post(
            CLIENTS,
            data={
                "csrf_token": token,
                "name": "Warehouse",
                "expires_on": (date.today() + timedelta(days=30)).isoformat(),
            },
        )
        assert response.status_code == 403, role
    assert db.session.scalars(select(ApiClient)).all() == []
