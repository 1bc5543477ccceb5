"""What each persona can read of a Hack, tried as an attacker: the request, its session and its
calendar file open to its two people only; HR reads figures, not requests; a guest
entrepreneur gains nothing else of the requester's set or venture through the Hack."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from intrapreneur.core.models import utcnow
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.learning.hacks import services
from intrapreneur.learning.models import HotSeat
from tests.conftest import sign_in_as
from tests.hacks.builders import World, berlin, give_profile, next_monday, world


@pytest.fixture
def w(make_person: Callable[..., Person], make_guest: Callable[..., Person]) -> World:
    return world(make_person, make_guest)


def _accepted(w: World) -> int:
    hack = services.request_hack(
        w.employee,
        w.entrepreneur,
        services.Challenge(hot_seat=w.hot_seat),
        starts=[berlin(next_monday(), 9)],
        message="Only for Gil",
        tag_id=w.pricing.id,
        now=utcnow(),
    )
    services.accept(hack, hack.proposed[0].id, by=w.entrepreneur, now=utcnow())
    return hack.id


def _personas(make_person: Callable[..., Person], make_guest: Callable[..., Person]) -> dict:
    return {
        "employee": make_person(),
        "facilitator": make_person(Role.FACILITATOR),
        "manager": make_person(Role.MANAGER),
        "hr": make_person(Role.HR),
        "admin": make_person(Role.ADMIN),
        "guest": make_guest(),
    }


def test_a_hack_and_its_calendar_file_open_to_its_two_people_only(
    client: FlaskClient,
    w: World,
    make_person: Callable[..., Person],
    make_guest: Callable[..., Person],
) -> None:
    hack_id = _accepted(w)
    urls = (f"/hacks/{hack_id}", f"/hacks/{hack_id}.ics")
    for person in (w.employee, w.entrepreneur):
        sign_in_as(client, person)
        for url in urls:
            assert client.get(url).status_code == 200
        assert "Nobody buys the premium plan" in client.get("/hacks").get_data(as_text=True)
    # Everyone else, the set's own peer and facilitator included, is told nothing exists.
    others = {**_personas(make_person, make_guest), "peer": w.set_peer}
    others["set facilitator"] = db.session.get(Person, w.session.learning_set.facilitator_id)
    for name, person in others.items():
        sign_in_as(client, person)
        for url in urls:
            assert client.get(url).status_code == 404, (name, url)
        listing = client.get("/hacks").get_data(as_text=True)
        assert "Nobody buys the premium plan" not in listing, name
    anonymous = client.application.test_client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and response.location.startswith("/sign-in")


def test_answering_is_the_entrepreneurs_alone(
    client: FlaskClient,
    w: World,
    make_person: Callable[..., Person],
    make_guest: Callable[..., Person],
) -> None:
    hack = services.request_hack(
        w.employee,
        w.entrepreneur,
        services.Challenge(hot_seat=w.hot_seat),
        starts=[berlin(next_monday(), 9)],
        message="",
        tag_id=None,
        now=utcnow(),
    )
    db.session.flush()
    personas = _personas(make_person, make_guest)
    for person in (w.employee, *personas.values()):
        sign_in_as(client, person)
        client.application.config["WTF_CSRF_ENABLED"] = False
        try:
            for action in ("accept", "decline"):
                response = client.post(
                    f"/hacks/{hack.id}/{action}", data={"proposed_id": hack.proposed[0].id}
                )
                # The requester may see the Hack but not answer it; others do not see it.
                assert response.status_code == (403 if person is w.employee else 404)
        finally:
            client.application.config["WTF_CSRF_ENABLED"] = True
    db.session.refresh(hack)
    assert hack.status.value == "requested"


def test_a_guest_entrepreneur_gains_nothing_of_the_set_or_venture_through_a_hack(
    client: FlaskClient, w: World
) -> None:
    hack_id = _accepted(w)
    card = services.request_hack(
        w.employee,
        w.entrepreneur,
        services.Challenge(experiment=w.card),
        starts=[berlin(next_monday(), 9)],
        message="",
        tag_id=None,
        now=utcnow(),
    )
    db.session.flush()
    other_seat = HotSeat(
        session_id=w.session.id,
        person=w.set_peer,
        challenge_title="Peer's private challenge",
        barrier=w.hot_seat.barrier,
    )
    db.session.add(other_seat)
    db.session.flush()
    sign_in_as(client, w.entrepreneur)
    set_id = w.session.set_id
    for url in (
        f"/sessions/{w.session.id}",
        f"/sessions/{w.session.id}.ics",
        f"/sets/{set_id}",
        f"/ventures/{w.venture.id}",
        f"/experiments/{w.card.id}",
        f"/hot-seats/{w.hot_seat.id}/hack",
        f"/experiments/{w.card.id}/hack",
    ):
        assert client.get(url).status_code in (403, 404), url
    for url in (f"/hacks/{hack_id}", f"/hacks/{card.id}", "/hacks", "/calendar"):
        page = client.get(url).get_data(as_text=True)
        for secret in ("Secret description", "Peer's private challenge", "Set A", "Pat Peer"):
            assert secret not in page, (url, secret)


def test_the_finder_and_profiles_are_for_the_right_people(
    client: FlaskClient,
    make_person: Callable[..., Person],
    make_guest: Callable[..., Person],
) -> None:
    personas = _personas(make_person, make_guest)
    expected = {
        "/entrepreneurs": {"employee", "facilitator", "manager", "hr", "admin"},
        "/account/expertise": {"facilitator", "guest"},
        "/expertise/tags": {"hr"},
        "/hacks/figures": {"hr"},
    }
    for url, allowed in expected.items():
        for name, person in personas.items():
            sign_in_as(client, person)
            assert client.get(url).status_code == (200 if name in allowed else 403), (url, name)


def test_guests_cannot_ask_for_hacks(
    client: FlaskClient, w: World, make_guest: Callable[..., Person]
) -> None:
    """Even a guest member of the set with their own hot seat: Hacks are asked by employees."""
    guest = make_guest(display_name="Member Guest")
    give_profile(guest, [w.pricing])
    assert guest.kind is PersonKind.GUEST
    sign_in_as(client, guest)
    assert client.get(f"/hot-seats/{w.hot_seat.id}/hack").status_code == 403
    assert client.get(f"/experiments/{w.card.id}/hack").status_code == 403
