"""Keyboard only: no mouse, only Tab, Enter, Space and the arrow keys.

Moving a card on an experiment board (Jonas Meyer's own venture, made here as he would
make it), and starting, pausing and resetting a segment timer on a session screen (a Set
Borealis session its facilitator, the guest Nina Petrova, opens): people and records no
other journey uses. Each control must be reachable with Tab and show where focus is.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from intrapreneur.experiments import services as experiments
from intrapreneur.experiments.models import Column, Experiment, Stage, Visibility
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import LearningSession, LearningSet
from tests.e2e.clock import stopped_clock
from tests.e2e.journey import Journey

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite

MOST_TABS = 120  # more than any page here has focusable controls before the target
CARD = "Do new starters finish the onboarding checklist alone?"
SEGMENT = "Review of last session's actions (segment 1)"


def _is_focused(target: Locator) -> bool:
    return target.evaluate("element => element === document.activeElement")


def _tab_to(page: Page, target: Locator) -> None:
    """Press Tab until ``target`` has focus: it is in the tab order, as a person finds it."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if _is_focused(target):
            return
    pytest.fail(f"{target} was not reached with {MOST_TABS} presses of Tab")


def _expect_visible_focus(target: Locator) -> None:
    """Keyboard focus is drawn: a solid outline of at least 2 px around the focused control."""
    style, width = target.evaluate(
        "element => [getComputedStyle(element).outlineStyle,"
        " parseFloat(getComputedStyle(element).outlineWidth)]"
    )
    assert target.evaluate("element => element.matches(':focus-visible')")
    assert style != "none" and width >= 2, f"focus outline is {style} {width}px"


def _sign_in(page: Page, base_url: str, login: str, password: str) -> None:
    page.goto(f"{base_url}/sign-in")
    form = page.get_by_role("region", name="Your account")
    _tab_to(page, form.get_by_label("Username or email address"))
    page.keyboard.type(login)
    _tab_to(page, form.get_by_label("Password", exact=True))
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/")


def _jonas_card(site: DemoSite) -> tuple[int, int]:
    """Jonas starts a venture with one card in Backlog, as he would on the site."""
    with site.database():
        jonas = db.session.scalars(select(Person).where(Person.username == "jmeyer")).one()
        now = datetime.now(UTC)
        venture = experiments.create_venture(
            title="Onboarding without a buddy",
            problem="New starters wait days for someone to show them around.",
            customer="New starters in Product & Engineering",
            stage=Stage.IDEA,
            visibility=Visibility.PRIVATE,
            by=jonas,
            now=now,
        )
        db.session.flush()
        card = experiments.create_experiment(
            venture, experiments.CardFields(title=CARD), owner=jonas, by=jonas, now=now
        )
        db.session.commit()
        return venture.id, card.id


def _column_of(site: DemoSite, card_id: int) -> Column:
    with site.database():
        return db.session.get(Experiment, card_id).column


@pytest.mark.e2e
def test_a_card_moves_to_another_column_with_the_keyboard_alone(
    page: Page, demo_site: DemoSite, screenshot_dir: Path
) -> None:
    venture_id, card_id = _jonas_card(demo_site)
    journey = Journey("keyboard-board", page, screenshot_dir)
    _sign_in(page, demo_site.base_url, "jmeyer", demo_site.employee_password)
    board_url = f"{demo_site.base_url}/ventures/{venture_id}"
    page.goto(board_url)
    journey.look("board")

    backlog = page.get_by_role("region", name=re.compile(r"^Backlog"))
    designing = page.get_by_role("region", name=re.compile(r"^Designing"))
    move_to = backlog.get_by_label(f"Move {CARD} to")
    _tab_to(page, move_to)
    _expect_visible_focus(move_to)
    page.keyboard.press("ArrowDown")
    expect(move_to).to_have_value("designing")
    page.keyboard.press("Tab")
    move = backlog.get_by_role("button", name="Move")
    assert _is_focused(move)
    _expect_visible_focus(move)
    page.keyboard.press("Enter")

    # Back on the board at the moved card: the next Tab continues from it, not from the top.
    expect(page).to_have_url(f"{board_url}#card-{card_id}")
    expect(page.locator(".flashes")).to_have_text(f"“{CARD}” is now in Designing.")
    expect(designing.get_by_role("link", name=CARD)).to_be_visible()
    expect(backlog.get_by_role("link", name=CARD)).to_have_count(0)
    page.keyboard.press("Tab")
    expect(designing.get_by_role("link", name=CARD)).to_be_focused()
    journey.look("board-moved")

    page.reload()
    expect(designing.get_by_role("link", name=CARD)).to_be_visible()
    assert _column_of(demo_site, card_id) is Column.DESIGNING


