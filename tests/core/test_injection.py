"""Injection, tried end to end: LDAP filters in the username, open redirects through ``next=``,
stored XSS in every free-text field on the pages that show it, SQL and junk through every
query-string filter, and formulas in the venture board's CSV export.

What exists elsewhere is not repeated here: the ``safe_next`` unit table
(tests/core/test_security.py), header injection in emails (tests/core/test_mail.py), formula
injection in culture exports (tests/culture/test_exports.py), and the directory's own
escaping of filter characters (tests/identity/test_directory_sign_in.py).
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select

from intrapreneur.experiments import services as experiment_services
from intrapreneur.experiments.models import Review, ReviewTag, Venture, Visibility
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, Role
from intrapreneur.learning.formats import shipped_agenda
from intrapreneur.learning.models import (
    Action,
    BarrierCategory,
    Cohort,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    Question,
    SessionFormat,
    SetMembership,
)
from intrapreneur.settings import DirectorySettings
from tests.conftest import GUEST_PASSWORD, csrf_token, ldap_password, sign_in_as
from tests.experiments.builders import venture_for

NOW = datetime.now(UTC)
REFUSED = "The username or password is not right."


def _sign_in(client: FlaskClient, login: str, password: str, query: str = ""):  # type: ignore[no-untyped-def]
    url = "/sign-in" + query
    return client.post(
        url, data={"csrf_token": csrf_token(client, url), "login": login, "password": password}
    )


# -- LDAP filter injection through the sign-in form -----------------------------------------

LDAP_USERNAMES = ["*", "admin)(|(uid=*", "*)(uid=*))(|(uid=*", "\\2a", "alice)(uid=*", "al*"]


@pytest.mark.ldap
@pytest.mark.parametrize("username", LDAP_USERNAMES)
@pytest.mark.parametrize("password", ["any-password-at-all", ldap_password("alice")])
def test_ldap_filter_characters_in_the_username_never_sign_anyone_in(
    client: FlaskClient,
    use_directory: Callable[..., DirectorySettings],
    username: str,
    password: str,
) -> None:
    use_directory()
    response = _sign_in(client, username, password)

    assert response.status_code == 401
    assert REFUSED in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


@pytest.mark.parametrize(
    "login",
    ["' OR 1=1 --@example.org", "guest\x00@example.org", "x" * 5000 + "@example.org", "%@%"],
)
def test_junk_in_a_guest_login_is_refused_like_any_wrong_login(
    client: FlaskClient, make_guest: Callable[..., Person], login: str
) -> None:
    make_guest(email="guest@example.org")
    response = _sign_in(client, login, GUEST_PASSWORD)

    assert response.status_code in (400, 401, 422)  # 422: too long for the form
    assert client.get("/").status_code == 302  # still signed out


# -- open redirect through next= ------------------------------------------------------------

# Raw query strings: the last one reaches the app already decoded to ``//evil.example``.
HOSTILE_NEXT = [
    "?next=" + quote("https://evil.example/", safe=""),
    "?next=" + quote("//evil.example", safe=""),
    "?next=" + quote("/\\evil.example", safe=""),
    "?next=" + quote("javascript:alert(1)", safe=""),
    "?next=%2F%2Fevil.example",
    "?next=" + quote("%2F%2Fevil.example", safe=""),
    "?next=" + quote("\\\\evil.example", safe=""),
    "?next=" + quote("/%5Cevil.example", safe=""),
    "?next=" + quote(" //evil.example", safe=""),
    "?next=" + quote("https:evil.example", safe=""),
    "?next=" + quote('/"><script>alert(1)</script><img src=x onerror=alert(1)>', safe=""),
]


@pytest.mark.parametrize("query", HOSTILE_NEXT)
def test_sign_in_never_sends_anyone_off_the_site(
    client: FlaskClient, make_guest: Callable[..., Person], query: str
) -> None:
    guest = make_guest()
    assert unsafe_markup(client.get("/sign-in" + query).get_data(as_text=True)) == []
    response = _sign_in(client, guest.email, GUEST_PASSWORD, query)

    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.scheme == "" and parts.netloc == "", location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert client.get("/").status_code == 200  # the sign-in itself worked


def test_a_path_on_this_site_is_still_followed(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    response = _sign_in(client, guest.email, GUEST_PASSWORD, "?next=" + quote("/calendar"))
    assert response.headers["Location"] == "/calendar"


# -- stored XSS ------------------------------------------------------------------------------


def payload(marker: str) -> str:
    """A script block and an attribute breaker, tagged so the test can find where it landed."""
    return f"<script>alert(1)</script>\"'><img src=x onerror=alert(1)>XSS-{marker}"


class _UnsafeMarkup(HTMLParser):
    """Collects what a browser would run: inline scripts and event-handler attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        handlers = [name for name, _ in attrs if name.startswith("on")]
        if handlers:
            self.found.append(f"<{tag} {' '.join(handlers)}>")
        if tag == "img" and ("src", "x") in attrs:
            self.found.append("<img src=x>")
        # JSON data blocks (the charts) never run; a payload breaking out of one would show
        # up here as markup of its own.
        self._in_script = tag == "script" and ("type", "application/json") not in attrs

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(" in data:
            self.found.append(f"<script>{data[:40]}")


def unsafe_markup(page: str) -> list[str]:
    parser = _UnsafeMarkup()
    parser.feed(page)
    parser.close()
    return parser.found


def test_the_detector_sees_a_payload_left_unescaped() -> None:
    """The XSS table below is only worth something if this finds both halves of a payload."""
    assert unsafe_markup(f"<p>{payload('raw')}</p>") == [
        "<script>alert(1)",
        "<img onerror>",
        "<img src=x>",
    ]
    assert unsafe_markup(f"<p>{html.escape(payload('escaped'))}</p>") == []


def shown(page: str) -> str:
    """The page's text and attribute values (form fields show stored values there)."""
    return html.unescape(page)


@dataclass
class World:
    """Every free-text field filled with a payload, and the people who see them."""

    viewer: Person  # HR, admin, facilitator of the set, manager of the member
    member: Person  # from the directory; owns the venture, sits in the hot seat
    guest: Person
    programme: Programme
    cohort: Cohort
    learning_set: LearningSet
    session: LearningSession
    hot_seat: HotSeat
    venture: Venture
    card_id: int


@pytest.fixture
def world(make_person: Callable[..., Person], make_guest: Callable[..., Person]) -> World:
    viewer = make_person(
        Role.HR, Role.ADMIN, Role.FACILITATOR, Role.MANAGER, display_name=payload("viewer")
    )
    # As a directory sync would store them: name, title and department come from LDAP.
    member = make_person(
        display_name=payload("dirname"),
        title=payload("dirtitle"),
        department=Department(name=payload("dept")),
        directory_id="0f6a8f1e-0000-4000-8000-000000000001",
        manager=viewer,
    )
    guest = make_guest(display_name=payload("guest"))
    programme = Programme(name=payload("programme"), description=payload("progdesc"))
    cohort = Cohort(
        programme=programme,
        name=payload("cohort"),
        starts_on=date.today() - timedelta(days=30),
        ends_on=date.today() + timedelta(days=60),
        capacity=10,
        enrolment_open=True,
    )
    learning_set = LearningSet(cohort=cohort, name=payload("set"), facilitator=viewer)
    db.session.add(learning_set)
    for person in (member, guest):
        db.session.add(
            SetMembership(learning_set=learning_set, person=person, joined_on=cohort.starts_on)
        )
    agenda = shipped_agenda(SessionFormat.POWER_HOUR)
    agenda[0]["title"] = payload("agenda")
    session = LearningSession(
        learning_set=learning_set,
        format=SessionFormat.POWER_HOUR,
        starts_at=NOW + timedelta(days=2),
        ends_at=NOW + timedelta(days=2, hours=1),
        location=payload("location"),
        agenda=agenda,
    )
    db.session.add(session)
    db.session.flush()
    hot_seat = HotSeat(
        session_id=session.id,
        person=member,
        challenge_title=payload("challenge"),
        challenge_description=payload("chdesc"),
        barrier=BarrierCategory.TIME,
    )
    db.session.add(hot_seat)
    db.session.flush()
    db.session.add(Question(hot_seat_id=hot_seat.id, asked_by=guest, text=payload("question")))
    db.session.add(
        Action(
            session_id=session.id,
            hot_seat_id=hot_seat.id,
            owner_id=member.id,
            description=payload("action"),
            due_on=date.today() + timedelta(days=7),
            learning=payload("actlearn"),
        )
    )
    venture = venture_for(
        member,
        payload("venture"),
        visibility=Visibility.ORGANISATION,
        problem=payload("problem"),
        customer=payload("customer"),
        now=NOW,
    )
    card = experiment_services.create_experiment(
        venture,
        experiment_services.CardFields(
            title=payload("card"),
            hypothesis=payload("hypothesis"),
            test=payload("test"),
            metric=payload("metric"),
            success_criterion=payload("criterion"),
        ),
        owner=member,
        by=member,
        now=NOW,
    )
    card.observation = payload("observation")
    card.learning = payload("learning")
    card.evidence_data = payload("evidence")
    card.review_requested_at = NOW  # so it waits in the manager's queue
    db.session.add(
        Review(
            venture_id=venture.id,
            experiment_id=card.id,
            reviewer_id=viewer.id,
            tag=ReviewTag.CHALLENGE,
            comment=payload("review"),
        )
    )
    db.session.commit()
    return World(
        viewer, member, guest, programme, cohort, learning_set, session, hot_seat, venture, card.id
    )


# page (built from the world) → who looks → markers that must show there, escaped
XSS_PAGES: list[tuple[str, Callable[[World], str], str, tuple[str, ...]]] = [
    ("home", lambda w: "/", "member", ("dirname", "programme", "cohort", "set")),
    ("programmes", lambda w: "/programmes/", "viewer", ("programme", "progdesc", "cohort")),
    ("cohorts", lambda w: "/cohorts/", "member", ("programme", "cohort")),
    ("cohort", lambda w: f"/cohorts/{w.cohort.id}", "viewer", ("cohort", "set", "viewer")),
    ("cohort health", lambda w: f"/cohorts/{w.cohort.id}/health", "viewer", ("set",)),
    ("composer", lambda w: f"/cohorts/{w.cohort.id}/composer", "viewer", ("cohort",)),
    (
        "set",
        lambda w: f"/sets/{w.learning_set.id}",
        "viewer",
        ("set", "dirname", "dept", "guest", "location"),
    ),
    ("set health", lambda w: f"/sets/{w.learning_set.id}/health", "viewer", ("set",)),
    (
        "session",
        lambda w: f"/sessions/{w.session.id}",
        "viewer",
        ("agenda", "challenge", "chdesc", "question", "action", "dirname", "guest", "location"),
    ),
    ("session agenda", lambda w: f"/sessions/{w.session.id}/agenda", "viewer", ("agenda",)),
    ("hot seat", lambda w: f"/hot-seats/{w.hot_seat.id}/edit", "viewer", ("challenge", "chdesc")),
    ("commitments", lambda w: "/commitments", "member", ("action", "actlearn", "set")),
    ("ventures", lambda w: "/ventures/", "viewer", ("venture", "dirname")),
    (
        "board",
        lambda w: f"/ventures/{w.venture.id}",
        "member",
        ("venture", "problem", "customer", "card", "dirname"),
    ),
    (
        "card",
        lambda w: f"/experiments/{w.card_id}",
        "member",
        ("card", "hypothesis", "test", "metric", "criterion"),
    ),
    (
        "card edit",
        lambda w: f"/experiments/{w.card_id}/edit",
        "member",
        ("card", "hypothesis", "test", "metric", "criterion"),
    ),
    ("activity", lambda w: f"/ventures/{w.venture.id}/activity", "viewer", ("venture", "card")),
    ("lineage", lambda w: f"/ventures/{w.venture.id}/lineage", "member", ("card", "learning")),
    (
        "settings",
        lambda w: f"/ventures/{w.venture.id}/settings",
        "member",
        ("venture", "problem", "customer", "set"),
    ),
    ("review queue", lambda w: "/reviews", "viewer", ("venture", "card", "dirname")),
    (
        "card review",
        lambda w: f"/experiments/{w.card_id}/review",
        "viewer",
        ("card", "hypothesis", "review", "viewer"),
    ),
    (
        "board review",
        lambda w: f"/ventures/{w.venture.id}/review",
        "viewer",
        ("venture", "problem", "customer"),
    ),
    ("guests", lambda w: "/guests/", "viewer", ("guest",)),
    ("audit log", lambda w: "/admin/audit", "viewer", ("dirname",)),
]


@pytest.mark.parametrize(
    ("url", "who", "markers"),
    [pytest.param(url, who, markers, id=name) for name, url, who, markers in XSS_PAGES],
)
def test_stored_payloads_are_shown_as_text_never_run(
    client: FlaskClient,
    world: World,
    url: Callable[[World], str],
    who: str,
    markers: tuple[str, ...],
) -> None:
    sign_in_as(client, getattr(world, who))
    response = client.get(url(world))
    page = response.get_data(as_text=True)

    assert response.status_code == 200, url(world)
    assert unsafe_markup(page) == []
    text = shown(page)
    missing = [marker for marker in markers if f"XSS-{marker}" not in text]
    assert missing == [], f"these fields do not show on {url(world)}"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# -- SQL and junk through query-string filters ------------------------------------------------

HOSTILE_VALUES = [
    "' OR 1=1 --",
    "1;DROP TABLE person",
    "1) UNION SELECT username, password_hash FROM person --",
    "x" * 5000,
    "1\x00",
    "\x00",
    "abc",
    "-1",
    "1e3",
    "99999999999999999999999999",
    "%",
    "[]",
]

# route (built from the viewer and their venture) → the query-string names it reads
FILTERED_ROUTES: list[tuple[str, Callable[[Person, Venture], str], tuple[str, ...]]] = [
    (
        "board",
        lambda p, v: f"/ventures/{v.id}",
        ("owner", "column", "assumption", "awaiting", "overdue", "page"),
    ),
    (
        "board export",
        lambda p, v: f"/ventures/{v.id}/export.csv",
        ("owner", "column", "assumption"),
    ),
    ("ventures", lambda p, v: "/ventures/", ("page", "per_page")),
    ("audit log", lambda p, v: "/admin/audit", ("action", "page", "per_page")),
    ("jobs", lambda p, v: "/admin/jobs", ("status", "page")),
    ("api clients", lambda p, v: "/admin/api-clients", ("page", "per_page")),
    ("guests", lambda p, v: "/guests/", ("page", "per_page")),
    ("review queue", lambda p, v: "/reviews", ("page", "per_page")),
    ("culture dashboard", lambda p, v: "/culture/", ("wave", "cohort", "group", "dimension")),
    ("culture csv", lambda p, v: "/culture/export.csv.zip", ("wave", "cohort", "group")),
    ("culture xlsx", lambda p, v: "/culture/export.xlsx", ("wave", "cohort", "group")),
    ("impact", lambda p, v: "/culture/impact", ("before", "after", "dimension", "cohort")),
    ("notifications", lambda p, v: "/notifications", ("page",)),
]
# A clear refusal (400, 422 for a form, 404 for a survey wave that is not there) or the page.
FINE = {200, 400, 404, 422}


@pytest.mark.parametrize(
    ("url", "names"),
    [pytest.param(url, names, id=name) for name, url, names in FILTERED_ROUTES],
)
def test_hostile_filter_values_get_a_page_or_a_refusal_never_an_error(
    app: Flask,
    client: FlaskClient,
    make_person: Callable[..., Person],
    url: Callable[[Person, Venture], str],
    names: tuple[str, ...],
) -> None:
    viewer = make_person(Role.HR, Role.ADMIN, Role.MANAGER)
    venture = venture_for(viewer, now=NOW)
    db.session.commit()
    sign_in_as(client, viewer)
    base = url(viewer, venture)

    answers = {
        (name, value[:30]): client.get(base, query_string={name: value}).status_code
        for name in names
        for value in HOSTILE_VALUES
    }

    assert {key: status for key, status in answers.items() if status not in FINE} == {}
    assert inspect(db.session.connection()).has_table("person")
    assert db.session.scalar(select(func.count()).select_from(Person)) >= 1
    assert client.get("/").status_code == 200  # still signed in, the person still there


# -- formulas in the venture board's CSV export -----------------------------------------------

# core/exports.py puts an apostrophe before any cell a spreadsheet would read as a formula.
FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1",
    "-1",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_board_export_cells_never_start_a_formula(
    client: FlaskClient, make_person: Callable[..., Person], formula: str
) -> None:
    owner = make_person(display_name=formula)
    venture = venture_for(owner, formula, now=NOW)
    experiment_services.create_experiment(
        venture,
        experiment_services.CardFields(title=formula, hypothesis=formula, metric=formula),
        owner=owner,
        by=owner,
        now=NOW,
    )
    db.session.commit()
    sign_in_as(client, owner)

    response = client.get(f"/ventures/{venture.id}/export.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    card = dict(zip(rows[0], rows[1], strict=True))
    assert card["title"] == card["hypothesis"] == card["metric"] == "'" + formula
    assert card["owner"] == "'" + formula
    starts = ("=", "+", "-", "@", "\t", "\r", "\n")
    assert not [cell for row in rows for cell in row if cell.startswith(starts)]
