"""The summary in the archive is written in the language of whoever asked for it, as every
job's outcome is (core/jobs/running.py: ``writing_for`` the asker); its marker for other
people too. The app is tests/core/test_languages.py's, on this module's German catalogue."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from intrapreneur.experiments.notices import notify
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from tests.core.test_languages import app, monkeypatch_module, write_catalogue
from tests.privacy.busy_for_export import ask_for_export, downloaded, job_of

__all__ = ["app", "monkeypatch_module"]  # the languages app, on this module's catalogue

GERMAN = {
    "Personal data of %(name)s": "Personenbezogene Daten von %(name)s",
    "Notifications": "Benachrichtigungen",
    "[another person]": "[eine andere Person]",
}


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("translations")
    write_catalogue(root, "de", GERMAN)
    return root


def test_the_summary_speaks_the_askers_language(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    asker = make_person(chosen_locale="de", display_name="Jana Vogel")
    other = make_person(display_name="Bob Smith")
    notify(asker.id, f"{other.display_name} hat Ihre Karte geprüft")
    db.session.commit()

    archive = downloaded(client, job_of(ask_for_export(client, asker, "/account/my-data")))

    page = archive.read("index.html").decode()
    assert '<html lang="de"' in page
    assert "<title>Personenbezogene Daten von Jana Vogel</title>" in page
    assert "<h2>Benachrichtigungen</h2>" in page
    (row,) = json.loads(archive.read("notification.json"))["rows"]
    assert row["text"] == "[eine andere Person] hat Ihre Karte geprüft"
