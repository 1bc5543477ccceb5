"""HR's exports and the scores API: the dashboard's figures exactly, hidden cells as the
hidden text (never a number), formula-safe cells, filters applied and audited, and only HR
and admins let in."""

from __future__ import annotations

import codecs
import csv
import inspect
import io
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
import pandas as pd
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from intrapreneur.core import jobs
from intrapreneur.core.exports import neutralise
from intrapreneur.core.models import AuditEvent, ExportFile
from intrapreneur.culture import exports, services
from intrapreneur.culture.anonymity import hidden_label
from intrapreneur.culture.dashboard import rules_in_force, wave_figures
from intrapreneur.culture.instruments import available
from intrapreneur.culture.models import SurveyResponse, SurveyScore, SurveyWave
from intrapreneur.extensions import db
from intrapreneur.identity import api_tokens
from intrapreneur.identity.models import ApiScope, Department, Person, PersonKind, Role
from intrapreneur.learning.models import Cohort, Programme
from tests.conftest import csrf_token, sign_in_as
from tests.culture import builders as b

XLSX = "/culture/export.xlsx"
CSV = "/culture/export.csv.zip"
SCORES_API = "/api/v1/culture/scores"
EVIL = '=HYPERLINK("http://x")'
SHEETS = ["Scores", "Response rates", "Instrument", "Rules"]
# The CSV export is one file per sheet, in a ZIP.
TABLES = {
    "Scores": "scores.csv",
    "Response rates": "response-rates.csv",
    "Instrument": "instrument.csv",
    "Rules": "rules.csv",
}


def _opened(title: str) -> SurveyWave:
    wave = b.wave(title)
    wave.opens_on = date.today() - timedelta(days=10)
    return wave


def _into_cohort(wave: SurveyWave, department: Department, cohort: Cohort) -> None:
    for model in (SurveyResponse, SurveyScore):
        db.session.execute(
            update(model)
            .where(model.wave_id == wave.id, model.department_id == department.id)
            .where(model.group == b.P)
            .values(cohort_id=cohort.id)
        )


@pytest.fixture
def survey(app: object) -> dict[str, Any]:
    finance, legal, sales, evil = (Department(name=n) for n in ("Finance", "Legal", "Sales", EVIL))
    cohort = Cohort(
        programme=Programme(name="-Pilot"),
        name="@Spring",
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 12, 1),
    )
    db.session.add_all([finance, legal, sales, evil, cohort])
    db.session.flush()
    wave = _opened("+January")
    b.respond(wave, 6, finance, b.P, b.answers(4))
    b.respond(wave, 8, sales, b.C, b.answers(2))
    b.respond(wave, 2, legal, b.C, b.answers(5))
    b.respond(wave, 20, evil, b.P, b.answers(3))
    b.respond(wave, 20, evil, b.C, b.answers(3))
    _into_cohort(wave, evil, cohort)
    services.publish_closed_waves(date.today())
    db.session.commit()
    return {
        "wave": wave,
        "cohort": cohort,
        "legal": legal,
        "evil": evil,
        "others": [finance, sales],
    }


def _departments(survey: dict[str, Any]) -> dict[str, Department]:
    """Each department by its name as exported."""
    everyone = [survey["legal"], survey["evil"], *survey["others"]]
    return {neutralise(department.name): department for department in everyone}


def _content(response: Any) -> bytes:
    """The body, then the response closed as a WSGI server would (it holds a temporary file)."""
    data = response.get_data()
    response.close()
    return data


def _workbook(response: Any) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(_content(response)))


def _sheet_rows(workbook: openpyxl.Workbook, name: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in workbook[name].iter_rows(values_only=True)]


def _archive(response: Any) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(_content(response)))
    assert archive.namelist() == list(TABLES.values())
    assert archive.testzip() is None  # every file's checksum holds
    return archive


