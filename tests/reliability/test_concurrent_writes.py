"""Many people writing the same thing at the same moment: every answer is stored exactly once,
and no edit is silently lost — the losers of a race are told to reload.

Each racer is a separate client with its own session, connection and transaction; a barrier
releases all their requests together. On PostgreSQL the requests really overlap; on SQLite
the database takes them one at a time, and the outcome must be the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from intrapreneur.culture import services as surveys
from intrapreneur.culture.models import SurveyResponse, SurveyScore
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.models import (
    Attendance,
    LearningSession,
    LearningSet,
    SessionFormat,
    SetMembership,
)
from intrapreneur.learning.services import StaleEdit
from tests.conftest import csrf_token
from tests.reliability.racing import (
    INSTRUMENT,
    add_cohort,
    add_people,
    answer_request,
    commit_and_let_go,
    open_wave,
    race,
    signed_in,
)


def test_a_hundred_people_answering_one_wave_at_once_are_each_stored_exactly_once(
    racing_app: Flask,
) -> None:
    (hr,) = add_people(1, "lead", Role.HR)
    people = add_people(100, "answerer")
    wave_id = open_wave(hr, people).id
    logins = [person.get_id() for person in people]
    commit_and_let_go()
    twice = logins[:10]  # these submit from two tabs at the same moment
    requests = [answer_request(signed_in(racing_app, login), wave_id, 4) for login in logins]
    requests += [answer_request(signed_in(racing_app, login), wave_id, 2) for login in twice]

    pages = race(requests)

    thanked = sum(answered.thanked for answered in pages)
    refused = sum(str(surveys.ALREADY_ANSWERED) in answered.page for answered in pages)
    assert (thanked, refused) == (100, 10), "one answer per person, the second tab told why"
    db.session.expire_all()
    stored = db.session.scalar(
        select(func.count()).select_from(SurveyResponse).where(SurveyResponse.wave_id == wave_id)
    )
    pseudonyms = db.session.scalar(
        select(func.count(func.distinct(SurveyResponse.pseudonym))).where(
            SurveyResponse.wave_id == wave_id
        )
    )
    assert stored == pseudonyms == 100
    # No response without its scores, no scores of a refused answer.
    scores = db.session.scalar(select(func.count()).select_from(SurveyScore))
    assert scores == 100 * len(INSTRUMENT.dimensions)


def _session_with_members(facilitator: Person, members: list[Person]) -> LearningSession:
    cohort = add_cohort(members)
    learning_set = LearningSet(cohort=cohort, name="Racing set", facilitator=facilitator)
    db.session.add(learning_set)
    db.session.add_all(
        SetMembership(learning_set=learning_set, person=person, joined_on=cohort.starts_on)
        for person in members
    )
    starts_at = datetime.now(UTC) - timedelta(minutes=30)
    session = LearningSession(
        learning_set=learning_set,
        format=SessionFormat.MASTERMIND,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        location="Room 1",
        agenda=[],
    )
    db.session.add(session)
    db.session.flush()
    return session


def test_twenty_saves_of_one_register_at_once_keep_one_and_tell_the_others_to_reload(
    racing_app: Flask,
) -> None:
    (facilitator,) = add_people(1, "facilitator", Role.FACILITATOR)
    members = add_people(20, "member")
    session = _session_with_members(facilitator, members)
    session_id, version, facilitator_login = session.id, session.version, facilitator.get_id()
    member_ids = [member.id for member in members]
    commit_and_let_go()
    url = f"/sessions/{session_id}"

    def save_register(present: int) -> Callable[[], str]:
        client = signed_in(racing_app, facilitator_login)  # twenty tabs, each its own register
        form = {"csrf_token": csrf_token(client, url), "version": str(version)}
        form["present"] = str(present)
        return lambda: client.post(f"{url}/attendance", data=form, follow_redirects=True).get_data(
            as_text=True
        )

    pages = race([save_register(member) for member in member_ids])

    saved = [member for member, page in zip(member_ids, pages, strict=True) if "Saved." in page]
    told_to_reload = sum(StaleEdit().message in page for page in pages)
    assert len(saved) == 1 and told_to_reload == 19
    db.session.expire_all()
    present = db.session.scalars(
        select(Attendance.person_id).where(
            Attendance.session_id == session_id, Attendance.present.is_(True)
        )
    ).all()
    assert present == saved, "the register is the winner's, whole"
    rows = db.session.scalar(
        select(func.count()).select_from(Attendance).where(Attendance.session_id == session_id)
    )
    assert rows == len(members), "one row per member, none written twice"
    assert db.session.get(LearningSession, session_id).version == version + 1
