"""Who may ask for whose data and download it, what is audited, the survey answers only a
person's own request includes, and the refusals (someone else's data, an erased person, a
form without its CSRF token)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, render_template
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core import jobs
from intrapreneur.core.jobs.running import run_job
from intrapreneur.core.models import AuditEvent, BackgroundJob, ExportFile, JobStatus
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests.conftest import csrf_token, sign_in_as
from tests.privacy.busy_for_export import (
    OTHER_COMMENT,
    OWN_COMMENT,
    Busy,
    ask_for_export,
    downloaded,
    everything_in,
    job_of,
)


def test_a_persons_own_export_holds_their_survey_answers_and_only_theirs(
    client: FlaskClient, busy: Busy
) -> None:
    archive = downloaded(client, job_of(ask_for_export(client, busy.tom, "/account/my-data")))

    everything = everything_in(archive)
    assert OWN_COMMENT in everything
    assert OTHER_COMMENT not in everything  # the other respondent of the same wave
    assert "survey_answers.json" in archive.namelist()


def test_an_administrators_export_never_holds_survey_answers_and_says_why(
    client: FlaskClient, busy: Busy
) -> None:
    url = f"/admin/people/{busy.tom.id}/data"
    archive = downloaded(client, job_of(ask_for_export(client, busy.admin, url)))

    everything = everything_in(archive)
    assert OWN_COMMENT not in everything and OTHER_COMMENT not in everything
    assert "survey_answers.json" not in archive.namelist()
    page = archive.read("index.html").decode()
    assert "Survey answers are not included" in page
    assert "at an administrator's request" in page
    # Nothing names the administrator either: the summary says "an administrator".
    assert busy.admin.display_name not in everything


def test_only_the_asker_downloads_and_both_requests_are_audited(
    client: FlaskClient, busy: Busy, make_person: Callable[..., Person]
) -> None:
    admin_job = job_of(ask_for_export(client, busy.admin, f"/admin/people/{busy.tom.id}/data"))
    own_job = job_of(ask_for_export(client, busy.tom, "/account/my-data"))

    # Tom cannot download the administrator's copy of his data, nor anyone else his.
    assert client.get(f"/jobs/{admin_job}/file").status_code == 404
    sign_in_as(client, make_person(Role.ADMIN))
    assert client.get(f"/jobs/{own_job}/file").status_code == 404
    assert client.get(f"/jobs/{admin_job}/file").status_code == 404
    sign_in_as(client, busy.admin)
    page = client.get(f"/jobs/{admin_job}").get_data(as_text=True)
    assert f"Download personal-data-{busy.tom.id}-" in page
    files = db.session.scalars(select(ExportFile).order_by(ExportFile.job_id)).all()
    assert [(f.job_id, f.person_id) for f in files] == [
        (admin_job, busy.admin.id),
        (own_job, busy.tom.id),
    ]

    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.startswith("privacy.subject_export"))
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id, e.object_id) for e in events] == [
        ("privacy.subject_export_requested", busy.admin.id, str(busy.tom.id)),
        ("privacy.subject_export_made", busy.admin.id, str(busy.tom.id)),
        ("privacy.subject_export_requested", busy.tom.id, str(busy.tom.id)),
        ("privacy.subject_export_made", busy.tom.id, str(busy.tom.id)),
    ]
    made = events[1].details
    assert made["survey_answers"] is False and made["rows"]["person"] == 1
    assert events[3].details["rows"]["survey_answers"] == 1
    # Counts only: no name of anyone in what the log keeps of it.
    assert busy.tom.display_name not in str([e.details for e in events])


def test_a_person_cannot_ask_for_someone_elses_data(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    someone, other = make_person(Role.HR, Role.MANAGER), make_person()
    sign_in_as(client, someone)
    token = csrf_token(client, "/account/profile")

    refused = client.post(f"/admin/people/{other.id}/data", data={"csrf_token": token})

    assert refused.status_code == 403
    assert db.session.scalars(select(BackgroundJob.id)).all() == []
    assert db.session.scalars(select(AuditEvent.id)).all() == []


def test_a_form_without_its_token_or_an_unknown_person_is_refused(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    admin = make_person(Role.ADMIN)
    sign_in_as(client, admin)

    assert client.post("/account/my-data").status_code == 400
    assert client.post(f"/admin/people/{admin.id}/data").status_code == 400
    token = csrf_token(client, "/account/profile")
    assert client.post("/admin/people/987654/data", data={"csrf_token": token}).status_code == 404
    assert db.session.scalars(select(BackgroundJob.id)).all() == []


def test_an_erased_person_has_nothing_to_export(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    admin, erased = make_person(Role.ADMIN), make_person()
    erased.erased_at = datetime.now(UTC)
    db.session.commit()
    sign_in_as(client, admin)

    refused = client.post(
        f"/admin/people/{erased.id}/data", data={"csrf_token": csrf_token(client, "/")}
    )

    assert refused.status_code == 409
    assert "nothing identifies them any more" in refused.get_data(as_text=True)
    assert db.session.scalars(select(BackgroundJob.id)).all() == []


def test_a_person_erased_before_the_job_runs_fails_it_with_the_reason(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    admin, person = make_person(Role.ADMIN), make_person()
    job = jobs.record(
        "subject-export", {"person_id": person.id}, max_attempts=3, requested_by=admin
    )
    person.erased_at = datetime.now(UTC)
    db.session.commit()

    run_job(app, job.id)

    db.session.expire_all()
    ran = db.session.get(BackgroundJob, job.id)
    assert ran is not None and ran.status is JobStatus.FAILED and ran.attempts == 1
    assert ran.error is not None and "nothing identifies them any more" in ran.error
    assert db.session.scalars(select(ExportFile.id)).all() == []


def test_the_administrators_button_asks_for_that_persons_data(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    person, erased = make_person(), make_person(erased_at=datetime.now(UTC))
    with app.test_request_context("/"):
        button = render_template("privacy/_subject_export.html", person=person)
        gone = render_template("privacy/_subject_export.html", person=erased)

    assert f'action="/admin/people/{person.id}/data"' in button
    assert 'name="csrf_token"' in button
    assert "<form" not in gone and "nothing identifies them any more" in gone


def test_an_asker_no_longer_an_administrator_when_the_job_runs_gets_nothing(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    asker, person = make_person(Role.ADMIN), make_person()
    job = jobs.record(
        "subject-export", {"person_id": person.id}, max_attempts=3, requested_by=asker
    )
    asker.roles = [grant for grant in asker.roles if grant.role is not Role.ADMIN]
    db.session.commit()

    run_job(app, job.id)

    db.session.expire_all()
    ran = db.session.get(BackgroundJob, job.id)
    assert ran is not None and ran.status is JobStatus.FAILED
    assert ran.error == "Only the person themselves or an administrator may ask for their data."
    assert db.session.scalars(select(ExportFile.id)).all() == []
