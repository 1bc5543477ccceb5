"""A facilitator runs a Mastermind session of Set Aurora from its screen, and opens the
next session with the review of what was committed.

Ruth Adeyemi signs in with her company password (checked by the real slapd). The seed
gives Set Aurora two held sessions and two to come; she runs the first to come and
reviews its commitment in the last. Sofia Alves takes the hot seat: no other journey
uses her records.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import (
    Action,
    ActionStatus,
    Attendance,
    HotSeat,
    LearningSession,
    LearningSet,
    Question,
)
from tests import formats
from tests.e2e.clock import stopped_clock
from tests.e2e.journey import Journey, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite

CHALLENGE = "Sales will not share customer lists for a pilot"
QUESTIONS = [
    ("Lena Fischer", "Which customer would say yes first if you asked them yourself?"),
    ("Leo Santos", "What would you need to see to stop asking Sales at all?"),
]
COMMITMENT = "Call three customers from my own accounts before Friday"
LEARNING = "Two of three called back; the third wants a written offer."


def _aurora_sessions() -> list[int]:
    """Set Aurora's sessions, oldest first: two held, then the two to come."""
    return list(
        db.session.scalars(
            select(LearningSession.id)
            .join(LearningSet)
            .where(LearningSet.name == "Set Aurora")
            .order_by(LearningSession.starts_at)
        )
    )


def _seat(page: Page) -> Locator:
    return page.get_by_role("article", name=f"Sofia Alves: {CHALLENGE}")


FIRST_SEGMENT = "Review of last session's actions (segment 1)"


def _start_and_pause_the_first_segment(page: Page) -> None:
    """The clock is the page's own, stopped and run forward by the test: no waiting on real
    seconds, and a slow machine cannot move the timer by itself."""
    segment = FIRST_SEGMENT
    agenda = page.get_by_role("region", name="Agenda")
    status = agenda.get_by_role("status")
    with stopped_clock(page):
        agenda.get_by_role("button", name=f"Start timer for {segment}").click()
        expect(status).to_have_text(f"{segment} running, 15:00 left.")
        page.clock.run_for(90_000)
        expect(agenda.get_by_role("timer").first).to_have_text("13:30")
        agenda.get_by_role("button", name=f"Pause timer for {segment}").click()
        expect(status).to_have_text(f"{segment} paused, 13:30 left.")
        page.clock.run_for(60_000)
        expect(agenda.get_by_role("timer").first).to_have_text("13:30")


def _expect_saved(page: Page) -> None:
    expect(page.locator(".flashes")).to_have_text("Saved.")


def _review(page: Page, action_text: str, status: str, learning: str) -> None:
    item = (
        page.get_by_role("region", name="Review of actions due")
        .get_by_role("listitem")
        .filter(has_text=action_text)
    )
    item.get_by_label("How did it go").select_option(label=status)
    item.get_by_label("What was learned").fill(learning)
    item.get_by_role("button", name="Save review").click()
    _expect_saved(page)


def _run_the_session(page: Page, journey: Journey, due_on: date) -> None:
    _start_and_pause_the_first_segment(page)
    _review(
        page,
        "Ask five customers whether they would pre-order",
        "Partly done",
        "Three of five would pre-order, none at the full price.",
    )
    # Saving reloaded the screen; the paused timer kept its time.
    agenda = page.get_by_role("region", name="Agenda")
    expect(agenda.get_by_role("timer").first).to_have_text("13:30")
    expect(agenda.get_by_role("button", name=f"Resume timer for {FIRST_SEGMENT}")).to_be_visible()
    journey.look("reviewed")

    attendance = page.get_by_role("group", name="Who is here?")
    for member in ("Tom Becker", "Sofia Alves", "Daniel Kim", "Leo Santos"):
        attendance.get_by_label(member).check()
    attendance.get_by_label("Lena Fischer").uncheck()
    page.get_by_role("button", name="Save attendance").click()
    _expect_saved(page)

    page.get_by_label("Member in the hot seat").select_option(label="Sofia Alves")
    page.get_by_label("Challenge", exact=True).fill(CHALLENGE)
    page.get_by_label("What stands in the way").fill("Sales owns the lists and fears spam.")
    page.get_by_label("Kind of barrier").select_option(label="Access to customers")
    page.get_by_role("button", name="Start hot seat").click()
    expect(_seat(page)).to_be_visible()
    journey.look("hot-seat")

    for asker, question in QUESTIONS:
        _seat(page).get_by_label("Asked by").select_option(label=asker)
        _seat(page).get_by_label("Question").fill(question)
        _seat(page).get_by_role("button", name="Add question").click()
        _expect_saved(page)
    _seat(page).get_by_label("Commitment").fill(COMMITMENT)
    _seat(page).get_by_label("Due").fill(due_on.isoformat())
    _seat(page).get_by_role("button", name="Add commitment").click()
    _expect_saved(page)
    journey.look("commitment")


