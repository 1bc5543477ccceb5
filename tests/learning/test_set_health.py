"""Set health: the five figures, their tables and charts, who may read them, and plotly.js."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient
from plotly.offline import get_plotlyjs_version

from intrapreneur.core.timezones import local
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning import queries
from intrapreneur.learning.models import (
    Action,
    ActionStatus,
    Attendance,
    BarrierCategory,
    Cohort,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    Question,
    SessionFeedback,
    SessionFormat,
    SetMembership,
)
from tests.conftest import sign_in_as

NOW = datetime.now(UTC)
TODAY = NOW.date()


def _day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


class Builder:
    """Sets, sessions, registers, hot seats and actions, in as few lines per test as can be."""

    def __init__(self, make_person: Callable[..., Person], cohort: Cohort) -> None:
        self.make_person = make_person
        self.cohort = cohort

    def learning_set(self, name: str, facilitator: Person, members: list[Person]) -> LearningSet:
        learning_set = LearningSet(cohort=self.cohort, name=name, facilitator=facilitator)
        db.session.add(learning_set)
        for person in members:
            db.session.add(
                SetMembership(learning_set=learning_set, person=person, joined_on=_day(-60))
            )
        db.session.flush()
        return learning_set

    def session(
        self,
        learning_set: LearningSet,
        days: int,
        *,
        present: Sequence[Person] = (),
        absent: Sequence[Person] = (),
        cancelled: bool = False,
    ) -> LearningSession:
        starts = NOW + timedelta(days=days)
        session = LearningSession(
            learning_set=learning_set,
            format=SessionFormat.MASTERMIND,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            agenda=[],
            cancelled_at=starts - timedelta(days=1) if cancelled else None,
        )
        db.session.add(session)
        db.session.flush()
        for person in [*present, *absent]:
            db.session.add(
                Attendance(session_id=session.id, person_id=person.id, present=person in present)
            )
        return session

    def hot_seat(self, session: LearningSession, person: Person, questions: int) -> HotSeat:
        seat = HotSeat(
            session_id=session.id, person=person, challenge_title="C", barrier=BarrierCategory.TIME
        )
        db.session.add(seat)
        db.session.flush()
        for number in range(questions):
            db.session.add(Question(hot_seat_id=seat.id, asked_by=person, text=f"Q{number}?"))
        return seat

    def action(
        self,
        made_in: LearningSession,
        owner: Person,
        due: int,
        status: ActionStatus = ActionStatus.OPEN,
        *,
        updated: datetime | None = None,
        reviewed_in: LearningSession | None = None,
    ) -> Action:
        action = Action(
            session_id=made_in.id,
            owner_id=owner.id,
            description="Do a small test",
            due_on=_day(due),
            status=status,
            updated_at=updated or (reviewed_in.starts_at if reviewed_in else None),
            reviewed_in_session_id=reviewed_in.id if reviewed_in else None,
        )
        db.session.add(action)
        return action


@pytest.fixture
def build(make_person: Callable[..., Person]) -> Builder:
    cohort = Cohort(
        programme=Programme(name="Ignite"),
        name="Spring",
        starts_on=_day(-60),
        ends_on=_day(60),
    )
    db.session.add(cohort)
    db.session.flush()
    return Builder(make_person, cohort)


@pytest.fixture
def sets(build: Builder) -> dict[str, Any]:
    """Aurora: four members, sessions held, cancelled, held without a register and to come,
    and actions on time, late, reviewed and not. Borealis: one session, nothing else."""
    person = build.make_person
    fay, gus = person(Role.FACILITATOR, display_name="Fay"), person(Role.FACILITATOR)
    ann, ben, cat, dan = (person(display_name=name) for name in ("Ann", "Ben", "Cat", "Dan"))
    eve, fin = person(display_name="Eve"), person(display_name="Fin")
    aurora = build.learning_set("Aurora", fay, [ann, ben, cat, dan])
    borealis = build.learning_set("Borealis", gus, [eve, fin])

    first = build.session(aurora, -28, present=[ann, ben, cat], absent=[dan])
    second = build.session(aurora, -14, present=[ann, ben], absent=[cat, dan])
    cancelled = build.session(aurora, -7, absent=[dan], cancelled=True)
    unregistered = build.session(aurora, -3)
    coming = build.session(aurora, 7, present=[ann])
    build.hot_seat(first, ann, questions=3)
    build.hot_seat(first, ben, questions=1)
    build.hot_seat(second, cat, questions=2)
    build.hot_seat(second, dan, questions=0)
    build.hot_seat(cancelled, ann, questions=5)
    build.hot_seat(coming, ann, questions=4)

    done = ActionStatus.DONE
    # On time: found done at the first session on or after its due date.
    build.action(first, ann, -14, done, reviewed_in=second)
    # On time: its owner marked it done the day before it was due (never reviewed in a session).
    build.action(first, ben, -20, done, updated=NOW - timedelta(days=21))
    # Late: the session 14 days ago was its first review after the due date; it was reviewed later.
    build.action(first, ann, -20, done, reviewed_in=unregistered)
    # Reviewed, not done.
    build.action(second, cat, -10, ActionStatus.NOT_DONE, reviewed_in=unregistered)
    # Due yesterday, after the latest session: due so far, not yet due for review.
    build.action(second, dan, -1)
    # Not due yet.
    build.action(second, cat, 5)
    # Late: its owner marked it done a week after the due date.
    build.action(second, ben, -12, done, updated=NOW - timedelta(days=5))
    # On time: the only session between due date and review was cancelled.
    build.action(first, dan, -8, done, reviewed_in=unregistered)

    build.session(borealis, -10, present=[eve], absent=[fin])
    hr = person(Role.HR)
    db.session.commit()
    return {
        "hr": hr,
        "aurora": aurora,
        "borealis": borealis,
        "fay": fay,
        "gus": gus,
        "members": [ann, ben, cat, dan],
        "eve": eve,
        "cohort": build.cohort,
        "held": [first, second, unregistered],
    }


def test_the_five_figures_follow_their_definitions(sets: dict[str, Any]) -> None:
    aurora, borealis = sets["aurora"], sets["borealis"]

    health = queries.set_health([aurora.id, borealis.id], datetime.now(UTC))

    assert health[aurora.id] == queries.SetHealth(
        set_id=aurora.id,
        held_sessions=3,
        held_without_register=1,
        on_register=8,
        present=5,
        hot_seats=4,
        questions=6,
        actions_due=7,
        actions_done_on_time=3,
        actions_due_for_review=6,
        actions_reviewed=4,
    )
    figures = health[aurora.id]
    assert figures.attendance_rate == 62.5
    assert figures.on_time_rate == 42.9
    assert figures.reviewed_rate == 66.7
    assert figures.questions_per_hot_seat == 1.5
    assert figures.sessions_missed == 3
    quiet = health[borealis.id]
    assert (quiet.attendance_rate, quiet.sessions_missed) == (50.0, 1)
    assert quiet.on_time_rate is quiet.reviewed_rate is quiet.questions_per_hot_seat is None


def test_attendance_per_session_and_per_member(sets: dict[str, Any]) -> None:
    aurora = sets["aurora"]
    now = datetime.now(UTC)

    trend = queries.attendance_by_session(aurora.id, now)
    members = queries.sessions_missed_by_member(aurora.id, now)

    assert [session.session_id for session in trend] == [s.id for s in sets["held"]]
    assert [session.attendance_rate for session in trend] == [75.0, 50.0, None]
    assert [(m.display_name, m.missed, m.on_register) for m in members] == [
        ("Dan", 2, 2),
        ("Cat", 1, 2),
        ("Ann", 0, 2),
        ("Ben", 0, 2),
    ]
    assert (
        sum(m.missed for m in members)
        == queries.set_health([aurora.id], now)[aurora.id].sessions_missed
    )


class _Tables(HTMLParser):
    """Each table's caption → its rows as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: list[str] | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self.tables[" ".join("".join(self._caption).split())] = self._rows
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        for part in (self._caption, self._cell):
            if part is not None:
                part.append(data)


