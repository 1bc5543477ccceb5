"""The home page shows the person's current sets, and the guest list pages in SQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from intrapreneur.extensions import db
from intrapreneur.identity import invitations
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.models import Cohort, LearningSet, Programme, SetMembership
from tests.conftest import sign_in_as

TODAY = date.today()


def _set(name: str, facilitator: Person | None = None) -> LearningSet:
    programme = Programme(name=f"Programme for {name}")
    cohort = Cohort(
        programme=programme, name="Spring", starts_on=TODAY, ends_on=TODAY + timedelta(days=90)
    )
    learning_set = LearningSet(cohort=cohort, name=name, facilitator=facilitator)
    db.session.add(learning_set)
    return learning_set


def test_home_lists_current_and_facilitated_sets_only(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    me = make_person(Role.FACILITATOR)
    current, former, other = _set("Aurora"), _set("Old set"), _set("Not mine")
    _set("Borealis", facilitator=me)
    db.session.add_all(
        [
            SetMembership(learning_set=current, person=me, joined_on=TODAY - timedelta(days=3)),
            SetMembership(
                learning_set=former,
                person=me,
                joined_on=TODAY - timedelta(days=60),
                left_on=TODAY - timedelta(days=30),
            ),
            SetMembership(learning_set=other, person=make_person(), joined_on=TODAY),
        ]
    )
    db.session.commit()
    sign_in_as(client, me)

    page = client.get("/").get_data(as_text=True)

    assert "Aurora" in page and "Borealis" in page and "you facilitate this set" in page
    assert "Old set" not in page and "Not mine" not in page


def test_home_says_when_there_is_no_set_yet(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person())
    assert "You are not in a set yet" in client.get("/").get_data(as_text=True)


def _invite_guests(hr: Person, numbers: range) -> None:
    for number in numbers:
        invitations.invite_guest(
            email=f"guest{number}@ventures.example",
            display_name=f"Guest {number:02d}",
            access_ends_on=TODAY + timedelta(days=30),
            invited_by=hr,
            now=datetime.now(UTC),
        )
    db.session.commit()


def test_guest_list_pages_with_a_fixed_number_of_queries(
    client: FlaskClient, make_person: Callable[..., Person], count_queries: Callable[[], Any]
) -> None:
    hr = make_person(Role.HR)
    sign_in_as(client, hr)
    _invite_guests(hr, range(3))
    with count_queries() as few:
        assert client.get("/guests/").status_code == 200
    _invite_guests(hr, range(3, 33))
    with count_queries() as many:
        first_page = client.get("/guests/").get_data(as_text=True)

    assert many.total == few.total, "the guest list must not query per guest"
    assert "Page 1 of 2 (33 in all)" in first_page
    second_page = client.get("/guests/?page=2").get_data(as_text=True)
    assert first_page.count("pending until") == 25 and second_page.count("pending until") == 8
