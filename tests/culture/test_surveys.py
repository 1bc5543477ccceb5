"""Survey waves, invitations and answers stored so that nobody can read one person's answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import JSON, String, Text, func, select

from intrapreneur.core.models import AuditEvent
from intrapreneur.core.timezones import local
from intrapreneur.culture import queries, services
from intrapreneur.culture.instruments import available
from intrapreneur.culture.models import (
    SurveyGroup,
    SurveyInvitation,
    SurveyResponse,
    SurveyScore,
    SurveyWave,
)
from intrapreneur.culture.pseudonyms import pseudonym
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, PersonKind, Role
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus, Programme
from tests.conftest import csrf_token, sign_in_as
from tests.formats import long_day

TODAY = date.today()
INSTRUMENT = available()["intrapreneur-culture@1.0"]
ALL_AGREE = {item.id: 4 for item in INSTRUMENT.items}


@dataclass
class Org:
    """Finance: 3 participants, 5 others. Legal: 2 participants, 1 other. Plus people who
    must never be drawn for comparison: a guest participant, an inactive employee, and
    someone who took part in an earlier cohort."""

    hr: Person
    cohort: Cohort
    finance: Department
    legal: Department
    participants: list[Person]
    finance_others: list[Person]
    legal_others: list[Person]
    excluded: list[Person]


def _cohort(name: str, starts_on: date) -> Cohort:
    programme = db.session.scalar(select(Programme).where(Programme.name == "Ignite"))
    cohort = Cohort(
        programme=programme or Programme(name="Ignite"),
        name=name,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=90),
    )
    db.session.add(cohort)
    return cohort


def _accept(cohort: Cohort, *people: Person) -> None:
    for person in people:
        db.session.add(Enrolment(cohort=cohort, person=person, status=EnrolmentStatus.ACCEPTED))


@pytest.fixture
def org(make_person: Callable[..., Person]) -> Org:
    finance, legal = Department(name="Finance"), Department(name="Legal")
    cohort = _cohort("Autumn", TODAY)
    participants = [make_person(department=finance, display_name=f"Fin P{n}") for n in range(3)]
    participants += [make_person(department=legal, display_name=f"Leg P{n}") for n in range(2)]
    finance_others = [make_person(department=finance, display_name=f"Fin O{n}") for n in range(5)]
    legal_others = [make_person(department=legal, display_name="Leg O0")]
    guest = make_person(kind=PersonKind.GUEST, display_name="Guest G")
    inactive = make_person(department=finance, active=False, display_name="Fin Gone")
    earlier = make_person(department=finance, display_name="Fin Earlier")
    _accept(cohort, *participants, guest)
    _accept(_cohort("Spring", TODAY - timedelta(days=200)), earlier)
    hr = make_person(Role.HR, display_name="Hana HR")
    db.session.commit()
    return Org(
        hr, cohort, finance, legal, participants, finance_others, legal_others,
        [guest, inactive, earlier, hr],
    )  # fmt: skip


def _wave(org: Org, *, seed: int = 7, opens_on: date = TODAY, days: int = 14) -> services.NewWave:
    created = services.create_wave(
        title="Culture pulse",
        instrument_key=INSTRUMENT.key,
        cohorts=[org.cohort],
        opens_on=opens_on,
        closes_on=opens_on + timedelta(days=days),
        seed=seed,
        by=org.hr,
    )
    db.session.commit()
    return created


def _invited(wave: SurveyWave, group: SurveyGroup) -> set[int]:
    return set(
        db.session.scalars(
            select(SurveyInvitation.person_id).where(
                SurveyInvitation.wave_id == wave.id, SurveyInvitation.group == group
            )
        )
    )


def _ids(people: list[Person]) -> set[int]:
    return {person.id for person in people}


def _answer(wave: SurveyWave, person: Person, answers: dict[str, int] = ALL_AGREE, **kw: Any):  # type: ignore[no-untyped-def]
    response = services.answer(
        wave, person, answers, kw.get("comment", ""), kw.get("today", TODAY), language="en"
    )
    db.session.commit()
    return response


def _responses(wave: SurveyWave) -> list[SurveyResponse]:
    return list(db.session.scalars(select(SurveyResponse).where(SurveyResponse.wave_id == wave.id)))


# -- waves and invitations -------------------------------------------------------------------


def test_a_wave_invites_participants_and_a_comparison_group_matched_by_department(
    org: Org,
) -> None:
    created = _wave(org)
    wave = created.wave

    assert _invited(wave, SurveyGroup.PARTICIPANT) == _ids(org.participants)
    comparison = _invited(wave, SurveyGroup.COMPARISON)
    assert len(comparison & _ids(org.finance_others)) == 3  # as many as Finance's participants
    assert comparison & _ids(org.legal_others) == _ids(org.legal_others)  # all there is
    assert comparison <= _ids(org.finance_others + org.legal_others)
    assert not comparison & _ids(org.excluded)
    assert created.shortfalls == [services.Shortfall("Legal", wanted=2, drawn=1)]
    assert set(created.tokens) == _ids(org.participants) | comparison


def test_the_comparison_draw_is_decided_by_the_seed(org: Org) -> None:
    first = _invited(_wave(org, seed=7).wave, SurveyGroup.COMPARISON)
    again = _invited(_wave(org, seed=7).wave, SurveyGroup.COMPARISON)
    others = [_invited(_wave(org, seed=seed).wave, SurveyGroup.COMPARISON) for seed in range(8)]
    assert first == again
    assert any(other != first for other in others)


def test_only_hashes_of_the_personal_links_are_stored_and_the_audit_holds_counts(
    org: Org,
) -> None:
    created = _wave(org)
    hashes = set(db.session.scalars(select(SurveyInvitation.token_hash)))
    assert {services.token_hash(token) for token in created.tokens.values()} <= hashes
    assert not set(created.tokens.values()) & hashes
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "survey_wave.created"))
    assert event is not None
    assert event.details["participants"] == 5 and event.details["comparison"] == 4
    assert not any(token in str(event.details) for token in created.tokens.values())


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"instrument_key": "nope@1"}, "There is no instrument nope@1."),
        ({"closes_on": TODAY - timedelta(days=1)}, "must close on or after"),
        ({"cohorts": []}, "no accepted participants"),
    ],
)
def test_a_wave_without_instrument_dates_or_participants_is_refused(
    org: Org, fields: dict[str, Any], message: str
) -> None:
    values: dict[str, Any] = {
        "title": "Pulse",
        "instrument_key": INSTRUMENT.key,
        "cohorts": [org.cohort],
        "opens_on": TODAY,
        "closes_on": TODAY + timedelta(days=7),
        "seed": 1,
        "by": org.hr,
        **fields,
    }
    with pytest.raises(services.SurveyRefusal, match=message):
        services.create_wave(**values)


# -- answers ---------------------------------------------------------------------------------


def test_an_answer_is_stored_without_the_person_with_snapshots_and_scores(
    org: Org, app: Flask
) -> None:
    wave = _wave(org).wave
    person = org.participants[0]
    reverse = next(item for item in INSTRUMENT.items if item.reverse)
    answers = {**ALL_AGREE, reverse.id: 5}

    _answer(wave, person, answers, comment="  More time for tests, please. ")

    assert "person_id" not in {column.name for column in SurveyResponse.__table__.columns}
    (response,) = _responses(wave)
    assert response.pseudonym == pseudonym(person.id, app.config["SURVEY_PSEUDONYM_KEY"])
    assert (response.department_id, response.cohort_id) == (org.finance.id, org.cohort.id)
    assert response.group is SurveyGroup.PARTICIPANT
    assert response.answers == answers
    assert response.comment == "More time for tests, please."
    assert type(response.submitted_on) is date and response.submitted_on == TODAY

    scores = dict(
        db.session.execute(
            select(SurveyScore.dimension, SurveyScore.score).where(
                SurveyScore.response_id == response.id
            )
        ).all()
    )
    assert scores.keys() == {dimension.id for dimension in INSTRUMENT.dimensions}
    same_dimension = INSTRUMENT.items_of(reverse.dimension)
    # The reverse item's 5 counts as 1; every other item of its dimension counts 4.
    expected = (1 + 4 * (len(same_dimension) - 1)) / len(same_dimension)
    assert scores[reverse.dimension] == pytest.approx(expected)
    # Nothing on the invitation says it was answered: only the pseudonym knows.
    assert "answered" not in SurveyInvitation.__table__.columns
    assert queries.has_answered(wave.id, services.pseudonym_of(person.id))


def test_a_comparison_answer_has_no_cohort(org: Org) -> None:
    created = _wave(org)
    person_id = next(iter(_invited(created.wave, SurveyGroup.COMPARISON)))
    _answer(created.wave, db.session.get(Person, person_id))
    (response,) = _responses(created.wave)
    assert response.group is SurveyGroup.COMPARISON and response.cohort_id is None
    score_rows = db.session.scalars(
        select(SurveyScore).where(SurveyScore.response_id == response.id)
    ).all()
    assert {(row.group, row.cohort_id) for row in score_rows} == {(SurveyGroup.COMPARISON, None)}


def test_a_second_answer_is_refused_and_the_first_kept(org: Org) -> None:
    wave = _wave(org).wave
    person = org.participants[0]
    _answer(wave, person, {INSTRUMENT.items[0].id: 2})

    with pytest.raises(services.SurveyRefusal, match="already answered this survey"):
        _answer(wave, person, {INSTRUMENT.items[0].id: 5})
    db.session.rollback()
    (response,) = _responses(wave)
    assert response.answers == {INSTRUMENT.items[0].id: 2}


def test_the_database_refuses_a_second_answer_even_past_the_check(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    wave = _wave(org).wave
    person = org.participants[0]
    _answer(wave, person)
    db.session.commit()
    # As if two submissions had raced past the check at the same moment.
    monkeypatch.setattr(services.queries, "has_answered", lambda *_: False)

    with pytest.raises(services.SurveyRefusal, match="already answered"):
        _answer(wave, person, {INSTRUMENT.items[0].id: 1})
    db.session.rollback()
    assert [response.answers for response in _responses(wave)] == [ALL_AGREE]


@pytest.mark.parametrize(
    "answers",
    [
        {INSTRUMENT.items[0].id: 6},
        {INSTRUMENT.items[0].id: 0},
        {INSTRUMENT.items[0].id: 3, "not-an-item": 3},
        {},
    ],
)
def test_answers_outside_the_scale_are_refused_and_nothing_is_stored(
    org: Org, answers: dict[str, int]
) -> None:
    wave = _wave(org).wave
    with pytest.raises(services.SurveyRefusal) as refused:
        _answer(wave, org.participants[0], answers)
    db.session.rollback()
    assert refused.value.status == 422
    assert _responses(wave) == []
    assert db.session.scalar(select(func.count()).select_from(SurveyScore)) == 0
    assert not queries.has_answered(wave.id, services.pseudonym_of(org.participants[0].id))


def test_people_who_were_not_invited_cannot_answer(org: Org) -> None:
    wave = _wave(org).wave
    with pytest.raises(services.SurveyNotFound):
        _answer(wave, org.excluded[0])


def test_closed_waves_refuse_new_answers_and_keep_the_old_ones(org: Org) -> None:
    early = _wave(org).wave
    _answer(early, org.participants[0])
    services.close_early(early, by=org.hr, now=datetime.now(UTC))
    db.session.commit()
    with pytest.raises(services.SurveyRefusal, match="closed early"):
        _answer(early, org.participants[1])
    db.session.rollback()
    assert len(_responses(early)) == 1

    later = _wave(org, opens_on=TODAY + timedelta(days=1)).wave
    with pytest.raises(services.SurveyRefusal, match="opens on"):
        _answer(later, org.participants[0])
    with pytest.raises(services.SurveyRefusal, match="closed on"):
        _answer(later, org.participants[0], today=later.closes_on + timedelta(days=1))
    db.session.rollback()
    _answer(later, org.participants[0], today=later.closes_on)
    assert len(_responses(later)) == 1


def test_closing_twice_is_refused(org: Org) -> None:
    wave = _wave(org).wave
    services.close_early(wave, by=org.hr, now=datetime.now(UTC))
    with pytest.raises(services.SurveyRefusal, match="already closed"):
        services.close_early(wave, by=org.hr, now=datetime.now(UTC))


# -- pseudonyms and the key ------------------------------------------------------------------


def test_a_person_keeps_one_pseudonym_across_waves_and_people_differ(org: Org) -> None:
    first, second = _wave(org).wave, _wave(org).wave
    for wave in (first, second):
        for person in org.participants[:2]:
            _answer(wave, person)
    by_wave = [sorted(response.pseudonym for response in _responses(w)) for w in (first, second)]
    assert by_wave[0] == by_wave[1]
    assert len(set(by_wave[0])) == 2
    assert pseudonym(1, "a" * 32) != pseudonym(1, "b" * 32)


def _every_text_value() -> list[str]:
    """What a dump of every text column of every table would show."""
    values: list[str] = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if columns:
            values += [str(value) for row in db.session.execute(select(*columns)) for value in row]
    return values


def test_neither_the_pseudonym_key_nor_a_link_secret_is_in_the_database(
    org: Org, app: Flask
) -> None:
    created = _wave(org)
    _answer(created.wave, org.participants[0], comment="fine")
    secrets = [app.config["SURVEY_PSEUDONYM_KEY"], *created.tokens.values()]
    dump = "\n".join(_every_text_value())
    assert "fine" in dump  # the dump does read the responses
    assert not [secret for secret in secrets if secret in dump]


# -- pages -----------------------------------------------------------------------------------


def _post_wave(client: FlaskClient, org: Org, closes_in_days: int, **follow: bool):  # type: ignore[no-untyped-def]
    return client.post(
        "/surveys/new",
        data={
            "csrf_token": csrf_token(client, "/surveys/new"),
            "title": "Spring pulse",
            "instrument": INSTRUMENT.key,
            "cohort_ids": [org.cohort.id],
            "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY + timedelta(days=closes_in_days)).isoformat(),
            "seed": "3",
        },
        **follow,
    )


def test_hr_creates_a_wave_from_the_form(client: FlaskClient, org: Org) -> None:
    sign_in_as(client, org.hr)
    page = client.get("/surveys/new").get_data(as_text=True)
    assert "Intrapreneur culture pulse (version 1.0)" in page and "Ignite · Autumn" in page

    response = _post_wave(client, org, 10, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "5 participants and 4 people in the comparison group are invited" in text
    assert "Legal: only 1 of 2 comparison people could be drawn" in text


def test_the_wave_form_refuses_a_close_before_the_opening(client: FlaskClient, org: Org) -> None:
    sign_in_as(client, org.hr)
    response = _post_wave(client, org, -1)
    assert response.status_code == 422
    assert "must close on or after the day it opens" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyWave)) == 0


def test_hr_pages_show_response_rates_and_never_who_answered(client: FlaskClient, org: Org) -> None:
    wave = _wave(org).wave
    for person in org.participants[:2]:
        _answer(wave, person)
    sign_in_as(client, org.hr)

    pages = [client.get(url).get_data(as_text=True) for url in ("/surveys/", f"/surveys/{wave.id}")]
    for page in pages:
        assert "2 of 5 (40%)" in page and "0 of 4 (0%)" in page
        for person in org.participants + org.finance_others + org.legal_others:
            assert person.display_name not in page


def test_hr_closes_a_wave_early_from_its_page(client: FlaskClient, org: Org) -> None:
    wave = _wave(org).wave
    sign_in_as(client, org.hr)
    url = f"/surveys/{wave.id}"
    response = client.post(
        f"{url}/close", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True
    )
    assert "answers; those already given are kept" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SurveyWave, wave.id).closed_at is not None


def _form_data(client: FlaskClient, url: str, answers: dict[str, int], **extra: str) -> dict:  # type: ignore[type-arg]
    data = {"csrf_token": csrf_token(client, url), **extra}
    data.update({f"item-{item_id}": str(value) for item_id, value in answers.items()})
    return data


def test_an_invitee_answers_in_the_app(client: FlaskClient, org: Org) -> None:
    wave = _wave(org).wave
    person = org.participants[0]
    sign_in_as(client, person)
    home = client.get("/").get_data(as_text=True)
    assert "My surveys" in home
    assert f"/surveys/{wave.id}/answer" in client.get("/surveys/mine").get_data(as_text=True)

    url = f"/surveys/{wave.id}/answer"
    page = client.get(url).get_data(as_text=True)
    assert page.count("<fieldset") == len(INSTRUMENT.items)
    assert "Strongly disagree" in page and "Prefer not to answer" in page
    assert "groups of at least 10" in page and "never exported" in page

    skipped = INSTRUMENT.items[1].id
    answers = {item.id: 2 for item in INSTRUMENT.items if item.id != skipped}
    response = client.post(url, data=_form_data(client, url, answers, comment="Good"))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Thank you" in text and "pseudonym" in text
    (stored,) = _responses(wave)
    assert skipped not in stored.answers and stored.comment == "Good"
    assert "My surveys" not in client.get("/").get_data(as_text=True)

    again = client.get(url)
    assert again.status_code == 409
    assert "already answered this survey; your answer is kept" in again.get_data(as_text=True)


def test_an_answer_outside_the_scale_from_the_form_is_refused(
    client: FlaskClient, org: Org
) -> None:
    wave = _wave(org).wave
    sign_in_as(client, org.participants[0])
    url = f"/surveys/{wave.id}/answer"
    response = client.post(url, data=_form_data(client, url, {INSTRUMENT.items[0].id: 9}))
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _responses(wave) == []


def test_someone_not_invited_learns_nothing(client: FlaskClient, org: Org) -> None:
    wave = _wave(org).wave
    sign_in_as(client, org.excluded[2])
    assert client.get(f"/surveys/{wave.id}/answer").status_code == 404
    assert "No survey is waiting" in client.get("/surveys/mine").get_data(as_text=True)


def test_the_personal_link_works_without_signing_in_once(client: FlaskClient, org: Org) -> None:
    created = _wave(org)
    person = org.participants[3]
    url = f"/surveys/answer/{created.tokens[person.id]}"
    page = client.get(url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"

    first_tab = _form_data(client, url, {INSTRUMENT.items[0].id: 5})
    response = client.post(url, data=first_tab)
    assert response.status_code == 200 and "Thank you" in response.get_data(as_text=True)
    (stored,) = _responses(created.wave)
    assert stored.department_id == org.legal.id and stored.cohort_id == org.cohort.id

    # A second tab, opened before the first answer was sent, sends its own.
    again = client.post(url, data={**first_tab, f"item-{INSTRUMENT.items[0].id}": "1"})
    assert again.status_code == 409
    assert [response.answers for response in _responses(created.wave)] == [
        {INSTRUMENT.items[0].id: 5}
    ]


def test_a_wrong_personal_link_says_so(client: FlaskClient, org: Org) -> None:
    _wave(org)
    response = client.get("/surveys/answer/not-a-real-token")
    assert response.status_code == 404
    assert "This survey link is not valid" in response.get_data(as_text=True)


def test_a_closed_wave_says_so_on_its_page(client: FlaskClient, org: Org) -> None:
    created = _wave(org)
    services.close_early(created.wave, by=org.hr, now=datetime.now(UTC))
    db.session.commit()
    token = created.tokens[org.participants[0].id]
    response = client.get(f"/surveys/answer/{token}")
    assert response.status_code == 410
    closed_on = local(created.wave.closed_at, org.participants[0].time_zone).date()
    assert f"closed early on {long_day(closed_on)};" in response.get_data(as_text=True)


def test_an_unreadable_instrument_directory_is_a_plain_message(
    client: FlaskClient, org: Org, app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(app.config, "SURVEY_INSTRUMENTS_DIR", str(tmp_path / "missing"))
    sign_in_as(client, org.hr)
    response = client.get("/surveys/new")
    assert response.status_code == 503
    assert "questionnaires cannot be read" in response.get_data(as_text=True)
    assert str(tmp_path) not in response.get_data(as_text=True)


def test_a_leavers_personal_link_stops_working(client: FlaskClient, org: Org) -> None:
    """The link stands in for a session, so it ends with the person's access: a forwarded
    link cannot add an answer for someone who has gone."""
    created = _wave(org)
    person = org.participants[1]
    url = f"/surveys/answer/{created.tokens[person.id]}"
    assert client.get(url).status_code == 200
    data = _form_data(client, url, {INSTRUMENT.items[0].id: 5})

    person.active = False
    db.session.commit()

    for response in (client.get(url), client.post(url, data=data)):
        assert response.status_code == 410
        page = response.get_data(as_text=True)
        assert "no longer works" in page and created.wave.title not in page
    assert _responses(created.wave) == []
