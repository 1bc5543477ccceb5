"""The access walk (issue 16): every GET route × every id of the seeded objects × every
persona, each answer and each page's content compared with an oracle written from the
README's rules (``oracle.py``), never from the app's permission functions or queries.

Status: each (route, id, persona) answers as ``routes.ROUTES`` says — 200, 404 where an
object's existence is hidden, 403/404 where a role or part may not use a page, the sign-in
redirect for anyone not signed in (or whose session is refused) — and never 500.

Content: every piece of human-visible text in the world carries a marker naming its object
(``world.py``). Every marker found in any answer (HTML, CSV, XLSX, iCalendar, JSON) must
belong to an object the persona may see: a list on a page cannot leak silently.

Tokens that stand in for a person (calendar feed, survey link, invitation, password reset,
API bearer token) are walked with every token of the world, those of an ended guest and of a
switched-off person included: those must be refused, never answered with content.

How it was checked. At 3a9fe8d (before the fixes of issue 16) the walk fails on the five
known leaks: HR reads set A's and set B's shared learning cards on their session screens;
the leaver's home page lists set A's next session; a switched-off person's calendar feed,
survey link and API token, and an unused invitation of a guest whose access ended or who was
switched off, still answer; "My commitments" and "Notifications" show the leaver the title
of a card on a board they may no longer see. Then, in a worktree of b9bc187 (its fixes in),
each check below was removed alone, and each time the walk failed with new failures
(counted beyond those b9bc187 already had):

- ventures: a board's view check (562); ``_load_venture``'s (card, export, activity: 1125);
  the lineage page's (343); organisation-wide ventures kept from guests, on pages (67) and
  in lists (8); a share counting only for a venture not private, on pages (105) and in
  lists (6); managers above the team (11); the team-only check for new cards (69); a
  manager's review page only for boards below them (94)
- lists outside their page: session-screen learning cards by the reader's rule (16); My
  commitments' card titles (1); notifications by their venture (2); home page and calendar
  feed only from current sets (2, 8)
- sets: ``load_set``'s view check (678) and manage check (22); membership ending on
  ``left_on`` (193); set health for facilitators and HR only (57); a cohort's page for its
  own facilitators (2)
- people and tokens: a session refused after access ends or when switched off (755);
  ``Person.may_act``'s access end date (364); the calendar token (10), survey link (2),
  invitation (2), reset link (1) and API token's creator (3) checks
- jobs, roles: a job's page (29) and file (18) for their owner; the audit log for admins
  (7228); culture exports for HR and admins only (8)
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from collections.abc import Callable
from html import unescape
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

from intrapreneur.identity.models import Person
from tests.access.facts import MARKED_KINDS, World
from tests.access.oracle import ANONYMOUS, API_CLIENT, PERSONAS, Oracle
from tests.access.routes import (
    CLOSED,
    NOT_WALKED,
    OK,
    REFUSED,
    ROUTES,
    TOKEN_ROUTES,
    UNAUTHORIZED,
    Expect,
    Outcome,
    expected,
    ids_of,
    urls,
)
from tests.access.world import seed
from tests.conftest import sign_in_as

# A marker's kinds spelled out, so that a random secret on a page (a CSRF token, a link's
# token) that happens to hold "mkq-" is not taken for one.
MARKER = re.compile(
    rf"(?<![\w-])mkq-(?:{'|'.join(sorted(MARKED_KINDS))})(?:-[a-z0-9]+)+", re.IGNORECASE
)
LINK = re.compile(r'href="(/[^"#?]*)(?:\?([^"#]*))?')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Pages that must show these markers to these personas: proof that the world is seeded as
# intended, so a walk that finds nothing to complain about has looked at something.
WITNESSES: dict[str, list[tuple[Callable[[World], str], str]]] = {
    "facilitator_a": [
        (lambda w: f"/sessions/{w.sessions['a_next'].id}", "mkq-experiment-shared-a-learning"),
        (lambda w: f"/sessions/{w.sessions['a_next'].id}", "mkq-experiment-org-learning"),
        (lambda w: f"/sessions/{w.sessions['a_next'].id}", "mkq-action-a-description"),
        (lambda w: f"/sets/{w.sets['a'].id}/health", "mkq-feedback-old-a2-step"),
    ],
    "member_a": [
        (lambda w: "/notifications", "mkq-experiment-private-a-title"),
        (lambda w: f"/ventures/{w.ventures['shared_a'].id}", "mkq-venture-shared-a-problem"),
    ],
    "manager_with": [
        (lambda w: "/reviews", "mkq-experiment-private-a-title"),
        (lambda w: "/library", "mkq-experiment-private-a-decided-learning"),
    ],
    "leaver": [
        (lambda w: "/commitments", "mkq-action-old-description"),
        (lambda w: f"/sessions/{w.sessions['a_old'].id}/feedback", "mkq-feedback-old-leaver-step"),
    ],
    "guest_a": [
        (lambda w: "/ventures/", "mkq-venture-org-shared-a-title"),
        (lambda w: "/library", "mkq-experiment-shared-a-learning"),
        (lambda w: f"/sessions/{w.sessions['a_past'].id}/feedback", "mkq-feedback-past-guest-step"),
    ],
    "hr": [
        (lambda w: "/surveys/", "mkq-wave-open-title"),
        (lambda w: f"/sets/{w.sets['a'].id}/health", "mkq-feedback-old-leaver-step"),
    ],
    "admin": [(lambda w: "/admin/api-clients", "mkq-api-client-live-name")],
    "sponsor": [
        (lambda w: "/portfolio", "mkq-venture-org-title"),
        (lambda w: "/portfolio/export.pdf", "mkq-venture-org-title"),
    ],
}


def test_every_get_route_is_walked(app: Flask) -> None:
    gets = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    assert gets - set(NOT_WALKED) == set(ROUTES) | TOKEN_ROUTES, (
        "add each new GET route to routes.ROUTES with the oracle's rule for it"
    )


def text_of(response: TestResponse) -> str:
    """The answer as text, whatever its format: spreadsheets unzipped, calendar lines
    unfolded (RFC 5545 folds at 75 octets, which could split a marker)."""
    data = response.get_data()
    if response.mimetype == "application/pdf":
        return pdf_text(data)
    if response.mimetype == XLSX:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            data = b"\n".join(book.read(name) for name in book.namelist())
    text = data.decode("utf-8", "replace")
    return text.replace("\r\n ", "").replace("\r\n\t", "")


def pdf_text(data: bytes) -> str:
    """A PDF's text in the order it was written (poppler's pdftotext), a line wrapped inside
    a table cell joined again: a marker broken at its hyphens is still found."""
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8", "replace")
    return re.sub(r"-\s*\n\s*", "-", text)


def outcome_of(response: TestResponse) -> Outcome:
    if response.status_code in (301, 302, 303):
        return "login" if (response.location or "").startswith("/sign-in") else "away"
    return response.status_code


class Walk:
    """One persona's requests, with everything that disagreed with the oracle."""

    def __init__(self, client: FlaskClient, world: World, oracle: Oracle, persona: str) -> None:
        self.client, self.world, self.oracle, self.persona = client, world, oracle, persona
        self.urls = client.application.url_map.bind("localhost")
        kinds = {route.kind for route in ROUTES.values() if route.kind is not None}
        self.names = {kind: {str(v): n for n, v in ids_of(world, kind).items()} for kind in kinds}
        self.failures: list[str] = []
        self.seen: dict[str, set[str]] = {}
        self.requests = 0

    def get(self, url: str, expect: Expect, reader: str, **headers: str) -> None:
        """GET ``url``; its answer must be one of ``expect``, its text may carry only markers
        of what ``reader`` may see (a token's holder on token routes), and a page may link
        only to pages its reader may open."""
        person = self.world.people.get(self.persona)
        if person is not None and not self.oracle.acts(self.persona):
            sign_in_as(self.client, person)  # the refused session is cleared on each request
        response = self.client.get(url, headers=headers)
        self.requests += 1
        outcome, text = outcome_of(response), text_of(response)
        html = response.mimetype == "text/html"
        response.close()
        if outcome not in expect:
            self._fail(url, f"{outcome}, expected {sorted(expect, key=str)}")
        endpoint = self._route(url)[0] or ""
        found = {marker.lower() for marker in MARKER.findall(text)}
        self.seen[url] = found
        for marker in sorted(found):
            owner = self.world.markers.get(marker)
            if owner is None:
                self._fail(url, f"unknown marker {marker}")
            elif not self.oracle.may_see_on(reader, owner, endpoint):
                self._fail(url, f"{outcome} shows {marker} ({owner.kind} {owner.name})")
        if html:
            for path, query in sorted(set(LINK.findall(text))):
                self._check_link(url, path, query, reader)

    def _route(self, url: str) -> tuple[str | None, dict[str, Any], dict[str, str]]:
        """The endpoint a URL names, with its path's values and its query's."""
        path, _, query = url.partition("?")
        try:
            endpoint, values = self.urls.match(path, method="GET")
        except HTTPException:  # a link to a form's POST, or to something not served
            return None, {}, {}
        return endpoint, values, {key: value[0] for key, value in parse_qs(query).items()}

    def _check_link(self, page: str, path: str, query: str, reader: str) -> None:
        endpoint, values, arguments = self._route(f"{path}?{unescape(query)}")
        route = ROUTES.get(endpoint or "")
        if route is None:  # a token's page (the reader's own), or a file of the app
            return
        name = None
        if route.kind is not None:  # the one id in its path, or the wave an export asks for
            (value,) = [arguments.get("wave")] if "?wave=" in route.path else values.values()
            name = self.names[route.kind].get(str(value))
        # Those not signed in are sent to sign in first: a link is no leak to them.
        fine = {200, "away"} if self.oracle.acts(reader) else {200, "away", "login"}
        if not expected(self.oracle, reader, route, name) & fine:
            self._fail(page, f"links to {path}, which {reader} may not open")

    def _fail(self, url: str, problem: str) -> None:
        self.failures.append(f"GET {url} as {self.persona}: {problem}")

    def check(self) -> None:
        assert self.requests, "nothing was walked"
        assert not self.failures, (
            f"{len(self.failures)} of {self.requests} answers disagree with the oracle:\n"
            + "\n".join(self.failures)
        )


