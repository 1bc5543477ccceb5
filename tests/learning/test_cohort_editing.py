"""HR edits programmes and cohorts after creation, closes cohorts and archives programmes:
refused with the reason next to the field when a change would break something, the second of
two editors told to reload, every change audited as old → new, closed and archived read-only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.core.models import AuditEvent
from intrapreneur.core.timezones import local
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.learning import composition, queries, services
from intrapreneur.learning.models import (
    Cohort,
    EnrolmentStatus,
    LearningSet,
    Programme,
    SessionFormat,
)
from tests.conftest import csrf_token, sign_in_as
from tests.formats import day
from tests.learning.builders import a_cohort, requests_for, session_in

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _post(client: FlaskClient, url: str, page: str, **data: Any):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def _cohort_form(cohort: Cohort, **changes: Any) -> dict[str, Any]:
    data = {
        "version": str(cohort.version),
        "name": cohort.name,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "capacity": str(cohort.capacity),
        "time_zone": cohort.time_zone,
        **({"enrolment_open": "y"} if cohort.enrolment_open else {}),
    }
    return {**data, **changes}


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _values(cohort: Cohort, **changes: Any) -> services.CohortValues:
    fields = {
        "name": cohort.name,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "capacity": cohort.capacity,
        "enrolment_open": cohort.enrolment_open,
        "time_zone": cohort.time_zone,
    }
    return services.CohortValues(**{**fields, **changes})


# -- programmes ------------------------------------------------------------------------------


def test_hr_edits_a_programme_and_the_change_is_audited_old_to_new(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    programme = Programme(name="Ignite", description="Old words.")
    db.session.add_all([programme, Programme(name="Spark")])
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    page = f"/programmes/{programme.id}/edit"
    assert 'value="Ignite"' in client.get(page).get_data(as_text=True)

    taken = _post(client, page, page, version="1", name="Spark", description="x")
    assert taken.status_code == 422
    assert "A programme called &#39;Spark&#39; already exists." in taken.get_data(as_text=True)

    saved = _post(client, page, page, version="1", name="Ignite 2027", description="New words.")
    assert saved.location == "/programmes/"
    db.session.refresh(programme)
    assert (programme.name, programme.description, programme.version) == (
        "Ignite 2027",
        "New words.",
        2,
    )
    [event] = _audit("programme.updated")
    assert event.details["changes"] == {
        "name": ["Ignite", "Ignite 2027"],
        "description": ["Old words.", "New words."],
    }

    stale = _post(client, page, page, version="1", name="Ignite 2028", description="")
    assert stale.status_code == 409
    assert "Someone else saved this programme" in stale.get_data(as_text=True)
    assert db.session.scalar(select(Programme.name).where(Programme.id == programme.id)) == (
        "Ignite 2027"
    )


def test_a_programme_with_an_open_cohort_cannot_be_archived_and_says_why(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = a_cohort(name="Spring 2027")
    db.session.commit()
    programme = cohort.programme
    sign_in_as(client, make_person(Role.HR))

    refused = _post(client, f"/programmes/{programme.id}/archive", "/programmes/", version="1")
    assert "cannot be archived while it has open cohorts (Spring 2027)" in client.get(
        refused.location
    ).get_data(as_text=True)
    assert db.session.scalar(select(Programme.archived_at)) is None

    _post(client, f"/cohorts/{cohort.id}/close", f"/cohorts/{cohort.id}", version="1")
    archived = _post(client, f"/programmes/{programme.id}/archive", "/programmes/", version="1")
    listing = client.get(archived.location).get_data(as_text=True)
    assert "Ignite is archived" in listing
    archived_part = listing.split("Archived programmes", 1)[1]
    assert "Ignite" in archived_part and "Add a cohort to Ignite" not in listing
    assert [e.action for e in _audit("programme.archived")] == ["programme.archived"]


def test_an_archived_programme_is_read_only(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    programme = Programme(name="Ignite", archived_at=NOW)
    db.session.add(programme)
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    for page in (f"/programmes/{programme.id}/edit", f"/programmes/{programme.id}/cohorts/new"):
        shown = client.get(page)
        assert shown.location == "/programmes/"
        assert "Ignite is archived" in client.get(shown.location).get_data(as_text=True)
    with pytest.raises(services.LearningRefusal, match="archived"):
        services.archive_programme(programme, version=1, by=make_person(Role.HR), now=NOW)


# -- cohorts ---------------------------------------------------------------------------------


def test_hr_edits_every_field_of_a_cohort_and_each_change_is_audited(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = a_cohort(capacity=10, starts_on=date(2027, 4, 1), ends_on=date(2027, 6, 30))
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    page = f"/cohorts/{cohort.id}/edit"
    assert 'value="Europe/London"' in client.get(page).get_data(as_text=True)

    saved = _post(
        client,
        page,
        page,
        **_cohort_form(
            cohort,
            name="Spring cohort",
            starts_on="2027-04-08",
            ends_on="2027-07-31",
            capacity="12",
            time_zone="Europe/Zurich",
            enrolment_open="",
        ),
    )
    assert saved.location == f"/cohorts/{cohort.id}"
    [event] = _audit("cohort.updated")
    assert event.details["changes"] == {
        "name": ["Spring", "Spring cohort"],
        "starts_on": ["2027-04-01", "2027-04-08"],
        "ends_on": ["2027-06-30", "2027-07-31"],
        "capacity": [10, 12],
        "enrolment_open": [True, False],
        "time_zone": ["Europe/London", "Europe/Zurich"],
    }
    db.session.refresh(cohort)
    assert (cohort.version, cohort.time_zone, cohort.enrolment_open) == (2, "Europe/Zurich", False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus", "is not a time zone this system knows"),
        ("time_zone", "../../etc/passwd", "is not a time zone this system knows"),
        ("ends_on", "2027-03-01", "must end on or after its first day"),
        ("capacity", "0", "Number must be between 1 and 2000"),
    ],
)
def test_bad_cohort_edits_are_refused_next_to_the_field_and_change_nothing(
    client: FlaskClient,
    make_person: Callable[..., Person],
    field: str,
    value: str,
    message: str,
) -> None:
    cohort = a_cohort(starts_on=date(2027, 4, 1), ends_on=date(2027, 6, 30))
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    page = f"/cohorts/{cohort.id}/edit"
    response = _post(client, page, page, **_cohort_form(cohort, **{field: value}))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="{field}-error"' in body and message in body
    assert _audit("cohort.updated") == []


def test_capacity_below_the_accepted_participants_is_refused_next_to_places(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = a_cohort(capacity=5)
    requests_for(cohort, [make_person() for _ in range(3)], EnrolmentStatus.ACCEPTED)
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    page = f"/cohorts/{cohort.id}/edit"

    refused = _post(client, page, page, **_cohort_form(cohort, capacity="2"))
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    error = body.split('id="capacity-error"', 1)[1]
    assert "Participants already accepted: 3. The cohort needs at least 3 places" in error
    assert db.session.scalar(select(Cohort.capacity)) == 5

    assert _post(client, page, page, **_cohort_form(cohort, capacity="3")).status_code == 302
    assert db.session.scalar(select(Cohort.capacity)) == 3


def test_dates_that_would_strand_scheduled_sessions_are_refused_naming_how_many_and_the_first(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    today = date.today()
    cohort = a_cohort(starts_on=today, ends_on=today + timedelta(days=90))
    aurora = LearningSet(cohort=cohort, name="Aurora")
    db.session.add(aurora)
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    session_in(aurora, 10, now=now)
    session_in(aurora, 40, now=now)
    session_in(aurora, 45, now=now)
    session_in(aurora, 50, now=now, cancelled_at=now)  # cancelled: strands nothing
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    page = f"/cohorts/{cohort.id}/edit"

    late_start = (today + timedelta(days=20)).isoformat()
    early_end = (today + timedelta(days=30)).isoformat()
    refused = _post(
        client, page, page, **_cohort_form(cohort, ends_on=early_end, starts_on=late_start)
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    end_error = body.split('id="ends_on-error"', 1)[1].split("</p>", 1)[0]
    first = _day_at(local(now + timedelta(days=40), "Europe/London"))
    assert f"Sessions scheduled after this date: 2, the first on {first} (Aurora)" in end_error
    start_error = body.split('id="starts_on-error"', 1)[1].split("</p>", 1)[0]
    first = _day_at(local(now + timedelta(days=10), "Europe/London"))
    assert f"Sessions scheduled before this date: 1, the first on {first} (Aurora)" in start_error
    assert db.session.scalar(select(Cohort.ends_on)) == today + timedelta(days=90)

    later = (today + timedelta(days=46)).isoformat()
    assert _post(client, page, page, **_cohort_form(cohort, ends_on=later)).status_code == 302


def test_the_cohort_time_zone_decides_which_day_a_session_falls_on(
    make_person: Callable[..., Person],
) -> None:
    """23:30 UTC on the last day is already the next day in Zurich: changing only the zone
    would strand that session."""
    cohort = a_cohort(starts_on=date(2027, 4, 1), ends_on=date(2027, 6, 30), time_zone="UTC")
    aurora = LearningSet(cohort=cohort, name="Aurora")
    db.session.add(aurora)
    late = datetime(2027, 6, 30, 23, 30, tzinfo=UTC)
    session_in(aurora, 0, now=late)
    hr = make_person(Role.HR)

    with pytest.raises(services.RefusedFields) as refused:
        services.edit_cohort(
            cohort, _values(cohort, time_zone="Europe/Zurich"), version=1, by=hr, now=NOW
        )
    assert list(refused.value.problems) == ["ends_on"]
    assert "the first on 1 Jul 2027, 01:30 (Aurora)" in refused.value.message

    changes, _ = services.edit_cohort(
        cohort, _values(cohort, time_zone="Atlantic/Reykjavik"), version=1, by=hr, now=NOW
    )
    assert changes == {"time_zone": ["UTC", "Atlantic/Reykjavik"]}


def test_the_second_of_two_cohort_editors_is_told_to_reload(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = a_cohort()
    db.session.commit()
    first, second = make_person(Role.HR), make_person(Role.HR)
    page = f"/cohorts/{cohort.id}/edit"
    sign_in_as(client, first)
    assert _post(client, page, page, **_cohort_form(cohort, name="Mine")).status_code == 302
    sign_in_as(client, second)
    stale = _post(client, page, page, **_cohort_form(cohort, name="Theirs", version="1"))
    assert stale.status_code == 409
    assert "Someone else saved this cohort while you were editing it" in stale.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Cohort.name)) == "Mine"
    # Closing from a page shown before the change is refused the same way.
    detail = f"/cohorts/{cohort.id}"
    late = _post(client, f"{detail}/close", detail, version="1")
    assert "Someone else saved this cohort" in client.get(late.location).get_data(as_text=True)
    assert db.session.scalar(select(Cohort.closed_at)) is None


def test_more_places_move_the_waiting_list_up(make_person: Callable[..., Person]) -> None:
    cohort = a_cohort(capacity=1)
    accepted, first, second, third = (make_person() for _ in range(4))
    requests_for(cohort, [accepted], EnrolmentStatus.ACCEPTED)
    waiting = requests_for(cohort, [first, second, third], EnrolmentStatus.WAITING)

    _, promoted = services.edit_cohort(
        cohort, _values(cohort, capacity=3), version=1, by=make_person(Role.HR), now=NOW
    )
    assert promoted == waiting[:2]
    assert [e.status for e in waiting] == [
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.WAITING,
    ]
    assert [e.actor_label for e in _audit("enrolment.promoted")] == ["system", "system"]


# -- closing ---------------------------------------------------------------------------------


def test_a_closed_cohort_is_read_only_everywhere_it_is_written(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = a_cohort()
    learning_set = LearningSet(cohort=cohort, name="Aurora")
    db.session.add(learning_set)
    participant, requester = make_person(), make_person()
    requests_for(cohort, [participant], EnrolmentStatus.ACCEPTED)
    [request] = requests_for(cohort, [requester])
    db.session.commit()
    hr = make_person(Role.HR)
    sign_in_as(client, hr)
    detail = f"/cohorts/{cohort.id}"

    closed = _post(client, f"/cohorts/{cohort.id}/close", detail, version="1")
    page = client.get(closed.location).get_data(as_text=True)
    assert "Spring is closed: from now on it is read-only." in page
    assert "Compose sets" not in page and "Accept selected" not in page
    assert [e.details["changes"]["enrolment_open"] for e in _audit("cohort.closed")] == [
        [True, False]
    ]

    edit = client.get(f"/cohorts/{cohort.id}/edit")
    assert edit.location == detail
    assert "can no longer be changed" in client.get(detail).get_data(as_text=True)
    for url in (f"/cohorts/{cohort.id}/people", f"/cohorts/{cohort.id}/import"):
        assert client.get(url).location == detail
    new_set = _post(
        client,
        f"/cohorts/{cohort.id}/sets/new",
        f"/cohorts/{cohort.id}/sets/new",
        name="Borealis",
        facilitator_id="0",
        default_format="mastermind",
        cadence_days="14",
    )
    assert new_set.status_code == 409
    assert "Spring is closed" in new_set.get_data(as_text=True)
    bulk = _post(
        client, f"/cohorts/{cohort.id}/decisions", detail, accept="y", enrolment_ids=request.id
    )
    assert "Spring is closed" in client.get(bulk.location).get_data(as_text=True)

    db.session.expire_all()
    today = date.today()
    refusals: list[Callable[[], object]] = [
        lambda: services.decide(request, accept=True, by=hr, now=NOW),
        lambda: services.request_place(cohort, make_person(), today),
        lambda: services.withdraw(cohort, participant, today=today, now=NOW),
        lambda: services.enrol_directly(cohort, make_person(), by=hr, today=today, now=NOW),
        lambda: services.add_member(learning_set, participant, today=today, by=hr),
        lambda: services.schedule_sessions(
            learning_set,
            first_start=NOW + timedelta(days=1),
            session_format=SessionFormat.HACK,
            count=1,
            location=None,
            video_url=None,
            now=NOW,
            by=hr,
        ),
        lambda: composition.propose(
            cohort,
            facilitators=[],
            set_count=None,
            keep_apart=False,
            seed=1,
            by=hr,
            now=NOW,
            today=today,
        ),
        lambda: services.ensure_participant(cohort, make_person(kind=PersonKind.GUEST), hr),
        lambda: services.close_cohort(cohort, version=cohort.version, by=hr, now=NOW),
    ]
    for refused in refusals:
        with pytest.raises(services.LearningRefusal, match="Spring is closed"):
            refused()
    assert request.status is EnrolmentStatus.REQUESTED
    # A guest can no longer be invited into it either.
    assert cohort.id not in [c.id for c, _ in queries.cohorts_with_sets(today)]
    assert db.session.scalar(select(func.count()).select_from(LearningSet)) == 1


def _day_at(moment: datetime) -> str:
    return f"{day(moment.date())}, {moment:%H:%M}"
