"""What every journey does at each page: check it with axe-core and photograph it.

axe-core comes from npm (``package-lock.json``; ``make install`` runs ``npm ci``) and is put
into every page by the browser itself (an init script goes through the DevTools protocol,
so the app's Content-Security-Policy, which forbids inline script, stays as it is).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests import formats
from tests.e2e.page_checks import assert_charts_have_tables, assert_status_not_by_colour_alone

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_MISSING = "axe-core is not installed (`make install` runs `npm ci`)"
# Every success criterion axe can test automatically at levels A and AA, WCAG 2.0 to 2.2.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return results.violations.map((violation) => ({
        rule: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.slice(0, 5).map((node) => ({
            target: node.target.join(" "),
            summary: node.failureSummary,
        })),
    }));
}"""


def axe_script() -> Path:
    if not AXE_SCRIPT.exists():
        pytest.fail(AXE_MISSING)
    return AXE_SCRIPT


def accessibility_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now."""
    return page.evaluate(RUN_AXE, WCAG_TAGS)


@dataclass
class Journey:
    """One role's journey: each ``look`` checks the page at desktop and phone width."""

    name: str
    page: Page
    screenshot_dir: Path
    taken: list[Path] = field(default_factory=list)

    def look(self, step: str) -> None:
        """Check the current page with axe-core and save it at both sizes; then check that
        its charts have their numbers in tables and no status is told by colour alone."""
        # A click returns once the next page is committed; its style sheet may still be loading.
        self.page.wait_for_load_state("load")
        number = len(self.taken) // 2 + 1
        for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            self.page.set_viewport_size(size)
            violations = accessibility_violations(self.page)
            assert not violations, (
                f"{self.name} / {step} ({size_name}) at {self.page.url} breaks WCAG 2.2 AA:\n"
                + json.dumps(violations, indent=2)
            )
            path = self.screenshot_dir / f"{self.name}-{number:02d}-{step}-{size_name}.png"
            self.page.screenshot(path=path, full_page=True)
            self.taken.append(path)
        self.page.set_viewport_size(DESKTOP)
        assert_charts_have_tables(self.page)
        assert_status_not_by_colour_alone(self.page)


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Sign in through the sign-in page, as a person would."""
    page.goto(f"{base_url}/sign-in")
    form = page.get_by_role("region", name="Your account")
    form.get_by_label("Username or email address").fill(username)
    form.get_by_label("Password", exact=True).fill(password)
    form.get_by_role("button", name="Sign in").click()
    try:
        page.wait_for_url(f"{base_url}/")
    except PlaywrightTimeout:
        # Say why the app refused (a rate limit, ended access) rather than only "timeout".
        pytest.fail(f"{username} was not signed in: {page.locator('main').inner_text()[:600]}")


@contextmanager
def another_browser(browser: Browser) -> Iterator[Page]:
    """A page for a second person at their own browser: own cookies, axe-core loaded."""
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(path=axe_script())
    try:
        yield context.new_page()
    finally:
        context.close()


def extend_then_revoke_guest(
    page: Page, journey: Journey, guest: str, *, while_extended: Callable[[], None] = lambda: None
) -> None:
    """HR opens the guest from the list of those ending within 30 days, gives them 60 days
    more, then revokes their access (``while_extended`` runs between the two)."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Guests").click()
    page.get_by_role("navigation", name="Guests by status").get_by_role(
        "link", name=re.compile(r"^Ending within 30 days \(\d+\)$")
    ).click()
    journey.look("ending-soon")
    page.get_by_role("link", name=guest).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(guest)
    journey.look("guest-page")
    later = date.today() + timedelta(days=60)
    page.get_by_label("Access ends on").fill(later.isoformat())
    page.get_by_role("button", name="Change the end date").click()
    expect(page.get_by_role("status")).to_contain_text("access end date is changed")
    expect(page.get_by_text(f"Active until {formats.day(later)}")).to_be_visible()
    journey.look("extended")
    while_extended()
    page.get_by_role("button", name=f"Revoke {guest}'s access").click()
    expect(page.get_by_role("status")).to_contain_text("signed out everywhere")
    expect(page.get_by_role("heading", name="Give access again")).to_be_visible()
    journey.look("revoked")
