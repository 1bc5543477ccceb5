"""A background job writes its outcome for whoever asked for it: in their language (and
zone), marked with that language, so that a reader in another language is told what
language the recorded text is in; a scheduled job writes in the organisation's.

The app is tests/core/test_languages.py's, on this module's German test catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext as _

from intrapreneur.core import jobs
from intrapreneur.core.dates import moment_text
from intrapreneur.core.jobs import RunningJob, task
from intrapreneur.core.jobs.running import run_job
from intrapreneur.core.models import BackgroundJob
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests.conftest import sign_in_as
from tests.core.test_languages import app, monkeypatch_module, write_catalogue

__all__ = ["app", "monkeypatch_module"]  # the languages app, on this module's catalogue

WHEN = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
GERMAN = {"Counted the cards at %(moment)s.": "Karten gezählt am %(moment)s."}


@task("tests.count-cards")
def count_cards(job: RunningJob) -> str:
    return _("Counted the cards at %(moment)s.", moment=moment_text(WHEN, "long"))


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("translations")
    write_catalogue(root, "de", GERMAN)
    return root


def _ran(app: Flask, by: Person | None) -> BackgroundJob:
    job = jobs.record("tests.count-cards", {}, max_attempts=1, requested_by=by)
    db.session.commit()
    run_job(app, job.id)
    db.session.expire_all()
    ran = db.session.get(BackgroundJob, job.id)
    assert ran is not None
    return ran


def test_a_job_writes_for_whoever_asked_in_their_language_and_zone(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    asker = make_person(Role.HR, chosen_locale="de", chosen_time_zone="Asia/Tokyo")

    ran = _ran(app, asker)

    assert (ran.message, ran.language) == ("Karten gezählt am 8. Dezember 2026, 08:30.", "de")


def test_a_scheduled_job_writes_in_the_organisations_language(app: Flask) -> None:
    ran = _ran(app, None)

    assert (ran.message, ran.language) == ("Counted the cards at 7 December 2026, 23:30.", "en")


def test_the_job_page_marks_the_recorded_text_with_its_language(
    app: Flask, client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    asker = make_person(Role.ADMIN, chosen_locale="de")
    ran = _ran(app, asker)
    asker.chosen_locale = "en"  # the asker reads English now; the record stays German
    db.session.commit()
    sign_in_as(client, asker)

    page = client.get(f"/jobs/{ran.id}").get_data(as_text=True)

    assert '<p class="outcome"><span lang="de">Karten gezählt am' in page
