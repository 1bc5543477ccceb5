"""The locustfile of bench/load.py and bench/soak.py: who does what, how often, and what
counts as a success.

Run by those scripts (``locust --headless -f bench/load_mix.py ...``), never on its own:
they seed the site and write the plan this file reads (``LOAD_MIX_PLAN``: the people to
sign in as, with the sessions, boards and survey wave each may use). At the end it writes
its ledger (``LOAD_MIX_LEDGER``): the status of every response by endpoint, and every
write the server confirmed, refused clearly (503) or left unclear (no answer), so the
soak can compare them with the database.

The mix, by weight of simulated people (each waits ``LOAD_MIX_WAIT`` seconds, default
0.5–2, between actions, as a person reads a page):

* **Employee** (20): signs in through the directory, then mostly reads the home page and
  now and then signs in afresh (a new session: the morning sign-in of most people).
* **Owner** (10) of a venture: reads the board and moves cards (Backlog ⇄ Designing)
  with the version the board showed.
* **Respondent** (8): signs in as the next invitee of the open survey wave who has not
  answered, opens the questionnaire and answers every item. Each invitee answers once;
  when all have, respondents read their home page.
* **Facilitator** (6) of a set: opens the session screen, saves the register (attendance,
  with the session's version) and adds a question to the hot seat.
* **HR** (4): reads the culture dashboard (closed, published waves) and the home page.

A response counts as a success only when it is the expected outcome: the status AND a
marker in the body (or, for a form that redirects, the Location and a success message
in the flash it leaves in the session cookie). Everything else is a failure.

Each person sends ``X-Forwarded-For`` with an address of their own (the server trusts one
proxy, as behind production's ingress), so sign-in limits count per person.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import uuid
import zlib
from collections import Counter, defaultdict, deque
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_MIX_PLAN"]).read_text())
WAIT = tuple(float(value) for value in os.environ.get("LOAD_MIX_WAIT", "0.5,2").split(","))
UNAVAILABLE = "Nothing you sent was saved"  # the 503 page: a clear refusal, nothing stored
COLUMNS_TO_MOVE = ("backlog", "designing")  # a move between them needs no other field

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
PRESENT = re.compile(r'name="present" value="(\d+)"')
QUESTION_FORM = re.compile(r'action="/hot-seats/(\d+)/questions".*?</select>', re.S)
OPTION = re.compile(r'<option[^>]*value="(\d+)"')
MOVE_FORM = re.compile(
    r'action="[^"]*/experiments/(\d+)/move".*?name="version" value="(\d+)".*?'
    r'<option value="(\w+)" selected>',
    re.S,
)
ITEM = re.compile(r'name="(item-[^"]+)"[^>]*value="(\d+)"')

# -- the shared state of one locust process -----------------------------------------------

employees = PLAN["employees"]
facilitators = deque(PLAN["facilitators"])
owners = deque(PLAN["owners"])
hr_people = deque(PLAN["hr"])
respondents = deque(PLAN["respondents"])
statuses: defaultdict[str, Counter[int]] = defaultdict(Counter)
# Writes by outcome: "saved" (the server said so), "refused" (a clear 503), "unclear"
# (no answer, or an answer that says neither).
ledger: dict[str, defaultdict[str, list[Any]]] = {
    kind: defaultdict(list) for kind in ("answers", "moves", "attendance", "questions")
}


def take(pool: deque[dict[str, Any]]) -> dict[str, Any]:
    """The next person of a pool, round robin: each simulated person gets their own
    while there are enough, so no two edit the same record at once."""
    person = pool.popleft()
    pool.append(person)
    return person


@events.request.add_listener
def count_status(name: str, response: Any, **_: Any) -> None:
    statuses[name][getattr(response, "status_code", 0) or 0] += 1


@events.quitting.add_listener
def write_ledger(**_: Any) -> None:
    path = os.environ.get("LOAD_MIX_LEDGER")
    if path:
        Path(path).write_text(
            json.dumps(
                {
                    "statuses": {name: dict(counts) for name, counts in statuses.items()},
                    **{kind: dict(outcomes) for kind, outcomes in ledger.items()},
                }
            )
        )


def flashes(response: Any) -> list[tuple[str, str]]:
    """The flash messages a redirect leaves in Flask's session cookie (signed, not
    encrypted: the payload is readable base64 JSON, zlib-compressed when it starts with .)."""
    value = response.cookies.get("session")
    if not value:
        return []
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    session = json.loads(zlib.decompress(data) if compressed else data)
    return [tuple(item.get(" t", item)) for item in session.get("_flashes", [])]


def outcome(response: Any, saved: bool) -> str:
    if saved:
        return "saved"
    if response.status_code == 503 and UNAVAILABLE in response.text:
        return "refused"
    return "unclear"


class Visitor(HttpUser):
    """A person with a browser: cookies kept, forms read for their CSRF token."""

    abstract = True
    wait_time = between(*WAIT)
    address = "10.0.0.1"
    signed_in = False

    def request(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        # Production marks cookies Secure; on plain-HTTP loopback the client would not send
        # them back, so they are kept as plain cookies here.
        for cookie in self.client.cookies:
            cookie.secure = False
        headers = {"X-Forwarded-For": self.address}
        return self.client.request(
            method, path, name=name, headers=headers, catch_response=True,
            allow_redirects=False, **kwargs,
        )  # fmt: skip

    def page(self, name: str, path: str, marker: str) -> str | None:
        """GET a page; a success is a 200 carrying ``marker``. The page, or None."""
        with self.request("GET", path, name) as response:
            if response.status_code == 200 and marker in response.text:
                response.success()
                return response.text
            where = response.headers.get("Location", "")
            response.failure(f"{response.status_code} {where}, {marker!r} missing")
            return None

    def post(self, name: str, path: str, form: dict[str, Any]) -> Any:
        return self.request("POST", path, name, data=form)

    def sign_in(self, person: dict[str, Any]) -> bool:
        """Through the real form: the directory checks the password."""
        self.client.cookies.clear()
        self.address = address_of(person["login"])
        self.signed_in = False
        form = self.page("sign-in form", "/sign-in", 'name="password"')
        if form is None:
            return False
        fields = {"csrf_token": token(form), "login": person["login"]}
        with self.post("sign-in", "/sign-in", {**fields, "password": person["password"]}) as r:
            if r.status_code == 302 and r.headers.get("Location") == "/":
                r.success()
                self.signed_in = True
            else:
                r.failure(f"{r.status_code} to {r.headers.get('Location')}")
                return False
        return self.home(person) is not None

    def ready(self) -> bool:
        """Signed in; after a refused sign-in (an outage), a person signs in again."""
        return self.signed_in or self.sign_in(self.person)

    def home(self, person: dict[str, Any]) -> str | None:
        return self.page("home page", "/", f"Hello, {person['name']}")

    def saved_by_redirect(self, response: Any, back_to: str, message: str) -> bool:
        """A form that redirects: saved when it goes back (to any place on the page, e.g. the
        moved card) with a success flash."""
        location = response.headers.get("Location", "").partition("#")[0]
        ok = response.status_code == 302 and location == back_to
        if ok and any(kind == "success" and message in text for kind, text in flashes(response)):
            response.success()
            return True
        response.failure(f"{response.status_code}, flashes {flashes(response)}")
        return False


def address_of(login: str) -> str:
    """Each person's own address, as the ingress passes it on (the server trusts one proxy):
    sign-in limits count per address and per login, as they would for real people."""
    number = int(login.removeprefix("u"))
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


def token(page: str) -> str:
    found = CSRF.search(page)
    return found.group(1) if found else ""


class Employee(Visitor):
    weight = 20

    def on_start(self) -> None:
        self.person = random.choice(employees)  # noqa: S311 - a load mix, not a secret
        self.sign_in(self.person)

    @task(6)
    def read_home(self) -> None:
        if not self.ready():
            return
        self.home(self.person)

    @task(1)
    def sign_in_afresh(self) -> None:
        self.person = random.choice(employees)  # noqa: S311
        self.sign_in(self.person)


class Owner(Visitor):
    weight = 10

    def on_start(self) -> None:
        self.person = take(owners)
        self.board_path = f"/ventures/{self.person['venture_id']}"
        self.sign_in(self.person)

    def board(self) -> str | None:
        return self.page("board", self.board_path, self.person["venture_title"])

    @task(2)
    def read_board(self) -> None:
        if not self.ready():
            return
        self.board()

    @task(3)
    def move_card(self) -> None:
        if not self.ready():
            return
        board = self.board()
        cards = [card for card in MOVE_FORM.findall(board or "") if card[2] in COLUMNS_TO_MOVE]
        if not cards:
            return
        card_id, version, column = random.choice(cards)  # noqa: S311
        to = COLUMNS_TO_MOVE[1 - COLUMNS_TO_MOVE.index(column)]
        form = {"csrf_token": token(board or ""), "version": version, "column": to, "back": ""}
        with self.post("board move", f"/experiments/{card_id}/move", form) as response:
            saved = self.saved_by_redirect(response, self.board_path, "is now in")
            ledger["moves"][outcome(response, saved)].append([int(card_id), to])


class Respondent(Visitor):
    weight = 8

    def on_start(self) -> None:
        self.person: dict[str, Any] | None = None

    @task
    def answer(self) -> None:
        if not respondents:  # everyone has answered
            if self.person:
                self.home(self.person)
            return
        self.person = respondents.popleft()
        if not self.sign_in(self.person):
            respondents.append(self.person)  # not asked yet: someone tries again later
            return
        path = f"/surveys/{PLAN['wave_id']}/answer"
        questionnaire = self.page("survey form", path, 'name="comment"')
        if questionnaire is None:
            respondents.append(self.person)
            return
        scale: defaultdict[str, list[str]] = defaultdict(list)
        for item, value in ITEM.findall(questionnaire):
            scale[item].append(value)
        form = {item: random.choice(values) for item, values in scale.items()}  # noqa: S311
        with self.post("survey answer", path, {**form, "csrf_token": token(questionnaire)}) as r:
            saved = r.status_code == 200 and "Thank you" in r.text
            if saved:
                r.success()
            else:
                r.failure(f"{r.status_code}, not thanked")
            result = outcome(r, saved)
        ledger["answers"][result].append(self.person["person_id"])
        if result == "refused":
            respondents.append(self.person)  # nothing was stored: the person tries again


class Facilitator(Visitor):
    weight = 6

    def on_start(self) -> None:
        self.person = take(facilitators)
        self.screen_path = f"/sessions/{self.person['session_id']}"
        self.sign_in(self.person)

    def screen(self) -> str | None:
        return self.page("session screen", self.screen_path, self.person["set_name"])

    @task(2)
    def read_screen(self) -> None:
        if not self.ready():
            return
        self.screen()

    @task(2)
    def save_attendance(self) -> None:
        if not self.ready():
            return
        screen = self.screen()
        version = VERSION.search(screen or "")
        if version is None:
            return
        members = PRESENT.findall(screen or "")
        present = random.sample(members, k=max(1, len(members) - 1))
        form = {"csrf_token": token(screen or ""), "version": version.group(1), "present": present}
        with self.post("attendance save", f"{self.screen_path}/attendance", form) as response:
            saved = self.saved_by_redirect(response, self.screen_path, "Saved.")
            record = [self.person["session_id"], sorted(map(int, present))]
            ledger["attendance"][outcome(response, saved)].append(record)

    @task(1)
    def add_question(self) -> None:
        if not self.ready():
            return
        screen = self.screen()
        seat = QUESTION_FORM.search(screen or "")
        if seat is None:
            return
        text = f"What would change your mind? ({uuid.uuid4().hex[:12]})"
        form = {
            "csrf_token": token(screen or ""),
            "asked_by_id": random.choice(OPTION.findall(seat.group(0))),  # noqa: S311
            "text": text,
        }
        with self.post("question add", f"/hot-seats/{seat.group(1)}/questions", form) as r:
            saved = self.saved_by_redirect(r, self.screen_path, "Saved.")
            ledger["questions"][outcome(r, saved)].append(text)


class HR(Visitor):
    weight = 4

    def on_start(self) -> None:
        self.person = take(hr_people)
        self.sign_in(self.person)

    @task(2)
    def read_dashboard(self) -> None:
        if not self.ready():
            return
        self.page("culture dashboard", "/culture/", PLAN["dashboard_marker"])

    @task(1)
    def read_home(self) -> None:
        if not self.ready():
            return
        self.home(self.person)


class Baseline(HttpUser):
    """The baseline, run alone with the same users and waits: the trivial route, through
    the same app, server, middleware and access log, with no session and no database."""

    wait_time = between(*WAIT)

    @task
    def health(self) -> None:
        with self.client.get("/healthz", name="/healthz", catch_response=True) as response:
            if response.status_code == 200 and '"status":"ok"' in response.text:
                response.success()
            else:
                response.failure(f"{response.status_code}")
