"""The programme lead's journey in a real browser: a new cohort, the set composer on the next
cohort, a survey wave from start to the culture dashboard, and its XLSX export opened."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from intrapreneur.culture import services as surveys
from intrapreneur.culture.anonymity import hidden_label
from intrapreneur.culture.models import SurveyInvitation, SurveyWave
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from tests.e2e.journey import Journey, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite

NEW_COHORT = "Winter cohort 2028"
NEXT_COHORT = "Autumn cohort"  # seeded: accepted participants, no sets yet
# A title a spreadsheet would run as a formula: the export must keep it text.
WAVE_TITLE = "=2+3 Winter pulse"
HIDDEN = hidden_label(5)
# Answers the survey through their personal link in the browser; the rest through the service.
LINK_RESPONDENT = "lfischer"


def _create_cohort(page: Page, journey: Journey) -> None:
    page.get_by_role("banner").get_by_role("link", name="Programmes").click()
    journey.look("programmes")
    page.get_by_role("link", name="Add a cohort to Ignite 2027").click()
    journey.look("new-cohort")
    starts = date.today() + timedelta(days=300)
    page.get_by_label("Name").fill(NEW_COHORT)
    page.get_by_label("Starts on").fill(starts.isoformat())
    page.get_by_label("Ends on").fill((starts - timedelta(days=1)).isoformat())
    page.get_by_label("Places").fill("12")
    page.get_by_role("button", name="Create cohort").click()
    # Ending before it starts is refused next to the field, in words as well as colour.
    expect(page.get_by_label("Ends on")).to_have_accessible_description(
        re.compile("Error: The cohort must end on or after its first day")
    )
    journey.look("new-cohort-refused")
    page.get_by_label("Ends on").fill((starts + timedelta(days=120)).isoformat())
    page.get_by_role("button", name="Create cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_COHORT)
    expect(page.get_by_text(f"Cohort {NEW_COHORT} created.")).to_be_visible()
    expect(page.get_by_text("No sets yet.")).to_be_visible()
    journey.look("new-cohort-created")


def _proposed_sets(page: Page) -> dict[str, list[str]]:
    """The composer's proposal as the move form lists it: set name to its members."""
    groups = page.locator("#move-person optgroup")
    return {
        group.get_attribute("label") or "": group.locator("option").all_inner_texts()
        for group in groups.all()
    }


def _move(page: Page, person: str, target: str) -> None:
    form = page.get_by_role("region", name="Move someone")
    form.get_by_label("Person").select_option(label=person)
    form.get_by_label("to", exact=True).select_option(label=target)
    form.get_by_role("button", name="Move").click()


def _without(proposal: dict[str, list[str]], person: str) -> dict[str, list[str]]:
    return {name: [p for p in members if p != person] for name, members in proposal.items()}


def _set_of(proposal: dict[str, list[str]], person: str) -> str:
    return next(name for name, members in proposal.items() if person in members)


def _compose_sets(page: Page, journey: Journey) -> None:
    page.get_by_role("banner").get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name=NEXT_COHORT).click()
    expect(page.get_by_text("No sets yet.")).to_be_visible()
    journey.look("next-cohort")
    page.get_by_role("link", name="Compose sets").click()
    journey.look("composer")
    # No facilitators: the other journeys' facilitators keep the sets they have.
    page.get_by_label("Number of sets").fill("2")
    page.get_by_role("button", name="Propose sets").click()
    expect(page.get_by_text("Here is a proposal.")).to_be_visible()
    journey.look("composer-proposal")
    proposal = _proposed_sets(page)
    assert len(proposal) == 2
    assert sum(len(members) for members in proposal.values()) == 11

    # Priya Raman manages Daniel Kim: the composer kept them apart, and a move that would
    # put them together is refused with the reason.
    daniels_set = _set_of(proposal, "Daniel Kim")
    assert _set_of(proposal, "Priya Raman") != daniels_set
    _move(page, "Priya Raman", daniels_set)
    expect(page.locator(".flash-error")).to_contain_text("Priya Raman")
    assert _proposed_sets(page) == proposal
    journey.look("composer-move-refused")

    # Sofia Alves manages nobody here: she moves, is locked there, and nobody else moves.
    sofias_set = _set_of(proposal, "Sofia Alves")
    other_set = next(name for name in proposal if name != sofias_set)
    _move(page, "Sofia Alves", other_set)
    expect(page.get_by_text("Moved and locked there")).to_be_visible()
    moved = _proposed_sets(page)
    assert "Sofia Alves" in moved[other_set]
    assert _without(moved, "Sofia Alves") == _without(proposal, "Sofia Alves")
    sofias_row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Sofia Alves")
    )
    expect(sofias_row.get_by_text("locked", exact=True)).to_be_visible()
    journey.look("composer-moved")

    page.get_by_role("button", name="Publish: create these sets").click()
    expect(page.get_by_text("Published: 2 sets created.")).to_be_visible()
    sets = page.get_by_role("region", name="Sets").get_by_role("listitem")
    expect(sets).to_have_count(2)
    expect(sets.filter(has_text=other_set)).to_have_count(1)
    journey.look("next-cohort-with-sets")


