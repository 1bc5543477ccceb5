"""A person's time zone: their own choice, else the directory's (an optional attribute in the
attribute map, read from the real slapd), else the organisation's default; every time shown
to them is in it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core.models import AuditEvent
from intrapreneur.core.timezones import offered_zone_names
from intrapreneur.extensions import db
from intrapreneur.identity.directory import Directory
from intrapreneur.identity.models import Person
from intrapreneur.identity.sync import sync_directory
from intrapreneur.settings import DirectorySettings
from tests.conftest import csrf_token, ldap_password, sign_in_as

TEMPLATES = Path(__file__).parents[2] / "intrapreneur" / "templates"
ZONE_MAP = '{"time_zone": "timeZone"}'
NOON_UTC = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _person(username: str) -> Person:
    return db.session.scalars(select(Person).where(Person.username == username)).one()


def _choose(client: FlaskClient, zone: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/account/profile",
        data={"csrf_token": csrf_token(client, "/account/profile"), "time_zone": zone},
    )


# -- precedence ---------------------------------------------------------------------------


def test_own_choice_then_directory_then_organisation_default(
    app: Flask, make_person: Callable[..., Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "DEFAULT_TIME_ZONE", "Europe/Berlin")
    person = make_person()
    assert person.time_zone == "Europe/Berlin"
    person.directory_time_zone = "America/Chicago"
    assert person.time_zone == "America/Chicago"
    person.chosen_time_zone = "Asia/Tokyo"
    assert person.time_zone == "Asia/Tokyo"
    person.chosen_time_zone = None
    assert person.time_zone == "America/Chicago"


# -- from the directory -------------------------------------------------------------------


def test_sync_reads_the_mapped_attribute_and_skips_names_iana_does_not_know(
    use_directory: Callable[..., DirectorySettings], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    sync_directory(Directory(use_directory(LDAP_ATTR_MAP=ZONE_MAP)))

    assert _person("erin").directory_time_zone == "America/New_York"
    assert _person("erin").time_zone == "America/New_York"
    assert _person("frank").directory_time_zone is None  # "Mars/Olympus" is no zone
    assert "'Mars/Olympus' of uid=frank" in caplog.text and "is no IANA time zone" in caplog.text
    assert _person("carol").directory_time_zone is None  # no attribute on the entry


def test_without_the_attribute_mapped_nothing_is_read(
    use_directory: Callable[..., DirectorySettings],
) -> None:
    sync_directory(Directory(use_directory()))
    assert _person("erin").directory_time_zone is None


def test_a_sync_refreshes_the_directory_zone_but_never_the_persons_own_choice(
    use_directory: Callable[..., DirectorySettings],
) -> None:
    settings = use_directory(LDAP_ATTR_MAP=ZONE_MAP)
    sync_directory(Directory(settings))
    erin = _person("erin")
    erin.directory_time_zone = "Europe/Paris"  # what an earlier sync read
    erin.chosen_time_zone = "Asia/Tokyo"
    db.session.commit()

    report = sync_directory(Directory(settings))

    erin = _person("erin")
    assert (erin.chosen_time_zone, erin.directory_time_zone) == ("Asia/Tokyo", "America/New_York")
    assert erin.time_zone == "Asia/Tokyo"
    assert report.updated == 1
    change = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.updated")
    ).one()
    assert change.details["directory_time_zone"] == "America/New_York"


def test_sign_in_brings_the_directory_zone(
    client: FlaskClient, use_directory: Callable[..., DirectorySettings]
) -> None:
    use_directory(LDAP_ATTR_MAP=ZONE_MAP)
    token = csrf_token(client, "/sign-in")
    client.post(
        "/sign-in", data={"csrf_token": token, "login": "erin", "password": ldap_password("erin")}
    )
    erin = _person("erin")
    assert erin.directory_time_zone == "America/New_York"
    erin.chosen_locale = "en"  # the directory says she reads German; this test reads English
    db.session.commit()
    page = client.get("/account/profile").get_data(as_text=True)
    assert "<strong>America/New_York</strong>" in page
    assert "It comes from the company directory." in page


# -- the person's own choice ----------------------------------------------------------------


def test_a_person_chooses_a_zone_on_their_profile(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    person = make_person(directory_time_zone="America/Chicago")
    sign_in_as(client, person)
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Not chosen: the company directory&#39;s America/Chicago" in page
    assert '<option value="Asia/Tokyo">Asia/Tokyo</option>' in page

    response = _choose(client, "Asia/Tokyo")

    assert response.status_code == 302
    db.session.refresh(person)
    assert person.chosen_time_zone == "Asia/Tokyo" and person.time_zone == "Asia/Tokyo"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.time_zone_chosen")
    ).one()
    assert (event.actor_id, event.details) == (person.id, {"time_zone": "Asia/Tokyo"})
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Times are now shown to you in Asia/Tokyo." in page and "You chose it." in page
    assert '<option selected value="Asia/Tokyo">' in page

    assert _choose(client, "").status_code == 302  # back to the directory's
    db.session.refresh(person)
    assert person.chosen_time_zone is None and person.time_zone == "America/Chicago"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "US/Eastern", "localtime", "x" * 5000])
def test_a_zone_not_on_the_list_is_refused_and_nothing_changes(
    client: FlaskClient, make_person: Callable[..., Person], zone: str
) -> None:
    person = make_person()
    sign_in_as(client, person)
    response = _choose(client, zone)
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.chosen_time_zone is None
    assert db.session.scalar(select(AuditEvent.id)) is None


def test_the_list_offers_places_and_utc_not_legacy_aliases() -> None:
    offered = offered_zone_names()
    assert offered[0] == "UTC" and {"Europe/London", "America/Sao_Paulo"} <= set(offered)
    assert not {"US/Eastern", "GB", "Etc/GMT+5", "localtime", "posixrules"} & set(offered)