def _tables(page: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def _figure(page: str, chart_id: str) -> dict[str, Any]:
    match = re.search(
        rf'<script type="application/json" id="{chart_id}-figure" class="chart-data" '
        rf'data-target="{chart_id}">(.*?)</script>',
        page,
        re.DOTALL,
    )
    assert match, f"{chart_id} has its figure block"
    return json.loads(match.group(1))


def test_the_facilitator_reads_the_figures_in_tables_and_a_chart(
    client: FlaskClient, sets: dict[str, Any]
) -> None:
    aurora, fay = sets["aurora"], sets["fay"]
    sign_in_as(client, fay)

    page = client.get(f"/sets/{aurora.id}/health").get_data(as_text=True)

    tables = _tables(page)
    assert tables["Set health of Aurora"][1:] == [
        ["Attendance rate", "62.5%", "5 present of 8 on the registers of 2 sessions"],
        ["Actions done on time", "42.9%", "3 of 7 actions due so far"],
        ["Actions reviewed", "66.7%", "4 of 6 actions due by the latest session"],
        ["Questions per hot seat", "1.5", "6 questions in 4 hot seats"],
        ["Sessions missed", "3", "absent marks on the registers of 2 sessions"],
    ]
    dates = [local(s.starts_at, fay.time_zone).date() for s in sets["held"]]
    days = [f"{day.day} {day:%b %Y}" for day in dates]  # "9 Nov 2026", as en-GB writes it
    assert tables["Attendance per session of Aurora"][1:] == [
        [days[0], "3", "4", "75.0%"],
        [days[1], "2", "4", "50.0%"],
        [days[2], "no register taken"],
    ]
    assert tables["Sessions missed per member of Aurora"][1:] == [
        ["Dan", "2", "2"],
        ["Cat", "1", "2"],
        ["Ann", "0", "2"],
        ["Ben", "0", "2"],
    ]
    assert "1 session held without a register" in page
    (line,) = _figure(page, "attendance-chart")["data"]
    assert line["x"] == days  # named as the table names them, so a reader can match the two
    assert line["y"] == [75.0, 50.0, None]


def test_hr_compares_the_sets_of_a_cohort(client: FlaskClient, sets: dict[str, Any]) -> None:
    sign_in_as(client, sets["hr"])

    page = client.get(f"/cohorts/{sets['cohort'].id}/health").get_data(as_text=True)

    assert _tables(page)["Set health of each set in Spring"][1:] == [
        ["Aurora", "Fay", "3", "62.5%", "42.9%", "66.7%", "1.5", "3", "0", "—"],
        ["Borealis", sets["gus"].display_name, "1", "50.0%", "—", "—", "—", "1", "0", "—"],
    ]
    traces = {trace["name"]: trace for trace in _figure(page, "cohort-chart")["data"]}
    assert traces["Attendance rate"]["x"] == ["Aurora", "Borealis"]
    assert traces["Attendance rate"]["y"] == [62.5, 50.0]
    assert traces["Actions done on time"]["y"] == [42.9, None]
    assert traces["Actions reviewed"]["y"] == [66.7, None]
    assert traces["Questions per hot seat"]["y"] == [1.5, None]
    assert traces["Sessions missed"]["y"] == [3, 1]


def test_a_set_name_cannot_break_out_of_the_chart_data(
    client: FlaskClient, build: Builder, sets: dict[str, Any]
) -> None:
    name = "</script><script>alert(1)</script>"
    build.learning_set(name, sets["fay"], [])
    db.session.commit()
    sign_in_as(client, sets["hr"])

    page = client.get(f"/cohorts/{sets['cohort'].id}/health").get_data(as_text=True)

    assert "<script>alert(1)" not in page
    assert name in _figure(page, "cohort-chart")["data"][0]["x"]


@pytest.mark.parametrize(
    ("reader", "status"),
    [("fay", 200), ("hr", 200), ("member", 404), ("gus", 404), ("eve", 404)],
)
def test_only_the_facilitator_and_hr_read_a_sets_health(
    client: FlaskClient, sets: dict[str, Any], reader: str, status: int
) -> None:
    """A member of the set, another set's facilitator and another set's member learn nothing."""
    person = sets["members"][0] if reader == "member" else sets[reader]
    sign_in_as(client, person)

    assert client.get(f"/sets/{sets['aurora'].id}/health").status_code == status


@pytest.mark.parametrize(("reader", "status"), [("hr", 200), ("fay", 403), ("eve", 403)])
def test_only_hr_compares_a_cohorts_sets(
    client: FlaskClient, sets: dict[str, Any], reader: str, status: int
) -> None:
    sign_in_as(client, sets[reader])

    assert client.get(f"/cohorts/{sets['cohort'].id}/health").status_code == status


def test_the_pages_link_to_set_health_for_those_who_may_read_it(
    client: FlaskClient, sets: dict[str, Any]
) -> None:
    aurora, cohort = sets["aurora"], sets["cohort"]
    health, comparison = f"/sets/{aurora.id}/health", f"/cohorts/{cohort.id}/health"

    sign_in_as(client, sets["members"][0])
    assert health not in client.get(f"/sets/{aurora.id}").get_data(as_text=True)
    sign_in_as(client, sets["fay"])
    assert health in client.get(f"/sets/{aurora.id}").get_data(as_text=True)
    assert comparison not in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    sign_in_as(client, sets["hr"])
    assert comparison in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)