def _start_wave(page: Page, journey: Journey) -> str:
    page.get_by_role("banner").get_by_role("link", name="Surveys").click()
    journey.look("surveys")
    page.get_by_role("link", name="Start a survey wave").click()
    journey.look("new-wave")
    page.get_by_label("Title").fill(WAVE_TITLE)
    # Opened before the seeded "Autumn pulse" (still open), so that once this wave closes
    # it is next in the series the dashboard shows rather than waiting behind that one.
    page.get_by_label("Opens on").fill((date.today() - timedelta(days=3)).isoformat())
    page.get_by_label("Closes on").fill((date.today() + timedelta(days=7)).isoformat())
    # The new cohort has nobody to ask yet: refused, and nothing is created.
    page.get_by_label(f"Ignite 2027 · {NEW_COHORT}").check()
    page.get_by_role("button", name="Create the wave and invite").click()
    expect(page.get_by_role("alert")).to_contain_text("no accepted participants")
    journey.look("new-wave-refused")
    page.get_by_label(f"Ignite 2027 · {NEW_COHORT}").uncheck()
    page.get_by_label(f"Ignite 2027 · {NEXT_COHORT}").check()
    page.get_by_role("button", name="Create the wave and invite").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(WAVE_TITLE)
    # Ten employees accepted (the guest entrepreneur is not asked); one comparison person.
    expect(page.get_by_text("Survey created: 10 participants")).to_be_visible()
    journey.look("wave")
    return page.url


def _invitations(site: DemoSite) -> dict[str, str]:
    """Each invited participant's personal link token, by username."""
    with site.database():
        wave = db.session.scalars(select(SurveyWave).where(SurveyWave.title == WAVE_TITLE)).one()
        rows = db.session.execute(
            select(Person.username, SurveyInvitation.person_id)
            .join(Person, Person.id == SurveyInvitation.person_id)
            .where(SurveyInvitation.wave_id == wave.id, SurveyInvitation.group == "participant")
        ).all()
        return {username: surveys.invitation_token(wave.id, person) for username, person in rows}


