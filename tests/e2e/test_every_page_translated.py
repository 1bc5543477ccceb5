"""Every page each role reaches, in every shipped language besides English: the page is in
that language (``<html lang>``), axe-core finds nothing at desktop width, and no English
sentence of the product's own is left on it.

The browser asks for the language as a person's browser does (``Accept-Language``); the
demo's people have chosen none. "No English left" is read against the catalogue itself:
each message whose translation differs from the English, cut at its placeholders into
runs of at least three words, must not appear in the page's text or in what a screen
reader says (aria-label, title, alt, placeholder, button values). The English journeys and
the English walk (``test_every_page.py``) cover the rest at both widths. What people wrote
(``.user-text``, the demo's English ventures) is theirs, in whatever language they wrote it,
and a text the page marks as written in another language (``lang``: a job's recorded
outcome, in the language of whoever asked for it) says so to browsers and screen readers.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import TYPE_CHECKING

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, Page

from intrapreneur.core.i18n import CATALOGUES, SOURCE_LOCALE, catalogued_locales
from tests.e2e.journey import DESKTOP, accessibility_violations, axe_script
from tests.e2e.test_every_page import EMPLOYEES, crawl

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.e2e.conftest import DemoSite

TRANSLATED = [code for code in catalogued_locales([CATALOGUES]) if code != SOURCE_LOCALE]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}|<[^>]+>")
# The text a page shows and the text it gives to screen readers.
READ_TEXT = """() => {
    const attributes = ["aria-label", "title", "alt", "placeholder"];
    const described = document.querySelectorAll(attributes.map((name) => `[${name}]`).join());
    const words = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        const ours = parent.closest("[lang]") === document.documentElement;
        if (ours && !parent.closest("script, style, .user-text")) words.push(node.data);
    }
    for (const element of described) {
        if (!element.closest(".user-text")) {
            words.push(...attributes.map((name) => element.getAttribute(name) || ""));
        }
    }
    for (const input of document.querySelectorAll("input[type=submit], input[type=button]")) {
        words.push(input.value);
    }
    return words.join("\\n");
}"""


@cache
def english_runs(language: str) -> frozenset[str]:
    """The English of each message translated differently, as runs of three words or more
    between its placeholders."""
    path = CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        catalogue = read_po(file, locale=language)
    runs = set()
    for message in catalogue:
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.id or set(sources) & set(translations):
            continue
        for source in sources:
            for run in PLACEHOLDER.split(source):
                run = " ".join(run.split())
                # A run the translation keeps (a command's name) is the same in both.
                kept = any(run in " ".join(t.split()) for t in translations)
                if len(run.split()) >= 3 and len(run) >= 15 and not kept:
                    runs.add(run)
    return frozenset(runs)


def sign_in_in_any_language(page: Page, demo_site: DemoSite, role: str) -> None:
    """The sign-in form by its fields' names: its labels are in the page's language."""
    if role == "guest":
        login, password = next(iter(demo_site.guest_passwords.items()))
    else:
        login, password = EMPLOYEES[role], demo_site.employee_password
    page.goto(f"{demo_site.base_url}/sign-in")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=login]").fill(login)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{demo_site.base_url}/")


def problems_in(language: str) -> Callable[[Page], list[str]]:
    def problems_of(page: Page) -> list[str]:
        found = []
        if page.get_attribute("html", "lang") != language:
            found.append(f"lang is {page.get_attribute('html', 'lang')!r}")
        text = " ".join(page.evaluate(READ_TEXT).split())
        left = sorted(run for run in english_runs(language) if run in text)
        if left:
            found.append("English left: " + json.dumps(left, ensure_ascii=False))
        if violations := accessibility_violations(page):
            found.append(json.dumps(violations, indent=2))
        return found

    return problems_of


@pytest.fixture
def page_in(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale=request.param)
    context.add_init_script(path=axe_script())
    yield context.new_page()
    context.close()


@pytest.mark.e2e
@pytest.mark.parametrize("role", [*EMPLOYEES, "guest"])
@pytest.mark.parametrize(("page_in", "language"), [(code, code) for code in TRANSLATED],
                         indirect=["page_in"], ids=TRANSLATED)  # fmt: skip
def test_every_page_a_role_reaches_is_in_the_readers_language(
    page_in: Page, language: str, role: str, demo_site: DemoSite
) -> None:
    sign_in_in_any_language(page_in, demo_site, role)

    problems = crawl(page_in, demo_site.base_url, problems_in(language))

    assert not problems, "\n\n".join(
        f"{url}:\n" + "\n".join(found) for url, found in problems.items()
    )


def test_three_languages_ship_besides_english() -> None:
    """The walk above runs for each shipped language; a catalogue left out of the build
    would make it walk none, so the languages are counted too."""
    assert TRANSLATED == ["de", "es", "fr"]
