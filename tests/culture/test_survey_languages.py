"""Surveys in several languages: each invitee answers in their own, the answers are stored
and scored alike in every language, the language mix is shown under the anonymity rules,
and a wave whose instrument lacks a language its invitees read is refused.

The app here carries test catalogues for German, French and Spanish (one message each), so
those three languages are offered, as in tests/core/test_languages.py.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.culture import services, survey_languages
from intrapreneur.culture.instruments import available
from intrapreneur.culture.models import (
    PublishedFigure,
    SurveyPublication,
    SurveyResponse,
    SurveyWave,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, Role
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus, Programme
from tests.conftest import csrf_token, migrated_app, sign_in_as
from tests.core.test_languages import write_catalogue

TODAY = date.today()
INSTRUMENT = available()["intrapreneur-culture@1.0"]
SEND = {"de": "Antworten senden", "fr": "Envoyer mes réponses", "es": "Enviar mis respuestas"}
# How many invitees read each language: Spanish below k = 5.
READERS = {"de": 5, "en": 5, "es": 2, "fr": 5}


@pytest.fixture(scope="module")
def app(
    empty_database: Callable[[str], object], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """This module's own app, with test catalogues for German, French and Spanish."""
    root = tmp_path_factory.mktemp("translations")
    for language, text in SEND.items():
        write_catalogue(root, language, {"Send my answers": text})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("intrapreneur.core.i18n.CATALOGUES", root)  # read by create_app
        with migrated_app(empty_database, tmp_path_factory, "survey_languages") as application:
            yield application


def _cohort(people: list[Person]) -> Cohort:
    programme = db.session.scalar(select(Programme).where(Programme.name == "Ignite"))
    cohort = Cohort(
        programme=programme or Programme(name="Ignite"),
        name="Autumn",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=90),
    )
    db.session.add(cohort)
    db.session.add_all(
        Enrolment(cohort=cohort, person=person, status=EnrolmentStatus.ACCEPTED)
        for person in people
    )
    db.session.flush()
    return cohort


@pytest.fixture
def people(make_person: Callable[..., Person]) -> dict[str, list[Person]]:
    """Participants in one department, by the language they read: German and French by
    their own choice, Spanish by the directory's, English by the organisation's default."""
    operations = Department(name="Operations")
    db.session.add(operations)
    chosen = {"de": {"chosen_locale": "de"}, "fr": {"chosen_locale": "fr"}}
    chosen |= {"es": {"directory_locale": "es"}, "en": {}}
    return {
        language: [
            make_person(department=operations, display_name=f"{language} {n}", **chosen[language])
            for n in range(count)
        ]
        for language, count in READERS.items()
    }


def _answers(number: int) -> dict[str, int]:
    """Different answers for each invitee, some items skipped."""
    return {
        item.id: (number + position) % 5 + 1
        for position, item in enumerate(INSTRUMENT.items)
        if (number + position) % 7
    }


def _answer_by_link(client: FlaskClient, url: str, answers: dict[str, int]) -> str:
    """Answer through the personal link; the questionnaire page as it was shown."""
    page = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, url)}
    data |= {f"item-{item_id}": str(value) for item_id, value in answers.items()}
    response = client.post(url, data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    return page


def _new_wave(everyone: list[Person], hr: Person, title: str) -> services.NewWave:
    """A wave of the shipped instrument for everyone, open today, created by ``hr``."""
    created = services.create_wave(
        title=title,
        instrument_key=INSTRUMENT.key,
        cohorts=[_cohort(everyone)],
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=14),
        seed=1,
        by=hr,
    )
    db.session.commit()
    return created


def _wave_answered(client: FlaskClient, everyone: list[Person], hr: Person, title: str) -> int:
    """A wave for everyone, each answering through their link, closed and published."""
    created = _new_wave(everyone, hr, title)
    for number, person in enumerate(everyone):
        _answer_by_link(client, f"/surveys/answer/{created.tokens[person.id]}", _answers(number))
    services.close_early(created.wave, by=hr, now=datetime.now(UTC))
    services.publish_closed_waves(TODAY)
    db.session.commit()
    return created.wave.id


