"""Review news is written in its reader's language: a manager working in English reviews the
card of someone who reads German, who is told in German, in the app and by email; a manager
who reads German gets the day's digest in German, whoever's job writes it.

The app carries test catalogues (as in tests/core/test_languages.py, whose app and helpers
this module uses), with German for the messages a review notification is made of.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core.mail_models import EmailKind, OutgoingEmail
from intrapreneur.experiments.digests import queue_review_digests
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests.core.test_languages import app, monkeypatch_module, write_catalogue
from tests.experiments.test_reviews import NOW, card, post_review, signed_in, text, venture_of

__all__ = ["app", "monkeypatch_module"]  # the languages app, on this module's catalogues

GERMAN = {
    "%(reviewer)s reviewed ‘%(title)s’: %(outcome)s": "%(reviewer)s hat „%(title)s“ geprüft: "
    "%(outcome)s",
    "support": "Unterstützung",
    "Review": "Prüfung",
    "Open it in Intrapreneur": "In Intrapreneur öffnen",
    "Review saved; the team has been told.": "Prüfung gespeichert; das Team ist informiert.",
    "A card has waited more than %(limit)s for your review": "Eine Karte wartet schon länger "
    "als %(limit)s auf Ihre Prüfung",
    ("%(num)d day", "%(num)d days"): ("%(num)d Tag", "%(num)d Tage"),
    "Newly running": "Neu gestartet",
    "‘%(title)s’ (%(venture)s, %(owner)s): %(reasons)s. Waiting for %(waited)s.": "„%(title)s“ "
    "(%(venture)s, %(owner)s): %(reasons)s. Wartezeit: %(waited)s.",
}


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """German only: the one language this module's readers use besides English."""
    root = tmp_path_factory.mktemp("translations")
    write_catalogue(root, "de", GERMAN)  # type: ignore[arg-type]  # two plural forms too
    return root


def test_a_review_notification_reaches_a_german_reader_in_german(
    app: Flask,
    client: FlaskClient,
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "BASE_URL", "https://intrapreneur.example")
    manager = make_person(Role.MANAGER, display_name="Bea Boss", chosen_locale="en")
    owner = make_person(display_name="Dan Deep", manager=manager, chosen_locale="de")
    experiment = card(venture_of(owner, "Dan's van sharing"), owner, "Interview ten shops")
    db.session.commit()

    answer = post_review(signed_in(client, manager), experiment, tag="support")

    # The manager works in English: the page after saving says so in English.
    assert answer.status_code == 302
    assert "Review saved; the team has been told." in text(client.get(answer.location))
    german = "Bea Boss hat „Interview ten shops“ geprüft: Unterstützung"
    told = db.session.scalars(select(Notification).where(Notification.person_id == owner.id))
    assert [notification.text for notification in told] == [german]
    email = emails_to(owner, EmailKind.REVIEW_NOTIFICATION)
    assert email.subject == german
    assert german in email.text_body
    assert german in email.html_body and "In Intrapreneur öffnen</a>" in email.html_body
    assert "reviewed" not in email.text_body + email.html_body


def emails_to(person: Person, kind: EmailKind) -> OutgoingEmail:
    return db.session.scalars(
        select(OutgoingEmail).where(
            OutgoingEmail.person_id == person.id, OutgoingEmail.kind == kind
        )
    ).one()


def test_the_days_digest_reaches_a_german_manager_in_german(
    make_person: Callable[..., Person],
) -> None:
    manager = make_person(Role.MANAGER, display_name="Bea Boss", chosen_locale="de")
    owner = make_person(display_name="Dan Deep", manager=manager)
    card(venture_of(owner), owner, "Interview ten shops", waiting_since=NOW - timedelta(days=6))
    db.session.commit()

    queue_review_digests(NOW, overdue_days=5)  # as the job runs it: no request, nobody signed in

    headline = "Eine Karte wartet schon länger als 5 Tage auf Ihre Prüfung"
    notice = db.session.scalars(
        select(Notification).where(
            Notification.person_id == manager.id, Notification.dedupe_key.is_not(None)
        )
    ).one()
    assert notice.text == headline
    digest = emails_to(manager, EmailKind.REVIEW_DIGEST)
    assert digest.subject == headline
    line = "„Interview ten shops“ (Green delivery, Dan Deep): Neu gestartet. Wartezeit: 6 Tage."
    assert line in digest.text_body
