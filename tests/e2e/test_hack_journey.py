"""A Hack in a real browser: an employee asks a guest entrepreneur for a Hack from their
hot-seat challenge, the entrepreneur accepts one of the proposed times, and the Hack session
appears for both with its calendar link.

The demo's guest entrepreneur Nina keeps a profile (HR's doing before the journey: a tag of
the vocabulary and availability every day around the clock, so the journey runs at any hour).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from intrapreneur.core.timezones import local
from intrapreneur.extensions import db
from intrapreneur.identity.expertise import services as expertise
from intrapreneur.identity.expertise.models import ExpertiseTag
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import HotSeat
from tests.e2e.journey import Journey, another_browser, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite

NINA = "nina@petrova-ventures.example"
TAG = "Customer discovery (journey)"


def _nina_keeps_a_profile(site: DemoSite) -> tuple[str, str, int, str, str]:
    """Nina's profile; the employee whose hot seat it will be: (username, challenge, session
    id, Nina's name, the employee's zone)."""
    with site.database():
        nina = db.session.scalars(select(Person).where(Person.email == NINA)).one()
        tag = db.session.scalar(select(ExpertiseTag).where(ExpertiseTag.name == TAG))
        if tag is None:
            tag = ExpertiseTag(name=TAG, created_at=datetime.now(UTC))
            db.session.add(tag)
            db.session.flush()
        expertise.save_profile(
            nina,
            bio="Founded two **hardware** start-ups.",
            tag_ids=[tag.id],
            windows=[expertise.Window(day, 0, 24 * 60) for day in range(7)],
            now=datetime.now(UTC),
        )
        seat = db.session.scalars(
            select(HotSeat)
            .join(Person, Person.id == HotSeat.person_id)
            .where(Person.username.is_not(None))
            .order_by(HotSeat.id)
        ).first()
        assert seat is not None
        db.session.commit()
        return (
            seat.person.username or "",
            seat.challenge_title,
            seat.session_id,
            nina.display_name,
            seat.person.time_zone,
        )


def _ask_for_a_hack(
    page: Page,
    site: DemoSite,
    journey: Journey,
    session_id: int,
    challenge: str,
    nina: str,
    zone: str,
) -> str:
    page.goto(f"{site.base_url}/sessions/{session_id}")
    seat = page.get_by_role("article").filter(has_text=challenge)
    seat.get_by_role("link", name="Request a Hack on this challenge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a Hack")
    expect(page.get_by_text(challenge)).to_be_visible()
    journey.look("request-form")
    page.locator("#pick-entrepreneur").select_option(label=nina)
    page.get_by_role("button", name="Show their availability").click()
    expect(page.get_by_role("heading", name=f"When {nina} takes Hacks")).to_be_visible()
    journey.look("request-availability")
    # Tomorrow at ten, on the employee's own wall clock.
    tomorrow = local(datetime.now(UTC), zone).date() + timedelta(days=1)
    page.get_by_label("Expertise you need").select_option(label=TAG)
    page.get_by_label("First proposed time").fill(f"{tomorrow.isoformat()}T10:00")
    page.get_by_label("Message").fill("How would you test this with **real** customers?")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hack: {challenge}")
    expect(page.get_by_role("status")).to_have_text(f"Your request is sent to {nina}.")
    expect(page.get_by_text(f"Waiting for {nina}'s answer.")).to_be_visible()
    journey.look("request-sent")
    return page.url


def _nina_accepts(browser: Browser, site: DemoSite, challenge: str, screenshot_dir: Path) -> None:
    with another_browser(browser) as nina_page:
        journey = Journey("hack-entrepreneur", nina_page, screenshot_dir)
        sign_in(nina_page, site.base_url, NINA, site.guest_passwords[NINA])
        nina_page.get_by_role("navigation", name="Main").get_by_role("link", name="Hacks").click()
        expect(nina_page.get_by_role("heading", level=1)).to_have_text("Hacks")
        journey.look("hacks")
        nina_page.get_by_role("link", name=challenge).first.click()
        expect(nina_page.get_by_text("How would you test this with")).to_be_visible()
        journey.look("request")
        nina_page.get_by_role("group", name="Choose the time that suits you").get_by_role(
            "radio"
        ).first.check()
        nina_page.get_by_role("button", name="Accept").click()
        expect(nina_page.get_by_role("status")).to_have_text("Your answer is sent.")
        session = nina_page.get_by_role("region", name="The Hack session")
        calendar = session.get_by_role("link", name="Add to my calendar (.ics)")
        expect(calendar).to_be_visible()
        journey.look("accepted")
        href = calendar.get_attribute("href")
        assert href is not None
        download = nina_page.request.get(f"{site.base_url}{href}")
        assert download.status == 200
        assert download.headers["content-type"] == "text/calendar; charset=utf-8"
        assert "BEGIN:VEVENT" in download.text()


def test_an_employee_asks_a_guest_for_a_hack_and_the_session_appears(
    page: Page, demo_site: DemoSite, browser: Browser, screenshot_dir: Path
) -> None:
    username, challenge, session_id, nina, zone = _nina_keeps_a_profile(demo_site)
    journey = Journey("hack-employee", page, screenshot_dir)
    sign_in(page, demo_site.base_url, username, demo_site.employee_password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Entrepreneurs").click()
    expect(page.get_by_role("heading", name=nina)).to_be_visible()
    expect(page.locator("strong", has_text="hardware")).to_be_visible()
    journey.look("finder")
    hack_url = _ask_for_a_hack(page, demo_site, journey, session_id, challenge, nina, zone)

    _nina_accepts(browser, demo_site, challenge, screenshot_dir)

    page.goto(hack_url)
    session = page.get_by_role("region", name="The Hack session")
    expect(session).to_contain_text("with just the two of you")
    expect(session.get_by_role("link", name="Add to my calendar (.ics)")).to_be_visible()
    journey.look("session")
    # The guest cannot open the set's session the Hack came from.
    with another_browser(browser) as nina_page:
        sign_in(nina_page, demo_site.base_url, NINA, demo_site.guest_passwords[NINA])
        other = nina_page.goto(f"{demo_site.base_url}/sessions/{session_id}")
        assert other is not None and other.status == 404
    assert re.search(r"/hacks/\d+$", hack_url)
