"""Everyone's profile page: who the app knows them as, their manager and reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, Role
from tests import formats
from tests.conftest import sign_in_as


def test_an_employee_sees_themselves_their_manager_and_their_reports(
    client: FlaskClient, make_person: Callable[..., Person], count_queries: Callable[[], Any]
) -> None:
    finance = Department(name="Finance")
    boss = make_person(Role.MANAGER, display_name="Cora Chief", title="CFO", department=finance)
    me = make_person(
        Role.MANAGER,
        display_name="Bob Baker",
        title="Analyst lead",
        department=finance,
        manager_id=boss.id,
    )
    erin = make_person(display_name="Erin Eve", title="Analyst", manager_id=me.id)
    make_person(display_name="Alan Able", manager_id=me.id)
    make_person(display_name="Gone Gary", manager_id=me.id, active=False)
    make_person(display_name="Ivy Intern", manager_id=erin.id)
    make_person(display_name="Someone Else", manager_id=boss.id)
    db.session.commit()
    sign_in_as(client, me)

    with count_queries() as counted:
        page = client.get("/account/profile").get_data(as_text=True)

    assert "Bob Baker" in page and "Analyst lead" in page and "Finance" in page
    assert me.username in page and "employee, manager" in page
    assert "<dd>Cora Chief</dd>" in page and "<dd>CFO</dd>" in page
    assert "2 people report to you directly:" in page
    assert page.index("Alan Able") < page.index("Erin Eve · Analyst")
    assert "Gone Gary" not in page and "Someone Else" not in page  # left; not a report
    assert "Ivy Intern" not in page  # further down: counted, not listed
    assert "3 people work under you" in page
    # Reports are only named: there is no person page a link could lead to.
    assert "/people/" not in page
    assert counted.total <= 10


def test_someone_with_no_manager_and_no_reports_is_told_so(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.HR, Role.ADMIN))
    page = client.get("/account/profile").get_data(as_text=True)
    assert "<dd>administrator, employee, HR</dd>" in page  # named, not the stored values
    assert "The company directory names no manager for you." in page
    assert "Nobody reports to you." in page


def test_a_guest_sees_their_access_and_no_manager_or_reports(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest(display_name="Nina Petrova")
    sign_in_as(client, guest)
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Nina Petrova" in page and guest.email in page
    assert f"Guest entrepreneur, with access until {formats.long_day(guest.access_ends_on)}" in page
    assert "Your manager and your reports" not in page and "Nobody reports to you" not in page
    assert "Your time zone" in page


def test_the_navigation_leads_to_the_profile(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person())
    home = client.get("/").get_data(as_text=True)
    assert '<a href="/account/profile">Profile</a>' in home
    profile = client.get("/account/profile").get_data(as_text=True)
    assert '<a href="/account/profile" aria-current="page">Profile</a>' in profile


def test_with_english_alone_no_language_is_offered_to_choose(
    app: Flask,
    client: FlaskClient,
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where only English is offered (no other catalogue installed), the profile has nothing
    to choose from."""
    monkeypatch.setitem(app.config, "LOCALES", ("en",))
    sign_in_as(client, make_person(directory_locale="de"))
    page = client.get("/account/profile", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Your language" not in page and 'name="language"' not in page
