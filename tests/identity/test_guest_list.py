"""HR's guest list by status: invited, active, ending within 30 days, ended. Each status is
decided in SQL from the guest's dates against today, so the same guests move between them as
the days pass."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from intrapreneur.extensions import db
from intrapreneur.identity import invitations, queries
from intrapreneur.identity.models import Person, PersonKind, Role
from tests.conftest import sign_in_as

DAY = date(2030, 6, 1)
NOON = datetime.combine(DAY, time(12), tzinfo=UTC)


def _accepted(make_guest: Callable[..., Person], name: str, ends_in: int, **values: Any) -> Person:
    return make_guest(display_name=name, access_ends_on=DAY + timedelta(days=ends_in), **values)


def _invited(hr: Person, name: str, sent_days_ago: int) -> Person:
    invitation, _ = invitations.invite_guest(
        email=f"{name.lower()}@guests.example",
        display_name=name,
        access_ends_on=DAY + timedelta(days=90),
        invited_by=hr,
        now=NOON - timedelta(days=sent_days_ago),
    )
    return invitation.person


@pytest.fixture
def guests(make_person: Callable[..., Person], make_guest: Callable[..., Person]) -> Person:
    """One guest of each kind, seen from noon on DAY; returns HR."""
    hr = make_person(Role.HR)
    _accepted(make_guest, "Ada Active", 31)
    _accepted(make_guest, "Eve Ending", 30)
    _accepted(make_guest, "Tom Today", 0)
    _accepted(make_guest, "Yan Yesterday", -1)
    _accepted(make_guest, "Sam Switched", 60, active=False)
    make_guest(display_name="Nat Noend", access_ends_on=None)
    _invited(hr, "Ivy", sent_days_ago=13)  # links last 14 days: pending
    _invited(hr, "Xavi", sent_days_ago=15)  # expired
    withdrawn = _invited(hr, "Walt", sent_days_ago=1)
    invitations.withdraw(withdrawn, version=0, by=hr, now=NOON - timedelta(hours=1))
    db.session.add(Person(kind=PersonKind.GUEST, email="never@x.example", display_name="Never"))
    db.session.commit()
    return hr


def _names(shown: str | None, day: date = DAY) -> list[str]:
    now = datetime.combine(day, time(12), tzinfo=UTC)
    rows = db.session.execute(queries.guest_list(shown, day, now))
    return [person.display_name for person, _, _ in rows]


def test_each_guest_has_one_status_from_their_dates(guests: Person) -> None:
    statuses = {
        person.display_name: status
        for person, _, status in db.session.execute(queries.guest_list(None, DAY, NOON))
    }
    assert statuses == {
        "Ada Active": "active",
        "Eve Ending": "ending",
        "Tom Today": "ending",
        "Nat Noend": "active",
        "Yan Yesterday": "ended",
        "Sam Switched": "ended",
        "Ivy": "invited",
        "Xavi": "ended",
        "Walt": "ended",
        "Never": "ended",
    }


def test_filters_and_their_counts(guests: Person) -> None:
    assert sorted(_names("invited")) == ["Ivy"]
    assert sorted(_names("active")) == ["Ada Active", "Eve Ending", "Nat Noend", "Tom Today"]
    assert _names("ending") == ["Tom Today", "Eve Ending"]  # soonest end first
    assert sorted(_names("ended")) == ["Never", "Sam Switched", "Walt", "Xavi", "Yan Yesterday"]
    assert len(_names(None)) == len(_names("no-such-status")) == 10
    assert queries.guest_counts(DAY, NOON) == {
        "all": 10,
        "invited": 1,
        "active": 4,
        "ending": 2,
        "ended": 5,
    }


def test_statuses_move_with_the_days(guests: Person) -> None:
    """A day later Ada is within 30 days of her end, Tom's last day is over and Ivy's
    invitation has expired: nothing was written, only today changed."""
    tomorrow = DAY + timedelta(days=1)
    assert sorted(_names("ending", tomorrow)) == ["Ada Active", "Eve Ending"]
    assert "Tom Today" in _names("ended", tomorrow) and "Ivy" in _names("ended", tomorrow)
    assert _names("invited", tomorrow) == []


def test_the_page_shows_the_filters_with_counts_and_pages_within_a_filter(
    client: FlaskClient, make_person: Callable[..., Person], count_queries: Callable[[], Any]
) -> None:
    hr = make_person(Role.HR)
    for number in range(27):
        invitations.invite_guest(
            email=f"g{number}@guests.example",
            display_name=f"Guest {number:02d}",
            access_ends_on=date.today() + timedelta(days=40),
            invited_by=hr,
            now=datetime.now(UTC),
        )
    db.session.commit()
    sign_in_as(client, hr)

    with count_queries() as counted:
        page = client.get("/guests/?status=invited").get_data(as_text=True)

    assert '<a href="/guests/?status=invited" aria-current="page">Invited (27)</a>' in page
    assert "Active (0)" in page and "Ended (0)" in page and "All (27)" in page
    assert page.count("Invited: pending until") == 25
    assert 'href="/guests/?page=2&amp;status=invited"' in page
    assert counted.total <= 8
    second = client.get("/guests/?status=invited&page=2").get_data(as_text=True)
    assert second.count("Invited: pending until") == 2
    empty = client.get("/guests/?status=ended").get_data(as_text=True)
    assert "No guests with this status." in empty


def test_each_guest_links_to_their_page(
    client: FlaskClient, make_person: Callable[..., Person], make_guest: Callable[..., Person]
) -> None:
    hr = make_person(Role.HR)
    guest = make_guest(display_name="Nina Petrova")
    db.session.commit()
    sign_in_as(client, hr)
    page = client.get("/guests/").get_data(as_text=True)
    assert f'<a href="/guests/{guest.id}">Nina Petrova</a>' in page
    detail = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "Change the access end date" in detail and "Revoke Nina Petrova" in detail
