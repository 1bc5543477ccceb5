"""HR creates programmes and cohorts; employees ask to join; HR or the facilitators decide."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    LearningSet,
    Programme,
)
from tests.conftest import csrf_token, sign_in_as
from tests.learning.builders import a_cohort

TODAY = date.today()


def _cohort(**fields: Any) -> Cohort:
    cohort = a_cohort(**fields)
    db.session.commit()
    return cohort


def _post(client: FlaskClient, url: str, page: str, **data: Any):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def _status(cohort: Cohort, person: Person) -> EnrolmentStatus | None:
    return db.session.scalar(
        select(Enrolment.status).where(
            Enrolment.cohort_id == cohort.id, Enrolment.person_id == person.id
        )
    )


def test_hr_creates_a_programme_and_a_cohort(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.HR))
    created = _post(
        client, "/programmes/new", "/programmes/new", name="Ignite 2027", description="A year."
    )
    programme = db.session.scalars(select(Programme)).one()
    assert created.location == f"/programmes/{programme.id}/cohorts/new"

    form_page = f"/programmes/{programme.id}/cohorts/new"
    response = _post(
        client,
        form_page,
        form_page,
        name="Spring cohort",
        starts_on=TODAY.isoformat(),
        ends_on=(TODAY + timedelta(days=90)).isoformat(),
        capacity="24",
        enrolment_open="y",
    )
    cohort = db.session.scalars(select(Cohort)).one()
    assert response.location == f"/cohorts/{cohort.id}"
    assert (cohort.name, cohort.capacity, cohort.enrolment_open) == ("Spring cohort", 24, True)
    listing = client.get("/programmes/").get_data(as_text=True)
    assert "Ignite 2027" in listing and "Spring cohort" in listing and "0 of 24" in listing
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"programme.created", "cohort.created"} <= actions


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ends_on", (TODAY - timedelta(days=1)).isoformat(), "must end on or after its first day"),
        ("capacity", "0", "Number must be between 1 and 2000"),
        ("starts_on", "someday", "Not a valid date value"),
        ("name", "x" * 201, "200 characters"),
    ],
)
def test_bad_cohort_input_is_refused_and_saves_nothing(
    client: FlaskClient, make_person: Callable[..., Person], field: str, value: str, message: str
) -> None:
    sign_in_as(client, make_person(Role.HR))
    programme = Programme(name="Ignite")
    db.session.add(programme)
    db.session.commit()
    page = f"/programmes/{programme.id}/cohorts/new"
    data = {
        "name": "Spring",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=30)).isoformat(),
        "capacity": "12",
        field: value,
    }
    response = _post(client, page, page, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Cohort)) == 0


def test_duplicate_programme_name_is_refused(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.HR))
    db.session.add(Programme(name="Ignite"))
    db.session.commit()
    response = _post(client, "/programmes/new", "/programmes/new", name="Ignite")
    assert response.status_code == 409
    assert "already exists" in response.get_data(as_text=True)


def test_employee_asks_to_join_once_and_sees_the_status(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = _cohort()
    _cohort(enrolment_open=False, name="Closed one")
    employee = make_person()
    sign_in_as(client, employee)

    page = client.get("/cohorts/").get_data(as_text=True)
    assert "Ask to join Spring" in page and "Closed one" not in page
    _post(client, f"/cohorts/{cohort.id}/join", "/cohorts/")
    assert _status(cohort, employee) is EnrolmentStatus.REQUESTED
    assert "You asked to join" in client.get("/cohorts/").get_data(as_text=True)

    again = _post(client, f"/cohorts/{cohort.id}/join", "/cohorts/")
    assert "You have already asked to join" in client.get(again.location).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1


def test_closed_cohort_refuses_requests(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = _cohort(enrolment_open=False)
    employee = make_person()
    sign_in_as(client, employee)
    refused = _post(client, f"/cohorts/{cohort.id}/join", "/cohorts/")
    assert "is not taking requests" in client.get(refused.location).get_data(as_text=True)
    assert _status(cohort, employee) is None


def test_hr_accepts_and_declines_within_capacity_and_a_full_cohort_puts_on_the_waiting_list(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = _cohort(capacity=1)
    first, second, third = make_person(), make_person(), make_person()
    for person in (first, second, third):
        db.session.add(Enrolment(cohort=cohort, person=person, status=EnrolmentStatus.REQUESTED))
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    detail = f"/cohorts/{cohort.id}"
    enrolment_id = {e.person_id: e.id for e in db.session.scalars(select(Enrolment))}

    _post(client, f"/cohorts/enrolments/{enrolment_id[first.id]}/accept", detail)
    full = _post(client, f"/cohorts/enrolments/{enrolment_id[second.id]}/accept", detail)
    assert "they are on the waiting list" in client.get(full.location).get_data(as_text=True)
    _post(client, f"/cohorts/enrolments/{enrolment_id[third.id]}/decline", detail)
    twice = _post(client, f"/cohorts/enrolments/{enrolment_id[third.id]}/accept", detail)

    assert "request was already declined" in client.get(twice.location).get_data(as_text=True)
    statuses = [_status(cohort, p) for p in (first, second, third)]
    assert statuses == [
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.WAITING,
        EnrolmentStatus.DECLINED,
    ]
    page = client.get(detail).get_data(as_text=True)
    assert "1 of 1</strong> place taken" in page
    assert "waiting list, number 1" in page
    assert "Full" in _browse_as(client, make_person())


def _browse_as(client: FlaskClient, person: Person) -> str:
    sign_in_as(client, person)
    return client.get("/cohorts/").get_data(as_text=True)


def test_a_cohort_facilitator_decides_but_another_cohort_facilitator_cannot_see_it(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = _cohort()
    own, other = make_person(Role.FACILITATOR), make_person(Role.FACILITATOR)
    db.session.add(LearningSet(cohort=cohort, name="Aurora", facilitator=own))
    requester = make_person(display_name="Ria Requester")
    enrolment = Enrolment(cohort=cohort, person=requester, status=EnrolmentStatus.REQUESTED)
    db.session.add(enrolment)
    db.session.commit()

    sign_in_as(client, other)
    assert client.get(f"/cohorts/{cohort.id}").status_code == 404

    sign_in_as(client, own)
    assert "Ria Requester" in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    _post(client, f"/cohorts/enrolments/{enrolment.id}/accept", f"/cohorts/{cohort.id}")
    assert _status(cohort, requester) is EnrolmentStatus.ACCEPTED


def test_cohort_pages_use_a_fixed_number_of_queries(
    client: FlaskClient, make_person: Callable[..., Person], count_queries: Callable[[], Any]
) -> None:
    cohorts = [_cohort(name=f"Cohort {n}") for n in range(3)]
    hr = make_person(Role.HR)
    # One request from the start, so both measurements load the same kinds of rows.
    db.session.add(Enrolment(cohort=cohorts[0], person=hr, status=EnrolmentStatus.REQUESTED))
    db.session.commit()

    def measure(url: str, viewer: Person) -> int:
        sign_in_as(client, viewer)
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted.total

    before = (measure("/cohorts/", make_person()), measure(f"/cohorts/{cohorts[0].id}", hr))
    before_list = measure("/programmes/", hr)
    for n in range(20):
        db.session.add(
            Enrolment(cohort=cohorts[n % 3], person=make_person(), status=EnrolmentStatus.REQUESTED)
        )
        _cohort(name=f"More {n}")
    db.session.commit()
    after = (measure("/cohorts/", make_person()), measure(f"/cohorts/{cohorts[0].id}", hr))
    assert after == before
    assert measure("/programmes/", hr) == before_list