def _csv_tables(response: Any) -> dict[str, list[list[str]]]:
    """Sheet name → its CSV file's header and rows; each file starts with the byte-order
    mark Excel needs to read UTF-8."""
    archive = _archive(response)
    tables = {}
    for sheet, name in TABLES.items():
        content = archive.read(name)
        assert content.startswith(codecs.BOM_UTF8), name
        tables[sheet] = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    return tables


def _by_group(rows: list[Any]) -> dict[tuple[str, str, str, str], tuple[Any, Any]]:
    """(department, cohort, group, dimension) → (respondents, mean) of the Scores rows of
    the department × cohort × group table (not split by business unit, country or location)."""
    return {
        (*row[1:4], row[7]): (row[8], row[10])
        for row in rows[1:]
        if tuple(row[4:7]) == ("All", "All", "All")
    }


@pytest.fixture
def hr_client(client: FlaskClient, make_person: Callable[..., Person]) -> FlaskClient:
    sign_in_as(client, make_person(Role.HR))
    return client


def _assert_dashboards_figures(
    scores: dict[tuple[str, ...], tuple[Any, Any]], survey: dict[str, Any]
) -> None:
    """Each department's cells hold its dashboard figure, or the hidden text in both."""
    figures = wave_figures([survey["wave"]], rules_in_force())[-1]
    for printed, department in _departments(survey).items():
        figure = figures.get(department=str(department.id))
        respondents, mean = scores[printed, "All", "All", "Experimentation"]
        if figure.hidden:
            assert respondents == mean == figure.label
        else:
            assert int(respondents) == figure.respondents
            assert float(mean) == pytest.approx(figure.means["experimentation"], abs=0.005)
    assert figures.get(department=str(survey["legal"].id)).hidden  # 2 answered
    hidden = [cells for cells in scores.values() if str(cells[0]).startswith("hidden")]
    assert hidden and all(cells == (hidden_label(5), hidden_label(5)) for cells in hidden)


def test_the_xlsx_holds_the_dashboards_figures_and_the_hidden_text(
    hr_client: FlaskClient, survey: dict[str, Any]
) -> None:
    response = hr_client.get(f"{XLSX}?wave={survey['wave'].id}")

    assert response.status_code == 200 and response.is_streamed
    workbook = _workbook(response)
    assert workbook.sheetnames == SHEETS
    rows = _sheet_rows(workbook, "Scores")
    assert rows[0] == (
        "Wave", "Department", "Cohort", "Group", "Business unit", "Country", "Location",
        "Dimension", "Respondents", "Answers", "Mean score",
    )  # fmt: skip
    scores = _by_group(rows)
    _assert_dashboards_figures(scores, survey)
    # Shown figures are numbers; every other cell of the column is text, never 0.
    assert scores["'" + EVIL, "All", "All", "Experimentation"] == (
        40,
        pytest.approx(b.expected(3, "experimentation"), abs=0.005),
    )
    assert all(isinstance(n, int) == isinstance(mean, int | float) for n, mean in scores.values())


def test_the_xlsx_describes_the_instrument_rules_and_response_rates(
    hr_client: FlaskClient, survey: dict[str, Any]
) -> None:
    workbook = _workbook(hr_client.get(XLSX))  # the latest wave by default

    instrument = _sheet_rows(workbook, "Instrument")
    assert instrument[0][:3] == ("Instrument", "Title", "Scale")
    exp3 = next(row for row in instrument if row[4] == "exp3")
    assert exp3[0] == "intrapreneur-culture@1.0" and exp3[3] == "Experimentation"
    assert exp3[6] == "yes" and exp3[5].startswith("Here, an idea has to be fully worked out")
    assert exp3[2].startswith("1 to 5 (1 = Strongly disagree")
    rules = dict(_sheet_rows(workbook, "Rules")[1:])
    assert "fewer than 5" in rules["Minimum group size"]
    assert "every earlier wave" in rules["Subtraction"] and "manager" in rules["Subtraction"]
    assert "never exported" in rules["Comments"]
    rates = _sheet_rows(workbook, "Response rates")
    assert rates[0] == ("Wave", "Group", "Invited", "Answered", "Response rate (%)")
    assert [row[1] for row in rates[1:]] == ["Participants", "Comparison group"]


