"""Guests in their own language: the language they choose on the invitation page is kept as
theirs, and the emails sent to a German-speaking guest are German — subject, text and
dates — whoever's English request sends them. (The API, for programs, stays English.)

The app is tests/core/test_languages.py's, with its test catalogues and a few messages of
the guests' pages and emails added to its German one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core.mail_models import OutgoingEmail
from intrapreneur.core.models import AuditEvent
from intrapreneur.core.timezones import local
from intrapreneur.extensions import db
from intrapreneur.identity import invitations
from intrapreneur.identity.models import PasswordReset, Person, Role
from tests.conftest import csrf_token, sign_in_as
from tests.core.test_languages import (  # noqa: F401 (fixtures used by name)
    TRANSLATED,
    app,
    monkeypatch_module,
    write_catalogue,
)

NEW_PASSWORD = "amber-tortoise-violin-harvest-82"
GERMAN = {
    "Hello %(name)s,": "Hallo %(name)s,",
    "Choose a new password for Intrapreneur": "Neues Passwort für Intrapreneur wählen",
    "Open this link to choose a new password (it works once, until %(moment)s):": (
        "Öffnen Sie diesen Link, um ein neues Passwort zu wählen (er funktioniert einmal, "
        "bis %(moment)s):"
    ),
    "Your access to Intrapreneur has been extended": "Ihr Zugang zu Intrapreneur wurde verlängert",
    "The programme team has extended your access to Intrapreneur: it now lasts until %(day)s.": (
        "Das Programmteam hat Ihren Zugang zu Intrapreneur verlängert: Er gilt jetzt bis %(day)s."
    ),
    "Welcome, %(name)s": "Willkommen, %(name)s",
    "Language": "Sprache",
    "There is no page at this address. It may have moved, or the link may be incomplete.": (
        "Unter dieser Adresse gibt es keine Seite. Sie wurde vielleicht verschoben, oder der "
        "Link ist unvollständig."
    ),
}


FRENCH = {
    "Welcome, %(name)s. Your password is set.": (
        "Bienvenue, %(name)s. Votre mot de passe est défini."
    ),
}


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """test_languages' catalogues, with this module's messages as well."""
    root = tmp_path_factory.mktemp("translations")
    added = {"de": GERMAN, "fr": FRENCH}
    for language, messages in TRANSLATED.items():
        write_catalogue(root, language, {**messages, **added.get(language, {})})
    return root


@pytest.fixture
def site(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Links in emails need INTRAPRENEUR_BASE_URL."""
    monkeypatch.setitem(app.config, "BASE_URL", "https://intrapreneur.example")


def _email_to(person: Person) -> OutgoingEmail:
    return db.session.scalars(
        select(OutgoingEmail).where(OutgoingEmail.person_id == person.id)
    ).one()


def _german_long_day(day: date) -> str:
    return format_date(day, "long", locale="de")


# -- emails in the recipient's language -------------------------------------------------


def test_a_german_guests_password_reset_email_is_german_whatever_the_browser_asks(
    client: FlaskClient, make_guest: Callable[..., Person], site: None
) -> None:
    guest = make_guest(display_name="Nina Petrova", chosen_locale="de")
    db.session.commit()
    english = {"Accept-Language": "en"}
    token = csrf_token(client, "/forgot-password")
    answer = client.post(
        "/forgot-password", data={"csrf_token": token, "email": guest.email}, headers=english
    )
    assert answer.status_code == 303
    assert 'lang="en"' in client.get(answer.location, headers=english).get_data(as_text=True)

    email = _email_to(guest)
    reset = db.session.scalars(select(PasswordReset)).one()
    expires = local(reset.expires_at, guest.time_zone)
    assert email.subject == "Neues Passwort für Intrapreneur wählen"
    assert email.text_body.startswith("Hallo Nina Petrova,")
    # Babel's German ("bis 7. Dezember 2026, 15:30"), never strftime's English month.
    assert f"bis {_german_long_day(expires.date())}, {expires:%H:%M}):" in email.text_body
    assert f"{expires:%B}" not in email.text_body
    assert '<html lang="de"' in email.html_body


