"""A busy person for the subject access tests (the erasure tests have their own, busy.py):
the demo organisation's Tom Becker (a set
member with a hot seat and a commitment, a venture owner with cards, enrolled in two
cohorts, invited to a survey), with what the demo lacks added on top: a review of his card
by his manager (a notification and an email naming the manager), a question he asked naming
a colleague (with markup in it), a notification naming another colleague, events done to
him in the audit log (a roles change, an administrator's change), his survey answer and a
colleague's answer to the same wave, and secrets of his own (a calendar link).

The other people's names, emails and usernames are written into his records on purpose:
his copy must show none of them.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.cli.demo_data import seed_demo_organisation
from intrapreneur.core import services as audit
from intrapreneur.core.models import utcnow
from intrapreneur.culture import services as surveys
from intrapreneur.culture.models import SurveyWave
from intrapreneur.experiments import reviews
from intrapreneur.experiments.models import Experiment, ReviewTag
from intrapreneur.experiments.notices import notify
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import HotSeat, Question
from tests.conftest import csrf_token, sign_in_as

OWN_COMMENT = "My own survey comment (tsq-own)"
OTHER_COMMENT = "Another respondent's comment (tsq-other)"
CALENDAR_SECRET = "calendar-secret-of-tom-" + "x" * 20
MARKUP = "<script>alert('tsq')</script>"


@dataclass
class Busy:
    tom: Person
    admin: Person
    manager: Person
    wave: SurveyWave
    question: Question

    @property
    def others(self) -> list[Person]:
        return list(db.session.scalars(select(Person).where(Person.id != self.tom.id)))


def _people() -> dict[str, Person]:
    return {p.username or p.email or "": p for p in db.session.scalars(select(Person))}


def seed_busy_person() -> Busy:
    seed_demo_organisation()
    people = _people()
    tom, james, amira = people["tbecker"], people["jwhitfield"], people["amira"]
    grace, sofia = people["gliu"], people["salves"]
    now = utcnow()
    tom.calendar_token = CALENDAR_SECRET
    card = db.session.scalars(
        select(Experiment).where(Experiment.owner_id == tom.id).order_by(Experiment.id)
    ).first()
    assert card is not None
    reviews.review_card(
        card,
        tag=ReviewTag.SUPPORT,
        comment="A good first step; talk to finance next.",
        budget=None,
        version=card.version,
        by=james,
        now=now,
    )
    seat = db.session.scalar(select(HotSeat).where(HotSeat.person_id == tom.id))
    assert seat is not None
    question = Question(
        hot_seat_id=seat.id,
        asked_by_id=tom.id,
        text=f"Could {grace.display_name} ({grace.email}, or {grace.username} in chat) "
        f"help? {MARKUP}",
    )
    db.session.add(question)
    notify(tom.id, f"{sofia.display_name.upper()} shared a venture with you", "/ventures/")
    audit.record(
        "person.roles_changed",
        actor=None,
        obj=tom,
        source="directory sync",
        added=["facilitator"],
        removed=[],
    )
    audit.record("person.updated", actor=amira, obj=tom, source="admin", title=["A", "B"])
    wave = db.session.scalar(select(SurveyWave).where(SurveyWave.title == "Autumn pulse"))
    assert wave is not None
    items = surveys.instrument_of(wave).items
    today = date.today()
    surveys.answer(wave, tom, {i.id: 4 for i in items}, OWN_COMMENT, today, language="en")
    surveys.answer(wave, sofia, {i.id: 2 for i in items}, OTHER_COMMENT, today, language="en")
    db.session.commit()
    return Busy(tom=tom, admin=amira, manager=james, wave=wave, question=question)


def ask_for_export(client: FlaskClient, asker: Person, url: str) -> Any:
    """Post the export's form as ``asker`` (with its CSRF token); the response."""
    sign_in_as(client, asker)
    return client.post(url, data={"csrf_token": csrf_token(client, "/account/profile")})


def job_of(response: Any) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    found = re.fullmatch(r"/jobs/(\d+)", response.location)
    assert found, response.location
    return int(found.group(1))


def downloaded(client: FlaskClient, job_id: int) -> zipfile.ZipFile:
    """The archive the job made, as its asker downloads it (the suite runs jobs at once)."""
    response = client.get(f"/jobs/{job_id}/file")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.testzip() is None
    return archive


def everything_in(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode() for name in archive.namelist())
