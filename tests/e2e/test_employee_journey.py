"""An employee's journey in a real browser: from an open cohort to a decided experiment.

Daniel Kim (dkim) signs in with his company password, checked by the real slapd, asks to
join a cohort, is accepted by the programme lead (hokafor) in her own browser, finds his
next session (its screen and its calendar file), records how his commitment went, turns it
into an experiment and takes the card across the board to Decided with a learning card.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import services as learning_services
from intrapreneur.learning.models import (
    BarrierCategory,
    Cohort,
    LearningSession,
    Programme,
    SessionFormat,
)
from tests import formats
from tests.e2e.journey import Journey, another_browser, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite

COHORT = "Summer sprint cohort"
SET = "Set Cassini"
COMMITMENT = "Ask three support agents which ticket type takes them longest"
LEARNING = "Two of three named password resets; the third named refunds."
# Sessions show in the reader's zone; the demo's people keep the default one.
READER_ZONE = ZoneInfo("Europe/London")


def _person(username: str) -> Person:
    return db.session.scalars(select(Person).where(Person.username == username)).one()


def _cohort() -> Cohort:
    return db.session.scalars(select(Cohort).where(Cohort.name == COHORT)).one()


def _open_a_new_cohort(site: DemoSite) -> None:
    """HR's doing before the journey: Daniel already belongs to the demo's two cohorts, so he
    needs one of his own to ask for; no other journey uses it."""
    with site.database():
        programme = db.session.scalars(
            select(Programme).where(Programme.name == "Ignite 2027")
        ).one()
        learning_services.create_cohort(
            programme,
            name=COHORT,
            starts_on=date.today() - timedelta(days=2),
            ends_on=date.today() + timedelta(days=90),
            capacity=8,
            enrolment_open=True,
            by=_person("hokafor"),
        )
        db.session.commit()


def _place_in_a_set_with_a_commitment(site: DemoSite) -> datetime:
    """What HR and the set do once Daniel is accepted, which this journey does not cover
    (the facilitator's journey covers running a session): HR puts him in a new set of the
    cohort, the set's kick-off earlier today gave him a hot seat and a commitment, and HR
    schedules the next session. Returns when that session starts."""
    with site.database():
        lead, daniel = _person("hokafor"), _person("dkim")
        now = datetime.now(UTC)
        learning_set = learning_services.create_set(
            _cohort(),
            name=SET,
            facilitator=None,
            default_format=SessionFormat.POWER_HOUR,
            cadence_days=14,
            by=lead,
        )
        db.session.flush()
        learning_services.add_member(learning_set, daniel, today=now.date(), by=lead)
        # The kick-off is over, so it is recorded as held (scheduling refuses the past).
        kickoff = LearningSession(
            learning_set=learning_set,
            format=SessionFormat.POWER_HOUR,
            starts_at=now - timedelta(hours=2),
            ends_at=now - timedelta(hours=1),
            location="Innovation room, 3rd floor",
            agenda=[],
        )
        db.session.add(kickoff)
        db.session.flush()
        seat = learning_services.add_hot_seat(
            kickoff,
            daniel,
            title="Nobody knows which support tickets cost the most",
            description="",
            barrier=BarrierCategory.CUSTOMER_ACCESS,
            version=kickoff.version,
            by=lead,
            now=now,
        )
        db.session.flush()
        learning_services.add_commitment(
            seat, description=COMMITMENT, due_on=now.date() + timedelta(days=7), by=lead
        )
        next_start = datetime.combine(now.date() + timedelta(days=2), time(10, 0), tzinfo=UTC)
        learning_services.schedule_sessions(
            learning_set,
            first_start=next_start,
            session_format=SessionFormat.POWER_HOUR,
            count=1,
            location="Innovation room, 3rd floor",
            video_url=None,
            now=now,
            by=lead,
        )
        db.session.commit()
    return next_start


def _ask_to_join(page: Page, base_url: str, journey: Journey) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts you can join")
    journey.look("cohorts")
    cohort = _card_titled(page, COHORT)
    cohort.get_by_role("button", name=f"Ask to join {COHORT}").click()
    expect(page).to_have_url(f"{base_url}/cohorts/")
    expect(page.get_by_role("status")).to_contain_text(f"You asked to join {COHORT}.")
    expect(_card_titled(page, COHORT).locator(".tag")).to_have_text("You asked to join")
    journey.look("cohorts-asked")


def _lead_accepts(browser: Browser, site: DemoSite, screenshot_dir: Path) -> None:
    """The programme lead, in her own browser, accepts Daniel from the cohort's page."""
    with another_browser(browser) as lead_page:
        journey = Journey("employee-lead", lead_page, screenshot_dir)
        sign_in(lead_page, site.base_url, "hokafor", site.employee_password)
        nav = lead_page.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="Programmes").click()
        expect(lead_page.get_by_role("heading", level=1)).to_have_text("Programmes")
        journey.look("programmes")
        lead_page.get_by_role("link", name=COHORT).click()
        expect(lead_page.get_by_role("heading", level=1)).to_have_text(COHORT)
        request = lead_page.get_by_role("row").filter(has_text="Daniel Kim")
        expect(request.get_by_role("cell").nth(3)).to_have_text("requested")
        journey.look("cohort-requests")
        request.get_by_role("button", name="Accept Daniel Kim").click()
        expect(lead_page.get_by_role("status")).to_have_text("Accepted: Daniel Kim.")
        expect(request.get_by_role("cell").nth(3)).to_have_text("accepted")
        expect(lead_page.get_by_text("1 of 8", exact=True)).to_be_visible()
        journey.look("cohort-accepted")


