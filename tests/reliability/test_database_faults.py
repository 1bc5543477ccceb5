"""PostgreSQL stopped and started again under traffic, on a cluster of the test's own.

Requests that meet the outage get a clear 503; the app reconnects by itself when the
server is back (the pool pings each connection before use); every answer that was thanked
is stored, and none that was refused is.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.orm import Session

from intrapreneur import create_app
from intrapreneur.core import errors
from intrapreneur.culture import services as surveys
from intrapreneur.culture.models import SurveyResponse
from intrapreneur.extensions import db
from intrapreneur.identity.models import Role
from tests.conftest import environment_for
from tests.reliability.racing import (
    Answered,
    add_people,
    answer_request,
    commit_and_let_go,
    migrated_in_context,
    open_wave,
    signed_in,
)
from tests.reliability.servers import (
    POSTGRES_BIN,
    POSTGRES_MISSING,
    ThrowawayPostgres,
    throwaway_postgres,
)

PEOPLE = 60
NOTHING_SAVED = "Nothing you sent was saved"
# The pages' messages, in English (outside an app, a lazy message is its English).
MAYBE_SAVED, SAVED_BUT_UNAVAILABLE = str(errors.MAYBE_SAVED), str(errors.SAVED_BUT_UNAVAILABLE)


@pytest.fixture
def postgres() -> Iterator[ThrowawayPostgres]:
    if POSTGRES_BIN is None:
        pytest.fail(POSTGRES_MISSING)
    with throwaway_postgres() as server:
        yield server


@pytest.fixture
def app_on(postgres: ThrowawayPostgres, tmp_path: Path) -> Iterator[Flask]:
    with migrated_in_context(environment_for(postgres.url, tmp_path)) as app:
        yield app


def test_requests_during_a_restart_get_503_and_nothing_thanked_is_lost(
    app_on: Flask, postgres: ThrowawayPostgres
) -> None:
    (hr,) = add_people(1, "lead", Role.HR)
    people = add_people(PEOPLE, "answerer")
    wave_id = open_wave(hr, people).id
    ids = [person.id for person in people]
    logins = [person.get_id() for person in people]
    commit_and_let_go()
    # Every form is fetched while the server is up; the outage only meets the answers.
    answers = [answer_request(signed_in(app_on, login), wave_id, 4) for login in logins]
    before, during, after = answers[:10], answers[10:50], answers[50:]
    results: dict[int, Answered] = {}

    def send(batch: range) -> None:
        for index in batch:
            results[index] = answers[index]()

    send(range(len(before)))
    traffic = threading.Thread(target=send, args=(range(10, 10 + len(during)),))
    traffic.start()
    postgres.stop()
    refused = answers[-1]()  # the server is down now: this one must be refused
    postgres.start()
    traffic.join()
    send(range(50, 50 + len(after) - 1))
    results[len(answers) - 1] = refused

    assert refused.status == 503 and NOTHING_SAVED in refused.page
    statuses = {answered.status for answered in results.values()}
    assert statuses <= {200, 503}, "an outage is a clear 503, never a 500"
    assert all(results[index].thanked for index in range(10)), "before the outage"
    assert all(results[index].thanked for index in range(50, 59)), "reconnected by itself"
    told = {outcome: set() for outcome in ("kept", "maybe", "refused")}
    for index, answered in results.items():
        told[told_of(answered)].add(surveys.pseudonym_of(ids[index]))
    stored = set(
        db.session.scalars(
            select(SurveyResponse.pseudonym).where(SurveyResponse.wave_id == wave_id)
        )
    )
    # A COMMIT cut under way may or may not have been made durable, and the page said so.
    assert told["kept"] <= stored <= told["kept"] | told["maybe"]
    assert not stored & told["refused"]


def told_of(answered: Answered) -> str:
    """What the person was told of their answer: kept, refused, or that nobody can say."""
    if answered.thanked or SAVED_BUT_UNAVAILABLE in answered.page:
        return "kept"
    if MAYBE_SAVED in answered.page:
        return "maybe"
    assert NOTHING_SAVED in answered.page, answered.page
    return "refused"


def test_a_connection_cut_after_the_answer_is_ready_does_not_spoil_it(
    postgres: ThrowawayPostgres, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The server cuts the request's connection between the answer and the session's end
    (a restart at the wrong moment): the answer still goes out, the connection is dropped."""
    app = create_app(environment_for(postgres.url, tmp_path))
    admin = create_engine(postgres.url, isolation_level="AUTOCOMMIT")

    @app.after_request
    def cut_the_connection(response: Response) -> Response:
        backend = db.session.scalar(text("SELECT pg_backend_pid()"))  # a transaction is open
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        return response

    with caplog.at_level(logging.WARNING, logger="intrapreneur.core.database"):
        answers = [app.test_client().get("/sign-in") for _ in range(2)]
    admin.dispose()

    assert [answer.status_code for answer in answers] == [200, 200]
    assert all("Sign in" in answer.get_data(as_text=True) for answer in answers)
    dropped = [r for r in caplog.records if "had cut" in r.getMessage()]
    assert len(dropped) == 2, "each cut connection was thrown away, not returned to the pool"


def test_an_outage_after_the_commit_says_the_change_was_kept(
    app_on: Flask, postgres: ThrowawayPostgres
) -> None:
    """The answer is committed, then the database goes away while the thanks page reads the
    wave again: the person is told the answer was kept, not that nothing was saved."""
    (hr,) = add_people(1, "lead", Role.HR)
    (person,) = add_people(1, "answerer")
    wave_id, person_id, login = open_wave(hr, [person]).id, person.id, person.get_id()
    commit_and_let_go()
    answer = answer_request(signed_in(app_on, login), wave_id, 4)
    stopped: list[bool] = []

    def stop_after_the_commit(session: Session) -> None:
        if not stopped and not session.in_nested_transaction():
            stopped.append(True)
            postgres.stop()

    event.listen(Session, "after_commit", stop_after_the_commit)
    try:
        answered = answer()
    finally:
        event.remove(Session, "after_commit", stop_after_the_commit)
        postgres.start()

    assert answered.status == 503
    assert SAVED_BUT_UNAVAILABLE in answered.page
    kept = db.session.scalars(
        select(SurveyResponse.pseudonym).where(SurveyResponse.wave_id == wave_id)
    ).all()
    assert kept == [surveys.pseudonym_of(person_id)]


def test_a_commit_cut_before_it_is_confirmed_says_the_change_may_have_been_kept(
    app_on: Flask, postgres: ThrowawayPostgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server makes the COMMIT durable, then the connection is cut before the app hears
    so (a restart at that instant): the page claims neither outcome."""
    (hr,) = add_people(1, "lead", Role.HR)
    (person,) = add_people(1, "answerer")
    wave_id, person_id, login = open_wave(hr, [person]).id, person.id, person.get_id()
    commit_and_let_go()
    answer = answer_request(signed_in(app_on, login), wave_id, 4)
    dialect = db.engine.dialect
    committing = dialect.do_commit

    def commit_then_lose_the_connection(connection: Any) -> None:
        committing(connection)
        raise dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(dialect, "do_commit", commit_then_lose_the_connection)
    answered = answer()
    monkeypatch.undo()

    assert answered.status == 503
    assert MAYBE_SAVED in answered.page
    assert NOTHING_SAVED not in answered.page and "Thank you" not in answered.page
    kept = db.session.scalars(
        select(SurveyResponse.pseudonym).where(SurveyResponse.wave_id == wave_id)
    ).all()
    assert kept == [surveys.pseudonym_of(person_id)]