def _published(wave_id: int) -> set[tuple[Any, ...]]:
    """Every published figure of a wave, by its coordinates (the cohort left out: each wave
    has its own), with what it shows."""
    rows = db.session.scalars(
        select(PublishedFigure).join(SurveyPublication).where(SurveyPublication.wave_id == wave_id)
    )
    return {
        (
            figure.width,
            figure.department,
            figure.cohort is None,
            figure.group,
            figure.respondents,
            figure.hidden,
            tuple(sorted(figure.means.items())),
            tuple(sorted(figure.answers.items())),
            tuple(figure.hidden_dimensions),
        )
        for figure in rows
    }


def _language_table(page: str) -> list[list[str]]:
    table = page.split("Respondents per language in", 1)[1].split("</table>", 1)[0]
    return [
        [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells]
        for cells in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
        )
    ]


def test_invitees_answer_in_their_language_and_the_figures_are_those_of_english_answers(
    client: FlaskClient,
    make_person: Callable[..., Person],
    people: dict[str, list[Person]],
) -> None:
    hr = make_person(Role.HR)
    everyone = [person for language in READERS for person in people[language]]
    created = _new_wave(everyone, hr, "Pulse in four languages")

    for number, person in enumerate(everyone):
        (language,) = {code for code, readers in people.items() if person in readers}
        url = f"/surveys/answer/{created.tokens[person.id]}"
        page = html.unescape(_answer_by_link(client, url, _answers(number)))
        shown = INSTRUMENT.in_language(language)
        # The page is in the invitee's language (nobody is signed in on the link) ...
        assert f'<html lang="{language}"' in page
        assert SEND.get(language, "Send my answers") in page
        # ... and so are the items, the scale and the instructions.
        for item in shown.items:
            assert item.text in page
        assert shown.scale_labels[1] in page
        assert shown.instructions in page
        if language != "en":
            assert INSTRUMENT.items[0].text not in page
    stored = db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.wave_id == created.wave.id)
    )
    # Stored by item id and scale point, with the language they were given in.
    assert sorted((r.language, sorted(r.answers.items())) for r in stored) == sorted(
        (language, sorted(_answers(everyone.index(person)).items()))
        for language, readers in people.items()
        for person in readers
    )
    services.close_early(created.wave, by=hr, now=datetime.now(UTC))
    services.publish_closed_waves(TODAY)
    db.session.commit()

    # The same people give the same answers in English.
    for person in everyone:
        person.chosen_locale, person.directory_locale = "en", None
    in_english = _wave_answered(client, everyone, hr, "Pulse in English")

    in_languages = _published(created.wave.id)
    assert any(figure[4] == len(everyone) for figure in in_languages)  # something is shown
    assert in_languages == _published(in_english)


def test_the_language_mix_is_shown_under_the_minimum_group_size(
    client: FlaskClient,
    make_person: Callable[..., Person],
    people: dict[str, list[Person]],
) -> None:
    hr = make_person(Role.HR)
    everyone = [person for language in READERS for person in people[language]]
    _wave_answered(client, everyone, hr, "Pulse in four languages")
    sign_in_as(client, hr)

    page = client.get("/culture/").get_data(as_text=True)

    hidden = "hidden: fewer than 5 responses, here or by subtraction"
    # Spanish (2) is under k = 5, and German goes with it: otherwise the total (17) minus
    # English and French would give Spanish away.
    assert _language_table(page) == [
        ["Language", "Respondents"],
        ["German", hidden],
        ["English", "5"],
        ["Spanish", hidden],
        ["French", "5"],
    ]


def test_a_manager_sees_no_language_mix(
    client: FlaskClient,
    make_person: Callable[..., Person],
    people: dict[str, list[Person]],
) -> None:
    hr = make_person(Role.HR)
    boss = make_person(Role.MANAGER)
    everyone = [person for language in READERS for person in people[language]]
    for person in everyone:
        person.manager = boss
    _wave_answered(client, everyone, hr, "Pulse in four languages")
    sign_in_as(client, boss)

    page = client.get("/culture/").get_data(as_text=True)

    assert "Mean score per dimension" in page  # the manager does see their figures
    assert "Respondents per language" not in page


