"""A guest's first visit, end to end in a real browser: invitation → password → home."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from tests.e2e.conftest import GuestInvitation

WEAK_PASSWORD = "password123"
STRONG_PASSWORD = "quiet-harbour-lantern-meadow-47"


def _submit_new_password(page: Page, password: str) -> None:
    page.get_by_label("New password").fill(password)
    page.get_by_label("Repeat the password").fill(password)
    page.get_by_role("button", name="Set password and continue").click()


def _expect_home(page: Page, base_url: str, guest: GuestInvitation) -> None:
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {guest.display_name}")
    expect(page.locator(".roles .tag")).to_have_text(["guest"])
    ends_on = guest.access_ends_on.strftime("%d %B %Y")
    expect(page.get_by_text(f"Your guest access runs until {ends_on}.")).to_be_visible()


@pytest.mark.e2e
def test_guest_accepts_invitation_sets_password_and_signs_in(
    page: Page, live_server: str, guest_invitation: GuestInvitation, screenshot_dir: Path
) -> None:
    guest = guest_invitation
    invitation_url = f"{live_server}/invitations/{guest.token}"

    page.goto(invitation_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {guest.display_name}")

    # A weak password is refused on the same page, with the reason tied to the field.
    with page.expect_response(lambda response: response.request.method == "POST") as refusal:
        _submit_new_password(page, WEAK_PASSWORD)
    assert refusal.value.status == 422
    expect(page).to_have_url(invitation_url)
    expect(page.get_by_label("New password")).to_have_accessible_description(
        re.compile("Use at least 12 characters")
    )

    _submit_new_password(page, STRONG_PASSWORD)
    _expect_home(page, live_server, guest)
    page.screenshot(path=screenshot_dir / "guest-home-desktop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_dir / "guest-home-phone.png", full_page=True)

    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server}/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    sign_in_form = page.get_by_role("region", name="Your account")
    sign_in_form.get_by_label("Username or email address").fill(guest.email)
    sign_in_form.get_by_label("Password", exact=True).fill(STRONG_PASSWORD)
    sign_in_form.get_by_role("button", name="Sign in").click()
    _expect_home(page, live_server, guest)

    reused = page.goto(invitation_url)
    assert reused is not None and reused.status == 410
    expect(page.get_by_text("This invitation has already been used.")).to_be_visible()
