"""The culture dashboard page: charts with their tables, hidden cells said in words,
managers limited to their departments, and behaviour figures for HR."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from intrapreneur.core.models import BackgroundJob
from intrapreneur.culture import services
from intrapreneur.culture.instruments import available, shipped_dir
from intrapreneur.culture.models import PublishedFigure, SurveyPublication, SurveyResponse
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, Role
from tests.conftest import sign_in_as
from tests.culture import builders as b

DIMENSIONS = [d.id for d in available()["intrapreneur-culture@1.0"].dimensions]


def _table(page: str, caption_start: str) -> list[list[str]]:
    for match in re.finditer(r"<table>(.*?)</table>", page, re.S):
        caption = re.search(r"<caption>(.*?)</caption>", match.group(1), re.S)
        if caption and html.unescape(caption.group(1)).startswith(caption_start):
            return [
                [
                    " ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
                    for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
                ]
                for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
            ]
    raise AssertionError(f"no table starting {caption_start!r}")


def _figure(page: str, chart_id: str) -> dict[str, Any]:
    match = re.search(rf'id="{chart_id}-figure"[^>]*>(.*?)</script>', page, re.S)
    assert match, chart_id
    return json.loads(match.group(1))


@pytest.fixture
def survey(make_person: Callable[..., Person]) -> dict[str, Any]:
    finance, legal, sales, marketing = (
        Department(name=n) for n in ("Finance", "Legal", "Sales", "Marketing")
    )
    db.session.add_all([finance, legal, sales, marketing])
    db.session.flush()
    wave = b.wave("January")
    wave.opens_on = date.today() - timedelta(days=10)
    b.respond(wave, 6, finance, b.P, b.answers(4))
    b.respond(wave, 8, sales, b.C, b.answers(2))
    b.respond(wave, 2, legal, b.C, b.answers(5))
    b.respond(wave, 20, marketing, b.P, b.answers(3))
    b.respond(wave, 20, marketing, b.C, b.answers(3))
    boss = make_person(Role.MANAGER, display_name="Boss")
    make_person(display_name="Report", department=sales, manager=boss)
    services.publish_closed_waves(date.today())  # the job's work when a wave closes
    db.session.commit()
    return {"finance": finance, "legal": legal, "sales": sales, "wave": wave, "boss": boss}


def test_hr_reads_the_heatmap_with_hidden_cells_in_words(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    sign_in_as(client, make_person(Role.HR))

    page = client.get("/culture/").get_data(as_text=True)

    rows = _table(page, "Mean score per dimension and department")
    header, experimentation = rows[0], rows[1]
    assert header == ["Dimension", "Finance", "Legal", "Marketing", "Sales"]
    assert experimentation[0] == "Experimentation"
    assert experimentation[2].startswith("hidden: fewer than 5 responses")  # Legal: 2
    # Marketing: the mean of its 40 answers, and how many answers it rests on.
    assert experimentation[3] == f"{b.expected(3, 'experimentation'):.2f} (40)"
    # The chart shows exactly what the table shows: a gap where the table says hidden.
    heat = _figure(page, "heatmap-chart")["data"][0]
    assert heat["x"] == header[1:]
    for cell, value in zip(experimentation[1:], heat["z"][0], strict=True):
        if cell.startswith("hidden"):
            assert value is None
        else:
            assert value == pytest.approx(float(cell.split()[0]), abs=0.005)
    assert "What people do" in page  # behaviour figures for HR


def test_a_wave_on_the_organisations_own_instrument_is_read_with_it(
    app: Flask,
    client: FlaskClient,
    make_person: Callable[..., Person],
    survey: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shipped = (shipped_dir() / "intrapreneur-culture-1.0.yaml").read_text()
    own = shipped.replace("id: intrapreneur-culture", "id: acme-pulse", 1)
    own = own.replace("en: Intrapreneur culture pulse", "en: Acme pulse", 1)
    (tmp_path / "acme-pulse-1.0.yaml").write_text(own)
    monkeypatch.setitem(app.config, "SURVEY_INSTRUMENTS_DIR", str(tmp_path))
    survey["wave"].instrument_key = "acme-pulse@1.0"
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))

    page = client.get("/culture/").get_data(as_text=True)

    assert "is not installed" not in page
    assert _table(page, "Mean score per dimension and department")[1][0] == "Experimentation"


def test_an_open_wave_shows_how_many_answered_and_no_figures_until_it_closes(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    sign_in_as(client, make_person(Role.HR))
    closed = client.get("/culture/").get_data(as_text=True)
    header, (name, alpha) = _table(closed, "Cronbach's alpha")[:2]
    assert header == ["Dimension", "Alpha"]  # how many were complete is not printed
    assert name == "Experimentation" and -1 <= float(alpha) <= 1

    survey["wave"].closes_on = date.today() + timedelta(days=3)
    db.session.commit()
    page = client.get("/culture/").get_data(as_text=True)

    # Figures that moved with each answer would give one person's answers away.
    assert "Mean score per dimension" not in page and "Cronbach" not in page
    assert "No survey wave has closed yet" in page
    notice = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "“January” is open until" in notice
    assert "Nobody was invited." in notice  # the builders answer without invitations


def test_a_closed_wave_is_published_by_a_job_before_the_dashboard_shows_it(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    db.session.execute(delete(PublishedFigure))
    db.session.execute(delete(SurveyPublication))
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))

    first = client.get("/culture/").get_data(as_text=True)

    assert "Mean score per dimension" not in first
    assert "its figures are being published" in " ".join(first.split())
    # The view asked for the job; the suite runs jobs as soon as the request commits.
    assert db.session.scalars(select(BackgroundJob.task)).all() == ["survey-waves"]
    assert _table(client.get("/culture/").get_data(as_text=True), "Mean score per dimension")


def test_a_manager_sees_only_the_departments_of_their_reports(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    sign_in_as(client, survey["boss"])

    page = client.get("/culture/").get_data(as_text=True)

    header = _table(page, "Mean score per dimension and department")[0]
    assert header == ["Dimension", "Sales"]  # the report works in Sales
    assert "What people do" not in page
    # Their comparison group is Sales' comparison group: what HR reads of it, hidden or not.
    assert _comparison_row(page) == _hr_column(client, make_person, "Sales")


def test_a_managers_scope_the_publication_does_not_hold_is_worked_out_from_its_parts(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    marketing = db.session.scalars(select(Department).where(Department.name == "Marketing")).one()
    manager = make_person(Role.MANAGER)
    make_person(department=marketing, manager=manager)  # a report since the wave closed
    db.session.commit()
    sign_in_as(client, manager)

    mine = _comparison_row(client.get("/culture/").get_data(as_text=True))

    assert mine == _hr_column(client, make_person, "Marketing")
    assert mine == [f"{b.expected(3, d):.2f} (20)" for d in DIMENSIONS]


def _comparison_row(page: str) -> list[str]:
    side = {row[0]: row[1:] for row in _table(page, "Mean score per dimension and group")[1:]}
    return _hidden_as_one(side["Comparison group"])


def _hidden_as_one(cells: list[str]) -> list[str]:
    """A manager's hidden cells say why in their own words; hidden is hidden."""
    return ["hidden" if cell.startswith("hidden") else cell for cell in cells]


