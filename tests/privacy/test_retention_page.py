"""The administrators' data protection page: the periods and text choices saved through the
settings (checked, audited, one commit), what the retention run would do now, and a button
that starts the run as a job; nobody else may see or use it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core.models import AuditEvent, BackgroundJob, JobStatus, utcnow
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.privacy import settings
from intrapreneur.privacy.models import PrivacySetting
from intrapreneur.privacy.retention.forms import form_data
from tests.conftest import csrf_token, sign_in_as
from tests.privacy.retention_builders import ids, notification

PAGE = "/admin/data-protection"


def _defaults() -> dict[str, str]:
    return {name: str(value) for name, value in form_data(settings.current()).items()}


def _post(client: FlaskClient, **changes: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, PAGE), **_defaults(), **changes}
    return client.post(PAGE, data=data)


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def admin(client: FlaskClient, make_person: Callable[..., Person]) -> Person:
    person = make_person(Role.ADMIN)
    sign_in_as(client, person)
    return person


def test_the_page_shows_the_settings_their_limits_and_what_the_run_would_do(
    client: FlaskClient, admin: Person
) -> None:
    for _ in range(3):
        notification(admin, utcnow() - timedelta(days=400))

    page = client.get(PAGE).get_data(as_text=True)

    assert "Emails sent or given up (address and subject)" in page
    assert "In days, counted after sending or giving up; from 1 to 3650." in page
    assert 'name="notifications"' in page and 'value="365"' in page
    assert "keep, with email addresses, phone numbers and links removed" in page
    assert "What the retention run would do now" in page
    row = page.split('<th scope="row">In-app notifications</th>')[1].split("</tr>")[0]
    assert "365 days" in row and "<td>3</td>" in row
    assert 'action="/admin/data-protection/run"' in page
    assert 'href="/admin/data-protection" aria-current="page"' in page  # in the navigation


def test_an_admin_saves_the_settings_in_one_audited_change(
    client: FlaskClient, admin: Person
) -> None:
    answer = _post(client, sent_emails="14", questions="remove")

    assert answer.status_code == 302
    db.session.expire_all()
    chosen = settings.current()
    assert (chosen.period("sent_emails"), chosen.text_mode("questions")) == (14, "remove")
    (event,) = _events("privacy.settings_changed")
    assert event.actor_id == admin.id
    assert event.details["changes"] == {
        "sent_emails": ["30", "14"],
        "questions": ["keep", "remove"],
    }
    assert "2 settings changed." in client.get(answer.location).get_data(as_text=True)


def test_saving_the_values_in_force_changes_nothing(client: FlaskClient, admin: Person) -> None:
    answer = _post(client)

    assert "Nothing changed" in client.get(answer.location).get_data(as_text=True)
    assert _events("privacy.settings_changed") == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"job_rows": "6"}, "Give a whole number of days from 7 to 3650."),
        ({"deactivated_people": "121"}, "Give a whole number of months from 1 to 120."),
        ({"audit_events": "0"}, "Give a whole number of years from 1 to 20."),
        ({"notifications": "two"}, "Not a valid integer value."),
        ({"notifications": ""}, "This field is required."),
        ({"reviews": "shred"}, "Not a valid choice."),
    ],
)
def test_a_value_out_of_bounds_is_refused_with_its_reason_and_nothing_changes(
    client: FlaskClient, admin: Person, changes: dict[str, str], message: str
) -> None:
    # A valid change alongside: it is not saved either.
    answer = _post(client, sent_emails="14", **changes)

    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert db.session.scalars(select(PrivacySetting)).all() == []
    assert _events("privacy.settings_changed") == []


def test_the_button_starts_a_run_as_a_job_and_shows_its_page(
    client: FlaskClient, admin: Person
) -> None:
    old = notification(admin, utcnow() - timedelta(days=400))

    answer = client.post(f"{PAGE}/run", data={"csrf_token": csrf_token(client, PAGE)})

    assert answer.status_code == 302
    (job,) = db.session.scalars(select(BackgroundJob).where(BackgroundJob.task == "retention"))
    assert answer.location == f"/jobs/{job.id}"
    assert (job.status, job.requested_by_id) == (JobStatus.SUCCEEDED, admin.id)
    assert old not in ids(Notification)
    assert [event.details["job"] for event in _events("privacy.retention_requested")] == [job.id]
    assert "Retention rules applied" in client.get(answer.location).get_data(as_text=True)
    assert f'href="/jobs/{job.id}"' in client.get(PAGE).get_data(as_text=True)  # recent runs


def test_without_the_form_token_nothing_starts(client: FlaskClient, admin: Person) -> None:
    assert client.post(f"{PAGE}/run").status_code == 400
    assert client.post(PAGE, data={**_defaults(), "sent_emails": "14"}).status_code == 400
    assert db.session.scalars(select(BackgroundJob)).all() == []
    assert db.session.scalars(select(PrivacySetting)).all() == []


@pytest.mark.parametrize("role", [Role.HR, Role.MANAGER, Role.FACILITATOR, Role.EMPLOYEE])
def test_only_administrators_see_or_use_the_page(
    client: FlaskClient, make_person: Callable[..., Person], role: Role
) -> None:
    sign_in_as(client, make_person(role))
    token = csrf_token(client, "/")  # their own pages' (the sign-out button's)

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={**_defaults(), "csrf_token": token}).status_code == 403
    assert client.post(f"{PAGE}/run", data={"csrf_token": token}).status_code == 403
    assert db.session.scalars(select(PrivacySetting)).all() == []
    assert db.session.scalars(select(BackgroundJob)).all() == []


def test_the_survey_privacy_rules_page_links_here(client: FlaskClient, admin: Person) -> None:
    assert f'href="{PAGE}"' in client.get("/admin/privacy").get_data(as_text=True)