def _card_titled(page: Page, title: str) -> Locator:
    return page.locator(".card").filter(has=page.get_by_role("heading", name=title, exact=True))


def _expect_next_session(page: Page, base_url: str, starts_at: datetime) -> Locator:
    page.goto(f"{base_url}/")
    shown = formats.moment(starts_at.astimezone(READER_ZONE))
    upcoming = page.get_by_role("region", name="Your next sessions").get_by_role("listitem")
    session = upcoming.filter(has_text=SET)
    expect(session).to_have_count(1)
    expect(session).to_contain_text(f"{shown} · {SET} · Power Hour")
    return session


def _download_calendar_file(page: Page, session: Locator, starts_at: datetime) -> None:
    with page.expect_download() as download_info:
        session.get_by_role("link", name="add to calendar (.ics)").click()
    download = download_info.value
    assert re.fullmatch(r"session-\d+\.ics", download.suggested_filename)
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    assert calendar.name == "VCALENDAR"
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert events[0].decoded("DTSTART") == starts_at
    assert str(events[0]["SUMMARY"]) == f"{SET} — Power Hour"


def _commitment(page: Page) -> Locator:
    return page.locator(".card").filter(has_text=COMMITMENT)


def _record_progress(page: Page, journey: Journey) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My commitments").click()
    commitment = _commitment(page)
    expect(commitment).to_contain_text(f"From {SET}")
    expect(commitment.locator(".tag")).to_have_text("open")
    journey.look("commitments")
    commitment.get_by_label("Progress").select_option(label="Partly done")
    commitment.get_by_label("What I learned").fill(LEARNING)
    commitment.get_by_role("button", name="Update").click()
    expect(page.get_by_role("status")).to_have_text("Your commitment is updated.")
    expect(_commitment(page).locator(".tag")).to_have_text("partly")
    expect(_commitment(page)).to_contain_text(f"Learned: {LEARNING}")
    journey.look("commitment-updated")


