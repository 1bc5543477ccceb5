"""Session feedback: who answers when, what is refused, and what facilitators and HR read of
it; the attack tests for the rule of three (see ``learning/queries/feedback.py``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning import queries
from intrapreneur.learning.models import SessionFeedback, SetMembership
from tests.conftest import csrf_token, sign_in_as
from tests.learning.builders import cohort_of, session_in, set_of

NOW = datetime.now(UTC)
TODAY = date.today()


@pytest.fixture
def circle(make_person: Callable[..., Person]) -> dict[str, Any]:
    """Aurora (Fay; Ann, Ben, Cat, Dan, Eve), a leaver who left yesterday and a newcomer who
    joined today; sessions whose answering has closed, is open, has not begun, or never will."""
    people = {"hr": make_person(Role.HR), "outsider": make_person(display_name="Olga")}
    people["fay"] = make_person(Role.FACILITATOR, display_name="Fay")
    for name in ("Ann", "Ben", "Cat", "Dan", "Eve", "Leo", "Nia"):
        people[name.lower()] = make_person(display_name=name)
    cohort = cohort_of()
    aurora = set_of(cohort, "Aurora", people["fay"], [people[n] for n in ("ann", "ben", "cat")])
    for name in ("dan", "eve"):
        db.session.add(
            SetMembership(
                learning_set=aurora, person=people[name], joined_on=TODAY - timedelta(days=30)
            )
        )
    db.session.add_all(
        [
            SetMembership(
                learning_set=aurora,
                person=people["leo"],
                joined_on=TODAY - timedelta(days=30),
                left_on=TODAY - timedelta(days=1),
            ),
            SetMembership(learning_set=aurora, person=people["nia"], joined_on=TODAY),
        ]
    )
    sessions = {
        "older": session_in(aurora, -16, now=NOW),
        "done": session_in(aurora, -10, now=NOW),
        "recent": session_in(aurora, -2, now=NOW),
        "upcoming": session_in(aurora, 3, now=NOW),
        "cancelled": session_in(aurora, -4, now=NOW, cancelled_at=NOW - timedelta(days=5)),
    }
    db.session.commit()
    return {**people, "set": aurora, "cohort": cohort, **sessions}


def _answer(circle: dict[str, Any], session: str, person: str, rating: int, step: str) -> None:
    db.session.add(
        SessionFeedback(
            session_id=circle[session].id,
            person_id=circle[person].id,
            usefulness=rating,
            next_step=step,
        )
    )
    db.session.commit()


def _post(client: FlaskClient, url: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def _given(circle: dict[str, Any], session: str) -> list[tuple[str, int, str]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(SessionFeedback).where(SessionFeedback.session_id == circle[session].id)
    )
    return sorted(
        (db.session.get(Person, row.person_id).display_name, row.usefulness, row.next_step)
        for row in rows
    )


# -- answering -------------------------------------------------------------------------------


def test_a_member_answers_once_and_may_change_it_while_answering_is_open(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    url = f"/sessions/{circle['recent'].id}/feedback"
    sign_in_as(client, circle["ann"])
    assert "How useful was this session for you?" in client.get(url).get_data(as_text=True)

    first = _post(client, url, usefulness="4", next_step="  Call three\n   customers  ")
    second = _post(client, url, usefulness="5", next_step="Call five customers")

    assert first.status_code == second.status_code == 302
    assert _given(circle, "recent") == [("Ann", 5, "Call five customers")]
    page = client.get(url).get_data(as_text=True)
    assert "Save my new answer" in page and 'value="Call five customers"' in page
    events = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "session.feedback_saved"))
    )
    # Who answered is audited, never what.
    assert [event.details for event in events] == [{}, {}]
    assert all(event.actor_id == circle["ann"].id for event in events)


def test_the_line_is_kept_to_one_line(client: FlaskClient, circle: dict[str, Any]) -> None:
    sign_in_as(client, circle["ben"])
    _post(
        client,
        f"/sessions/{circle['recent'].id}/feedback",
        usefulness="3",
        next_step="Ask\r\nfor\tbudget",
    )
    assert _given(circle, "recent") == [("Ben", 3, "Ask for budget")]


@pytest.mark.parametrize(
    ("session", "reason"),
    [
        ("upcoming", "Feedback opens when the session starts."),
        ("cancelled", "This session was cancelled: there is nothing to give feedback on."),
        ("done", "Answering about this session has closed."),
    ],
)
def test_feedback_is_refused_before_the_start_after_the_close_and_for_a_cancelled_session(
    client: FlaskClient, circle: dict[str, Any], session: str, reason: str
) -> None:
    url = f"/sessions/{circle[session].id}/feedback"
    sign_in_as(client, circle["ann"])
    page = client.get(url)
    assert page.status_code == 200 and reason in page.get_data(as_text=True)
    assert 'name="usefulness"' not in page.get_data(as_text=True)

    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, f"/sessions/{circle['recent'].id}/feedback"),
            "usefulness": "4",
            "next_step": "Anything",
        },
    )

    assert response.status_code == 409 and reason in response.get_data(as_text=True)
    assert _given(circle, session) == []


def test_after_answering_closes_a_member_reads_their_own_answer(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    _answer(circle, "done", "ann", 2, "Stop waiting for permission")
    _answer(circle, "done", "ben", 5, "Ben's own plan")
    sign_in_as(client, circle["ann"])

    page = client.get(f"/sessions/{circle['done'].id}/feedback").get_data(as_text=True)

    assert "Stop waiting for permission" in page and "2 of 5" in page
    assert "Ben's own plan" not in page  # never another member's answer


@pytest.mark.parametrize(
    ("reader", "status"),
    [
        ("ann", 200),
        ("leo", 200),  # left yesterday, was in the set that day
        ("nia", 404),  # joined today, after the session
        ("outsider", 404),
        ("fay", 404),  # facilitators read figures, they do not answer
        ("hr", 404),
    ],
)
def test_only_members_of_the_set_on_the_day_answer(
    client: FlaskClient, circle: dict[str, Any], reader: str, status: int
) -> None:
    url = f"/sessions/{circle['recent'].id}/feedback"
    sign_in_as(client, circle[reader])

    assert client.get(url).status_code == status
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, "/calendar"), "usefulness": "3", "next_step": "x"},
    )
    assert response.status_code == (302 if status == 200 else 404)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"usefulness": "0", "next_step": "Act"}, "Not a valid choice"),
        ({"usefulness": "6", "next_step": "Act"}, "Not a valid choice"),
        ({"usefulness": "four", "next_step": "Act"}, "Invalid Choice: could not coerce."),
        ({"next_step": "Act"}, "Choose how useful the session was"),
        ({"usefulness": "3", "next_step": "   "}, "Name the one thing you will do next."),
        ({"usefulness": "3", "next_step": "x" * 301}, "Keep it to 300 characters or fewer."),
    ],
)
def test_a_bad_answer_is_refused_next_to_its_field(
    client: FlaskClient, circle: dict[str, Any], fields: dict[str, str], error: str
) -> None:
    sign_in_as(client, circle["ann"])

    response = _post(client, f"/sessions/{circle['recent'].id}/feedback", **fields)

    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    assert _given(circle, "recent") == []


def test_the_database_keeps_ratings_on_the_scale_and_one_answer_a_person(
    circle: dict[str, Any],
) -> None:
    _answer(circle, "recent", "ann", 4, "Once")
    for rating, person in ((6, "ben"), (3, "ann")):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(
                SessionFeedback(
                    session_id=circle["recent"].id,
                    person_id=circle[person].id,
                    usefulness=rating,
                    next_step="Again",
                )
            )


def test_the_set_page_asks_its_members_about_sessions_open_for_answers(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    _answer(circle, "recent", "ben", 4, "Plan")
    links = {
        "ann": "How useful was it?",
        "ben": "Change your answer",
    }
    recent = f"/sessions/{circle['recent'].id}/feedback"
    for reader, label in links.items():
        sign_in_as(client, circle[reader])
        page = client.get(f"/sets/{circle['set'].id}").get_data(as_text=True)
        assert f'<a href="{recent}">{label}</a>' in page
        assert f"/sessions/{circle['done'].id}/feedback" not in page  # closed
    sign_in_as(client, circle["nia"])  # joined after it
    assert recent not in client.get(f"/sets/{circle['set'].id}").get_data(as_text=True)


# -- what facilitators and HR read -------------------------------------------------------------


# Alphabetical, whatever the case, never in the order they were given.
STEPS_IN_ORDER = [
    "<b>Talk</b> to legal",
    "ask finance",
    "Build a landing page",
    "Zoom with a customer",
]


def _released_world(circle: dict[str, Any]) -> None:
    """ "older": 4 answers (released); "done": 2 (held back after closing); "recent": 3 (held
    back while answering is open)."""
    for person, rating, step in (
        ("ann", 5, "Zoom with a customer"),
        ("ben", 4, "ask finance"),
        ("cat", 4, "Build a landing page"),
        ("dan", 2, "<b>Talk</b> to legal"),
    ):
        _answer(circle, "older", person, rating, step)
    _answer(circle, "done", "ann", 1, "Secret one")
    _answer(circle, "done", "eve", 1, "Secret two")
    for person in ("ann", "ben", "cat"):
        _answer(circle, "recent", person, 5, f"Recent {person}")


def test_figures_are_released_only_after_answering_closes_with_three_answers(
    circle: dict[str, Any],
) -> None:
    _released_world(circle)

    by_session = {row.session_id: row for row in queries.feedback_by_session(circle["set"].id, NOW)}

    older = by_session[circle["older"].id].figures
    assert older == queries.FeedbackFigures(4, 15, (0, 1, 0, 2, 1))
    assert older.mean == 3.75
    assert (by_session[circle["done"].id].answers, by_session[circle["done"].id].figures) == (
        2,
        None,
    )
    assert by_session[circle["done"].id].more_needed == 1
    assert (by_session[circle["recent"].id].answers, by_session[circle["recent"].id].figures) == (
        3,
        None,
    )
    assert circle["cancelled"].id not in by_session and circle["upcoming"].id not in by_session
    # The set's figures are the released sessions' sum, nothing more.
    assert queries.feedback_per_set([circle["set"].id], NOW) == {circle["set"].id: older}
    steps = queries.next_steps_by_session(circle["set"].id, NOW)
    assert steps == {circle["older"].id: STEPS_IN_ORDER}


def test_the_boundary_is_three_answers_and_the_close(circle: dict[str, Any]) -> None:
    for person in ("ann", "ben"):
        _answer(circle, "done", person, 3, "Two")
    assert queries.feedback_per_set([circle["set"].id], NOW)[circle["set"].id] is None
    _answer(circle, "done", "cat", 3, "Three")
    assert queries.feedback_per_set([circle["set"].id], NOW)[circle["set"].id] == (
        queries.FeedbackFigures(3, 9, (0, 0, 3, 0, 0))
    )
    closes = queries.answering_closes_at(circle["done"].starts_at)
    before_close = queries.feedback_per_set([circle["set"].id], closes - timedelta(seconds=1))
    assert before_close[circle["set"].id] is None


def _tables(page: str) -> dict[str, list[list[str]]]:
    tables = {}
    for caption, body in re.findall(
        r"<caption>(.*?)</caption>(.*?)</table>", page, flags=re.DOTALL
    ):
        rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.DOTALL)
        tables[caption] = [
            [
                re.sub(r"<[^>]+>", "", cell).strip()
                for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.DOTALL)
            ]
            for row in rows
        ]
    return tables


def test_the_facilitator_reads_released_figures_in_a_table_a_chart_and_a_list(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    _released_world(circle)
    fay = circle["fay"]
    sign_in_as(client, fay)

    page = client.get(f"/sets/{circle['set'].id}/health").get_data(as_text=True)

    rows = _tables(page)["Members' feedback per session of Aurora"]
    assert rows[1][1:] == ["4", "3.75", "0", "1", "0", "2", "1"]
    assert rows[2][1:] == ["2", "hidden: fewer than 3 members answered"]
    assert rows[3][1] == "3" and rows[3][2].startswith("shown once answering closes on")
    assert rows[4] == ["All sessions shown", "4", "3.75", "0", "1", "0", "2", "1"]
    match = re.search(r'id="feedback-chart-figure"[^>]*>(.*?)</script>', page, flags=re.DOTALL)
    assert match
    traces = {trace["name"]: trace["y"] for trace in json.loads(match.group(1))["data"]}
    assert traces == {f"Rated {r}": [[0, 1, 0, 2, 1][r - 1]] for r in range(1, 6)}
    steps = page.split("What members will do next")[1].split("</ul>")[0]
    assert [unescape(step) for step in re.findall(r"<li>(.*?)</li>", steps)] == STEPS_IN_ORDER
    assert "<b>Talk" not in page  # escaped, like every text people type
    for name in ("Ann", "Ben", "Cat", "Dan"):
        assert name not in steps
    assert "Secret one" not in page and "Recent ann" not in page


def test_hr_compares_the_sets_usefulness(client: FlaskClient, circle: dict[str, Any]) -> None:
    _released_world(circle)
    sign_in_as(client, circle["hr"])

    page = client.get(f"/cohorts/{circle['cohort'].id}/health").get_data(as_text=True)

    (row,) = _tables(page)["Set health of each set in Spring"][1:]
    assert row[-2:] == ["4", "3.75"]


def test_a_two_answer_session_says_how_many_more_are_needed_while_open(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    for person in ("ann", "ben"):
        _answer(circle, "recent", person, 4, f"Open {person}")
    sign_in_as(client, circle["fay"])

    page = client.get(f"/sets/{circle['set'].id}/health").get_data(as_text=True)

    assert "1 more answer is needed" in page
    assert "no session's answers are shown yet" in page


# -- the attack tests --------------------------------------------------------------------------


def _readable_pages(circle: dict[str, Any]) -> list[tuple[str, str]]:
    """(reader, URL) of every page that shows anything of the set's sessions or feedback to
    those who may read it; a member's own answer page for the sessions they answered about
    is theirs alone and left out."""
    aurora, cohort = circle["set"].id, circle["cohort"].id
    pages = [
        (runner, url)
        for runner in ("fay", "hr")
        for url in (f"/sets/{aurora}", f"/sets/{aurora}/health")
    ]
    pages.append(("hr", f"/cohorts/{cohort}/health"))
    for member in ("ben", "cat", "dan", "leo"):
        pages.append((member, f"/sets/{aurora}"))
    for member in ("dan", "leo"):  # neither answered about "done" or "recent"
        for session in ("older", "done", "recent"):
            pages.append((member, f"/sessions/{circle[session].id}/feedback"))
    for session in ("older", "done", "recent"):
        pages.append(("fay", f"/sessions/{circle[session].id}"))
    return pages


CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*')


def _snapshot(client: FlaskClient, circle: dict[str, Any]) -> dict[tuple[str, str], str]:
    seen = {}
    for reader, url in _readable_pages(circle):
        sign_in_as(client, circle[reader])
        response = client.get(url)
        assert response.status_code in (200, 404), (reader, url)
        # The CSRF token differs on each page view; nothing else may.
        seen[(reader, url)] = CSRF.sub(r"\1", response.get_data(as_text=True))
    return seen


def test_answers_held_back_change_nothing_anyone_else_can_read(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    """With two answers (after closing) and three (while open), the pages are the same byte
    for byte whatever those answers say: nothing derived from them is readable."""
    _released_world(circle)
    before = _snapshot(client, circle)

    for row in db.session.scalars(
        select(SessionFeedback).where(
            SessionFeedback.session_id.in_([circle["done"].id, circle["recent"].id])
        )
    ):
        row.usefulness = 6 - row.usefulness
        row.next_step = f"Changed {row.id}"
    db.session.commit()

    assert _snapshot(client, circle) == before


def test_the_set_total_is_the_sum_of_the_sessions_shown(
    client: FlaskClient, circle: dict[str, Any]
) -> None:
    """No difference of figures shown isolates answers held back: the set's total row equals
    the sum of the session rows that show figures."""
    _released_world(circle)
    for person, rating in (("ben", 3), ("cat", 5), ("dan", 2)):
        _answer(circle, "done", person, rating, f"Third {person}")  # "done" released now
    sign_in_as(client, circle["hr"])

    page = client.get(f"/sets/{circle['set'].id}/health").get_data(as_text=True)

    rows = _tables(page)["Members' feedback per session of Aurora"][1:]
    shown = [row for row in rows[:-1] if len(row) == 8]
    total = rows[-1]
    sums = [sum(int(row[column]) for row in shown) for column in (1, 3, 4, 5, 6, 7)]
    assert [int(total[column]) for column in (1, 3, 4, 5, 6, 7)] == sums
    assert len(shown) == 2  # "older" and "done"; "recent" is still open