def _borealis_last_session(site: DemoSite) -> int:
    """The last of Set Borealis' seeded sessions: no other journey opens it."""
    with site.database():
        return db.session.scalars(
            select(LearningSession.id)
            .join(LearningSet)
            .where(LearningSet.name == "Set Borealis")
            .order_by(LearningSession.starts_at.desc())
            .limit(1)
        ).one()


@pytest.mark.e2e
def test_the_facilitator_runs_the_segment_timer_with_the_keyboard_alone(
    page: Page, demo_site: DemoSite, screenshot_dir: Path
) -> None:
    session_id = _borealis_last_session(demo_site)
    nina = "nina@petrova-ventures.example"
    journey = Journey("keyboard-timer", page, screenshot_dir)
    page.clock.install()  # stopped below, while the timer runs
    _sign_in(page, demo_site.base_url, nina, demo_site.guest_passwords[nina])
    page.goto(f"{demo_site.base_url}/sessions/{session_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set Borealis · Mastermind")
    journey.look("session")

    agenda = page.get_by_role("region", name="Agenda")
    segment = agenda.get_by_role("listitem").filter(has_text=SEGMENT.split(" (")[0])
    clock = segment.get_by_role("timer")
    status = agenda.get_by_role("status")
    toggle = segment.get_by_role("button", name=re.compile(r"^(Start|Pause|Resume) timer for"))
    expect(clock).to_have_text("15:00")
    expect(status).to_have_attribute("role", "status")  # a polite live region

    _tab_to(page, toggle)
    _expect_visible_focus(toggle)
    expect(toggle).to_have_accessible_name(f"Start timer for {SEGMENT}")
    with stopped_clock(page):  # the timer moves only when the test runs the clock on
        page.keyboard.press("Enter")
        expect(status).to_have_text(f"{SEGMENT} running, 15:00 left.")
        expect(toggle).to_have_accessible_name(f"Pause timer for {SEGMENT}")
        expect(toggle).to_be_focused()
        expect(segment).to_have_attribute("aria-current", "step")
        page.clock.run_for(5_000)
        expect(clock).to_have_text("14:55")

        page.keyboard.press("Space")
        expect(status).to_have_text(f"{SEGMENT} paused, 14:55 left.")
        expect(toggle).to_have_accessible_name(f"Resume timer for {SEGMENT}")
        page.clock.run_for(5_000)
        expect(clock).to_have_text("14:55")
    # Looked at once paused: axe-core needs the clock running, and a paused timer stays put.
    journey.look("timer-paused")

    page.keyboard.press("Tab")
    reset = segment.get_by_role("button", name=f"Reset timer for {SEGMENT}")
    expect(reset).to_be_focused()
    _expect_visible_focus(reset)
    page.keyboard.press("Enter")
    expect(status).to_have_text(f"{SEGMENT} reset to 15:00.")
    expect(clock).to_have_text("15:00")
    expect(toggle).to_have_accessible_name(f"Start timer for {SEGMENT}")
    expect(segment).not_to_have_attribute("aria-current", "step")
    journey.look("timer-reset")
