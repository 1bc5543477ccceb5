"""Agenda templates (HR) and the agenda and hot seats of one session (its facilitator)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning import agenda_templates, services
from intrapreneur.learning.formats import shipped_agenda
from intrapreneur.learning.models import (
    AgendaTemplate,
    BarrierCategory,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    SessionFormat,
    SetMembership,
)
from tests.conftest import csrf_token, sign_in_as

TODAY = date.today()
NOW = datetime.now(UTC)

Segment = tuple[str, int | str, bool]

HACK = [("Frame the problem", 15, False), ("Sprint", 60, False), ("Demo", 15, False)]
POWER_HOUR = [("Check-in", 5, False), ("Hot seat", 50, True), ("Check-out", 5, False)]


@pytest.fixture
def hr(make_person: Callable[..., Person]) -> Person:
    return make_person(Role.HR, display_name="Hana HR")


@pytest.fixture
def circle(make_person: Callable[..., Person]) -> dict[str, Any]:
    """A set with a facilitator and three accepted members; a Power Hour in a week."""
    cohort = Cohort(
        programme=Programme(name="Ignite"),
        name="Spring",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=120),
    )
    facilitator = make_person(Role.FACILITATOR, display_name="Fay Facilitator")
    members = [make_person(display_name=name) for name in ("Ann", "Ben", "Cat")]
    learning_set = LearningSet(cohort=cohort, name="Aurora", facilitator=facilitator)
    for person in members:
        db.session.add(Enrolment(cohort=cohort, person=person, status=EnrolmentStatus.ACCEPTED))
        db.session.add(SetMembership(learning_set=learning_set, person=person, joined_on=TODAY))
    starts = NOW + timedelta(days=7)
    session = LearningSession(
        learning_set=learning_set,
        format=SessionFormat.POWER_HOUR,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        agenda=shipped_agenda(SessionFormat.POWER_HOUR),
    )
    db.session.add(session)
    db.session.flush()
    seat = HotSeat(
        session_id=session.id,
        person=members[0],
        challenge_title="No budget",
        barrier=BarrierCategory.RESOURCES,
    )
    db.session.add(seat)
    db.session.commit()
    return {
        "set": learning_set,
        "facilitator": facilitator,
        "members": members,
        "session": session,
        "seat": seat,
    }


def _rows(segments: list[Segment]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for index, (title, minutes, hot_seat) in enumerate(segments):
        data[f"segments-{index}-title"] = title
        data[f"segments-{index}-minutes"] = str(minutes)
        if hot_seat:
            data[f"segments-{index}-hot_seat"] = "y"
    return data


def _post(client: FlaskClient, url: str, **data: Any):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def _save_template(
    client: FlaskClient, name: str, segments: list[Segment], version: int = 0, **extra: Any
):  # type: ignore[no-untyped-def]
    return _post(client, f"/agendas/{name}", version=version, **_rows(segments), **extra)


def _schedule(client: FlaskClient, learning_set: LearningSet, session_format: str) -> None:
    page = f"/sets/{learning_set.id}/sessions/new"
    response = _post(
        client,
        page,
        day=(TODAY + timedelta(days=30)).isoformat(),
        start="10:00",
        session_format=session_format,
        count="1",
    )
    assert response.status_code == 302


def _newest_session() -> LearningSession:
    return db.session.scalars(
        select(LearningSession).order_by(LearningSession.id.desc()).limit(1)
    ).one()


def _audited(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _template_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AgendaTemplate)) or 0


def test_an_edited_template_shapes_new_sessions_only(
    client: FlaskClient, hr: Person, circle: dict[str, Any]
) -> None:
    existing = circle["session"]
    before = list(existing.agenda)
    sign_in_as(client, hr)

    saved = _save_template(client, "power_hour", POWER_HOUR)

    assert saved.location == "/agendas/"
    overview = client.get("/agendas/").get_data(as_text=True)
    assert "Changed by Hana HR" in overview and "Check-in" in overview
    template = db.session.scalars(select(AgendaTemplate)).one()
    assert template.updated_by_id == hr.id and template.version == 1
    (event,) = _audited("agenda_template.changed")
    assert event.details == {"format": "power_hour", "minutes": 60}

    _schedule(client, circle["set"], "power_hour")
    new = _newest_session()
    assert [item["title"] for item in new.agenda] == ["Check-in", "Hot seat", "Check-out"]
    assert new.ends_at - new.starts_at == timedelta(minutes=60)
    db.session.refresh(existing)
    assert existing.agenda == before


def test_mastermind_repeats_its_run_of_hot_seat_segments_for_each_member(
    client: FlaskClient, hr: Person, circle: dict[str, Any]
) -> None:
    sign_in_as(client, hr)
    turn = [("The challenge", 5, True), ("Questions only", 15, True)]
    _save_template(client, "mastermind", [("Review", 10, False), *turn, ("Check-out", 5, False)])

    _schedule(client, circle["set"], "mastermind")

    session = _newest_session()
    titles = [item["title"] for item in session.agenda]
    assert titles == ["Review", *["The challenge", "Questions only"] * 3, "Check-out"]
    assert session.ends_at - session.starts_at == timedelta(minutes=10 + 3 * 20 + 5)
    assert "15 min + 20 min per member" in client.get("/agendas/").get_data(as_text=True)


def test_reset_brings_back_the_shipped_agenda(
    client: FlaskClient, hr: Person, circle: dict[str, Any]
) -> None:
    sign_in_as(client, hr)
    _save_template(client, "hack", HACK)
    assert "Reset to the shipped agenda" in client.get("/agendas/hack").get_data(as_text=True)

    reset = _post(client, "/agendas/hack/reset", version=1)

    assert reset.location == "/agendas/"
    template = db.session.scalars(select(AgendaTemplate)).one()
    assert (template.segments, template.version) == (shipped_agenda(SessionFormat.HACK), 2)
    assert len(_audited("agenda_template.reset")) == 1
    assert "Reset to the shipped agenda" not in client.get("/agendas/hack").get_data(as_text=True)
    _schedule(client, circle["set"], "hack")
    assert _newest_session().agenda == shipped_agenda(SessionFormat.HACK)
    again = _post(client, "/agendas/hack/reset", version=2)
    assert "already uses its shipped agenda" in client.get(again.location).get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "segments", "message"),
    [
        ("hack", [], "An agenda needs at least one segment"),
        ("hack", [("Sprint", 0, False)], "Minutes must be between 1 and 240."),
        ("hack", [("Sprint", 241, False)], "Minutes must be between 1 and 240."),
        ("hack", [("Sprint", "an hour", False)], "Not a valid integer value."),
        ("hack", [("S" * 121, 30, False)], "A title has at most 120 characters."),
        ("hack", [("Sprint", "", False)], "Give this segment its minutes (1 to 240)."),
        ("hack", [("", 30, False)], "Give this segment a title."),
        ("hack", [("Sprint", 240, False)] * 2 + [("Demo", 1, False)], "would last 8 h 1 min"),
        (
            "power_hour",
            [("Hot seat", 50, True), ("Check-out", 5, False)],
            "A Power Hour lasts exactly 60 minutes; these segments add up to 55.",
        ),
        (
            "power_hour",
            [("Talk", 60, False)],
            "A Power Hour needs at least one hot-seat segment",
        ),
        (
            "mastermind",
            [("Challenge", 5, True), ("Coffee", 5, False), ("Questions", 10, True)],
            "so they must follow one another",
        ),
        (
            "mastermind",
            [("Review", 10, False), ("Hot seat", 60, True)],
            "With a full set of 8 members this Mastermind would last 8 h 10 min",
        ),
    ],
)
def test_a_bad_template_is_refused_with_its_reason_and_nothing_is_saved(
    client: FlaskClient, hr: Person, name: str, segments: list[Segment], message: str
) -> None:
    sign_in_as(client, hr)

    response = _save_template(client, name, segments)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _template_count() == 0
    assert _audited("agenda_template.changed") == []


def test_more_rows_are_added_without_saving(client: FlaskClient, hr: Person) -> None:
    sign_in_as(client, hr)
    first_view = client.get("/agendas/hack").get_data(as_text=True)
    shown = len(shipped_agenda(SessionFormat.HACK)) + 3
    assert first_view.count("<legend>Segment") == shown

    response = _save_template(client, "hack", HACK, more_rows="y")

    assert response.status_code == 200
    assert response.get_data(as_text=True).count("<legend>Segment") == len(HACK) + 3
    assert _template_count() == 0


def test_a_stale_template_edit_is_refused_and_the_first_one_stays(
    client: FlaskClient, hr: Person, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, hr)
    _save_template(client, "hack", HACK, version=0)
    sign_in_as(client, make_person(Role.HR))

    stale = _save_template(client, "hack", [("Something else", 30, False)], version=0)
    stale_reset = _post(client, "/agendas/hack/reset", version=0)

    assert stale.status_code == 409
    assert "Someone else saved this agenda" in stale.get_data(as_text=True)
    assert "Someone else saved this agenda" in client.get(stale_reset.location).get_data(
        as_text=True
    )
    template = db.session.scalars(select(AgendaTemplate)).one()
    assert [segment["title"] for segment in template.segments] == [s[0] for s in HACK]

    # A reset and a new edit later, a copy of the first edit is still out of date.
    _post(client, "/agendas/hack/reset", version=1)
    _save_template(client, "hack", [("Third", 30, False)], version=2)
    late = _save_template(client, "hack", [("Late", 30, False)], version=1)
    assert late.status_code == 409
    db.session.refresh(template)
    assert [segment["title"] for segment in template.segments] == ["Third"]


def test_two_first_edits_at_once_collide_and_the_later_is_told_to_reload(
    hr: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    agenda = [{"title": "Sprint", "minutes": 60, "hot_seat": False}]
    services.save_agenda_template(SessionFormat.HACK, agenda, version=0, by=hr, now=NOW)
    db.session.commit()
    # The second request read "no template yet" before the first one committed.
    monkeypatch.setattr(agenda_templates, "template_of", lambda session_format: None)

    with pytest.raises(services.StaleEdit, match="Someone else saved this agenda"):
        services.save_agenda_template(SessionFormat.HACK, agenda * 2, version=0, by=hr, now=NOW)
    db.session.rollback()

    assert db.session.scalars(select(AgendaTemplate)).one().segments == agenda


def test_the_facilitator_changes_a_sessions_agenda_without_moving_it(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    session = circle["session"]
    starts, ends, sequence = session.starts_at, session.ends_at, session.sequence
    url = f"/sessions/{session.id}/agenda"
    sign_in_as(client, circle["facilitator"])
    assert "Change the agenda" in client.get(f"/sessions/{session.id}").get_data(as_text=True)
    segments = [("Check-in", 10, False), ("Hot seat", 50, True), ("Wrap-up", 10, False)]

    saved = _post(client, url, version=session.version, **_rows(segments))

    screen = client.get(saved.location).get_data(as_text=True)
    assert "Wrap-up" in screen
    assert "The agenda adds up to 70 minutes; the session is booked for 60" in screen
    db.session.refresh(session)
    assert [item["title"] for item in session.agenda] == ["Check-in", "Hot seat", "Wrap-up"]
    assert (session.starts_at, session.ends_at, session.sequence) == (starts, ends, sequence)
    assert len(_audited("session.agenda_changed")) == 1

    stale = _post(client, url, version=session.version - 1, **_rows(segments[:2]))
    assert stale.status_code == 409
    assert "Someone else saved this session" in stale.get_data(as_text=True)
    no_hot_seat = _post(client, url, version=session.version, **_rows([("Talk", 60, False)]))
    assert no_hot_seat.status_code == 422
    assert "A Power Hour needs at least one hot-seat segment" in no_hot_seat.get_data(as_text=True)
    db.session.refresh(session)
    assert len(session.agenda) == 3


def test_the_facilitator_corrects_a_hot_seat_challenge(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    session, seat = circle["session"], circle["seat"]
    url = f"/hot-seats/{seat.id}/edit"
    sign_in_as(client, circle["facilitator"])
    assert "No budget" in client.get(url).get_data(as_text=True)

    saved = _post(
        client,
        url,
        version=session.version,
        challenge_title="No budget for a pilot",
        challenge_description="Finance wants a business case first.",
        barrier="permission",
    )

    assert "challenge is saved." in client.get(saved.location).get_data(as_text=True)
    db.session.refresh(seat)
    assert (seat.challenge_title, seat.barrier, seat.person_id) == (
        "No budget for a pilot",
        BarrierCategory.PERMISSION,
        circle["members"][0].id,
    )
    assert len(_audited("session.hot_seat_changed")) == 1
    empty = _post(client, url, version=session.version + 1, challenge_title="", barrier="time")
    assert empty.status_code == 422 and "This field is required." in empty.get_data(as_text=True)


def test_only_the_facilitator_and_hr_change_a_session(
    client: FlaskClient,
    circle: dict[str, Any],
    hr: Person,
    make_person: Callable[..., Person],
) -> None:
    session, seat = circle["session"], circle["seat"]
    urls = [f"/sessions/{session.id}/agenda", f"/hot-seats/{seat.id}/edit"]
    other_set = LearningSet(cohort=circle["set"].cohort, name="Borealis")
    outsider = make_person()
    db.session.add(SetMembership(learning_set=other_set, person=outsider, joined_on=TODAY))
    db.session.commit()

    sign_in_as(client, circle["members"][1])  # a member reads the session, cannot change it
    assert [client.get(url).status_code for url in urls] == [403, 403]
    token = csrf_token(client, f"/sessions/{session.id}")
    refused = client.post(
        urls[1], data={"csrf_token": token, "version": session.version, "challenge_title": "Mine"}
    )
    assert refused.status_code == 403
    sign_in_as(client, outsider)  # another set's member learns nothing
    assert [client.get(url).status_code for url in urls] == [404, 404]
    sign_in_as(client, hr)
    assert [client.get(url).status_code for url in urls] == [200, 200]
    db.session.refresh(seat)
    assert seat.challenge_title == "No budget"


def test_a_cancelled_session_cannot_be_changed(client: FlaskClient, circle: dict[str, Any]) -> None:
    session, seat = circle["session"], circle["seat"]
    session.cancelled_at = NOW
    db.session.commit()
    sign_in_as(client, circle["facilitator"])
    screen = f"/sessions/{session.id}"
    assert "Change the agenda" not in client.get(screen).get_data(as_text=True)

    for url, data in [
        (f"/sessions/{session.id}/agenda", _rows([("Talk", 60, True)])),
        (f"/hot-seats/{seat.id}/edit", {"challenge_title": "Changed", "barrier": "time"}),
        (f"/sessions/{session.id}/edit", {}),
    ]:
        shown = client.get(url)
        assert shown.location == screen
        assert "A cancelled session cannot be changed." in client.get(screen).get_data(as_text=True)
        token = csrf_token(client, screen)
        refused = client.post(url, data={"csrf_token": token, "version": session.version, **data})
        assert refused.location == screen

    db.session.refresh(session)
    db.session.refresh(seat)
    assert session.agenda == shipped_agenda(SessionFormat.POWER_HOUR)
    assert seat.challenge_title == "No budget"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_session_on_a_day_out_of_reach_is_refused_with_a_message(
    client: FlaskClient, circle: dict[str, Any], day: str
) -> None:
    """Found by the form fuzzer: a series from 31 December 9999, or year 1 seen from a zone
    east of UTC, ran past the calendar (a 500)."""
    facilitator, session = circle["facilitator"], circle["session"]
    facilitator.time_zone = "Asia/Tokyo"
    db.session.commit()
    sign_in_as(client, facilitator)
    when = {"day": day, "start": "23:59"}

    scheduled = _post(
        client,
        f"/sets/{circle['set'].id}/sessions/new",
        session_format="power_hour",
        count="20",
        **when,
    )
    moved = _post(client, f"/sessions/{session.id}/edit", version=session.version, **when)

    for response in (scheduled, moved):
        assert response.status_code == 422
        assert "Enter a date from 1970 to 2099." in response.get_data(as_text=True)
    assert _newest_session().id == session.id
    db.session.refresh(session)
    assert session.sequence == 0  # not moved
