"""Every chart the programme lead reaches has its numbers in a table beside it, and no status
on those pages is told by colour alone. (The set composer's chart is checked in the HR
journey, the only time a proposal exists.)"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.journey import Journey, sign_in
from tests.e2e.page_checks import assert_charts_have_tables

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite


def _charts_on(journey: Journey, step: str, count: int) -> None:
    journey.look(step)  # checks each chart's table
    assert assert_charts_have_tables(journey.page) == count


@pytest.mark.e2e
def test_every_chart_has_a_table_with_its_numbers(
    page: Page, demo_site: DemoSite, screenshot_dir: Path
) -> None:
    journey = Journey("charts", page, screenshot_dir)
    sign_in(page, demo_site.base_url, "hokafor", demo_site.employee_password)
    banner = page.get_by_role("banner")

    banner.get_by_role("link", name="Culture").click()
    # Scores by department, the two groups, the waves, the distribution, experiments per month.
    _charts_on(journey, "culture", 5)

    page.get_by_role("link", name="Impact estimate").click()
    for field, wave in (
        ("Before the programme", "Spring pulse"),
        ("After the programme", "Summer pulse"),
    ):
        choice = page.get_by_label(field).locator("option", has_text=wave)
        page.get_by_label(field).select_option(choice.get_attribute("value"))
    page.get_by_role("button", name="Estimate").click()
    expect(page.get_by_text("Difference in differences", exact=True)).to_be_visible()
    _charts_on(journey, "impact", 1)

    banner.get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name="Spring cohort").click()
    page.get_by_role("link", name="Health of these sets").click()
    _charts_on(journey, "cohort-health", 1)
    page.get_by_role("link", name="Set Aurora").click()
    _charts_on(journey, "set-health", 1)

    banner.get_by_role("link", name="Ventures").click()
    page.get_by_role("link", name="Self-service returns").first.click()
    page.get_by_role("link", name="Lineage").click()
    _charts_on(journey, "lineage", 1)