def _as_in_sheet(text: str, cell: Any) -> Any:
    """A CSV cell as the workbook holds it: a number where the sheet has one."""
    return float(text) if isinstance(cell, int | float) else text


def test_the_csv_export_is_a_zip_of_one_table_per_sheet_with_the_same_figures(
    hr_client: FlaskClient, survey: dict[str, Any]
) -> None:
    response = hr_client.get(f"{CSV}?wave={survey['wave'].id}")

    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/zip"
    file_name = f"survey-figures-wave-{survey['wave'].id}.csv.zip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{file_name}"'
    tables = _csv_tables(response)
    workbook = _workbook(hr_client.get(f"{XLSX}?wave={survey['wave'].id}"))
    for sheet, rows in tables.items():  # the same rows and cells as the sheet
        sheet_rows = _sheet_rows(workbook, sheet)
        assert len(rows) == len(sheet_rows), sheet
        for written, expected in zip(rows, sheet_rows, strict=True):
            assert list(map(_as_in_sheet, written, expected)) == list(expected), sheet
    _assert_dashboards_figures(_by_group(tables["Scores"]), survey)


def test_pandas_reads_each_csv_table_as_is_with_its_header(
    hr_client: FlaskClient, survey: dict[str, Any]
) -> None:
    archive = _archive(hr_client.get(f"{CSV}?wave={survey['wave'].id}"))

    scores = pd.read_csv(archive.open(TABLES["Scores"]))
    assert list(scores.columns) == [
        "Wave", "Department", "Cohort", "Group", "Business unit", "Country", "Location",
        "Dimension", "Respondents", "Answers", "Mean score",
    ]  # fmt: skip
    legal = scores[scores["Department"] == "Legal"]  # 2 answered: hidden
    assert len(legal) and set(legal["Mean score"]) == {hidden_label(5)}
    everyone = (scores["Cohort"] == "All") & (scores["Group"] == "All")
    evil = scores[everyone & (scores["Department"] == "'" + EVIL)]
    assert set(evil["Respondents"].astype(int)) == {40}  # a number, read as one
    rates = pd.read_csv(archive.open(TABLES["Response rates"]))
    assert list(rates["Group"]) == ["Participants", "Comparison group"]
    instrument = pd.read_csv(archive.open(TABLES["Instrument"]))
    assert list(instrument.columns[:3]) == ["Instrument", "Title", "Scale"]
    rules = pd.read_csv(archive.open(TABLES["Rules"]), index_col="Rule")
    assert "fewer than 5" in rules.loc["Minimum group size", "In force"]


def test_every_cell_that_would_be_a_formula_is_neutralised(
    hr_client: FlaskClient, survey: dict[str, Any]
) -> None:
    later = _opened("-June")
    later.opens_on = date.today() - timedelta(days=5)
    services.publish_closed_waves(date.today())
    db.session.commit()
    waves = f"wave={survey['wave'].id}&wave={later.id}"

    workbook = _workbook(hr_client.get(f"{XLSX}?{waves}"))
    sections = _csv_tables(hr_client.get(f"{CSV}?{waves}"))

    cells = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert cells and all(cell.data_type != "f" for cell in cells)
    texts = {cell.value for cell in cells} | {
        c for rows in sections.values() for r in rows for c in r
    }
    assert {"'" + EVIL, "'+January", "'-June", "'@Spring (-Pilot)"} <= texts
    assert not any(str(text).startswith(("=", "+", "-", "@")) for text in texts)