def _answer_by_link(page: Page, journey: Journey, site: DemoSite, token: str) -> None:
    page.goto(f"{site.base_url}/surveys/answer/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text(WAVE_TITLE)
    journey.look("questionnaire")
    for statement in page.locator("fieldset").all():
        statement.get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank")
    journey.look("questionnaire-thanks")


def _answer_in_database(site: DemoSite, usernames: list[str]) -> None:
    """The other participants answer through the service the questionnaire uses."""
    with site.database():
        wave = db.session.scalars(select(SurveyWave).where(SurveyWave.title == WAVE_TITLE)).one()
        instrument = surveys.instrument_of(wave)
        for number, username in enumerate(sorted(usernames)):
            person = db.session.scalars(select(Person).where(Person.username == username)).one()
            # Each person near a level of their own, so the answers hang together as a scale.
            answers = {
                item.id: 2 + number % 3 + index % 2 for index, item in enumerate(instrument.items)
            }
            surveys.answer(wave, person, answers, "", date.today(), language="en")
        db.session.commit()


def _table_cells(page: Page, caption: str) -> dict[tuple[str, str], str]:
    """A dashboard table as (row heading, column heading) to the cell's text."""
    table = page.get_by_role("table", name=re.compile(caption))
    columns = table.locator("thead th").all_inner_texts()[1:]
    cells = {}
    for row in table.locator("tbody tr").all():
        heading = row.locator("th").inner_text()
        for column, cell in zip(columns, row.locator("td").all_inner_texts(), strict=True):
            cells[heading, column] = cell
    return cells


def _read_dashboard(page: Page, journey: Journey) -> tuple[dict, dict]:
    page.get_by_role("banner").get_by_role("link", name="Culture").click()
    # The latest published wave is shown: this one.
    expect(page.get_by_label("Wave", exact=True).locator("option:checked")).to_have_text(WAVE_TITLE)
    journey.look("culture")
    # (dimension, department) and (group, dimension) to what the cell says.
    heat = _table_cells(page, "Mean score per dimension and department")
    side = _table_cells(page, "Mean score per dimension and group")
    # No department has five respondents: every department cell is hidden, in words.
    assert heat and set(heat.values()) == {HIDDEN}
    # Ten participants answered: their means are shown; nobody in the comparison group did.
    participants = {dim: text for (group, dim), text in side.items() if group == "Participants"}
    # Each mean with the answers it rests on in brackets.
    assert participants and all(
        re.fullmatch(r"\d\.\d\d \(10\)", text) for text in participants.values()
    )
    hidden_cell = page.get_by_role("cell", name=HIDDEN).first
    expect(hidden_cell).to_be_visible()
    return heat, side


def _export(page: Page, tmp_path: Path) -> Path:
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX", exact=True).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def _assert_workbook_matches(path: Path, heat: dict, side: dict) -> None:
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Scores", "Response rates", "Instrument", "Rules"]
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
    rows = list(workbook["Scores"].iter_rows(values_only=True))
    assert rows[0] == (
        "Wave",
        "Department",
        "Cohort",
        "Group",
        "Business unit",
        "Country",
        "Location",
        "Dimension",
        "Respondents",
        "Answers",
        "Mean score",
    )
    # The title that looks like a formula stays text, marked so no spreadsheet runs it.
    assert {row[0] for row in rows[1:]} == {"'" + WAVE_TITLE}
    # The department × cohort × group table: its rows are not split by place.
    printed = {
        (department, cohort, group, dimension): (respondents, answers, mean)
        for _, department, cohort, group, *places, dimension, respondents, answers, mean in rows[1:]
        if places == ["All", "All", "All"]
    }
    # Each department cell of the dashboard, hidden ones included, is in the sheet as shown.
    for (dimension, department), shown in heat.items():
        if dimension == "Respondents":
            counts = {respondents for respondents, _, _ in _everyone_in(printed, department)}
            assert counts == {shown if shown == HIDDEN else int(shown)}, department
        else:
            respondents, answers, mean = printed[department, "All", "All", dimension]
            assert _as_shown(mean, answers) == shown, (dimension, department, mean)
            if shown == HIDDEN:
                assert respondents == HIDDEN
    participants = {dim: text for (group, dim), text in side.items() if group == "Participants"}
    for dimension, shown in participants.items():
        _, answers, mean = printed["All", "All", "Participants", dimension]
        assert _as_shown(mean, answers) == shown


def _everyone_in(printed: dict, department: str) -> list[tuple[object, object]]:
    """The department's (respondents, answers, mean) on each dimension, every cohort and
    group."""
    return [value for key, value in printed.items() if key[:3] == (department, "All", "All")]


def _as_shown(mean: object, answers: object) -> str:
    """A sheet's cells as the dashboard prints them: the mean to two decimals with its
    answers in brackets, text as it is."""
    return f"{mean:.2f} ({answers})" if isinstance(mean, float | int) else str(mean)


@pytest.mark.e2e
def test_programme_lead_composes_sets_runs_a_survey_and_exports_it(
    page: Page, demo_site: DemoSite, screenshot_dir: Path, tmp_path: Path
) -> None:
    journey = Journey("hr", page, screenshot_dir)
    sign_in(page, demo_site.base_url, "hokafor", demo_site.employee_password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Helen Okafor")
    journey.look("home")

    _create_cohort(page, journey)
    _compose_sets(page, journey)
    wave_url = _start_wave(page, journey)

    tokens = _invitations(demo_site)
    assert len(tokens) == 10
    _answer_by_link(page, journey, demo_site, tokens[LINK_RESPONDENT])
    _answer_in_database(demo_site, [name for name in tokens if name != LINK_RESPONDENT])

    # An open wave shows no figures; closing it publishes them (the job runs at once here).
    page.goto(wave_url)
    expect(page.get_by_role("row", name=re.compile("Participants"))).to_contain_text("10 of 10")
    page.get_by_role("button", name="Close this survey now").click()
    expect(page.get_by_text("Survey closed")).to_be_visible()
    expect(page.get_by_role("button", name="Close this survey now")).to_have_count(0)
    journey.look("wave-closed")

    heat, side = _read_dashboard(page, journey)
    _assert_workbook_matches(_export(page, tmp_path), heat, side)