def test_english_hr_extends_a_german_guests_access_and_the_guest_reads_german(
    client: FlaskClient,
    make_person: Callable[..., Person],
    make_guest: Callable[..., Person],
) -> None:
    hr = make_person(Role.HR)
    guest = make_guest(chosen_locale="de")
    db.session.commit()
    sign_in_as(client, hr)
    later = date.today() + timedelta(days=90)
    english = {"Accept-Language": "en"}
    answer = client.post(
        f"/guests/{guest.id}/access",
        data={
            "csrf_token": csrf_token(client, f"/guests/{guest.id}"),
            "version": str(guest.access_version),
            "access_ends_on": later.isoformat(),
        },
        headers=english,
    )
    assert answer.status_code == 302
    # HR reads on in English...
    page = client.get(answer.location, headers=english).get_data(as_text=True)
    assert "access end date is changed" in page

    # ...and the guest in German, their new last day in German too.
    email = _email_to(guest)
    assert email.subject == "Ihr Zugang zu Intrapreneur wurde verlängert"
    assert f"Er gilt jetzt bis {_german_long_day(later)}." in email.text_body
    assert f"{later:%B}" not in email.text_body


# -- the language chosen on the invitation page ---------------------------------------------


def _invite(make_person: Callable[..., Person]) -> tuple[Person, str]:
    hr = make_person(Role.HR)
    invitation, token = invitations.invite_guest(
        email="omar@ventures.example",
        display_name="Omar Haddad",
        access_ends_on=date.today() + timedelta(days=30),
        invited_by=hr,
        now=datetime.now(UTC),
    )
    db.session.commit()
    return invitation.person, token


def test_a_guest_chooses_their_language_as_they_accept_the_invitation(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    guest, token = _invite(make_person)
    german = {"Accept-Language": "de"}
    page = client.get(f"/invitations/{token}", headers=german).get_data(as_text=True)
    assert "Willkommen, Omar Haddad" in page
    # Every offered language, named in itself, the page's own chosen to begin with.
    assert '<label for="language">Sprache</label>' in page
    assert '<option value="en">English</option>' in page
    assert '<option selected value="de">Deutsch</option>' in page
    assert '<option value="fr">Français</option>' in page

    answer = client.post(
        f"/invitations/{token}",
        data={
            "csrf_token": csrf_token(client, f"/invitations/{token}"),
            "language": "fr",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        headers=german,
    )
    assert answer.status_code == 302
    db.session.refresh(guest)
    assert guest.chosen_locale == "fr"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.language_chosen")
    ).one()
    assert (event.actor_id, event.details) == (guest.id, {"language": "fr"})
    # From now on the pages speak French to them, whatever their browser asks for, from the
    # greeting on.
    home = client.get("/", headers=german).get_data(as_text=True)
    assert '<html lang="fr"' in home
    assert "Bienvenue, Omar Haddad. Votre mot de passe est défini." in home


def test_a_language_not_offered_is_refused_and_the_invitation_stays_unused(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    guest, token = _invite(make_person)
    answer = client.post(
        f"/invitations/{token}",
        data={
            "csrf_token": csrf_token(client, f"/invitations/{token}"),
            "language": "es",  # being translated, but without a catalogue here
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert answer.status_code == 422
    assert "Not a valid choice" in answer.get_data(as_text=True)
    db.session.refresh(guest)
    assert (guest.chosen_locale, guest.password_hash) == (None, None)


def test_with_english_alone_the_invitation_asks_no_language(
    client: FlaskClient,
    make_person: Callable[..., Person],
    app: Flask,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "LOCALES", ("en",))
    guest, token = _invite(make_person)
    page = client.get(f"/invitations/{token}").get_data(as_text=True)
    assert 'name="language"' not in page
    answer = client.post(
        f"/invitations/{token}",
        data={
            "csrf_token": csrf_token(client, f"/invitations/{token}"),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert answer.status_code == 302
    db.session.refresh(guest)
    assert guest.chosen_locale is None and guest.password_hash is not None


# -- the API, for programs --------------------------------------------------------------


def test_pages_say_not_found_in_german_but_the_api_in_english(client: FlaskClient) -> None:
    german = {"Accept-Language": "de"}
    page = client.get("/no-such-page", headers=german)
    assert page.status_code == 404
    assert "Unter dieser Adresse gibt es keine Seite." in page.get_data(as_text=True)

    answer = client.get("/api/v1/no-such-thing", headers=german)
    assert answer.status_code == 404
    assert answer.get_json() == {
        "error": "There is no page at this address. It may have moved, or the link may be "
        "incomplete."
    }