def test_headers_are_neutralised_too() -> None:
    section = exports.Section("Scores", ("=SUM(A1:A2)", "@name"), [("+1", 3)])

    with exports.xlsx_file([section]) as handle:
        sheet = openpyxl.load_workbook(handle).active
    archive = zipfile.ZipFile(io.BytesIO(b"".join(exports.csv_zip([section], date(2026, 3, 1)))))

    assert [cell.value for cell in sheet[1]] == ["'=SUM(A1:A2)", "'@name"]
    assert [cell.value for cell in sheet[2]] == ["'+1", 3]
    assert archive.read("scores.csv").decode("utf-8-sig") == "'=SUM(A1:A2),'@name\r\n'+1,3\r\n"
    assert archive.getinfo("scores.csv").date_time == (2026, 3, 1, 0, 0, 0)


def test_filters_are_applied_and_the_export_is_audited(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    admin = make_person(Role.ADMIN)
    sign_in_as(client, admin)
    wave, cohort = survey["wave"], survey["cohort"]

    response = client.get(f"{XLSX}?wave={wave.id}&cohort={cohort.id}&group=participant")

    workbook = _workbook(response)
    scores = _sheet_rows(workbook, "Scores")[1:]
    assert scores and {(row[2], row[3]) for row in scores} == {
        ("'@Spring (-Pilot)", "Participants")
    }
    rates = _sheet_rows(workbook, "Response rates")[1:]
    assert [row[1] for row in rates] == ["Participants"]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "culture.exported")
    ).one()
    assert event.actor_id == admin.id
    assert event.details == {
        "format": "xlsx",
        "filters": {"waves": [wave.id], "cohort": str(cohort.id), "group": "participant"},
    }


def test_a_filter_not_understood_or_an_unknown_wave_is_refused(
    hr_client: FlaskClient, survey: dict[str, Any]
) -> None:
    for query in ("group=everyone", "cohort=spring", "wave=first"):
        assert hr_client.get(f"{CSV}?{query}").status_code == 400
    assert hr_client.get(f"{XLSX}?wave=999999").status_code == 404
    assert db.session.scalars(select(AuditEvent.action)).all() == []


def test_an_open_wave_is_not_exported_nor_served_until_it_closes(
    hr_client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    survey["wave"].closes_on = date.today() + timedelta(days=5)
    db.session.commit()
    token, _ = _token(make_person)

    assert hr_client.get(f"{CSV}?wave={survey['wave'].id}").status_code == 404
    api = hr_client.get(f"{SCORES_API}?wave={survey['wave'].id}", headers=_bearer(token))
    assert api.status_code == 404 and "error" in api.get_json()


@pytest.mark.parametrize("role", [None, Role.MANAGER, Role.FACILITATOR, "guest"])
def test_only_hr_and_admins_export(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any], role: Any
) -> None:
    if role == "guest":
        person = make_person(kind=PersonKind.GUEST, access_ends_on=date.today() + timedelta(5))
    else:
        person = make_person(*([role] if role else []))
    sign_in_as(client, person)

    assert client.get(CSV).status_code == 403
    assert client.get(XLSX).status_code == 403


def test_rows_are_generated_one_at_a_time(survey: dict[str, Any]) -> None:
    """Memory stays flat when rows are made as they are written (the benchmark measures it)."""
    filters = exports.ExportFilters(wave_ids=(survey["wave"].id,))
    key = survey["wave"].instrument_key
    export = exports.gather(filters, rules_in_force(), {key: available()[key]}, date.today())

    sections = exports.sections(export)

    assert all(inspect.isgenerator(section.rows) for section in sections[:3])
    assert inspect.isgenerator(exports.csv_zip(sections, date.today()))


