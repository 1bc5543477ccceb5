"""Asking for a Hack, accepting and declining it, through the pages: the notices and emails
each side gets (the real SMTP server), and the Hack session with its calendar file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from intrapreneur.core import mail
from intrapreneur.core.models import utcnow
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.hacks import services
from intrapreneur.learning.hacks.models import HackRequest, HackStatus
from intrapreneur.learning.services.calendar_tokens import reset_calendar_token
from tests.conftest import SmtpServer, csrf_token, sign_in_as
from tests.hacks.builders import World, berlin, give_profile, next_monday, world


@pytest.fixture
def hacks_world(make_person: Callable[..., Person], make_guest: Callable[..., Person]) -> World:
    return world(make_person, make_guest)


def _delivered(inbox: SmtpServer) -> dict[str, EmailMessage]:
    mail.deliver_due(datetime.now(UTC) + timedelta(minutes=1))
    return {received.recipients[0]: received.message for received in inbox.received}


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def _utc_field(moment: datetime) -> str:
    """How the requester (whose zone is UTC) types a time into the form."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def ask(client: FlaskClient, w: World, *starts: datetime, message: str = "Help!") -> HackRequest:
    url = f"/hot-seats/{w.hot_seat.id}/hack?entrepreneur={w.entrepreneur.id}"
    token = csrf_token(client, url)
    fields = dict(zip(("first", "second", "third"), (_utc_field(s) for s in starts), strict=False))
    response = client.post(
        f"/hot-seats/{w.hot_seat.id}/hack",
        data={
            "csrf_token": token,
            "entrepreneur_id": w.entrepreneur.id,
            "tag_id": w.pricing.id,
            "message": message,
            **fields,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    hack = db.session.scalar(select(HackRequest).order_by(HackRequest.id.desc()))
    assert hack is not None
    assert response.location == f"/hacks/{hack.id}"
    return hack


def test_a_request_accepted_becomes_a_hack_session_with_its_calendar_file(
    client: FlaskClient, hacks_world: World, inbox: SmtpServer
) -> None:
    w = hacks_world
    monday = next_monday()
    sign_in_as(client, w.employee)
    hack = ask(client, w, berlin(monday, 9), berlin(monday, 10, 30), message="**Pricing** please")
    assert hack.status is HackStatus.REQUESTED
    assert hack.topic == "Nobody buys the premium plan"
    assert [each.starts_at for each in hack.proposed] == [berlin(monday, 9), berlin(monday, 10, 30)]
    # The Hack format's shipped agenda: 85 minutes.
    assert hack.proposed[0].ends_at - hack.proposed[0].starts_at == timedelta(minutes=85)

    emails = _delivered(inbox)
    assert "Ana Employee asks you for a Hack" in _text(emails[w.entrepreneur.email])
    told = db.session.scalars(
        select(Notification.text).where(Notification.person_id == w.entrepreneur.id)
    ).all()
    assert told == ["Ana Employee asks you for a Hack on “Nobody buys the premium plan”."]

    # The entrepreneur sees the request with the message, and picks the second time.
    sign_in_as(client, w.entrepreneur)
    page = client.get(f"/hacks/{hack.id}").get_data(as_text=True)
    assert "<strong>Pricing</strong> please" in page
    assert "Secret description" not in page
    inbox.received.clear()
    token = csrf_token(client, f"/hacks/{hack.id}")
    response = client.post(
        f"/hacks/{hack.id}/accept",
        data={"csrf_token": token, "proposed_id": hack.proposed[1].id},
    )
    assert response.status_code == 302
    db.session.refresh(hack)
    assert hack.status is HackStatus.ACCEPTED
    assert hack.starts_at == berlin(monday, 10, 30)
    assert hack.ends_at == berlin(monday, 11, 55)

    emails = _delivered(inbox)
    message = emails[w.employee.email]
    assert "Gil Guest accepted your Hack" in _text(message)
    invite = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    event = Calendar.from_ical(invite.get_payload(decode=True)).walk("VEVENT")[0]
    assert event["DTSTART"].dt == berlin(monday, 10, 30)
    assert str(event["UID"]).startswith(f"hack-{hack.id}@")
    attendees = {str(each) for each in event.get("ATTENDEE")}
    assert attendees == {f"mailto:{w.employee.email}", f"mailto:{w.entrepreneur.email}"}

    # Both people download the session's .ics; its link is on the page.
    for person in (w.employee, w.entrepreneur):
        sign_in_as(client, person)
        assert f"/hacks/{hack.id}.ics" in client.get(f"/hacks/{hack.id}").get_data(as_text=True)
        download = client.get(f"/hacks/{hack.id}.ics")
        assert download.status_code == 200
        assert download.content_type == "text/calendar; charset=utf-8"
        event = Calendar.from_ical(download.data).walk("VEVENT")[0]
        assert event["DTEND"].dt == berlin(monday, 11, 55)
        assert "Hack with Gil Guest" in str(event["SUMMARY"])


def test_a_declined_request_tells_the_requester_why(
    client: FlaskClient, hacks_world: World, inbox: SmtpServer
) -> None:
    w = hacks_world
    sign_in_as(client, w.employee)
    hack = ask(client, w, berlin(next_monday(), 9))
    sign_in_as(client, w.entrepreneur)
    inbox.received.clear()
    token = csrf_token(client, f"/hacks/{hack.id}")
    client.post(f"/hacks/{hack.id}/decline", data={"csrf_token": token, "reason": "Not my field"})
    db.session.refresh(hack)
    assert hack.status is HackStatus.DECLINED
    assert hack.decline_reason == "Not my field"
    assert "Gil Guest declined your Hack" in _text(_delivered(inbox)[w.employee.email])
    sign_in_as(client, w.employee)
    page = client.get(f"/hacks/{hack.id}").get_data(as_text=True)
    assert "Not my field" in page
    notices = client.get("/notifications").get_data(as_text=True)
    assert "Gil Guest declined your Hack on “Nobody buys the premium plan”." in notices
    assert f'href="/hacks/{hack.id}"' in notices
    assert client.get(f"/hacks/{hack.id}.ics").status_code == 404
    # Answered once: a second answer is refused with the reason.
    sign_in_as(client, w.entrepreneur)
    token = csrf_token(client, f"/hacks/{hack.id}")
    response = client.post(
        f"/hacks/{hack.id}/accept",
        data={"csrf_token": token, "proposed_id": hack.proposed[0].id},
        follow_redirects=True,
    )
    assert "This request has been answered already." in response.get_data(as_text=True)
    db.session.refresh(hack)
    assert hack.status is HackStatus.DECLINED


def test_a_request_from_a_card_names_the_card(
    client: FlaskClient, hacks_world: World, app: Flask
) -> None:
    w = hacks_world
    sign_in_as(client, w.employee)
    page = client.get(f"/experiments/{w.card.id}").get_data(as_text=True)
    assert f"/experiments/{w.card.id}/hack" in page
    url = f"/experiments/{w.card.id}/hack?entrepreneur={w.entrepreneur.id}"
    token = csrf_token(client, url)
    response = client.post(
        f"/experiments/{w.card.id}/hack",
        data={
            "csrf_token": token,
            "entrepreneur_id": w.entrepreneur.id,
            "tag_id": 0,
            "first": _utc_field(berlin(next_monday(), 9)),
        },
    )
    assert response.status_code == 302
    hack = db.session.scalar(select(HackRequest).where(HackRequest.experiment_id == w.card.id))
    assert hack is not None and hack.topic == "Will shops pay 20 €?"
    assert hack.expertise_tag_id is None


def test_the_hot_seat_shows_the_button_to_its_own_member_only(
    client: FlaskClient, hacks_world: World
) -> None:
    w = hacks_world
    button = f"/hot-seats/{w.hot_seat.id}/hack"
    sign_in_as(client, w.employee)
    assert button in client.get(f"/sessions/{w.session.id}").get_data(as_text=True)
    sign_in_as(client, w.set_peer)
    page = client.get(f"/sessions/{w.session.id}")
    assert page.status_code == 200
    assert button not in page.get_data(as_text=True)


def test_the_hacks_list_costs_the_same_queries_for_few_or_many(
    client: FlaskClient,
    hacks_world: World,
    make_guest: Callable[..., Person],
    count_queries: Callable[[], object],
) -> None:
    w = hacks_world

    def queries_for(requests: int) -> int:
        for _ in range(requests):
            other = give_profile(make_guest(), [w.pricing])
            services.request_hack(
                w.employee,
                other,
                services.Challenge(hot_seat=w.hot_seat),
                starts=[berlin(next_monday(), 9)],
                message="",
                tag_id=None,
                now=utcnow(),
            )
            services.request_hack(
                w.employee,
                other,
                services.Challenge(experiment=w.card),
                starts=[berlin(next_monday(), 9)],
                message="",
                tag_id=w.pricing.id,
                now=utcnow(),
            )
        db.session.flush()
        sign_in_as(client, w.employee)
        with count_queries() as counted:  # type: ignore[attr-defined]
            assert client.get("/hacks").status_code == 200
        return counted.total

    assert queries_for(1) == queries_for(10)


def test_accepting_needs_a_proposed_time_to_come(client: FlaskClient, hacks_world: World) -> None:
    w = hacks_world
    sign_in_as(client, w.employee)
    hack = ask(client, w, berlin(next_monday(), 9))
    sign_in_as(client, w.entrepreneur)
    token = csrf_token(client, f"/hacks/{hack.id}")
    page = client.post(
        f"/hacks/{hack.id}/accept", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Choose one of the times proposed." in page
    # The proposed time has passed by the time the entrepreneur answers.
    hack.proposed[0].starts_at = datetime.now(UTC) - timedelta(minutes=5)
    db.session.flush()
    page = client.post(
        f"/hacks/{hack.id}/accept",
        data={"csrf_token": token, "proposed_id": hack.proposed[0].id},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "That time has passed" in page
    db.session.refresh(hack)
    assert hack.status is HackStatus.REQUESTED


def test_an_accepted_hack_is_in_both_peoples_calendar_feeds_only(
    client: FlaskClient, hacks_world: World
) -> None:
    w = hacks_world
    hack = services.request_hack(
        w.employee,
        w.entrepreneur,
        services.Challenge(hot_seat=w.hot_seat),
        starts=[berlin(next_monday(), 9)],
        message="",
        tag_id=None,
        now=utcnow(),
    )
    services.accept(hack, hack.proposed[0].id, by=w.entrepreneur, now=utcnow())
    for person in (w.employee, w.entrepreneur, w.set_peer):
        reset_calendar_token(person)
    db.session.flush()
    uid = f"hack-{hack.id}@"
    for person, holds in ((w.employee, True), (w.entrepreneur, True), (w.set_peer, False)):
        feed = client.get(f"/calendar/{person.calendar_token}.ics")
        assert feed.status_code == 200
        events = Calendar.from_ical(feed.data).walk("VEVENT")
        assert any(str(event["UID"]).startswith(uid) for event in events) is holds
