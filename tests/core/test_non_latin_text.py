"""Names and texts in Greek, Cyrillic, Japanese and Arabic come back as they went in:
through a form and its page, the board's CSV (UTF-8 with the byte-order mark Excel needs),
the culture export's XLSX and CSV tables, an email as the SMTP server receives it, and the
calendar file it carries."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from intrapreneur.core import mail
from intrapreneur.core.models import utcnow
from intrapreneur.culture import services as culture
from intrapreneur.experiments.models import Venture
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, Role
from intrapreneur.learning.models import Cohort, LearningSet, Programme, SetMembership
from tests.conftest import SmtpServer, csrf_token, sign_in_as
from tests.culture import builders as b
from tests.experiments.builders import venture_for
from tests.experiments.test_boards import exported_rows, make_card

TEXTS = {
    "greek": "Προπαραγγελίες για ανεξάρτητα καταστήματα",
    "cyrillic": "Предзаказы для независимых магазинов",
    "japanese": "独立系店舗のための予約注文",
    "arabic": "طلبات مسبقة للمتاجر المستقلة",
}
NAMES = {
    "greek": "Δήμητρα Παπαδοπούλου",
    "cyrillic": "Светлана Иванова",
    "japanese": "山田 花子",
    "arabic": "ليلى حداد",
}


@pytest.mark.parametrize("script", TEXTS)
def test_a_form_keeps_the_text_as_typed_and_the_page_shows_it(
    client: FlaskClient, make_person: Callable[..., Person], script: str
) -> None:
    sign_in_as(client, make_person(display_name=NAMES[script]))
    form = {"title": TEXTS[script], "problem": NAMES[script], "customer": "—"}

    response = client.post(
        "/ventures/new",
        data={**form, "stage": "idea", "visibility": "private",
              "csrf_token": csrf_token(client, "/ventures/new")},
    )  # fmt: skip

    assert response.status_code == 302
    venture = db.session.scalars(select(Venture).where(Venture.title == TEXTS[script])).one()
    assert venture.problem == NAMES[script]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert TEXTS[script] in page and NAMES[script] in page


def test_the_boards_csv_carries_every_script(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    owner = make_person(display_name=NAMES["greek"])
    venture = venture_for(owner, TEXTS["arabic"])
    for script, text in TEXTS.items():
        make_card(venture, owner, text, hypothesis=NAMES[script])
    db.session.commit()
    sign_in_as(client, owner)

    header, *cards = exported_rows(client.get(f"/ventures/{venture.id}/export.csv"))

    assert sorted(card[header.index("title")] for card in cards) == sorted(TEXTS.values())
    assert sorted(card[header.index("hypothesis")] for card in cards) == sorted(NAMES.values())


@pytest.fixture
def wave_by_department(app: object) -> dict[str, Department]:
    """A published wave with six answers from each of four departments named in four
    scripts (six: above the threshold, so each department's figures are shown)."""
    departments = {script: Department(name=name) for script, name in TEXTS.items()}
    db.session.add_all(departments.values())
    db.session.flush()
    wave = b.wave(TEXTS["japanese"])
    wave.opens_on = date.today() - timedelta(days=40)
    wave.closes_on = date.today() - timedelta(days=10)
    for department in departments.values():
        b.respond(wave, 6, department, b.P, b.answers(4))
    culture.publish_closed_waves(date.today())
    db.session.commit()
    return departments


def _body(client: FlaskClient, url: str) -> bytes:
    """The file, then the response closed as a WSGI server would (it holds a temporary file)."""
    response = client.get(url)
    try:
        return response.get_data()
    finally:
        response.close()


def test_the_culture_exports_carry_every_script(
    client: FlaskClient, make_person: Callable[..., Person], wave_by_department: Any
) -> None:
    sign_in_as(client, make_person(Role.HR))

    workbook = openpyxl.load_workbook(io.BytesIO(_body(client, "/culture/export.xlsx")))
    archive = zipfile.ZipFile(io.BytesIO(_body(client, "/culture/export.csv.zip")))

    in_workbook = {cell for row in workbook["Scores"].iter_rows(values_only=True) for cell in row}
    scores = archive.read("scores.csv")
    assert scores.startswith(codecs.BOM_UTF8)
    in_csv = {cell for row in csv.reader(io.StringIO(scores.decode("utf-8-sig"))) for cell in row}
    assert set(TEXTS.values()) <= in_workbook
    assert set(TEXTS.values()) <= in_csv


def test_an_email_and_its_calendar_file_carry_every_script(
    client: FlaskClient, make_person: Callable[..., Person], inbox: SmtpServer
) -> None:
    facilitator = make_person(Role.FACILITATOR, display_name=NAMES["arabic"])
    members = [make_person(display_name=NAMES[script]) for script in ("greek", "cyrillic")]
    today = date.today()
    learning_set = LearningSet(
        cohort=Cohort(
            programme=Programme(name=TEXTS["greek"]),
            name=TEXTS["cyrillic"],
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=120),
        ),
        name=TEXTS["japanese"],
        facilitator=facilitator,
    )
    db.session.add_all(
        [learning_set]
        + [SetMembership(learning_set=learning_set, person=m, joined_on=today) for m in members]
    )
    db.session.commit()
    sign_in_as(client, facilitator)
    page = f"/sets/{learning_set.id}/sessions/new"
    client.post(
        page,
        data={"day": (today + timedelta(days=10)).isoformat(), "start": "09:30",
              "session_format": "hack", "count": "1", "location": TEXTS["arabic"],
              "csrf_token": csrf_token(client, page)},
    )  # fmt: skip

    mail.deliver_due(utcnow())
    received = {r.message["To"]: r.message for r in inbox.received}
    message = received[members[0].email]
    assert TEXTS["japanese"] in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert TEXTS["japanese"] in body and TEXTS["arabic"] in body
    ics = next(p for p in message.walk() if p.get_filename() == "invite.ics").get_content()
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert TEXTS["japanese"] in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == TEXTS["arabic"]
