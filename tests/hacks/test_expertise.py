"""HR's vocabulary, a person's own profile, and the employees' finder of entrepreneurs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.extensions import db
from intrapreneur.identity.expertise import queries
from intrapreneur.identity.expertise import services as expertise
from intrapreneur.identity.expertise.models import AvailabilityWindow, ExpertiseTag, ProfileTag
from intrapreneur.identity.models import Person, Role
from tests.conftest import csrf_token, sign_in_as
from tests.hacks.builders import give_profile, tag

ALL_DAY = [expertise.Window(day, 0, 24 * 60) for day in range(7)]


def test_hr_adds_renames_and_retires_tags(
    client: FlaskClient, make_person: Callable[..., Person], make_guest: Callable[..., Person]
) -> None:
    hr = make_person(Role.HR)
    sign_in_as(client, hr)
    token = csrf_token(client, "/expertise/tags")
    assert (
        client.post(
            "/expertise/tags", data={"csrf_token": token, "name": " B2B  sales "}
        ).status_code
        == 302
    )
    sales = db.session.scalar(select(ExpertiseTag).where(ExpertiseTag.name == "B2B sales"))
    assert sales is not None
    # The same name in other letters is the same tag: refused next to the field, kept typed.
    response = client.post("/expertise/tags", data={"csrf_token": token, "name": "b2b SALES"})
    assert response.status_code == 422
    assert "already has a tag called" in response.get_data(as_text=True)
    client.post(f"/expertise/tags/{sales.id}/rename", data={"csrf_token": token, "name": "Sales"})
    db.session.refresh(sales)
    assert sales.name == "Sales"

    guest = give_profile(make_guest(), [sales])
    client.post(f"/expertise/tags/{sales.id}/retire", data={"csrf_token": token})
    db.session.refresh(sales)
    assert sales.retired_at is not None
    # Kept on the profile that had it, marked retired; no longer offered to choose.
    assert [each.name for each in queries.tags_of([guest.id])[guest.id]] == ["Sales"]
    assert sales not in queries.tags(offered_only=True)
    with pytest.raises(expertise.ExpertiseRefusal, match="not offered"):
        expertise.save_profile(
            make_guest(), bio="", tag_ids=[sales.id], windows=[], now=datetime.now(UTC)
        )
    # The guest saves their profile again: the retired tag stays on it.
    expertise.save_profile(guest, bio="new", tag_ids=[], windows=[], now=datetime.now(UTC))
    assert db.session.scalars(
        select(ProfileTag.tag_id).where(ProfileTag.person_id == guest.id)
    ).all() == [sales.id]
    page = client.get("/expertise/tags").get_data(as_text=True)
    assert "Retired" in page and "Offer again" in page


def test_a_guest_keeps_their_profile_from_their_account(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    pricing = tag("Pricing")
    tag("Sales")
    guest = make_guest(display_name="Gil Guest", chosen_time_zone="Europe/Berlin")
    sign_in_as(client, guest)
    page = client.get("/account/expertise").get_data(as_text=True)
    assert "Europe/Berlin" in page and "Pricing" in page
    token = csrf_token(client, "/account/expertise")
    data = {
        "csrf_token": token,
        "bio": "I **built** <script>alert(1)</script> shops",
        "tag_ids": [pricing.id],
        "windows-0-weekday": "1",
        "windows-0-start": "14:00",
        "windows-0-end": "17:30",
        "windows-1-weekday": "",
    }
    assert client.post("/account/expertise", data=data).status_code == 302
    windows = db.session.scalars(
        select(AvailabilityWindow).where(AvailabilityWindow.person_id == guest.id)
    ).all()
    assert [(w.weekday, w.start_minute, w.end_minute) for w in windows] == [(1, 840, 1050)]
    # A window that closes before it opens is shown again with the reason, nothing lost.
    bad = {**data, "windows-0-end": "13:00", "bio": "changed"}
    response = client.post("/account/expertise", data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "must close after it opens" in page and "changed" in page
    # Two overlapping windows on one day are refused by the service, with the reason.
    overlapping = {
        **data,
        "windows-1-weekday": "1",
        "windows-1-start": "15:00",
        "windows-1-end": "18:00",
    }
    response = client.post("/account/expertise", data=overlapping)
    assert response.status_code == 422
    assert "overlap" in response.get_data(as_text=True)
    page = client.get("/account/expertise").get_data(as_text=True)
    assert "I **built** &lt;script&gt;" in page  # their own text, as typed, to edit


def test_the_finder_lists_current_entrepreneurs_by_expertise_and_availability(
    client: FlaskClient,
    make_person: Callable[..., Person],
    make_guest: Callable[..., Person],
) -> None:
    pricing, sales = tag("Pricing"), tag("Sales")
    always = give_profile(make_guest(display_name="Alma Always"), [pricing], windows=ALL_DAY)
    give_profile(
        make_guest(display_name="Ben Bio"),
        [sales],
        windows=[],
        bio="I **built** <script>alert(1)</script> shops",
    )
    facilitator = give_profile(
        make_person(Role.FACILITATOR, display_name="Fay Facilitator"), [pricing, sales], windows=[]
    )
    ended = give_profile(
        make_guest(display_name="Eve Ended", access_ends_on=date.today() - timedelta(days=1)),
        [pricing],
        windows=ALL_DAY,
    )
    switched_off = give_profile(make_guest(display_name="Sid Off"), [pricing], windows=ALL_DAY)
    switched_off.active = False
    employee_only = give_profile(make_person(display_name="Emil Employee"), [pricing])
    db.session.flush()
    reader = make_person()
    sign_in_as(client, reader)

    page = client.get("/entrepreneurs").get_data(as_text=True)
    for shown in ("Alma Always", "Ben Bio", "Fay Facilitator"):
        assert shown in page
    for hidden in ("Eve Ended", "Sid Off", "Emil Employee"):
        assert hidden not in page
    assert "<strong>built</strong>" in page and "<script>alert" not in page

    page = client.get(f"/entrepreneurs?tag={sales.id}").get_data(as_text=True)
    assert "Ben Bio" in page and "Fay Facilitator" in page and "Alma Always" not in page

    # Available now: only someone with a window around the clock (read in their zone).
    page = client.get("/entrepreneurs?when=now").get_data(as_text=True)
    assert "Alma Always" in page and "Fay Facilitator" not in page and "Eve Ended" not in page

    # A period: whoever has a window on one of its days and access lasting into it.
    ended.access_ends_on = date.today() + timedelta(days=3)
    db.session.flush()
    later = date.today() + timedelta(days=10)
    page = client.get(f"/entrepreneurs?when=period&first={later}&last={later}").get_data(
        as_text=True
    )
    assert "Alma Always" in page and "Eve Ended" not in page and "Ben Bio" not in page

    # A backwards period is said, never an error.
    response = client.get(f"/entrepreneurs?when=period&first={later}&last={date.today()}")
    assert response.status_code == 422
    assert "comes before the first" in response.get_data(as_text=True)
    assert client.get("/entrepreneurs?tag=x&when=nonsense&first=zzz&page=-4").status_code in (
        200,
        422,
    )
    assert always.id and facilitator.id and employee_only.id


def test_the_finder_pages_in_sql_with_the_same_queries_for_any_page_size(
    client: FlaskClient,
    make_person: Callable[..., Person],
    make_guest: Callable[..., Person],
    count_queries: Callable[[], object],
) -> None:
    pricing = tag("Pricing")
    reader = make_person()

    def queries_for(people: int) -> int:
        for number in range(people):
            give_profile(make_guest(display_name=f"Guest {number:02d}"), [pricing], windows=ALL_DAY)
        db.session.flush()
        sign_in_as(client, reader)
        with count_queries() as counted:  # type: ignore[attr-defined]
            assert client.get("/entrepreneurs?when=now").status_code == 200
        return counted.total

    few = queries_for(2)
    many = queries_for(20)
    assert many == few
    page = client.get("/entrepreneurs?page=2").get_data(as_text=True)
    assert "Page 2 of 2 (22 in all)" in page
