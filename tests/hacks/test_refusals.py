"""A Hack request is refused, with its reason, when the entrepreneur's access has ended, when
they are not available at a proposed time, or when the requester may not see (or does not own)
the challenge or card; nothing is stored then."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.experiments.models import TeamRole, VentureMember, Visibility
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.hacks import services
from intrapreneur.learning.hacks.models import HackRequest
from tests.conftest import csrf_token, sign_in_as
from tests.hacks.builders import World, berlin, next_monday, world


@pytest.fixture
def w(make_person: Callable[..., Person], make_guest: Callable[..., Person]) -> World:
    return world(make_person, make_guest)


def _post(client: FlaskClient, w: World, *starts: datetime) -> tuple[int, str]:
    url = f"/hot-seats/{w.hot_seat.id}/hack?entrepreneur={w.entrepreneur.id}"
    token = csrf_token(client, url)
    fields = dict(
        zip(
            ("first", "second", "third"),
            (s.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") for s in starts),
            strict=False,
        )
    )
    response = client.post(
        f"/hot-seats/{w.hot_seat.id}/hack",
        data={"csrf_token": token, "entrepreneur_id": w.entrepreneur.id, **fields},
    )
    return response.status_code, response.get_data(as_text=True)


def _stored() -> int:
    return db.session.scalar(select(func.count()).select_from(HackRequest)) or 0


def test_outside_the_entrepreneurs_windows_is_refused_with_the_reason(
    client: FlaskClient, w: World
) -> None:
    sign_in_as(client, w.employee)
    monday = next_monday()
    # 11:00 Berlin + 85 minutes runs past the window's 12:00; Tuesday has no window at all.
    for start in (berlin(monday, 11), berlin(monday + timedelta(days=1), 9)):
        status, page = _post(client, w, start)
        assert status == 409
        assert "Gil Guest is not available at" in page
        assert "choose a time inside their availability" in page
    assert _stored() == 0


def test_one_bad_time_among_good_ones_refuses_the_request(client: FlaskClient, w: World) -> None:
    sign_in_as(client, w.employee)
    monday = next_monday()
    status, page = _post(client, w, berlin(monday, 9), berlin(monday, 14))
    assert status == 409 and "not available at" in page
    assert _stored() == 0


def test_a_time_past_or_after_the_access_end_is_refused(
    client: FlaskClient, w: World, make_guest: Callable[..., Person]
) -> None:
    sign_in_as(client, w.employee)
    status, page = _post(client, w, datetime.now(UTC) - timedelta(days=1))
    assert status == 409 and "has passed" in page
    w.entrepreneur.access_ends_on = date.today()
    db.session.flush()
    status, page = _post(client, w, berlin(next_monday(), 9))
    assert status == 409
    assert "Gil Guest&#39;s access ends before" in page
    assert _stored() == 0


def test_an_entrepreneur_whose_access_has_ended_is_refused_and_not_offered(
    client: FlaskClient, w: World
) -> None:
    w.entrepreneur.access_ends_on = date.today() - timedelta(days=1)
    db.session.flush()
    sign_in_as(client, w.employee)
    page = client.get(f"/hot-seats/{w.hot_seat.id}/hack").get_data(as_text=True)
    assert "Gil Guest" not in page
    status, page = _post(client, w, berlin(next_monday(), 9))
    assert status == 409
    assert "Gil Guest&#39;s access to Intrapreneur has ended" in page
    # The service says the same, whichever page asks.
    with pytest.raises(services.HackRefusal, match="access to Intrapreneur has ended"):
        services.check_entrepreneur(w.entrepreneur, w.employee, date.today())
    assert _stored() == 0


def test_someone_without_a_profile_takes_no_request(
    client: FlaskClient, w: World, make_person: Callable[..., Person]
) -> None:
    stranger = make_person(display_name="Noel Noprofile")
    with pytest.raises(services.HackRefusal, match="Noel Noprofile does not take Hack requests"):
        services.check_entrepreneur(stranger, w.employee, date.today())


def test_a_challenge_the_requester_may_not_see_is_hidden_and_refused(
    client: FlaskClient, w: World, make_person: Callable[..., Person]
) -> None:
    outsider = make_person(display_name="Olga Outsider")
    sign_in_as(client, outsider)
    token = csrf_token(client, "/hacks")  # the sign-out form's: a valid one
    for url in (f"/hot-seats/{w.hot_seat.id}/hack", f"/experiments/{w.card.id}/hack"):
        assert client.get(url).status_code == 404
        assert client.post(url, data={"csrf_token": token}).status_code == 404
    with pytest.raises(services.HackRefusal, match="You may not see this challenge"):
        services.check_challenge(outsider, services.Challenge(hot_seat=w.hot_seat), date.today())
    with pytest.raises(services.HackRefusal, match="You may not see this card"):
        services.check_challenge(outsider, services.Challenge(experiment=w.card), date.today())


def test_someone_elses_challenge_or_a_card_off_ones_team_is_refused_with_the_reason(
    client: FlaskClient, w: World, make_person: Callable[..., Person]
) -> None:
    # The peer sees the set's hot seats, but the challenge is Ana's.
    sign_in_as(client, w.set_peer)
    response = client.get(f"/hot-seats/{w.hot_seat.id}/hack")
    assert response.status_code == 403
    assert "Only the member whose challenge it is" in response.get_data(as_text=True)
    # Anyone sees an organisation-wide card, but only its team asks about it.
    w.venture.visibility = Visibility.ORGANISATION
    db.session.flush()
    response = client.get(f"/experiments/{w.card.id}/hack")
    assert response.status_code == 403
    assert "Only the venture&#39;s team" in response.get_data(as_text=True)
    db.session.add(
        VentureMember(venture_id=w.venture.id, person_id=w.set_peer.id, role=TeamRole.MEMBER)
    )
    db.session.flush()
    assert client.get(f"/experiments/{w.card.id}/hack").status_code == 200


def test_a_form_without_a_time_or_entrepreneur_is_shown_again(
    client: FlaskClient, w: World
) -> None:
    sign_in_as(client, w.employee)
    token = csrf_token(client, f"/hot-seats/{w.hot_seat.id}/hack")
    response = client.post(
        f"/hot-seats/{w.hot_seat.id}/hack",
        data={"csrf_token": token, "entrepreneur_id": 0, "first": "", "message": "kept text"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose whom to ask." in page
    assert "kept text" in page
    response = client.post(
        f"/hot-seats/{w.hot_seat.id}/hack",
        data={"csrf_token": token, "entrepreneur_id": w.entrepreneur.id, "first": "not-a-time"},
    )
    assert response.status_code == 422
    assert _stored() == 0
