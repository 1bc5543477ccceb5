"""A manager works through the review queue: support for one card, challenge for another
with part of the money it asks for, and a balance that shows both.

James Whitfield signs in with his company password (checked by the real slapd). The seed
already gives him what waits: his report Tom Becker's board "Pre-orders for independent
shops" has decided cards and a running one asking for 400.00, so nothing is set up here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from intrapreneur.experiments import reviews
from intrapreneur.experiments.models import Experiment, Notification, Review, ReviewTag, Venture
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from tests.e2e.journey import Journey, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite

VENTURE = "Pre-orders for independent shops"
SUPPORTED = "Interviews with ten shop owners"
STILL_WAITING = "Will suppliers share stock levels?"
SUPPORT = "Good call to pivot after seven of ten said the same thing unprompted."
CHALLENGE = "What would make you stop? Put a number on it before you spend the money."


def _queue_row(page: Page, title: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))


def _budget_card() -> Experiment:
    """The card on the venture that asks for money nobody has decided on yet."""
    return db.session.scalars(
        select(Experiment)
        .join(Venture)
        .where(
            Venture.title == VENTURE,
            Experiment.cost_requested > 0,
            Experiment.budget_approved.is_(None),
        )
    ).one()


def _review(page: Page, tag: str, comment: str) -> None:
    page.get_by_role("group", name="This review is").get_by_label(tag, exact=False).check()
    page.get_by_label("Comment").fill(comment)


def _save(page: Page) -> None:
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting for your review")
    expect(page.locator(".flashes")).to_have_text("Review saved; the team has been told.")


def _balance(page: Page) -> Locator:
    return page.get_by_role("region", name="Your balance")


@pytest.mark.e2e
def test_manager_supports_challenges_and_approves_part_of_a_budget(
    page: Page, demo_site: DemoSite, screenshot_dir: Path
) -> None:
    with demo_site.database():
        budget_card = _budget_card()
        budget_title, venture_id = budget_card.title, budget_card.venture_id
        assert budget_card.cost_requested == Decimal(400)
        assert reviews.approved_totals([venture_id])[venture_id] == (0, 0)
    journey = Journey("manager", page, screenshot_dir)

    sign_in(page, demo_site.base_url, "jwhitfield", demo_site.employee_password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, James Whitfield")
    journey.look("home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    expect(_balance(page)).to_contain_text("You have not reviewed anything yet.")
    expect(_queue_row(page, SUPPORTED)).to_contain_text("Decided: pivot")
    expect(_queue_row(page, budget_title)).to_contain_text("Asks for 400.00 in money")
    journey.look("queue")

    _queue_row(page, SUPPORTED).get_by_role("link", name=SUPPORTED, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review: {SUPPORTED}")
    journey.look("card-decided")
    _review(page, "Support", SUPPORT)
    _save(page)
    expect(_balance(page)).to_contain_text(
        "You have given 1 support and 0 challenge review: 100% support, 0% challenge."
    )
    expect(_queue_row(page, SUPPORTED)).to_have_count(0)

    _queue_row(page, budget_title).get_by_role("link", name=budget_title, exact=True).click()
    expect(page.get_by_text("Approved for this venture so far")).to_be_visible()
    expect(page.locator("dd").filter(has_text="nothing")).to_have_count(1)
    journey.look("card-budget")
    _review(page, "Challenge", CHALLENGE)
    page.get_by_role("group", name="The time and money requested").get_by_label(
        "Approve (the amounts below)"
    ).check()
    page.get_by_label("Money approved").fill("250")
    _save(page)
    expect(_balance(page)).to_contain_text(
        "You have given 1 support and 1 challenge reviews: 50% support, 50% challenge."
    )
    expect(_queue_row(page, budget_title)).to_have_count(0)
    journey.look("queue-after")

    # The next card on the same board shows the money released so far.
    _queue_row(page, STILL_WAITING).get_by_role("link", name=STILL_WAITING, exact=True).click()
    approved = page.get_by_role("definition").filter(has_text="in money")
    expect(approved).to_have_text("250.00 in money")
    journey.look("card-next")
    page.get_by_role("link", name="the card on its board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(STILL_WAITING)
    journey.look("card-on-board")
    page.get_by_role("link", name=VENTURE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(VENTURE)
    journey.look("board")
    page.get_by_role("link", name="Review this board").click()
    expect(page.get_by_text("approved so far: 250.00 in money")).to_be_visible()
    journey.look("board-review")

    with demo_site.database():
        manager = db.session.scalars(select(Person).where(Person.username == "jwhitfield")).one()
        given = db.session.execute(
            select(Experiment.title, Review)
            .join(Review, Review.experiment_id == Experiment.id)
            .where(Review.reviewer_id == manager.id)
            .order_by(Review.id)
        ).all()
        assert [(title, r.tag, r.comment, r.budget_approved) for title, r in given] == [
            (SUPPORTED, ReviewTag.SUPPORT, SUPPORT, None),
            (budget_title, ReviewTag.CHALLENGE, CHALLENGE, True),
        ]
        approval = given[1].Review
        assert (approval.approved_cost, approval.approved_days) == (Decimal(250), Decimal(0))
        assert reviews.approved_totals([venture_id])[venture_id] == (Decimal(250), Decimal(0))
        decided = db.session.get(Experiment, approval.experiment_id)
        assert (decided.budget_approved, decided.review_requested_at) == (True, None)
        assert reviews.balance_of(manager.id) == reviews.Balance(support=1, challenge=1)
        told = db.session.scalars(
            select(Notification.text)
            .join(Person, Person.id == Notification.person_id)
            .where(Person.username == "tbecker", Notification.text.contains("James Whitfield"))
        ).all()
        assert sorted(told) == sorted(
            [
                f"James Whitfield reviewed ‘{SUPPORTED}’: support",
                f"James Whitfield reviewed ‘{budget_title}’: challenge; request approved",
            ]
        )
