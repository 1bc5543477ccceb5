"""A right-to-left language needs translation work only: with an Arabic catalogue in place,
the pages turn (``dir="rtl"``), the header, navigation, text, tables and forms start at the
right, nothing overflows sideways, and axe-core finds nothing — measured in Chromium.

The app here is this module's own, with a small test catalogue for Arabic (the layout's
own words), served on loopback by Werkzeug for the browser.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, PersonRole, Role
from tests.conftest import migrated_app, sign_in_as
from tests.core.test_languages import write_catalogue
from tests.e2e.journey import DESKTOP, PHONE, accessibility_violations, axe_script

ARABIC = {
    "Skip to content": "انتقل إلى المحتوى",
    "Main": "الرئيسية",
    "Home": "الصفحة الرئيسية",
    "Profile": "الملف الشخصي",
    "Sign out": "تسجيل الخروج",
    "Your language": "لغتك",
}

# Where the page's parts lie: the header's brand and the sign-out button, the first and
# last item of the navigation, and whether anything reaches past the window's sides.
GEOMETRY = """() => {
    const box = (selector) => document.querySelector(selector)?.getBoundingClientRect();
    const items = [...document.querySelectorAll("nav[aria-label] li")]
        .map((li) => li.getBoundingClientRect());
    const heading = document.querySelector("main h1");
    const range = document.createRange();
    range.selectNodeContents(heading);
    return {
        width: document.documentElement.clientWidth,
        scrollWidth: document.documentElement.scrollWidth,
        brand: box(".brand"),
        main: box("main"),
        heading: range.getBoundingClientRect(),
        firstItem: items[0],
        secondItem: items[1],
    };
}"""


@pytest.fixture(scope="module")
def rtl_app(
    empty_database: Callable[[str], object], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    catalogues = tmp_path_factory.mktemp("translations")
    write_catalogue(catalogues, "ar", ARABIC)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("intrapreneur.core.i18n.CATALOGUES", catalogues)  # read by create_app
        with migrated_app(empty_database, tmp_path_factory, "right_to_left") as application:
            yield application


@pytest.fixture(scope="module")
def site(rtl_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, rtl_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def reader_cookie(rtl_app: Flask) -> str:
    """The session cookie of Layla, who reads Arabic, signed in."""
    with rtl_app.app_context():
        layla = Person(
            kind=PersonKind.EMPLOYEE,
            username="lhaddad",
            email="layla.haddad@corp.example",
            display_name="ليلى حداد",
            chosen_locale="ar",
            roles=[PersonRole(role=Role.EMPLOYEE)],
        )
        db.session.add(layla)
        db.session.commit()
        client = rtl_app.test_client()
        sign_in_as(client, layla)
        cookie = client.get_cookie("session")
        assert cookie is not None
        return cookie.value


@pytest.fixture
def arabic_page(browser: Browser, site: str, reader_cookie: str) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="ar")
    context.add_init_script(path=axe_script())
    context.add_cookies([{"name": "session", "value": reader_cookie, "url": site}])
    yield context.new_page()
    context.close()


@pytest.mark.e2e
@pytest.mark.parametrize("path", ["/", "/account/profile"])
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop-1280", "phone-390"])
def test_a_right_to_left_page_starts_at_the_right(
    arabic_page: Page, site: str, path: str, size: dict[str, int]
) -> None:
    arabic_page.set_viewport_size(size)
    response = arabic_page.goto(site + path)
    assert response is not None and response.ok
    expect(arabic_page.locator("html")).to_have_attribute("dir", "rtl")
    expect(arabic_page.locator("html")).to_have_attribute("lang", "ar")
    expect(arabic_page.get_by_role("link", name="الصفحة الرئيسية")).to_be_visible()

    if path == "/account/profile":  # a language beyond the four is named in itself
        expect(arabic_page.locator("option", has_text="العربية")).to_have_count(1)

    layout = arabic_page.evaluate(GEOMETRY)

    assert layout["scrollWidth"] <= layout["width"], "the page reaches past its sides"
    middle = layout["width"] / 2
    assert layout["brand"]["left"] > middle, "the brand starts the header, at the right"
    # The heading's text starts at the right of the main column.
    assert abs(layout["heading"]["right"] - layout["main"]["right"]) < 40
    if size is DESKTOP:  # on a phone the navigation wraps into rows
        assert layout["firstItem"]["left"] > layout["secondItem"]["left"]
    assert accessibility_violations(arabic_page) == []


@pytest.mark.e2e
def test_a_visitor_asking_for_arabic_gets_the_sign_in_page_turned(
    browser: Browser, site: str
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="ar")
    context.add_init_script(path=axe_script())
    page = context.new_page()
    try:
        response = page.goto(site + "/sign-in")
        assert response is not None and response.ok
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        field = page.locator("form input[type=password]")
        label = page.locator(f"label[for={field.get_attribute('id')}]").bounding_box()
        field = field.bounding_box()
        assert label is not None and field is not None
        # The field lines up with its label at the right, as the text runs.
        assert abs((field["x"] + field["width"]) - (label["x"] + label["width"])) < 40
        assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
        assert accessibility_violations(page) == []
    finally:
        context.close()
