"""The home page shows the person's current sets, their next sessions (each linked to its
screen), their roles and their manager; and the guest list pages in SQL."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from intrapreneur.extensions import db
from intrapreneur.identity import invitations
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning import services
from intrapreneur.learning.models import Cohort, LearningSet, Programme, SetMembership
from tests.conftest import sign_in_as
from tests.learning.builders import session_in

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


def text_content(page: str) -> str:
    """The page's text as the DOM's ``textContent`` has it (tags dropped, not replaced by
    spaces: what a screen reader reads out and a copy gives), whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


def test_the_next_session_links_to_its_session_screen(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    member = make_person()
    learning_set = _set("Aurora")
    db.session.add(SetMembership(learning_set=learning_set, person=member, joined_on=TODAY))
    session = session_in(learning_set, 2)
    db.session.commit()
    sign_in_as(client, member)

    page = client.get("/").get_data(as_text=True)

    next_sessions = page.split('id="next-heading"')[1].split("</section>")[0]
    link = re.search(rf'<a href="/sessions/{session.id}">([^<]+)</a>', next_sessions)
    assert link, "the next session links to its own screen"
    assert "Power Hour" in link.group(1)
    screen = client.get(f"/sessions/{session.id}")
    assert screen.status_code == 200 and "Aurora" in screen.get_data(as_text=True)


def test_role_badges_read_as_separate_words(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.MANAGER, Role.HR))

    page = client.get("/").get_data(as_text=True)

    assert "Your roles: employee hr manager" in text_content(page)
    assert re.search(r'<ul class="tag-list"[^>]*>\s*<li class="tag">employee</li>', page)


def test_home_names_the_persons_manager_and_says_nothing_for_a_guest(
    client: FlaskClient, make_person: Callable[..., Person], make_guest: Callable[..., Person]
) -> None:
    manager = make_person(Role.MANAGER, display_name="Mona Manager", title="Head of Retail")
    employee = make_person(manager=manager)
    sign_in_as(client, employee)
    assert "Your manager: Mona Manager (Head of Retail)" in text_content(
        client.get("/").get_data(as_text=True)
    )

    sign_in_as(client, manager)  # at the top of the tree: no manager recorded
    assert "No manager is recorded for you" in text_content(client.get("/").get_data(as_text=True))

    sign_in_as(client, make_guest())
    assert "manager" not in text_content(client.get("/").get_data(as_text=True)).lower()


def _feedback_links(client: FlaskClient) -> set[str]:
    page = client.get("/").get_data(as_text=True)
    if 'id="feedback-heading"' not in page:
        return set()
    section = page.split('id="feedback-heading"')[1].split("</section>")[0]
    return set(re.findall(r'href="(/sessions/\d+/feedback)"', section))


def test_home_asks_about_held_sessions_the_member_has_not_answered_yet(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    member, newcomer = make_person(), make_person()
    learning_set = _set("Aurora")
    joined = TODAY - timedelta(days=20)
    db.session.add(SetMembership(learning_set=learning_set, person=member, joined_on=joined))
    yesterday, answered = session_in(learning_set, -1), session_in(learning_set, -2)
    session_in(learning_set, -10)  # answering closed after seven days
    session_in(learning_set, 2)  # not held yet
    session_in(learning_set, -3, cancelled_at=datetime.now(UTC) - timedelta(days=4))
    db.session.add(SetMembership(learning_set=learning_set, person=newcomer, joined_on=TODAY))
    services.save_feedback(
        answered, member, usefulness=4, next_step="Call a customer", now=datetime.now(UTC)
    )
    db.session.commit()

    sign_in_as(client, member)
    assert _feedback_links(client) == {f"/sessions/{yesterday.id}/feedback"}
    # Someone who joined today was not in the set for yesterday's session.
    sign_in_as(client, newcomer)
    assert _feedback_links(client) == set()