def _token(make_person: Callable[..., Person]) -> tuple[str, Any]:
    client_row, token = api_tokens.create_api_client(
        name="HRIS", scope=ApiScope.CULTURE_READ, by=make_person(Role.ADMIN), now=datetime.now(UTC)
    )
    db.session.commit()
    return token, client_row


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_api_returns_the_same_suppressed_figures(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    token, _ = _token(make_person)
    wave = survey["wave"]
    figures = wave_figures([wave], rules_in_force())[-1]

    response = client.get(
        f"{SCORES_API}?wave={wave.id}", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["wave"] == {
        "id": wave.id,
        "title": "+January",
        "instrument_key": wave.instrument_key,
    }
    assert body["rules"] == {"k": 5}
    returned = {frozenset(f["group"].items()): f for f in body["figures"]}
    published = {frozenset(figure.group.items()): figure for figure in figures.selected()}
    assert returned.keys() == published.keys()
    for coordinates, figure in published.items():
        sent = returned[coordinates]
        assert (sent["respondents"], sent["hidden"], sent["label"]) == (
            figure.respondents,
            figure.hidden,
            figure.label,
        )
        if figure.hidden:
            assert set(sent["means"].values()) == {None}
        else:
            assert {d: m for d, m in sent["means"].items() if m is not None} == figure.means
            assert {d: n for d, n in sent["answers"].items() if n is not None} == figure.answers
            assert set(sent["hidden_dimensions"]) == figure.hidden_dimensions
    legal = returned[frozenset({("department", str(survey["legal"].id))})]
    assert legal["hidden"] and legal["respondents"] is None
    # Programs read English, whatever language their headers ask for (the labels too).
    asking_in_german = {"Authorization": f"Bearer {token}", "Accept-Language": "de"}
    assert client.get(f"{SCORES_API}?wave={wave.id}", headers=asking_in_german).get_json() == body


def test_the_api_refuses_unknown_waves_and_revoked_tokens(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    token, client_row = _token(make_person)
    bearer = _bearer(token)

    assert client.get(SCORES_API, headers=bearer).get_json()["wave"]["id"] == survey["wave"].id
    for query in ("wave=999999", "wave=abc"):
        response = client.get(f"{SCORES_API}?{query}", headers=bearer)
        assert response.status_code == 404 and "error" in response.get_json()
    assert client.get(SCORES_API).status_code == 401

    api_tokens.revoke_api_client(client_row, by=make_person(Role.ADMIN), now=datetime.now(UTC))
    db.session.commit()
    assert client.get(SCORES_API, headers=bearer).status_code == 401


def test_a_large_export_is_prepared_in_the_background_for_whoever_asked(
    client: FlaskClient, make_person: Callable[..., Person], survey: dict[str, Any]
) -> None:
    hr = make_person(Role.HR)
    sign_in_as(client, hr)
    wave = survey["wave"].id
    url = f"{XLSX}/background?wave={wave}"

    asked = client.post(url, data={"csrf_token": csrf_token(client, "/culture/")})

    # The suite runs jobs as soon as the request commits: the job page offers the file.
    assert asked.status_code == 302
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "culture-export" in page and "Succeeded" in page
    assert f"Download survey-figures-wave-{wave}.xlsx" in page
    download = re.search(r'href="(/jobs/\d+/file)"', page)
    assert download
    prepared = _workbook(client.get(download.group(1)))
    direct = _workbook(client.get(f"{XLSX}?wave={wave}"))
    for sheet in ("Scores", "Response rates", "Rules"):
        assert _sheet_rows(prepared, sheet) == _sheet_rows(direct, sheet)
    assert db.session.scalars(select(AuditEvent.details)).all()[0]["format"] == "xlsx"
    # Someone else (HR too) cannot download it, nor can anyone once it has expired.
    sign_in_as(client, make_person(Role.HR))
    assert client.get(download.group(1)).status_code == 404
    sign_in_as(client, hr)
    for file in db.session.scalars(select(ExportFile)):
        file.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert client.get(download.group(1)).status_code == 404
    assert client.post(url).status_code == 400  # no CSRF token: refused
    jobs.enqueue("retention")  # the daily retention run drops expired files
    db.session.commit()
    assert db.session.scalars(select(ExportFile.id)).all() == []
