"""Every page each role can reach, not only those the journeys pass through, checked with
axe-core (WCAG 2.2 A/AA) at desktop and phone width, with the charts-as-tables and
no-colour-alone checks.

Each role's person signs in and follows the links the pages offer, as someone clicking
around would: same-site pages only, nothing that downloads a file, one page of each kind
(``/sets/3`` and ``/sets/7`` are one kind). Only GET requests, so nothing changes. Every
link a page offers must lead to a page this person may see.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import Page

from tests.e2e.journey import DESKTOP, PHONE, accessibility_violations, sign_in
from tests.e2e.page_checks import assert_charts_have_tables, assert_status_not_by_colour_alone

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite

MAX_PAGES = 60  # per role: far more kinds of page than any role has
# Files, feeds and machine answers rather than pages; the API has its own tests.
NOT_PAGES = re.compile(
    r"(\.(ics|csv|xlsx|json|png|svg|js|css)(\?|$))|/file$|/calendar|/api/|/static/|/healthz|"
    r"/readyz|/metrics|/export"
)
EMPLOYEES = {
    "employee": "dkim",
    "facilitator": "radeyemi",
    "manager": "jwhitfield",
    "hr": "hokafor",
    "admin": "amira",
}


def kind_of(url: str) -> str:
    """The page's kind: its path with every number a placeholder, and its query's names."""
    parts = urlsplit(url)
    names = sorted(pair.split("=")[0] for pair in parts.query.split("&") if pair)
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(names) if names else "")


def links_on(page: Page, base_url: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    same_site = (urldefrag(href).url for href in hrefs if href.startswith(base_url))
    return [href for href in same_site if not NOT_PAGES.search(urlsplit(href).path + "?")]


def problems_on(page: Page) -> list[str]:
    """What the page breaks, at both widths; empty when it is fine."""
    found = []
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        violations = accessibility_violations(page)
        if violations:
            found.append(f"{size_name}: {json.dumps(violations, indent=2)}")
    page.set_viewport_size(DESKTOP)
    for check in (assert_charts_have_tables, assert_status_not_by_colour_alone):
        try:
            check(page)
        except AssertionError as failure:
            found.append(str(failure))
    return found


def crawl(
    page: Page, base_url: str, problems_of: Callable[[Page], list[str]] = problems_on
) -> dict[str, list[str]]:
    """Visit one page of each kind reachable from the home page; what each one breaks."""
    queue, seen_kinds, problems = deque([f"{base_url}/"]), set(), {}
    while queue and len(seen_kinds) < MAX_PAGES:
        url = queue.popleft()
        if kind_of(url) in seen_kinds:
            continue
        seen_kinds.add(kind_of(url))
        response = page.goto(url)
        assert response is not None
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        # A link a page offers leads somewhere this person may go.
        assert response.ok, f"{url} answered {response.status}"
        page.wait_for_load_state("load")
        if found := problems_of(page):
            problems[page.url] = found
        queue.extend(links_on(page, base_url))
    return problems


def sign_in_as_role(page: Page, demo_site: DemoSite, role: str) -> None:
    if role == "guest":
        email, password = next(iter(demo_site.guest_passwords.items()))
        sign_in(page, demo_site.base_url, email, password)
    else:
        sign_in(page, demo_site.base_url, EMPLOYEES[role], demo_site.employee_password)


@pytest.mark.parametrize("role", [*EMPLOYEES, "guest"])
def test_every_page_a_role_reaches_meets_wcag_22_aa(
    role: str, page: Page, demo_site: DemoSite
) -> None:
    sign_in_as_role(page, demo_site, role)

    problems = crawl(page, demo_site.base_url)

    assert not problems, "\n\n".join(
        f"{url}:\n" + "\n".join(found) for url, found in problems.items()
    )