def _instrument_missing_texts(folder: Path) -> None:
    """The shipped instrument as an organisation's own, without item exp2's German text
    and without any French; one Spanish text in a language nobody reads here (Italian)."""
    text = Path(services.__file__).parent / "instruments" / "intrapreneur-culture-1.0.yaml"
    own = text.read_text(encoding="utf-8").replace("id: intrapreneur-culture", "id: acme", 1)
    own = own.replace("      de: In meinem Team prüfen wir unsere Annahmen", "      it: Nel", 1)
    own = "\n".join(line for line in own.splitlines() if not re.match(r"\s*fr: ", line))
    own = re.sub(r", fr: [^,}]*", "", own)
    (folder / "acme-1.0.yaml").write_text(own, encoding="utf-8")


def test_a_wave_whose_instrument_lacks_an_invitees_language_is_refused_with_the_missing_texts(
    app: Flask,
    client: FlaskClient,
    make_person: Callable[..., Person],
    people: dict[str, list[Person]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _instrument_missing_texts(tmp_path)
    monkeypatch.setitem(app.config, "SURVEY_INSTRUMENTS_DIR", str(tmp_path))
    cohort = _cohort([person for readers in people.values() for person in readers])
    hr = make_person(Role.HR)
    db.session.commit()
    sign_in_as(client, hr)

    response = client.post(
        "/surveys/new",
        data={
            "csrf_token": csrf_token(client, "/surveys/new"),
            "title": "Acme pulse",
            "instrument": "acme@1.0",
            "cohort_ids": [cohort.id],
            "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY + timedelta(days=14)).isoformat(),
            "seed": "3",
        },
    )

    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert (
        "Some invitees read German, but the instrument acme@1.0 has no German text for: "
        "item “exp2”." in page
    )
    french = re.search(r"Some invitees read French, [^<]*", page)
    assert french, page
    assert french.group(0).startswith(
        "Some invitees read French, but the instrument acme@1.0 has no French text for: "
        "the title; the description; the instructions; the label of scale point 1; "
    )
    assert "the name of dimension “autonomy”" in french.group(0)
    assert "the description of dimension “autonomy”" in french.group(0)
    assert "item “mgmt4”." in french.group(0)
    # Spanish is complete; the Italian text is read by nobody.
    assert "read Spanish" not in page and "read Italian" not in page
    assert db.session.scalar(select(func.count()).select_from(SurveyWave)) == 0


def test_only_offered_languages_count(
    app: Flask,
    make_person: Callable[..., Person],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Someone who asks for a language the product does not offer reads the organisation's
    default: an instrument without their language is no reason to refuse."""
    _instrument_missing_texts(tmp_path)
    monkeypatch.setitem(app.config, "SURVEY_INSTRUMENTS_DIR", str(tmp_path))
    invitees = [make_person(chosen_locale="it", directory_locale="pt") for _ in range(2)]
    invitees.append(make_person(directory_locale="es"))

    created = services.create_wave(
        title="Acme pulse",
        instrument_key="acme@1.0",
        cohorts=[_cohort(invitees)],
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=14),
        seed=1,
        by=make_person(Role.HR),
    )

    assert survey_languages.invitee_languages(created.wave) == {"en", "es"}


def test_hr_reads_the_dimensions_and_languages_in_their_own_language(
    client: FlaskClient,
    make_person: Callable[..., Person],
    people: dict[str, list[Person]],
) -> None:
    hr = make_person(Role.HR, chosen_locale="de")
    everyone = [person for language in READERS for person in people[language]]
    _wave_answered(client, everyone, hr, "Pulse in four languages")
    sign_in_as(client, hr)

    page = html.unescape(client.get("/culture/").get_data(as_text=True))

    german = INSTRUMENT.in_language("de")
    assert f">{german.dimensions[1].name}<" in page  # Psychologische Sicherheit
    assert f">{INSTRUMENT.dimensions[1].name}<" not in page
    assert [row[0] for row in _language_table(page)[1:]] == [
        "Deutsch",
        "Englisch",
        "Spanisch",
        "Französisch",
    ]
