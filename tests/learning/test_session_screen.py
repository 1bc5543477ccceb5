"""The facilitator's session screen: attendance, hot seats, questions, commitments, review."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.models import (
    Action,
    ActionStatus,
    Attendance,
    Cohort,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    Question,
    SessionFormat,
    SetMembership,
)
from tests.conftest import csrf_token, sign_in_as

NOW = datetime.now(UTC)


@pytest.fixture
def circle(make_person: Callable[..., Person]) -> dict[str, Any]:
    """A set with a facilitator, three members and two sessions a fortnight apart."""
    cohort = Cohort(
        programme=Programme(name="Ignite"),
        name="Spring",
        starts_on=date.today() - timedelta(days=30),
        ends_on=date.today() + timedelta(days=90),
    )
    facilitator = make_person(Role.FACILITATOR, display_name="Fay Facilitator")
    members = [make_person(display_name=name) for name in ("Ann", "Ben", "Cat")]
    learning_set = LearningSet(cohort=cohort, name="Aurora", facilitator=facilitator)
    db.session.add(learning_set)
    for person in members:
        db.session.add(
            SetMembership(learning_set=learning_set, person=person, joined_on=cohort.starts_on)
        )
    sessions = [
        LearningSession(
            learning_set=learning_set,
            format=SessionFormat.MASTERMIND,
            starts_at=NOW + timedelta(days=offset),
            ends_at=NOW + timedelta(days=offset, hours=2),
            agenda=[{"title": "Hot seat", "minutes": 20, "hot_seat": True}],
        )
        for offset in (-14, 0)
    ]
    db.session.add_all(sessions)
    db.session.commit()
    return {"facilitator": facilitator, "members": members, "sessions": sessions}


def _post(client: FlaskClient, url: str, page: str, **data: Any):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def _page(client: FlaskClient, response: Any) -> str:
    return client.get(response.location).get_data(as_text=True)


def test_facilitator_captures_a_hot_seat_with_questions_and_commitments(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    ann, ben, cat = circle["members"]
    session = circle["sessions"][1]
    page = f"/sessions/{session.id}"
    sign_in_as(client, circle["facilitator"])

    _post(client, f"{page}/attendance", page, version=session.version, present=[ann.id, ben.id])
    _post(
        client,
        f"{page}/hot-seats",
        page,
        version=session.version + 1,
        person_id=ann.id,
        challenge_title="No budget for a pilot",
        challenge_description="Finance says no.",
        barrier="resources",
    )
    seat = db.session.scalars(select(HotSeat)).one()
    _post(
        client,
        f"/hot-seats/{seat.id}/questions",
        page,
        asked_by_id=ben.id,
        text="What would the smallest pilot cost?",
    )
    _post(
        client,
        f"/hot-seats/{seat.id}/commitments",
        page,
        description="Ask three customers to pre-order",
        due_on=(date.today() + timedelta(days=10)).isoformat(),
    )

    shown = client.get(page).get_data(as_text=True)
    assert "Ann: No budget for a pilot" in shown and "Barrier: resources" in shown
    assert 'What would the smallest pilot cost? <span class="muted">— Ben</span>' in shown
    assert "Ask three customers to pre-order" in shown
    present = {a.person_id for a in db.session.scalars(select(Attendance)) if a.present}
    assert present == {ann.id, ben.id}
    action = db.session.scalars(select(Action)).one()
    assert action.owner_id == ann.id and action.status is ActionStatus.OPEN

    sign_in_as(client, cat)  # a member reads the session but cannot change it
    as_member = client.get(page).get_data(as_text=True)
    assert "No budget for a pilot" in as_member and "Save attendance" not in as_member
    refused = _post(client, f"{page}/attendance", page, version=session.version, present=[cat.id])
    assert refused.status_code == 403


def test_a_stale_save_is_refused_and_the_first_edit_survives(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    ann, ben, _ = circle["members"]
    session = circle["sessions"][1]
    page = f"/sessions/{session.id}"
    sign_in_as(client, circle["facilitator"])
    seen_version = session.version

    _post(client, f"{page}/attendance", page, version=seen_version, present=[ann.id])
    stale = _post(client, f"{page}/attendance", page, version=seen_version, present=[ben.id])

    assert "Someone else saved this session" in _page(client, stale)
    present = {a.person_id for a in db.session.scalars(select(Attendance)) if a.present}
    assert present == {ann.id}


def test_the_next_session_opens_with_the_review_of_actions_due(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    ann = circle["members"][0]
    earlier, current = circle["sessions"]
    seat = HotSeat(session_id=earlier.id, person=ann, challenge_title="Pilot", barrier="time")
    db.session.add(seat)
    db.session.flush()
    due = Action(
        session_id=earlier.id,
        hot_seat_id=seat.id,
        owner_id=ann.id,
        description="Interview five users",
        due_on=date.today() - timedelta(days=1),
    )
    later = Action(
        session_id=earlier.id,
        hot_seat_id=seat.id,
        owner_id=ann.id,
        description="Build the prototype",
        due_on=date.today() + timedelta(days=30),
    )
    db.session.add_all([due, later])
    db.session.commit()
    page = f"/sessions/{current.id}"
    sign_in_as(client, circle["facilitator"])

    shown = client.get(page).get_data(as_text=True)
    assert "Interview five users" in shown and "Build the prototype" not in shown
    _post(client, f"{page}/review/{due.id}", page, status="partly", learning="Two of five said yes")

    db.session.refresh(due)
    assert (due.status, due.learning, due.reviewed_in_session_id) == (
        ActionStatus.PARTLY,
        "Two of five said yes",
        current.id,
    )
    assert client.post(f"{page}/review/{later.id}").status_code in (400, 404)


def test_members_update_their_own_commitments_only(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    ann, ben, _ = circle["members"]
    action = Action(
        session_id=circle["sessions"][0].id,
        owner_id=ann.id,
        description="Call the legal team",
        due_on=date.today() + timedelta(days=3),
    )
    db.session.add(action)
    db.session.commit()

    sign_in_as(client, ann)
    assert "Call the legal team" in client.get("/commitments").get_data(as_text=True)
    _post(
        client, f"/commitments/{action.id}", "/commitments", status="done", learning="They said yes"
    )
    db.session.refresh(action)
    assert action.status is ActionStatus.DONE and action.learning == "They said yes"

    sign_in_as(client, ben)
    assert "Call the legal team" not in client.get("/commitments").get_data(as_text=True)
    assert (
        _post(client, f"/commitments/{action.id}", "/commitments", status="not_done").status_code
        == 404
    )


def test_a_commitment_cannot_be_due_before_its_session(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    session = circle["sessions"][1]
    seat = HotSeat(
        session_id=session.id, person=circle["members"][0], challenge_title="X", barrier="time"
    )
    db.session.add(seat)
    db.session.commit()
    sign_in_as(client, circle["facilitator"])
    page = f"/sessions/{session.id}"
    response = _post(
        client,
        f"/hot-seats/{seat.id}/commitments",
        page,
        description="Too late",
        due_on=(date.today() - timedelta(days=5)).isoformat(),
    )
    assert "cannot be due before the session" in _page(client, response)
    assert db.session.scalar(select(Action.id)) is None


def test_screen_and_commitments_use_a_fixed_number_of_queries(
    client: FlaskClient, circle: dict[str, Any], count_queries: Callable[[], Any]
) -> None:
    ann, ben, cat = circle["members"]
    earlier, current = circle["sessions"]

    def grow(count: int) -> None:
        for n in range(count):
            seat = HotSeat(
                session_id=current.id, person=ann, challenge_title=f"C{n}", barrier="time"
            )
            db.session.add(seat)
            db.session.flush()
            db.session.add(Question(hot_seat_id=seat.id, asked_by=ben, text="Why?"))
            db.session.add(
                Action(
                    session_id=current.id,
                    hot_seat_id=seat.id,
                    owner_id=ann.id,
                    description="Try",
                    due_on=date.today() + timedelta(days=7),
                )
            )
            db.session.add(
                Action(
                    session_id=earlier.id,
                    owner_id=cat.id,
                    description="Old",
                    due_on=date.today() - timedelta(days=1),
                )
            )
        db.session.commit()

    def measure(url: str, viewer: Person) -> int:
        sign_in_as(client, viewer)
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted.total

    grow(1)
    before = (
        measure(f"/sessions/{current.id}", circle["facilitator"]),
        measure("/commitments", ann),
    )
    grow(12)
    after = (
        measure(f"/sessions/{current.id}", circle["facilitator"]),
        measure("/commitments", ann),
    )
    assert after == before


def test_rescheduling_moves_the_session_bumps_its_sequence_and_refuses_stale_copies(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    session = circle["sessions"][1]
    page = f"/sessions/{session.id}/edit"
    sign_in_as(client, circle["facilitator"])
    seen_version = session.version
    new_day = date.today() + timedelta(days=20)

    moved = _post(
        client,
        page,
        page,
        version=seen_version,
        day=new_day.isoformat(),
        start="14:00",
        location="Room 7",
        video_url="",
    )
    assert moved.status_code == 302
    db.session.refresh(session)
    assert session.location == "Room 7" and session.sequence == 1
    assert session.ends_at - session.starts_at == timedelta(hours=2)  # the length is kept

    stale = _post(
        client,
        page,
        page,
        version=seen_version,
        day=new_day.isoformat(),
        start="16:00",
        location="Room 9",
        video_url="",
    )
    assert stale.status_code == 409
    assert "Someone else saved this session" in stale.get_data(as_text=True)
    db.session.refresh(session)
    assert session.location == "Room 7"

    past = _post(
        client,
        page,
        page,
        version=session.version,
        day=(date.today() - timedelta(days=1)).isoformat(),
        start="09:00",
    )
    assert past.status_code == 409 and "cannot start in the past" in past.get_data(as_text=True)