def _grow(build: Builder, sets: dict[str, Any]) -> None:
    """More of everything: sessions, registers, hot seats, questions, actions, members'
    feedback (released) and a set."""
    ann, ben, cat, dan = sets["members"]
    for days in (-40, -35, -30, -25):
        session = build.session(sets["aurora"], days, present=[ann, cat], absent=[ben, dan])
        build.hot_seat(session, ann, questions=3)
        build.action(session, ben, days + 2, ActionStatus.DONE, reviewed_in=sets["held"][0])
        for member in (ann, ben, cat):
            db.session.add(
                SessionFeedback(
                    session_id=session.id, person_id=member.id, usefulness=4, next_step="Try"
                )
            )
    extra = build.learning_set("Corona", sets["gus"], [sets["eve"]])
    build.session(extra, -2, present=[sets["eve"]])
    db.session.commit()


def test_the_query_count_does_not_grow_with_the_data(
    client: FlaskClient, build: Builder, sets: dict[str, Any], count_queries: Any
) -> None:
    pages = [f"/sets/{sets['aurora'].id}/health", f"/cohorts/{sets['cohort'].id}/health"]
    sign_in_as(client, sets["hr"])

    def counts() -> list[int]:
        measured = []
        for page in pages:
            with count_queries() as counted:
                assert client.get(page).status_code == 200
            measured.append(counted.total)
        return measured

    before = counts()
    _grow(build, sets)

    assert counts() == before
    assert queries.feedback_per_set([sets["aurora"].id], NOW)[sets["aurora"].id] is not None