@pytest.fixture
def world(make_person: Callable[..., Person]) -> World:
    return seed(make_person)


def test_each_route_with_an_id_has_one_seen_and_one_unseen(world: World) -> None:
    """The world gives every route with an id at least one object some persona may open
    and one some signed-in persona may not: otherwise its rule would go untested."""
    oracle = Oracle(world)
    for endpoint, route in ROUTES.items():
        if route.kind is None:
            continue
        answers = [
            expected(oracle, persona, route, name) >= OK
            for persona in PERSONAS
            if oracle.acts(persona)
            for _, name in urls(world, route)
            if name is not None
        ]
        assert any(answers) and not all(answers), endpoint


@pytest.mark.parametrize("persona", PERSONAS)
def test_walk(persona: str, world: World, client: FlaskClient) -> None:
    oracle = Oracle(world)
    walk = Walk(client, world, oracle, persona)
    if persona != ANONYMOUS:
        sign_in_as(client, world.people[persona])
    for route in ROUTES.values():
        for url, target in urls(world, route):
            walk.get(url, expected(oracle, persona, route, target), persona)
    for url_of, marker in WITNESSES.get(persona, []):
        if marker not in walk.seen.get(url_of(world), set()):
            walk.failures.append(f"witness: {url_of(world)} as {persona} lacks {marker}")
    walk.check()


