"""Text as the browser lays it out: no word on a board is broken across two lines, and a
person's role badges read as separate words.

At a laptop's 1,280 px the five columns are narrow, and at a phone's 390 px the one column
is too; a label like "Desirability" split as "Desirabil|ity" reads as two words. Measured in
Chromium on the demo's board with a card in every column (Tom Becker's, which no journey
changes): each run of letters or digits in the board's text must lie on one line, that is,
its range has a single client rectangle. A break at a space or a hyphen is a break between
words and allowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.journey import DESKTOP, PHONE, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite

VENTURE = "Pre-orders for independent shops"

# Every word of the board's visible text that the browser drew on more than one line, with
# the element it belongs to. Options of a closed select and visually hidden text are not
# drawn in the flow, so they are left out.
BROKEN_WORDS = """(board) => {
    const broken = [];
    const walker = document.createTreeWalker(board, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (parent.closest("select, .visually-hidden") || !parent.getClientRects().length) continue;
        for (const word of node.data.matchAll(/[\\p{L}\\p{N}]+/gu)) {
            const range = document.createRange();
            range.setStart(node, word.index);
            range.setEnd(node, word.index + word[0].length);
            const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
            if (lines.size > 1) broken.push(`${parent.tagName.toLowerCase()}: ${word[0]}`);
        }
    }
    return broken;
}"""


@pytest.mark.e2e
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop-1280", "phone-390"])
def test_no_word_on_a_board_is_broken_across_lines(
    page: Page, demo_site: DemoSite, size: dict[str, int]
) -> None:
    sign_in(page, demo_site.base_url, "tbecker", demo_site.employee_password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ventures").click()
    page.get_by_role("link", name=VENTURE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(VENTURE)
    page.set_viewport_size(size)
    board = page.locator("[data-board]")
    # The measurement means something only if the labels that broke are there to measure.
    expect(board.locator("dd").filter(has_text="Desirability").first).to_be_visible()
    expect(board.locator("[data-card]")).to_have_count(6)

    assert board.evaluate(BROKEN_WORDS) == []


@pytest.mark.e2e
def test_role_badges_read_and_copy_as_separate_words(page: Page, demo_site: DemoSite) -> None:
    """``innerText`` is the text as rendered, what a copy of the line gives."""
    sign_in(page, demo_site.base_url, "jwhitfield", demo_site.employee_password)

    roles = page.locator(".roles")
    expect(roles.get_by_role("listitem")).to_have_text(["employee", "manager"])
    assert " ".join(roles.inner_text().split()) == "Your roles: employee manager"
