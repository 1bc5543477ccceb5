"""A guest entrepreneur's journey in a real browser: from the invitation to the end of access.

Nadia accepts her invitation and sets a password, sees her own set and nothing of the
others, starts a venture and shares it into her set (where a member of the set sees it),
and is refused once her access has ended.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import services as learning_services
from intrapreneur.learning.models import LearningSet
from tests import formats
from tests.e2e.journey import Journey, another_browser, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite, GuestInvitation

WEAK_PASSWORD = "password123"
STRONG_PASSWORD = "quiet-harbour-lantern-meadow-47"
HER_SET = "Set Borealis"
VENTURE = "Spare-part swaps between repair cafés"


def _set_id(name: str) -> int:
    return db.session.scalars(select(LearningSet.id).where(LearningSet.name == name)).one()


def _place_guest_in_her_set(site: DemoSite, guest: GuestInvitation) -> None:
    """HR's doing before the journey: the programme lead puts the new guest into Set Borealis
    (inviting straight into a set is HR's journey, not this one)."""
    with site.database():
        lead = db.session.scalars(select(Person).where(Person.username == "hokafor")).one()
        nadia = db.session.scalars(select(Person).where(Person.email == guest.email)).one()
        borealis = db.session.get_one(LearningSet, _set_id(HER_SET))
        learning_services.add_member(borealis, nadia, today=date.today(), by=lead)
        db.session.commit()


def _end_her_access(site: DemoSite, guest: GuestInvitation) -> date:
    """HR's doing: the access end date has passed (set to yesterday rather than waited for)."""
    yesterday = date.today() - timedelta(days=1)
    with site.database():
        nadia = db.session.scalars(select(Person).where(Person.email == guest.email)).one()
        nadia.access_ends_on = yesterday
        db.session.commit()
    return yesterday


def _submit_new_password(page: Page, password: str) -> None:
    page.get_by_label("New password").fill(password)
    page.get_by_label("Repeat the password").fill(password)
    page.get_by_role("button", name="Set password and continue").click()


def _submit_sign_in(page: Page, guest: GuestInvitation) -> None:
    sign_in_form = page.get_by_role("region", name="Your account")
    sign_in_form.get_by_label("Username or email address").fill(guest.email)
    sign_in_form.get_by_label("Password", exact=True).fill(STRONG_PASSWORD)
    sign_in_form.get_by_role("button", name="Sign in").click()


def _expect_home(page: Page, base_url: str, guest: GuestInvitation) -> None:
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {guest.display_name}")
    expect(page.locator(".roles .tag")).to_have_text(["guest"])
    ends_on = formats.long_day(guest.access_ends_on)
    expect(page.get_by_text(f"Your guest access runs until {ends_on}.")).to_be_visible()
    # Only her own set is listed, and guests are invited into cohorts rather than browse them.
    sets = page.get_by_role("region", name="Your action-learning sets")
    expect(sets.get_by_role("heading", level=3)).to_have_text([HER_SET])
    upcoming = page.get_by_role("region", name="Your next sessions").get_by_role("listitem")
    expect(upcoming.first).to_contain_text(HER_SET)
    expect(upcoming.filter(has_not_text=HER_SET)).to_have_count(0)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).not_to_contain_text(
        ["Cohorts"]
    )


def _accept_invitation(page: Page, base_url: str, guest: GuestInvitation, journey: Journey) -> str:
    invitation_url = f"{base_url}/invitations/{guest.token}"
    page.goto(invitation_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {guest.display_name}")
    journey.look("invitation")

    # A weak password is refused on the same page, with the reason tied to the field.
    with page.expect_response(lambda response: response.request.method == "POST") as refusal:
        _submit_new_password(page, WEAK_PASSWORD)
    assert refusal.value.status == 422
    expect(page).to_have_url(invitation_url)
    expect(page.get_by_label("New password")).to_have_accessible_description(
        re.compile("Use at least 12 characters")
    )
    journey.look("invitation-weak-password")

    _submit_new_password(page, STRONG_PASSWORD)
    _expect_home(page, base_url, guest)
    journey.look("home")
    return invitation_url


def _sign_out_and_in(page: Page, base_url: str, guest: GuestInvitation, journey: Journey) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base_url}/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    journey.look("signed-out")
    _submit_sign_in(page, guest)
    _expect_home(page, base_url, guest)


def _sees_only_her_set(page: Page, site: DemoSite, journey: Journey) -> None:
    sets = page.get_by_role("region", name="Your action-learning sets")
    sets.get_by_role("link", name=HER_SET).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HER_SET)
    members = page.get_by_role("region", name=re.compile("^Members"))
    expect(members).to_contain_text("Nadia Example Guest")
    expect(members).to_contain_text("Omar Said")
    journey.look("her-set")

    with site.database():
        aurora = _set_id("Set Aurora")
    other = page.goto(f"{site.base_url}/sets/{aurora}")
    assert other is not None and other.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("Set Aurora")).to_have_count(0)
    journey.look("other-set-not-found")