def test_tokens(world: World, client: FlaskClient) -> None:
    """Each link or token answers for its holder only while the holder may act; the page
    carries only what the holder may see. No cookie is sent: the token is the credential."""
    oracle = Oracle(world)
    walk = Walk(client, world, oracle, ANONYMOUS)

    def answer(holder: str, live: Expect = OK) -> Expect:
        return live if oracle.acts(holder) else REFUSED

    for holder, token in world.calendar_tokens.items():
        walk.get(f"/calendar/{token}.ics", answer(holder), holder)
    for facts in world.waves.values():
        for holder, token in facts.tokens.items():
            live = OK if facts.open else CLOSED
            walk.get(f"/surveys/answer/{token}", answer(holder, live), holder)
    for holder, token in world.invitation_tokens.items():
        walk.get(f"/invitations/{token}", answer(holder), holder)
    for holder, token in world.reset_tokens.items():
        walk.get(f"/password-reset/{token}", answer(holder), holder)
    closed = world.waves["closed"].id
    for token, creator, revoked in world.api_tokens.values():
        # A token is its issuing admin's delegation: it ends when revoked or when they leave.
        works = oracle.acts(creator) and not revoked
        answer_, reader = (OK, API_CLIENT) if works else (UNAUTHORIZED, ANONYMOUS)
        for path in ("/api/v1/culture/behaviour", f"/api/v1/culture/scores?wave={closed}"):
            walk.get(path, answer_, reader, Authorization=f"Bearer {token}")
    walk.check()