def _hr_column(
    client: FlaskClient, make_person: Callable[..., Person], department: str
) -> list[str]:
    """What HR reads of one department's comparison group, dimension by dimension."""
    sign_in_as(client, make_person(Role.HR))
    page = client.get("/culture/?group=comparison").get_data(as_text=True)
    heat = _table(page, "Mean score per dimension and department")
    column = heat[0].index(department)
    return _hidden_as_one([row[column] for row in heat[1:-1]])


def test_a_manager_over_a_department_of_fewer_than_k_sees_hidden_everywhere(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    manager = make_person(Role.MANAGER)
    # Legal: 2 answered. The wave was published before this manager had reports, so their
    # scope is worked out from the published parts: hidden wherever a part is.
    make_person(department=survey["legal"], manager=manager)
    db.session.commit()
    sign_in_as(client, manager)

    page = html.unescape(client.get("/culture/").get_data(as_text=True))

    assert "nothing of it can be shown" in page
    for caption in ("Mean score per dimension and department", "Mean score per dimension and gr"):
        cells = [cell for row in _table(page, caption)[1:] for cell in row[1:]]
        assert cells and all(cell.startswith(("hidden", "no responses")) for cell in cells)


def test_employees_and_guests_are_refused(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    sign_in_as(client, make_person())
    assert client.get("/culture/").status_code == 403


def test_a_filter_that_leaves_too_few_shows_suppression_not_an_error(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    sign_in_as(client, make_person(Role.HR))
    response = client.get("/culture/?group=comparison&dimension=autonomy")
    assert response.status_code == 200
    rows = _table(response.get_data(as_text=True), "Mean score per dimension and department")
    assert all(
        cell.startswith(("hidden", "no responses", "—")) or cell[0].isdigit()
        for row in rows[1:]
        for cell in row[1:]
    )
    assert client.get("/culture/?group=everyone").status_code == 400


def test_comments_are_listed_only_for_departments_large_enough(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    wave = survey["wave"]
    marketing_comments = ["Ideas need a budget line", "More time to test would help"]
    for response in db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.wave_id == wave.id)
    ):
        name = db.session.get(Department, response.department_id).name  # type: ignore[union-attr]
        if name == "Marketing":
            response.comment = marketing_comments[response.id % 2]
        elif name == "Finance":
            response.comment = "Finance comment that must stay hidden"
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))

    page = client.get("/culture/").get_data(as_text=True)

    section = page.split('id="comments-heading"', 1)[1].split("</section>", 1)[0]
    assert "Marketing" in section and all(c in section for c in marketing_comments)
    assert "Finance comment" not in section  # 6 respondents: fewer than 10


def test_hr_finds_the_exports_with_the_dashboards_filters_and_managers_do_not(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    sign_in_as(client, make_person(Role.HR))
    page = client.get("/culture/?group=participant").get_data(as_text=True)
    link = re.search(r'href="(/culture/export\.csv[^"]*)"', page)
    assert link and "group=participant" in html.unescape(link.group(1))
    assert client.get(html.unescape(link.group(1))).status_code == 200
    sign_in_as(client, survey["boss"])
    assert "/culture/export" not in client.get("/culture/").get_data(as_text=True)