def _start_a_venture(page: Page, journey: Journey) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ventures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ventures")
    journey.look("ventures")
    page.get_by_role("link", name="Start a venture").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a venture")
    journey.look("new-venture")
    page.get_by_label("Title").fill(VENTURE)
    page.get_by_label("Problem").fill("Repair cafés throw away parts another café needs.")
    page.get_by_label("Who can see it").select_option(
        label="Shared with our sets: also the sets it is shared into"
    )
    page.get_by_role("button", name="Start the venture").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(VENTURE)
    expect(page.get_by_text("Visible to the team and its sets")).to_be_visible()
    journey.look("venture-board")


def _share_into_her_set(page: Page, journey: Journey) -> None:
    page.get_by_role("navigation", name="Venture").get_by_role("link", name="Settings").click()
    sharing = page.get_by_role("region", name="Sharing into sets")
    # Only the sets she is in are offered.
    expect(sharing.get_by_role("checkbox")).to_have_count(1)
    journey.look("venture-settings")
    sharing.get_by_label(f"{HER_SET} (Spring cohort)").check()
    sharing.get_by_role("button", name="Save sharing").click()
    expect(page.get_by_role("status")).to_have_text("Sharing saved.")
    expect(sharing.get_by_label(f"{HER_SET} (Spring cohort)")).to_be_checked()
    journey.look("venture-shared")


def _set_member_sees_the_venture(
    browser: Browser, site: DemoSite, guest: GuestInvitation, screenshot_dir: Path
) -> None:
    """Omar, a member of Set Borealis, finds the shared venture in his own browser."""
    with another_browser(browser) as member_page:
        journey = Journey("guest-set-member", member_page, screenshot_dir)
        sign_in(member_page, site.base_url, "osaid", site.employee_password)
        member_page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Ventures"
        ).click()
        expect(member_page.get_by_role("heading", level=1)).to_have_text("Ventures")
        journey.look("ventures")
        member_page.get_by_role("link", name=VENTURE).click()
        expect(member_page.get_by_role("heading", level=1)).to_have_text(VENTURE)
        expect(member_page.get_by_text("Repair cafés throw away parts")).to_be_visible()
        # He sees it, but it is not his: no settings, no new cards.
        venture_links = member_page.get_by_role("navigation", name="Venture").get_by_role("link")
        expect(venture_links).to_have_text(["Board", "Lineage", "Activity"])
        expect(member_page.get_by_role("link", name="Add an experiment")).to_have_count(0)
        journey.look("shared-venture")


def _refused_after_access_ends(
    page: Page, site: DemoSite, guest: GuestInvitation, journey: Journey
) -> None:
    ended_on = _end_her_access(site, guest)
    reason = (
        f"Your guest access ended on {formats.long_day(ended_on)}. "
        "Ask the programme team if you need it extended."
    )
    # Her open session ends with the next request, and the sign-in page says why ...
    page.reload()
    expect(page).to_have_url(re.compile(f"^{re.escape(site.base_url)}/sign-in"))
    expect(page.get_by_role("status")).to_contain_text(reason)
    journey.look("session-ended")
    # ... and signing in again is refused with the same reason.
    with page.expect_response(lambda response: response.request.method == "POST") as refusal:
        _submit_sign_in(page, guest)
    assert refusal.value.status == 401
    expect(page.get_by_role("region", name="Your account")).to_contain_text(reason)
    journey.look("sign-in-refused")


@pytest.mark.e2e
def test_guest_joins_through_an_invitation_shares_a_venture_and_loses_access(
    page: Page,
    browser: Browser,
    demo_site: DemoSite,
    guest_invitation: GuestInvitation,
    screenshot_dir: Path,
) -> None:
    site, guest = demo_site, guest_invitation
    journey = Journey("guest", page, screenshot_dir)
    _place_guest_in_her_set(site, guest)

    invitation_url = _accept_invitation(page, site.base_url, guest, journey)
    _sign_out_and_in(page, site.base_url, guest, journey)
    reused = page.goto(invitation_url)
    assert reused is not None and reused.status == 410
    expect(page.get_by_text("This invitation has already been used.")).to_be_visible()
    journey.look("invitation-used")

    page.goto(f"{site.base_url}/")
    _sees_only_her_set(page, site, journey)
    _start_a_venture(page, journey)
    _share_into_her_set(page, journey)
    _set_member_sees_the_venture(browser, site, guest, screenshot_dir)
    _refused_after_access_ends(page, site, guest, journey)