def test_plotly_js_comes_from_the_plotly_package_with_long_caching(client: FlaskClient) -> None:
    response = client.get("/static/vendor/plotly/plotly.min.js")

    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.cache_control.max_age == 365 * 24 * 60 * 60
    assert response.get_data(as_text=True).startswith(f"/**\n* plotly.js v{get_plotlyjs_version()}")
    response.close()


def test_the_vendored_stylesheet_matches_the_bundle(client: FlaskClient) -> None:
    """plotly.css is not in the Python package; bump it with plotly (npm: plotly.js dist/)."""
    response = client.get("/static/vendor/plotly/plotly.css")

    assert response.get_data(as_text=True).startswith(
        f"/* plotly.js v{get_plotlyjs_version()} dist/plotly.css"
    )
    response.close()


def test_only_pages_with_charts_load_plotly(client: FlaskClient, sets: dict[str, Any]) -> None:
    sign_in_as(client, sets["fay"])

    with_chart = client.get(f"/sets/{sets['aurora'].id}/health").get_data(as_text=True)
    without = client.get(f"/sets/{sets['aurora'].id}").get_data(as_text=True)

    version = get_plotlyjs_version()
    assert f'src="/static/vendor/plotly/plotly.min.js?v={version}"' in with_chart
    assert 'src="/static/js/charts.js"' in with_chart
    assert "plotly" not in without and "charts.js" not in without


def test_hr_reads_attendance_by_place_only_where_enough_people_stand_behind_it(
    client: FlaskClient, build: Builder, make_person: Callable[..., Person]
) -> None:
    """Nine people in Berlin, one in Bonn, two in Madrid (k=5): Germany's rate is shown,
    Spain's is hidden and so is France's, the next smallest, lest the whole minus Germany
    give Spain away; Bonn's one person is hidden, and Berlin or Germany with them."""
    places = [("DE", "Berlin")] * 9 + [("DE", "Bonn")] + [("FR", "Lyon")] * 6
    places += [("ES", "Madrid")] * 2
    people = [make_person(country=country, location=site) for country, site in places]
    hr, facilitator = make_person(Role.HR), make_person(Role.FACILITATOR)
    the_set = build.learning_set("Aurora", facilitator, people)
    # Berlin's first three missed the session: Germany attended 7 of 10.
    build.session(the_set, -7, present=people[3:], absent=people[:3])
    db.session.flush()
    sign_in_as(client, hr)

    page = client.get(f"/cohorts/{build.cohort.id}/health").get_data(as_text=True)

    tables = _tables(page)
    countries = dict(map(tuple, tables["Attendance rate by country in Spring"][1:]))
    hidden = "hidden: fewer than 5 responses, here or by subtraction"
    assert countries == {"Germany": "70.0%", "France": hidden, "Spain": hidden}
    sites = dict(map(tuple, tables["Attendance rate by location in Spring"][1:]))
    assert sites["Bonn, DE"] == hidden and sites["Madrid, ES"] == hidden
    assert sites["Berlin, DE"] == hidden  # beside Germany it would give Bonn away
    assert "2 of 3 cells are hidden to protect small groups." in page
