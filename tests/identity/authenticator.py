"""Helpers for the two-step tests: an authenticator app's part (codes computed with pyotp
from the secret the page shows) and a guest's way through the sign-in steps."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
from flask.testing import FlaskClient

from intrapreneur.extensions import db
from intrapreneur.identity import mfa
from intrapreneur.identity.models import Person
from tests.conftest import GUEST_PASSWORD, sign_in_as


def secret_on(page: str) -> str:
    match = re.search(r'<code class="secret-key">([A-Z2-7 ]+)</code>', page)
    assert match, "the page shows the key as text"
    return match.group(1).replace(" ", "")


def recovery_codes_on(page: str) -> list[str]:
    return re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", page)


def set_up_two_step(client: FlaskClient, person: Person) -> tuple[str, list[str]]:
    """``person`` switches two-step sign-in on from their account page."""
    sign_in_as(client, person)
    secret = secret_on(client.post("/account/two-step/set-up").get_data(as_text=True))
    page = client.post("/account/two-step/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert page.status_code == 200
    client.post("/sign-out")
    return secret, recovery_codes_on(page.get_data(as_text=True))


def next_code(secret: str) -> str:
    """The app's next code: the current one went to switching it on, and is not taken twice."""
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))


def password_step(client: FlaskClient, person: Person, next_url: str = "") -> str:
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data={"login": person.email, "password": GUEST_PASSWORD})
    assert response.status_code == 302
    return response.location


def is_on_now(person: Person) -> bool:
    db.session.expire_all()  # the requests changed the rows behind the test's back
    return mfa.is_on(person)
