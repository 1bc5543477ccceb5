"""Enrolment at scale: bulk decisions within capacity, a waiting list in request order that
moves up when a place frees, withdrawing and removing, and HR enrolling employees found by a
search. People hear of each decision by email, through the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core import mail
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, PersonKind, Role
from intrapreneur.learning import services
from intrapreneur.learning.models import (
    Enrolment,
    EnrolmentStatus,
    LearningSet,
    SetMembership,
)
from tests.conftest import SmtpServer, csrf_token, sign_in_as
from tests.learning.builders import a_cohort, requests_for

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date.today()


def _post(client: FlaskClient, url: str, page: str, **data: Any):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def _statuses(enrolments: list[Enrolment]) -> list[EnrolmentStatus]:
    return [
        db.session.scalar(select(Enrolment.status).where(Enrolment.id == e.id)) for e in enrolments
    ]


def _delivered(inbox: SmtpServer) -> dict[str, EmailMessage]:
    mail.deliver_due(datetime.now(UTC) + timedelta(minutes=1))
    return {received.recipients[0]: received.message for received in inbox.received}


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return " ".join(body.get_content().split())


# -- bulk decisions --------------------------------------------------------------------------


def test_bulk_accepting_more_than_the_free_places_accepts_the_earliest_and_queues_the_rest(
    client: FlaskClient, make_person: Callable[..., Person], inbox: SmtpServer
) -> None:
    cohort = a_cohort(capacity=4)
    requests_for(cohort, [make_person()], EnrolmentStatus.ACCEPTED)
    people = [make_person(display_name=f"Asker {n}") for n in range(5)]
    # Ticked in another order than asked: request order decides, not the order of the form.
    asked = requests_for(cohort, people)
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    detail = f"/cohorts/{cohort.id}"
    ids = [str(e.id) for e in reversed(asked)]

    response = _post(client, f"{detail}/decisions", detail, accept="y", enrolment_ids=ids)
    page = client.get(response.location).get_data(as_text=True)
    assert "Accepted: Asker 0, Asker 1, Asker 2." in page
    assert (
        "No place was free for these, so they are on the waiting list in request order "
        "and move up as places free: Asker 3, Asker 4."
    ) in page
    assert "waiting list, number 1" in page and "waiting list, number 2" in page
    assert _statuses(asked) == [EnrolmentStatus.ACCEPTED] * 3 + [EnrolmentStatus.WAITING] * 2
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("enrolment.%"))
    ).all()
    assert sorted(actions) == ["enrolment.accepted"] * 3 + ["enrolment.waiting"] * 2

    emails = _delivered(inbox)
    assert "You have a place in Spring (Ignite)" in _text(emails[people[0].email])
    waiting = _text(emails[people[4].email])
    assert "Spring (Ignite) is full, so you are on its waiting list, at position 2." in waiting


def test_bulk_decline_and_a_stale_choice_refuses_the_whole_decision(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = a_cohort()
    first, second, third = requests_for(cohort, [make_person() for _ in range(3)])
    third.status = EnrolmentStatus.DECLINED
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    detail = f"/cohorts/{cohort.id}"

    stale = _post(
        client,
        f"{detail}/decisions",
        detail,
        accept="y",
        enrolment_ids=[str(first.id), str(third.id)],
    )
    page = client.get(stale.location).get_data(as_text=True)
    assert "request was already declined. Nothing was changed" in page
    assert _statuses([first, second]) == [EnrolmentStatus.REQUESTED] * 2

    nothing = _post(client, f"{detail}/decisions", detail, decline="y")
    assert "Choose one or more requests" in client.get(nothing.location).get_data(as_text=True)

    _post(
        client,
        f"{detail}/decisions",
        detail,
        decline="y",
        enrolment_ids=[str(first.id), str(second.id)],
    )
    assert _statuses([first, second]) == [EnrolmentStatus.DECLINED] * 2


def test_a_request_of_another_cohort_cannot_be_decided_through_this_one(
    make_person: Callable[..., Person],
) -> None:
    cohort, other = a_cohort(), a_cohort(name="Autumn")
    [elsewhere] = requests_for(other, [make_person()])
    with pytest.raises(services.LearningRefusal, match="Choose one or more requests"):
        services.decide_many(cohort, [elsewhere.id], accept=True, by=make_person(Role.HR), now=NOW)
    assert elsewhere.status is EnrolmentStatus.REQUESTED


def test_only_the_cohort_team_decides_in_bulk(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = a_cohort()
    own, other = make_person(Role.FACILITATOR), make_person(Role.FACILITATOR)
    db.session.add(LearningSet(cohort=cohort, name="Aurora", facilitator=own))
    [asked] = requests_for(cohort, [make_person()])
    db.session.commit()
    detail = f"/cohorts/{cohort.id}"

    sign_in_as(client, own)
    token = csrf_token(client, detail)
    sign_in_as(client, other)
    hidden = client.post(
        f"{detail}/decisions",
        data={"csrf_token": token, "accept": "y", "enrolment_ids": str(asked.id)},
    )
    assert hidden.status_code == 404
    assert _statuses([asked]) == [EnrolmentStatus.REQUESTED]

    sign_in_as(client, own)
    _post(client, f"{detail}/decisions", detail, accept="y", enrolment_ids=str(asked.id))
    assert _statuses([asked]) == [EnrolmentStatus.ACCEPTED]


# -- the waiting list moves up -----------------------------------------------------------------


def test_a_participant_who_withdraws_frees_a_place_for_the_first_in_line(
    client: FlaskClient, make_person: Callable[..., Person], inbox: SmtpServer
) -> None:
    cohort = a_cohort(capacity=1)
    participant = make_person()
    [place] = requests_for(cohort, [participant], EnrolmentStatus.ACCEPTED)
    learning_set = LearningSet(cohort=cohort, name="Aurora")
    db.session.add(SetMembership(learning_set=learning_set, person=participant, joined_on=TODAY))
    first, second = make_person(), make_person()
    waiting = requests_for(cohort, [first, second], EnrolmentStatus.WAITING)
    db.session.commit()

    sign_in_as(client, second)
    assert "You are number 2 on the waiting list" in client.get("/cohorts/").get_data(as_text=True)
    sign_in_as(client, participant)
    assert "You are a participant" in client.get("/cohorts/").get_data(as_text=True)
    left = _post(client, f"/cohorts/{cohort.id}/withdraw", "/cohorts/")
    assert "You have withdrawn from Spring." in client.get(left.location).get_data(as_text=True)

    assert _statuses([place, *waiting]) == [
        EnrolmentStatus.WITHDRAWN,
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.WAITING,
    ]
    left_on = db.session.scalar(
        select(SetMembership.left_on).where(SetMembership.person_id == participant.id)
    )
    assert left_on == TODAY  # out of the cohort, out of its set
    promoted = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "enrolment.promoted")
    ).one()
    assert (promoted.actor_label, promoted.details["person_id"]) == ("system", first.id)
    emails = _delivered(inbox)
    assert list(emails) == [first.email]
    assert "A place in Spring (Ignite) has become free, and it is yours" in _text(
        emails[first.email]
    )

    sign_in_as(client, second)
    assert "You are number 1 on the waiting list" in client.get("/cohorts/").get_data(as_text=True)
    _post(client, f"/cohorts/{cohort.id}/withdraw", "/cohorts/")
    assert _statuses(waiting) == [EnrolmentStatus.ACCEPTED, EnrolmentStatus.WITHDRAWN]
    twice = _post(client, f"/cohorts/{cohort.id}/withdraw", "/cohorts/")
    assert "no request or place in Spring to give up" in client.get(twice.location).get_data(
        as_text=True
    )


def test_hr_removes_a_participant_and_the_first_in_line_moves_up(
    client: FlaskClient, make_person: Callable[..., Person], inbox: SmtpServer
) -> None:
    cohort = a_cohort(capacity=1)
    participant, first = make_person(display_name="Pat"), make_person(display_name="Fay")
    [place] = requests_for(cohort, [participant], EnrolmentStatus.ACCEPTED)
    [waiting] = requests_for(cohort, [first], EnrolmentStatus.WAITING)
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    detail = f"/cohorts/{cohort.id}"

    removed = _post(client, f"/cohorts/enrolments/{place.id}/remove", detail)
    page = client.get(removed.location).get_data(as_text=True)
    assert "Pat is no longer a participant." in page
    assert "Fay moved up from the waiting list into the freed place" in page
    assert _statuses([place, waiting]) == [EnrolmentStatus.REMOVED, EnrolmentStatus.ACCEPTED]
    emails = _delivered(inbox)
    assert "taken you out of Spring (Ignite)" in _text(emails[participant.email])
    assert "it is yours" in _text(emails[first.email])

    again = _post(client, f"/cohorts/enrolments/{place.id}/remove", detail)
    assert "Pat is not a participant of Spring." in client.get(again.location).get_data(
        as_text=True
    )


def test_only_hr_removes(client: FlaskClient, make_person: Callable[..., Person]) -> None:
    cohort = a_cohort()
    facilitator = make_person(Role.FACILITATOR)
    db.session.add(LearningSet(cohort=cohort, name="Aurora", facilitator=facilitator))
    [place] = requests_for(cohort, [make_person()], EnrolmentStatus.ACCEPTED)
    db.session.commit()
    sign_in_as(client, facilitator)
    token = csrf_token(client, f"/cohorts/{cohort.id}")
    refused = client.post(f"/cohorts/enrolments/{place.id}/remove", data={"csrf_token": token})
    assert refused.status_code == 403
    assert _statuses([place]) == [EnrolmentStatus.ACCEPTED]


# -- HR enrols directly ----------------------------------------------------------------------


def test_people_search_finds_by_name_username_and_department_only_those_who_may_sign_in(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = a_cohort(capacity=5)
    finance = Department(name="Finance")
    make_person(display_name="Ann Archer", username="aarcher")
    bob = make_person(display_name="Bob Baker", username="bbaker", department=finance)
    make_person(display_name="Ann Gone", active=False)
    make_person(display_name="Ann Guest", kind=PersonKind.GUEST, access_ends_on=TODAY)
    make_person(display_name="Ann Ended", access_ends_on=TODAY - timedelta(days=1))
    make_person(display_name="100% Ann")
    requests_for(cohort, [bob], EnrolmentStatus.ACCEPTED)
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))

    def found(text: str) -> str:
        return client.get(f"/cohorts/{cohort.id}/people", query_string={"q": text}).get_data(
            as_text=True
        )

    by_name = found("ann")
    assert "Ann Archer" in by_name and "100% Ann" in by_name
    assert "Ann Gone" not in by_name and "Ann Guest" not in by_name and "Ann Ended" not in by_name
    assert "Ann Archer" in found("AARCH")
    by_department = found("finan")
    assert "Bob Baker" in by_department and "Ann Archer" not in by_department
    assert "enrolled" in by_department
    # LIKE's wildcards are taken literally: "%" finds only the name that holds one.
    percent = found("%")
    assert "100% Ann" in percent and "Ann Archer" not in percent
    assert "Nobody matches “zzz”." in found("zzz")


def test_hr_enrols_an_employee_within_capacity_and_refusals_say_why(
    client: FlaskClient, make_person: Callable[..., Person], inbox: SmtpServer
) -> None:
    cohort = a_cohort(capacity=1)
    ann, bob = make_person(display_name="Ann"), make_person(display_name="Bob")
    guest = make_person(kind=PersonKind.GUEST, access_ends_on=TODAY + timedelta(days=9))
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    people = f"/cohorts/{cohort.id}/people"

    def enrol(person: Person) -> str:
        done = _post(client, f"{people}?q=a", people, person_id=str(person.id))
        assert done.location == f"{people}?q=a"
        return client.get(done.location).get_data(as_text=True)

    assert "cannot be enrolled: only employees who may sign in can" in enrol(guest)
    assert "Ann is enrolled in Spring and told by email." in enrol(ann)
    assert "Ann is already a participant of Spring." in enrol(ann)
    assert "Spring is full: all 1 places are taken." in enrol(bob)
    assert _statuses(list(db.session.scalars(select(Enrolment)))) == [EnrolmentStatus.ACCEPTED]
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("enrolment.%"))
    ).all() == ["enrolment.enrolled"]
    assert "You have a place in Spring" in _text(_delivered(inbox)[ann.email])


def test_a_declined_or_waiting_person_enrolled_directly_keeps_one_enrolment(
    make_person: Callable[..., Person],
) -> None:
    cohort = a_cohort(capacity=2)
    declined, waiting = make_person(), make_person()
    requests_for(cohort, [declined], EnrolmentStatus.DECLINED)
    requests_for(cohort, [waiting], EnrolmentStatus.WAITING)
    hr = make_person(Role.HR)
    for person in (declined, waiting):
        services.enrol_directly(cohort, person, by=hr, today=TODAY, now=NOW)
    assert _statuses(list(db.session.scalars(select(Enrolment)))) == [
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.ACCEPTED,
    ]


# -- a fixed number of queries --------------------------------------------------------------


def test_the_enrolment_list_and_the_people_search_use_a_fixed_number_of_queries(
    client: FlaskClient, make_person: Callable[..., Person], count_queries: Callable[[], Any]
) -> None:
    cohort = a_cohort(capacity=3)
    departments = [Department(name=f"Team {n}") for n in range(3)]
    hr = make_person(Role.HR)

    def add_people(count: int) -> None:
        people = [make_person(department=departments[n % 3]) for n in range(count)]
        for status, group in zip(EnrolmentStatus, [people[n::4] for n in range(4)], strict=False):
            requests_for(cohort, group, status)
        db.session.commit()

    def measure(url: str) -> int:
        sign_in_as(client, hr)
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted.total

    add_people(4)
    urls = (f"/cohorts/{cohort.id}", f"/cohorts/{cohort.id}/people?q=person")
    before = [measure(url) for url in urls]
    add_people(40)
    assert [measure(url) for url in urls] == before


def test_a_participant_sees_and_can_leave_a_cohort_no_longer_taking_requests(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = a_cohort(name="Winter", enrolment_open=False)
    over = a_cohort(name="Last year", ends_on=TODAY - timedelta(days=1))
    participant = make_person()
    requests_for(cohort, [participant], EnrolmentStatus.ACCEPTED)
    requests_for(over, [participant], EnrolmentStatus.ACCEPTED)
    db.session.commit()
    sign_in_as(client, participant)

    page = client.get("/cohorts/").get_data(as_text=True)
    elsewhere = page.split("Your other cohorts", 1)[1]
    assert "Winter" in elsewhere and "Withdraw from Winter" in elsewhere
    assert "Last year" not in page  # over: nothing left to withdraw from
    _post(client, f"/cohorts/{cohort.id}/withdraw", "/cohorts/")
    assert "Your other cohorts" not in client.get("/cohorts/").get_data(as_text=True)
