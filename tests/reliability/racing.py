"""Helpers for tests where requests race or servers fail: people, a cohort, an open survey
wave, signed-in clients, and a way to release many requests at the same moment."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from intrapreneur import create_app
from intrapreneur.culture import services as surveys
from intrapreneur.culture.instruments import available
from intrapreneur.culture.models import SurveyWave
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, PersonRole, Role
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus, Programme
from tests.conftest import FreshContextClient, csrf_token, mark_signed_in

INSTRUMENT = available()["intrapreneur-culture@1.0"]
Result = TypeVar("Result")


@contextmanager
def migrated_in_context(environment: Mapping[str, str], **overrides: Any) -> Iterator[Flask]:
    """An app on the environment's database, migrated to the head, inside an app context;
    each request of its test clients gets a context of its own, as in production."""
    app = create_app(environment, **overrides)
    app.test_client_class = FreshContextClient
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def add_people(count: int, prefix: str, *roles: Role) -> list[Person]:
    people = [
        Person(
            kind=PersonKind.EMPLOYEE,
            username=f"{prefix}{number}",
            email=f"{prefix}{number}@corp.example",
            display_name=f"{prefix.title()} {number}",
            roles=[PersonRole(role=role) for role in (Role.EMPLOYEE, *roles)],
        )
        for number in range(count)
    ]
    db.session.add_all(people)
    db.session.flush()
    return people


def add_cohort(participants: list[Person]) -> Cohort:
    """A running cohort whose participants have all been accepted."""
    today = date.today()
    cohort = Cohort(
        programme=Programme(name="Racing programme"),
        name="Racing cohort",
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=90),
        capacity=len(participants),
    )
    db.session.add(cohort)
    db.session.add_all(
        Enrolment(cohort=cohort, person=person, status=EnrolmentStatus.ACCEPTED)
        for person in participants
    )
    db.session.flush()
    return cohort


def race(requests: list[Callable[[], Result]]) -> list[Result]:
    """Run every request on its own thread, all released at the same moment."""
    start = threading.Barrier(len(requests))

    def run(request: Callable[[], Result]) -> Result:
        start.wait()
        return request()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests))


def signed_in(app: Flask, session_id: str) -> FlaskClient:
    """A client signed in as the person whose ``get_id()`` is ``session_id`` (read it before
    the set-up is committed: the racers must not wait behind the test's own transaction)."""
    client = app.test_client()
    with client.session_transaction() as session:
        mark_signed_in(session, session_id)
    return client


WAIT_SECONDS = 30  # a wait that never ends fails the test instead of hanging it


def wait_for(condition: Callable[[], Any], what: str) -> Any:
    """Poll ``condition`` until it holds (returning its value), failing after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not (held := condition()):
        assert time.monotonic() < deadline, f"waited in vain for {what}"
        time.sleep(0.02)
    return held


def commit_and_let_go() -> None:
    """Commit the set-up and end the test's own transaction: on SQLite an open one holds
    the write lock (BEGIN IMMEDIATE), and the racers would queue behind the test itself."""
    db.session.commit()
    db.session.close()


def open_wave(hr: Person, participants: list[Person]) -> SurveyWave:
    created = surveys.create_wave(
        title="Kick-off pulse",
        instrument_key=INSTRUMENT.key,
        cohorts=[add_cohort(participants)],
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=14),
        seed=1,
        by=hr,
    )
    return created.wave


def answer_request(client: FlaskClient, wave_id: int, value: int) -> Callable[[], Answered]:
    """The answer to every question of the wave, ready to send (the form is fetched now)."""
    url = f"/surveys/{wave_id}/answer"
    form = {"csrf_token": csrf_token(client, url)}
    form |= {f"item-{item.id}": str(value) for item in INSTRUMENT.items}

    def send() -> Answered:
        response = client.post(url, data=form)
        return Answered(response.status_code, response.get_data(as_text=True))

    return send


@dataclass(frozen=True)
class Answered:
    status: int
    page: str

    @property
    def thanked(self) -> bool:
        return self.status == 200 and "Thank you" in self.page
