"""The set composer as HR uses it: propose, move, lock, recompute, publish."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, PersonKind, Role
from intrapreneur.learning.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    LearningSet,
    Programme,
    SetComposition,
    SetMembership,
)
from tests.conftest import csrf_token, sign_in_as

TODAY = date.today()


class Cohort_:
    """A cohort with accepted participants: Bea manages Dan, guests, three departments."""

    def __init__(self, make_person: Callable[..., Person], size: int = 12) -> None:
        self.cohort = _cohort("Ignite", "Autumn", TODAY)
        departments = [_department(name) for name in ("Finance", "Legal", "Sales")]
        self.boss = make_person(display_name="Bea Boss", department=departments[0])
        self.report = make_person(
            display_name="Dan Direct", department=departments[0], manager=self.boss
        )
        others = [
            make_person(display_name=f"Member {n:02}", department=departments[n % 3])
            for n in range(size - 4)
        ]
        guests = [make_person(kind=PersonKind.GUEST, display_name=f"Guest {n}") for n in range(2)]
        self.people = [self.boss, self.report, *others, *guests]
        for person in self.people:
            accept(self.cohort, person)
        self.facilitators = [
            make_person(Role.FACILITATOR, display_name=name) for name in ("Fay Lead", "Gus Lead")
        ]
        db.session.commit()

    @property
    def url(self) -> str:
        return f"/cohorts/{self.cohort.id}/composer"


def _department(name: str) -> Department:
    return db.session.scalar(select(Department).where(Department.name == name)) or Department(
        name=name
    )


def _cohort(programme: str, name: str, starts_on: date) -> Cohort:
    existing = db.session.scalar(select(Programme).where(Programme.name == programme))
    cohort = Cohort(
        programme=existing or Programme(name=programme),
        name=name,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=90),
        capacity=100,
    )
    db.session.add(cohort)
    return cohort


def accept(cohort: Cohort, person: Person) -> None:
    db.session.add(Enrolment(cohort=cohort, person=person, status=EnrolmentStatus.ACCEPTED))


@pytest.fixture
def org(make_person: Callable[..., Person]) -> Cohort_:
    return Cohort_(make_person)


@pytest.fixture
def hr(client: FlaskClient, make_person: Callable[..., Person]) -> Person:
    person = make_person(Role.HR)
    db.session.commit()
    sign_in_as(client, person)
    return person


def propose(client: FlaskClient, org: Cohort_, **fields: Any):  # type: ignore[no-untyped-def]
    data: dict[str, Any] = {
        "csrf_token": csrf_token(client, org.url),
        "seed": 1,
        "keep_apart_previous": "y",
    }
    for n, facilitator in enumerate(org.facilitators):
        data[f"facilitators-{n}-person_id"] = facilitator.id
        data[f"facilitators-{n}-capacity"] = 1
    data.update(fields)
    return client.post(org.url, data=data)


def draft(org: Cohort_) -> SetComposition:
    db.session.expire_all()
    found = db.session.scalar(
        select(SetComposition).where(SetComposition.cohort_id == org.cohort.id)
    )
    assert found is not None
    return found


def set_of(person: Person, composition: SetComposition) -> int:
    sets = composition.arrangement["sets"]
    return next(s for s, members in enumerate(sets) if person.id in members)


def post(client: FlaskClient, org: Cohort_, action: str, **data: Any):  # type: ignore[no-untyped-def]
    data.setdefault("version", draft(org).version)
    return client.post(
        f"{org.url}/{action}", data={"csrf_token": csrf_token(client, org.url), **data}
    )


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_hr_gets_a_proposal_that_keeps_managers_apart_and_says_why(
    client: FlaskClient, hr: Person, org: Cohort_
) -> None:
    response = propose(client, org)
    assert response.status_code == 302

    composition = draft(org)
    sets = composition.arrangement["sets"]
    assert len(sets) == 2 and sorted(len(s) for s in sets) == [6, 6]
    assert set_of(org.boss, composition) != set_of(org.report, composition)
    assert sorted(composition.arrangement["facilitators"]) == sorted(f.id for f in org.facilitators)
    assert all(sum(m in {g.id for g in org.people[-2:]} for m in s) == 1 for s in sets)
    page = text_of(client.get(org.url).get_data(as_text=True))
    assert "Every rule is met" in page
    assert "Dan Direct" in page and "no one from their management chain there" in page
    assert re.search(r"Guest 0 guest entrepreneur — Brings Set \d's first guest entrepreneur", page)
    # Three departments in each set of six, plus a guest: mix 4 / 6 = 66.7% everywhere;
    # nobody's location is known.
    assert re.search(r"Set 1 6 4 66.7% 0 1 0", page)
    assert re.search(r"All sets 12 8 66.7% 0 2 0", page)


def test_the_set_mix_chart_carries_the_tables_numbers(
    client: FlaskClient, hr: Person, org: Cohort_
) -> None:
    assert "plotly" not in client.get(org.url).get_data(as_text=True)  # no chart yet
    propose(client, org)

    page = client.get(org.url).get_data(as_text=True)

    assert "plotly.min.js" in page
    block = re.search(
        r'<script type="application/json" id="set-mix-figure"[^>]*>(.*?)</script>', page
    )
    assert block is not None
    traces = {trace["name"]: trace for trace in json.loads(block.group(1))["data"]}
    assert traces["Department mix"]["x"] == ["Set 1", "Set 2"]
    assert traces["Department mix"]["y"] == [66.7, 66.7]
    assert traces["Guest entrepreneurs"]["y"] == [1, 1]
    assert traces["Repeat pairings"]["y"] == [0, 0]


def test_the_same_seed_gives_the_same_proposal_and_another_seed_may_differ(
    client: FlaskClient, hr: Person, org: Cohort_
) -> None:
    propose(client, org)
    first = draft(org).arrangement
    propose(client, org)
    assert draft(org).arrangement == first


def test_moving_a_person_locks_them_there_and_leaves_the_others(
    client: FlaskClient, hr: Person, org: Cohort_
) -> None:
    propose(client, org)
    before = draft(org).arrangement["sets"]
    mover = next(p for p in org.people[2:] if p.id in before[0])

    response = post(client, org, "move", person_id=mover.id, target=2)

    assert response.status_code == 302
    after = draft(org).arrangement
    assert mover.id in after["sets"][1] and after["locked"] == [mover.id]
    assert [m for m in before[0] if m != mover.id] == after["sets"][0]
    page = text_of(client.get(org.url).get_data(as_text=True))
    assert "Moved and locked there" in page
    assert f"{mover.display_name} " in page and "Locked in Set 2 by hr" in page
    assert "Set 2 7" in page and "Set 1 5" in page


def test_a_move_into_the_managers_set_is_refused_with_the_reason(
    client: FlaskClient, hr: Person, org: Cohort_
) -> None:
    propose(client, org)
    before = draft(org).arrangement
    boss_set = set_of(org.boss, draft(org))

    response = post(client, org, "move", person_id=org.report.id, target=boss_set + 1)

    assert response.status_code == 409
    assert (
        f"Dan Direct cannot join Set {boss_set + 1}: Bea Boss is above Dan Direct in the "
        "management chain." in response.get_data(as_text=True)
    )
    assert draft(org).arrangement == before


def test_locked_people_stay_when_the_rest_is_recomputed(
    client: FlaskClient, hr: Person, org: Cohort_
) -> None:
    propose(client, org)
    person = org.people[5]
    home = set_of(person, draft(org))
    post(client, org, "lock", person_id=person.id)
    assert draft(org).arrangement["locked"] == [person.id]

    assert post(client, org, "recompute").status_code == 302

    assert set_of(person, draft(org)) == home
    assert draft(org).arrangement["locked"] == [person.id]
    post(client, org, "lock", person_id=person.id)
    assert draft(org).arrangement["locked"] == []


def test_a_change_made_on_an_old_copy_is_refused_not_lost(
    client: FlaskClient, hr: Person, org: Cohort_
) -> None:
    propose(client, org)
    old_version = draft(org).version
    post(client, org, "lock", person_id=org.people[3].id)

    response = post(client, org, "lock", person_id=org.people[4].id, version=old_version)

    assert response.status_code == 409
    assert "Someone else changed this proposal" in response.get_data(as_text=True)
    assert draft(org).arrangement["locked"] == [org.people[3].id]


def test_publishing_creates_the_sets_and_memberships(
    client: FlaskClient, hr: Person, org: Cohort_
) -> None:
    propose(client, org)
    arrangement = draft(org).arrangement

    response = post(client, org, "publish")

    assert response.status_code == 302
    assert response.location == f"/cohorts/{org.cohort.id}"
    sets = db.session.scalars(
        select(LearningSet).where(LearningSet.cohort_id == org.cohort.id).order_by(LearningSet.id)
    ).all()
    assert [s.name for s in sets] == ["Set 1", "Set 2"]
    assert [s.facilitator_id for s in sets] == arrangement["facilitators"]
    for learning_set, members in zip(sets, arrangement["sets"], strict=True):
        placed = db.session.scalars(
            select(SetMembership.person_id).where(SetMembership.set_id == learning_set.id)
        ).all()
        assert sorted(placed) == members
    assert db.session.scalar(select(SetComposition)) is None
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "composer.published" in actions and actions.count("set.created") == 2
    assert "Published: 2 sets created." in client.get(response.location).get_data(as_text=True)


def test_publishing_is_refused_when_the_data_changed_and_a_rule_would_break(
    client: FlaskClient, hr: Person, org: Cohort_
) -> None:
    propose(client, org)
    composition = draft(org)
    colleague = next(
        p for p in org.people[2:-2] if set_of(p, composition) == set_of(org.boss, composition)
    )
    colleague.manager = org.boss  # a directory sync moved them under Bea
    db.session.commit()

    response = post(client, org, "publish")

    assert response.status_code == 409
    body = text_of(response.get_data(as_text=True))
    assert "cannot be published" in body
    assert f"Bea Boss is above {colleague.display_name} in the management chain" in body
    assert db.session.scalar(select(LearningSet)) is None


def test_someone_accepted_after_the_proposal_is_listed_without_a_set(
    client: FlaskClient, hr: Person, org: Cohort_, make_person: Callable[..., Person]
) -> None:
    propose(client, org)
    late = make_person(display_name="Late Larkin")
    accept(org.cohort, late)
    db.session.commit()

    page = text_of(client.get(org.url).get_data(as_text=True))

    assert "Without a set (1)" in page and "Late Larkin" in page
    post(client, org, "move", person_id=late.id, target=1)
    assert late.id in draft(org).arrangement["sets"][0]


def test_people_who_shared_a_set_in_the_previous_cohort_are_kept_apart(
    client: FlaskClient, hr: Person, make_person: Callable[..., Person]
) -> None:
    org = Cohort_(make_person, size=16)
    earlier = _cohort("Ignite", "Spring", TODAY - timedelta(days=200))
    old_set = LearningSet(cohort=earlier, name="Old set")
    trio = org.people[2:5]
    db.session.add_all(
        SetMembership(learning_set=old_set, person=p, joined_on=TODAY - timedelta(days=200))
        for p in trio
    )
    db.session.commit()

    propose(client, org, **{"facilitators-0-capacity": 2})

    homes = [set_of(p, draft(org)) for p in trio]
    assert len(set(homes)) == len(homes)
    assert "Repeat pairings" in client.get(org.url).get_data(as_text=True)


def test_bad_input_is_refused_with_the_reason_and_nothing_is_stored(
    client: FlaskClient, hr: Person, org: Cohort_
) -> None:
    response = propose(client, org, **{"facilitators-0-capacity": 9, "set_count": 0})

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Number must be between 0 and 4." in body
    assert "Number must be between 1 and 500." in body
    assert db.session.scalar(select(SetComposition)) is None


def test_a_facilitator_id_beyond_any_id_is_refused_not_looked_up(
    client: FlaskClient, hr: Person, org: Cohort_
) -> None:
    """Found by the form fuzzer: SQLite cannot look up an id past 64 bits (a 500)."""
    response = propose(client, org, **{"facilitators-0-person_id": str(2**63)})

    assert response.status_code == 422
    assert "No such person: reload the page and try again." in response.get_data(as_text=True)
    assert db.session.scalar(select(SetComposition)) is None


def test_proposing_with_nobody_to_place_says_so(
    client: FlaskClient, hr: Person, make_person: Callable[..., Person]
) -> None:
    cohort = _cohort("Ignite", "Empty", TODAY)
    db.session.commit()

    response = client.post(
        f"/cohorts/{cohort.id}/composer",
        data={"csrf_token": csrf_token(client, f"/cohorts/{cohort.id}/composer"), "seed": 1},
    )

    assert response.status_code == 409
    assert "there is no one to place" in response.get_data(as_text=True)


def test_the_page_reads_the_same_few_queries_whatever_the_cohort_size(
    client: FlaskClient,
    hr: Person,
    make_person: Callable[..., Person],
    count_queries: Callable[[], Any],
) -> None:
    totals = []
    for size in (8, 40):
        org = Cohort_(make_person, size=size)
        propose(client, org, **{"facilitators-0-capacity": 4, "facilitators-1-capacity": 4})
        client.get(org.url)  # warm the role cache and the session
        with count_queries() as counted:
            assert client.get(org.url).status_code == 200
        totals.append(counted.total)

    assert totals[0] == totals[1] <= 17, totals  # the navigation asks about open surveys too