def _turn_into_experiment(page: Page, journey: Journey) -> None:
    commitment = _commitment(page)
    commitment.get_by_label("Turn it into an experiment on").select_option(
        label="A new venture named after it"
    )
    commitment.get_by_role("button", name="Turn into an experiment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COMMITMENT)
    expect(page.get_by_role("status")).to_have_text(
        f"“{COMMITMENT}” is on the board of {COMMITMENT}, in Backlog."
    )
    expect(page.get_by_text("Column: Backlog")).to_be_visible()
    journey.look("experiment-card")


def _design_the_card(page: Page, journey: Journey) -> None:
    """Running needs a success criterion and a time box; the card gets them first."""
    page.get_by_role("link", name="Edit the card").click()
    expect(page.get_by_label("Title")).to_have_value(COMMITMENT)
    journey.look("card-form")
    page.get_by_label("Hypothesis").fill("Password resets are the costliest ticket type.")
    page.get_by_label("Test", exact=True).fill("Count a fortnight of tickets by type and time.")
    page.get_by_label("Metric").fill("Agent minutes per ticket type.")
    page.get_by_label("Success criterion").fill("Password resets take a third of the minutes.")
    page.get_by_label("Starts on").fill(date.today().isoformat())
    page.get_by_label("Ends on").fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Card saved.")


def _column(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=re.compile(f"^{name} "))


def _card_on_board(page: Page) -> Locator:
    return page.locator("[data-card]").filter(has=page.get_by_role("link", name=COMMITMENT))


def _drag_to(page: Page, column: str) -> None:
    """Drag-and-drop, as a mouse user moves a card; board.js submits the card's move form."""
    card = _card_on_board(page)
    expect(card).to_have_attribute("draggable", "true")  # board.js has set the card up
    card.drag_to(_column(page, column))


def _move_with_form(page: Page, column: str) -> None:
    """The card's own Move form, as a keyboard or no-script user moves it."""
    card = _card_on_board(page)
    card.get_by_label(f"Move {COMMITMENT} to").select_option(label=column)
    card.get_by_role("button", name="Move").press("Enter")


def _expect_in_column(page: Page, column: str) -> None:
    expect(_column(page, column).get_by_role("link", name=COMMITMENT)).to_be_visible()
    expect(page.locator("[data-card]").filter(has_text=COMMITMENT)).to_have_count(1)


def _move_across_the_board(page: Page, journey: Journey) -> None:
    page.get_by_role("link", name=COMMITMENT, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COMMITMENT)
    _expect_in_column(page, "Backlog")
    journey.look("board")

    _drag_to(page, "Designing")
    expect(page.get_by_role("status")).to_have_text(f"“{COMMITMENT}” is now in Designing.")
    _expect_in_column(page, "Designing")

    _move_with_form(page, "Running")
    expect(page.get_by_role("status")).to_have_text(f"“{COMMITMENT}” is now in Running.")
    _expect_in_column(page, "Running")
    expect(_card_on_board(page).get_by_text("Awaiting review")).to_be_visible()

    _drag_to(page, "Analysing")
    expect(page.get_by_role("status")).to_have_text(f"“{COMMITMENT}” is now in Analysing.")
    _expect_in_column(page, "Analysing")

    # Decided is reached only with a learning card: a drop there leads to the card's form.
    _drag_to(page, "Decided")
    expect(page.get_by_role("heading", level=1)).to_have_text(COMMITMENT)
    expect(page.get_by_role("status")).to_have_text(
        "Record what the experiment showed and your decision: "
        "that is what moves the card to Decided."
    )


def _decide(page: Page, journey: Journey) -> None:
    form = page.get_by_role("region", name="Learning card and decision")
    expect(page.get_by_text("Column: Analysing")).to_be_visible()
    journey.look("card-analysing")
    form.get_by_label("What we observed").fill("Resets took 31% of agent minutes.")
    form.get_by_label("What we learned").fill("Self-service resets would pay for themselves.")
    form.get_by_label("Evidence (data points)").fill("412 tickets over 14 days.")
    form.get_by_label("Decision").select_option(label="Persevere: keep going")
    form.get_by_role("button", name="Record and decide").click()
    expect(page.get_by_role("status")).to_have_text(
        "Decided: persevere. The learning card is on the record."
    )
    learning_card = page.get_by_role("region", name="Learning card")
    expect(learning_card).to_contain_text("Self-service resets would pay for themselves.")
    expect(learning_card).to_contain_text("Persevere")
    journey.look("card-decided")

    page.get_by_role("link", name=COMMITMENT, exact=True).first.click()
    _expect_in_column(page, "Decided")
    expect(_card_on_board(page).get_by_text("Decision: persevere")).to_be_visible()
    expect(_card_on_board(page).get_by_label(re.compile("^Move"))).to_have_count(0)
    journey.look("board-decided")


@pytest.mark.e2e
def test_employee_joins_a_cohort_and_takes_a_commitment_to_a_decision(
    page: Page, browser: Browser, demo_site: DemoSite, screenshot_dir: Path
) -> None:
    site = demo_site
    journey = Journey("employee", page, screenshot_dir)
    _open_a_new_cohort(site)

    sign_in(page, site.base_url, "dkim", site.employee_password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Daniel Kim")
    expect(page.get_by_text("Your manager:")).to_have_text(
        "Your manager: Priya Raman (Head of Product)"
    )
    journey.look("home")
    _ask_to_join(page, site.base_url, journey)

    _lead_accepts(browser, site, screenshot_dir)
    page.reload()
    expect(_card_titled(page, COHORT).locator(".tag")).to_have_text("You are a participant")

    next_start = _place_in_a_set_with_a_commitment(site)
    session = _expect_next_session(page, site.base_url, next_start)
    journey.look("home-next-session")
    _download_calendar_file(page, session, next_start)
    session.get_by_role("link", name="Power Hour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{SET} · Power Hour")
    journey.look("session")
    page.go_back()
    session.get_by_role("link", name=SET).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SET)
    expect(page.get_by_role("region", name=re.compile("^Members"))).to_contain_text("Daniel Kim")
    journey.look("set")

    _record_progress(page, journey)
    _turn_into_experiment(page, journey)
    _design_the_card(page, journey)
    _move_across_the_board(page, journey)
    _decide(page, journey)
