"""Sets, their members and sessions, and the calendar files people take away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.learning import services
from intrapreneur.learning.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    LearningSession,
    LearningSet,
    Programme,
    SessionFormat,
    SetMembership,
)
from tests import formats
from tests.conftest import csrf_token, sign_in_as
from tests.learning.builders import session_in

TODAY = date.today()


@pytest.fixture
def cohort() -> Cohort:
    cohort = Cohort(
        programme=Programme(name="Ignite"),
        name="Spring",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=120),
        capacity=40,
        enrolment_open=True,
    )
    db.session.add(cohort)
    db.session.commit()
    return cohort


def _participant(make_person: Callable[..., Person], cohort: Cohort, **values: Any) -> Person:
    person = make_person(**values)
    db.session.add(Enrolment(cohort=cohort, person=person, status=EnrolmentStatus.ACCEPTED))
    db.session.commit()  # requests use their own session: they see committed rows
    return person


def _set(
    cohort: Cohort, facilitator: Person | None = None, members: list[Person] = ()
) -> LearningSet:  # type: ignore[assignment]
    learning_set = LearningSet(
        cohort=cohort, name=f"Set {facilitator.id if facilitator else 'x'}", facilitator=facilitator
    )
    db.session.add(learning_set)
    for person in members:
        db.session.add(SetMembership(learning_set=learning_set, person=person, joined_on=TODAY))
    db.session.commit()
    return learning_set


def _post(client: FlaskClient, url: str, page: str, **data: Any):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def _flashes(client: FlaskClient, response: Any) -> str:
    return client.get(response.location).get_data(as_text=True)


def test_hr_creates_a_set_with_a_facilitator(
    client: FlaskClient, make_person: Callable[..., Person], cohort: Cohort
) -> None:
    facilitator = make_person(Role.FACILITATOR, display_name="Ruth Adeyemi")
    sign_in_as(client, make_person(Role.HR))
    page = f"/cohorts/{cohort.id}/sets/new"
    assert "Ruth Adeyemi" in client.get(page).get_data(as_text=True)
    response = _post(
        client,
        page,
        page,
        name="Aurora",
        facilitator_id=facilitator.id,
        default_format="power_hour",
        cadence_days="7",
    )
    learning_set = db.session.scalars(select(LearningSet)).one()
    assert response.location == f"/sets/{learning_set.id}"
    assert (learning_set.facilitator_id, learning_set.cadence_days) == (facilitator.id, 7)
    assert learning_set.default_format is SessionFormat.POWER_HOUR


def test_members_join_within_the_rules_and_leave_with_history_kept(
    client: FlaskClient, make_person: Callable[..., Person], cohort: Cohort
) -> None:
    facilitator = make_person(Role.FACILITATOR)
    learning_set = _set(cohort, facilitator)
    sign_in_as(client, facilitator)
    page, add = f"/sets/{learning_set.id}", f"/sets/{learning_set.id}/members"

    outsider = make_person(display_name="Not Accepted")
    refused = _post(client, add, page, person_id=outsider.id)
    assert "Choose someone from the list" in _flashes(client, refused)

    guest = make_person(kind=PersonKind.GUEST, display_name="Visiting Entrepreneur")
    joined = _post(client, add, page, person_id=guest.id)
    assert "Visiting Entrepreneur joined" in _flashes(client, joined)
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.person_id == guest.id))
    assert enrolment is not None and enrolment.status is EnrolmentStatus.ACCEPTED

    for _ in range(7):
        _post(client, add, page, person_id=_participant(make_person, cohort).id)
    db.session.commit()
    ninth = _post(client, add, page, person_id=_participant(make_person, cohort).id)
    assert "already has 8 members" in _flashes(client, ninth)

    membership = db.session.scalar(select(SetMembership).where(SetMembership.person_id == guest.id))
    remove = f"/memberships/{membership.id}/remove"
    _post(client, remove, remove, version=learning_set.version)
    db.session.refresh(membership)
    assert membership.left_on == TODAY  # history kept, not deleted
    assert "Visiting Entrepreneur left" in client.get(page).get_data(as_text=True)
    after = client.get(page).get_data(as_text=True)
    member_list = after.split('class="member-list"')[1].split("</ul>")[0]
    assert "Members (7 of 8)" in after and "Visiting Entrepreneur" not in member_list
    assert '">Visiting Entrepreneur</option>' in after  # free to join a set again


def test_a_person_is_in_one_set_per_cohort(
    make_person: Callable[..., Person], cohort: Cohort
) -> None:
    person = _participant(make_person, cohort, display_name="Tom")
    first, second = (
        _set(cohort, make_person(Role.FACILITATOR)),
        _set(cohort, make_person(Role.FACILITATOR)),
    )
    services.add_member(first, person, today=TODAY, by=person)
    with pytest.raises(services.LearningRefusal, match=f"Tom is in {first.name}"):
        services.add_member(second, person, today=TODAY, by=person)


def test_members_see_their_own_set_only(
    client: FlaskClient, make_person: Callable[..., Person], cohort: Cohort
) -> None:
    guest = make_person(kind=PersonKind.GUEST)
    member = _participant(make_person, cohort)
    mine = _set(cohort, make_person(Role.FACILITATOR), [guest, member])
    other = _set(cohort, make_person(Role.FACILITATOR), [_participant(make_person, cohort)])
    for viewer in (guest, member):
        sign_in_as(client, viewer)
        assert client.get(f"/sets/{mine.id}").status_code == 200
        assert client.get(f"/sets/{other.id}").status_code == 404
        assert client.get(f"/sets/{mine.id}/sessions/new").status_code == 403


def _schedule(client: FlaskClient, learning_set: LearningSet, day: date, **data: Any):  # type: ignore[no-untyped-def]
    page = f"/sets/{learning_set.id}/sessions/new"
    fields = {
        "day": day.isoformat(),
        "start": "09:30",
        "session_format": "mastermind",
        "count": "1",
    }
    return _post(client, page, page, **{**fields, **data})


def test_a_series_is_scheduled_in_the_schedulers_time_zone(
    client: FlaskClient, make_person: Callable[..., Person], cohort: Cohort
) -> None:
    facilitator = make_person(Role.FACILITATOR)
    members = [_participant(make_person, cohort) for _ in range(5)]
    learning_set = _set(cohort, facilitator, members)
    sign_in_as(client, facilitator)
    first_day = date(TODAY.year + 1, 7, 1)  # summer: London is UTC+1

    response = _schedule(client, learning_set, first_day, count="3", location="Room 4")

    assert response.status_code == 302
    sessions = db.session.scalars(select(LearningSession).order_by(LearningSession.starts_at)).all()
    assert [s.starts_at for s in sessions] == [
        datetime(first_day.year, 7, 1, 8, 30, tzinfo=UTC) + timedelta(days=14 * n) for n in range(3)
    ]
    hot_seats = [item for item in sessions[0].agenda if item["hot_seat"]]
    assert len(hot_seats) == 5  # Mastermind: one hot seat per member
    assert sessions[0].ends_at - sessions[0].starts_at == timedelta(minutes=15 + 5 * 20 + 5)
    page = client.get(f"/sets/{learning_set.id}").get_data(as_text=True)
    assert f"{first_day:%a}, {formats.day(first_day)}, 09:30" in page  # shown back in London time


@pytest.mark.parametrize(
    ("day", "data", "message"),
    [
        (TODAY - timedelta(days=1), {}, "cannot start in the past"),
        (TODAY + timedelta(days=5), {"count": "21"}, "Number must be between 1 and 20"),
        (TODAY + timedelta(days=5), {"video_url": "not a link"}, "Invalid URL"),
    ],
)
def test_bad_schedules_are_refused_and_save_nothing(
    client: FlaskClient,
    make_person: Callable[..., Person],
    cohort: Cohort,
    day: date,
    data: dict[str, str],
    message: str,
) -> None:
    facilitator = make_person(Role.FACILITATOR)
    learning_set = _set(cohort, facilitator)
    sign_in_as(client, facilitator)
    response = _schedule(client, learning_set, day, **data)
    assert response.status_code in (409, 422)
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LearningSession)) == 0


def test_double_booking_is_warned_about(
    client: FlaskClient, make_person: Callable[..., Person], cohort: Cohort
) -> None:
    busy = _participant(make_person, cohort, display_name="Busy Bee")
    other_cohort = Cohort(
        programme=cohort.programme,
        name="Other",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=90),
    )
    elsewhere = _set(other_cohort, make_person(Role.FACILITATOR), [busy])
    day = TODAY + timedelta(days=10)
    starts = datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=9)
    db.session.add(
        LearningSession(
            learning_set=elsewhere,
            format=SessionFormat.HACK,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            agenda=[],
        )
    )
    facilitator = make_person(Role.FACILITATOR, time_zone="UTC")
    learning_set = _set(cohort, facilitator, [busy])
    sign_in_as(client, facilitator)

    response = _schedule(client, learning_set, day, start="10:00")

    assert "Double booking: Busy Bee is also in" in _flashes(client, response)


def _ics(response: Any) -> Calendar:
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def test_session_file_and_personal_feed_follow_changes_and_cancellations(
    client: FlaskClient,
    make_person: Callable[..., Person],
    cohort: Cohort,
    count_queries: Callable[[], Any],
) -> None:
    facilitator = make_person(Role.FACILITATOR)
    member = _participant(make_person, cohort)
    learning_set = _set(cohort, facilitator, [member])
    _set(cohort, make_person(Role.FACILITATOR), [_participant(make_person, cohort)])
    sign_in_as(client, facilitator)
    _schedule(client, learning_set, TODAY + timedelta(days=3), count="2")
    _schedule(
        client,
        db.session.scalars(select(LearningSet).order_by(LearningSet.id.desc())).first(),
        TODAY + timedelta(days=3),
    )
    first = db.session.scalars(
        select(LearningSession)
        .where(LearningSession.set_id == learning_set.id)
        .order_by(LearningSession.starts_at)
    ).first()

    sign_in_as(client, member)
    single = _ics(client.get(f"/sessions/{first.id}.ics"))
    (event,) = single.walk("VEVENT")
    uid = str(event["UID"])
    assert event.decoded("DTSTART") == first.starts_at and event["SEQUENCE"] == 0

    _post(client, "/calendar/reset", "/calendar")
    feed_url = (
        client.get("/calendar")
        .get_data(as_text=True)
        .split('value="http://localhost')[1]
        .split('"')[0]
    )
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})

    with count_queries() as counted:
        feed = _ics(client.get(feed_url))
    assert next(str(e["UID"]) for e in feed.walk("VEVENT")) == uid
    assert len(feed.walk("VEVENT")) == 2  # only this member's set, not the other one
    assert counted.total <= 4  # the person, their sessions, their Hack sessions (+ token)

    sign_in_as(client, facilitator)
    _post(client, f"/sessions/{first.id}/cancel", f"/sets/{learning_set.id}")
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    cancelled = next(e for e in _ics(client.get(feed_url)).walk("VEVENT") if str(e["UID"]) == uid)
    assert str(cancelled["STATUS"]) == "CANCELLED" and cancelled["SEQUENCE"] == 1

    sign_in_as(client, member)
    _post(client, "/calendar/reset", "/calendar")
    assert client.get(feed_url).status_code == 404  # the old link stops working


def test_home_shows_the_next_session(
    client: FlaskClient, make_person: Callable[..., Person], cohort: Cohort
) -> None:
    member = _participant(make_person, cohort)
    session_in(_set(cohort, make_person(Role.FACILITATOR), [member]), 2)
    db.session.commit()
    sign_in_as(client, member)
    page = client.get("/").get_data(as_text=True)
    assert (
        "Your next sessions" in page and "Power Hour" in page and "add to calendar (.ics)" in page
    )


def test_a_set_someone_left_drops_out_of_their_feed_and_home_page(
    client: FlaskClient, make_person: Callable[..., Person], cohort: Cohort
) -> None:
    """Its page answers them 404 from the day they leave, so its times, places and call
    links leave their calendar and home page too (calendar apps remove what the feed drops)."""
    member = _participant(make_person, cohort)
    left = _set(cohort, make_person(Role.FACILITATOR), [member])
    stays = _set(cohort, make_person(Role.FACILITATOR), [member])
    session_in(left, -7, location="Room of the set left, past")
    next_of_left = session_in(left, 2, location="Room of the set left, next")
    kept = session_in(stays, 3, location="Room of the set kept")
    token = services.reset_calendar_token(member)
    membership = db.session.scalars(
        select(SetMembership).where(SetMembership.set_id == left.id)
    ).one()
    membership.left_on = TODAY
    db.session.commit()

    feed = client.get(f"/calendar/{token}.ics").get_data(as_text=True)
    sign_in_as(client, member)
    home = client.get("/").get_data(as_text=True)

    assert "Room of the set kept" in feed and "Room of the set left" not in feed
    assert f"/sessions/{kept.id}.ics" in home and f"/sessions/{next_of_left.id}.ics" not in home
    assert client.get(f"/sets/{left.id}").status_code == 404


@pytest.mark.parametrize("ended", ["access end date passed", "account switched off"])
def test_a_personal_feed_stops_when_access_ends(
    client: FlaskClient, make_person: Callable[..., Person], cohort: Cohort, ended: str
) -> None:
    guest = _participant(
        make_person, cohort, kind=PersonKind.GUEST, access_ends_on=TODAY + timedelta(days=5)
    )
    learning_set = _set(cohort, make_person(Role.FACILITATOR), [guest])
    session_in(learning_set, 2, video_url="https://video.example/secret-room")
    token = services.reset_calendar_token(guest)
    db.session.commit()
    assert "secret-room" in client.get(f"/calendar/{token}.ics").get_data(as_text=True)

    if ended == "account switched off":
        guest.active = False
    else:
        guest.access_ends_on = TODAY - timedelta(days=1)
    db.session.commit()

    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404 and "secret-room" not in response.get_data(as_text=True)
