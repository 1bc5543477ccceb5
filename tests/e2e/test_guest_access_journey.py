"""The programme lead extends a visiting entrepreneur's access, then revokes it while the
guest is signed in at their own browser: the guest's next page is the sign-in page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, PersonRole, Role
from intrapreneur.identity.passwords import hash_password
from tests.e2e.journey import Journey, another_browser, extend_then_revoke_guest, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite

NAME = "Leila Access Journey"
EMAIL = "leila.access@example.com"
PASSWORD = "copper-lantern-meadow-violin-58"


def _a_guest_of_her_own(site: DemoSite) -> None:
    """A guest no other journey touches, who accepted long ago and has 20 days left."""
    with site.database():
        db.session.add(
            Person(
                kind=PersonKind.GUEST,
                email=EMAIL,
                display_name=NAME,
                password_hash=hash_password(PASSWORD),
                access_ends_on=date.today() + timedelta(days=20),
                roles=[PersonRole(role=Role.GUEST)],
            )
        )
        db.session.commit()


@pytest.mark.e2e
def test_programme_lead_extends_then_revokes_a_guests_access(
    page: Page, browser: Browser, demo_site: DemoSite, screenshot_dir: Path
) -> None:
    site = demo_site
    _a_guest_of_her_own(site)
    journey = Journey("guest-access", page, screenshot_dir)
    with another_browser(browser) as guest_page:
        sign_in(guest_page, site.base_url, EMAIL, PASSWORD)

        sign_in(page, site.base_url, "hokafor", site.employee_password)

        def guest_still_in() -> None:
            guest_page.reload()
            expect(guest_page).to_have_url(f"{site.base_url}/")

        extend_then_revoke_guest(page, journey, NAME, while_extended=guest_still_in)

        guest_page.reload()
        expect(guest_page).to_have_url(re.compile(f"^{re.escape(site.base_url)}/sign-in"))
        expect(guest_page.get_by_role("status")).to_contain_text("Your guest access ended on")