def _expect_the_record_on_screen(page: Page, due_on: date) -> None:
    page.reload()
    attendance = page.get_by_role("group", name="Who is here?")
    expect(attendance.get_by_label("Sofia Alves")).to_be_checked()
    expect(attendance.get_by_label("Lena Fischer")).not_to_be_checked()
    seat = _seat(page)
    expect(seat.get_by_text("Barrier: customer access")).to_be_visible()
    expect(seat.get_by_role("listitem").filter(has_text="Which customer")).to_have_text(
        f"{QUESTIONS[0][1]} — {QUESTIONS[0][0]}"
    )
    expect(seat.get_by_text(QUESTIONS[1][1])).to_be_visible()
    expect(seat.get_by_text(f"{COMMITMENT} — due {formats.day(due_on)}")).to_be_visible()


def _expect_the_record_in_the_database(site: DemoSite, sessions: list[int]) -> None:
    last_held, held_id, next_id = sessions[1:]
    with site.database():
        present = dict(
            db.session.execute(
                select(Person.display_name, Attendance.present)
                .join(Attendance, Attendance.person_id == Person.id)
                .where(Attendance.session_id == held_id)
            ).all()
        )
        assert present == {
            "Tom Becker": True,
            "Sofia Alves": True,
            "Daniel Kim": True,
            "Lena Fischer": False,
            "Leo Santos": True,
        }
        seat = db.session.scalars(select(HotSeat).where(HotSeat.session_id == held_id)).one()
        assert (seat.person.username, seat.challenge_title) == ("salves", CHALLENGE)
        asked = db.session.scalars(
            select(Question.text).where(Question.hot_seat_id == seat.id).order_by(Question.id)
        ).all()
        assert asked == [text for _, text in QUESTIONS]
        commitment = db.session.scalars(select(Action).where(Action.hot_seat_id == seat.id)).one()
        assert (commitment.owner_id, commitment.session_id) == (seat.person_id, held_id)
        assert commitment.status is ActionStatus.DONE
        assert (commitment.reviewed_in_session_id, commitment.learning) == (next_id, LEARNING)
        earlier = db.session.scalars(select(Action).where(Action.session_id == last_held)).one()
        assert (earlier.status, earlier.reviewed_in_session_id) == (ActionStatus.PARTLY, held_id)


@pytest.mark.e2e
def test_facilitator_runs_a_mastermind_and_opens_the_next_session_with_the_review(
    page: Page, demo_site: DemoSite, screenshot_dir: Path
) -> None:
    with demo_site.database():
        sessions = _aurora_sessions()
    to_run, following = sessions[2:]
    base = demo_site.base_url
    journey = Journey("facilitator", page, screenshot_dir)
    page.clock.install()  # stopped while the segment timer runs (below)

    sign_in(page, base, "radeyemi", demo_site.employee_password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ruth Adeyemi")
    journey.look("home")

    page.get_by_role("region", name="Your action-learning sets").get_by_role(
        "link", name="Set Aurora"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set Aurora")
    journey.look("set")
    set_url = page.url

    page.locator(f"a[href='/sessions/{to_run}']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set Aurora · Mastermind")
    journey.look("session")
    due_on = date.today() + timedelta(days=14)
    _run_the_session(page, journey, due_on)
    _expect_the_record_on_screen(page, due_on)

    page.goto(set_url)
    page.locator(f"a[href='/sessions/{following}']").click()
    review = page.get_by_role("region", name="Review of actions due")
    expect(review.get_by_text(f"Sofia Alves: {COMMITMENT}")).to_be_visible()
    journey.look("next-session")
    _review(page, COMMITMENT, "Done", LEARNING)
    expect(review.get_by_text(f"Learned: {LEARNING}")).to_be_visible()
    journey.look("next-session-reviewed")

    _expect_the_record_in_the_database(demo_site, sessions)
