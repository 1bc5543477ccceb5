"""The admins' jobs page, a job's progress page, and the directory sync started from the web."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.core import jobs
from intrapreneur.core.models import AuditEvent, BackgroundJob, JobStatus
from intrapreneur.extensions import db
from intrapreneur.identity.local_directory import person_dn
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.settings import DirectorySettings
from tests.conftest import csrf_token, sign_in_as
from tests.core.test_jobs import effects
from tests.identity.test_directory_sync import IN_DIRECTORY

REFRESH = '<meta http-equiv="refresh" content="3">'


def a_job(status: JobStatus, by: Person | None = None, **values: object) -> BackgroundJob:
    job = jobs.record("directory-sync", {"dry_run": True}, max_attempts=4, requested_by=by)
    job.status = status
    for name, value in values.items():
        setattr(job, name, value)
    db.session.commit()
    return job


@pytest.fixture
def admin(client: FlaskClient, make_person: Callable[..., Person]) -> Person:
    person = make_person(Role.ADMIN)
    sign_in_as(client, person)
    return person


def test_admins_see_failed_jobs_marked_in_words_with_their_error(
    client: FlaskClient, admin: Person
) -> None:
    a_job(JobStatus.SUCCEEDED, message="Would change: 2 created.", attempts=1)
    a_job(
        JobStatus.FAILED,
        attempts=4,
        error="DirectoryUnavailable: ldap://directory.corp:389 did not answer",
    )

    page = client.get("/admin/jobs").get_data(as_text=True)

    assert '<tr class="failed">' in page
    assert "✗ Failed" in page and "✓ Succeeded" in page
    assert "DirectoryUnavailable: ldap://directory.corp:389 did not answer" in page
    assert "4 of 4" in page
    assert "Traceback" not in page

    failed_only = client.get("/admin/jobs?status=failed").get_data(as_text=True)
    assert "DirectoryUnavailable" in failed_only
    assert "Would change: 2 created." not in failed_only


def test_an_unfinished_job_page_refreshes_itself_until_the_job_is_done(
    client: FlaskClient, admin: Person
) -> None:
    job = a_job(JobStatus.RUNNING, attempts=1, progress_done=500)

    running = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert REFRESH in running
    assert "Running" in running and "500 done" in running

    job.status, job.message = JobStatus.SUCCEEDED, "Changed: 3 created."
    db.session.commit()
    done = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert REFRESH not in done
    assert "✓ Succeeded" in done and "Changed: 3 created." in done


def test_a_retry_in_waiting_shows_the_last_error(client: FlaskClient, admin: Person) -> None:
    job = a_job(JobStatus.QUEUED, attempts=1, error="ConnectionError: refused")

    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)

    assert "Waiting to retry" in page
    assert "Last attempt failed:" in page and "ConnectionError: refused" in page
    assert REFRESH in page


def test_whoever_started_a_job_follows_it_and_nobody_else(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    starter, other = make_person(Role.HR), make_person(Role.HR)
    job = a_job(JobStatus.QUEUED, by=starter)

    sign_in_as(client, starter)
    assert client.get(f"/jobs/{job.id}").status_code == 200
    sign_in_as(client, other)
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get("/jobs/999999").status_code == 404


@pytest.mark.ldap
def test_a_dry_run_from_the_web_runs_as_a_job_and_changes_nothing(
    app: Flask, client: FlaskClient, admin: Person, use_directory: Callable[..., DirectorySettings]
) -> None:
    use_directory()
    token = csrf_token(client, "/admin/directory")

    response = client.post("/admin/directory", data={"csrf_token": token, "mode": "dry-run"})

    assert response.status_code == 302
    job = db.session.scalars(select(BackgroundJob)).one()
    assert response.location == f"/jobs/{job.id}"
    assert (job.requested_by_id, job.arguments) == (admin.id, {"dry_run": True})
    requested = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "directory.sync_requested")
    ).one()
    assert (requested.actor_id, requested.details) == (admin.id, {"job": job.id, "dry_run": True})
    page = client.get(response.location).get_data(as_text=True)
    assert "✓ Succeeded" in page
    assert f"Would change: {IN_DIRECTORY} created" in page
    employees = select(func.count()).where(Person.kind == PersonKind.EMPLOYEE)
    assert db.session.scalar(employees) == 1  # the admin alone: a dry run changes nothing
    assert f"Would change: {IN_DIRECTORY} created" in client.get("/admin/directory").get_data(
        as_text=True
    )


@pytest.mark.ldap
def test_admins_look_up_what_the_directory_holds_for_a_person(
    client: FlaskClient, admin: Person, use_directory: Callable[..., DirectorySettings]
) -> None:
    use_directory()

    found = client.get("/admin/directory", query_string={"username": " carol "})

    page = found.get_data(as_text=True)
    assert found.status_code == 200
    assert person_dn("carol") in page
    assert "cn=facilitators,ou=groups,dc=corp,dc=example" in page
    assert "employee, facilitator (manager follows from having reports)" in page
    unknown = client.get("/admin/directory?username=nobody-here").get_data(as_text=True)
    assert "has the username &#39;nobody-here&#39;." in unknown
    empty = client.get("/admin/directory?username=")
    assert empty.status_code == 422
    assert "Enter a username." in empty.get_data(as_text=True)


def test_without_a_directory_there_is_nothing_to_sync(client: FlaskClient, admin: Person) -> None:
    page = client.get("/admin/directory").get_data(as_text=True)
    assert "No directory is configured" in page and 'value="sync"' not in page
    assert "Look up a person" not in page

    token = csrf_token(client, "/admin/api-clients")  # the same session's token
    refused = client.post("/admin/directory", data={"csrf_token": token, "mode": "sync"})

    assert refused.status_code == 409
    assert "No directory is configured (INTRAPRENEUR_LDAP_URL)." in refused.get_data(as_text=True)
    assert db.session.scalars(select(BackgroundJob)).all() == []


def test_starting_a_sync_needs_the_csrf_token_and_a_button(
    client: FlaskClient, admin: Person
) -> None:
    assert client.post("/admin/directory", data={"mode": "sync"}).status_code == 400
    token = csrf_token(client, "/admin/api-clients")
    unknown = client.post("/admin/directory", data={"csrf_token": token, "mode": "everything"})
    assert unknown.status_code == 422
    assert "Choose a dry run or a sync." in unknown.get_data(as_text=True)


def test_an_admin_tries_a_failed_job_again_once(
    app: Flask, client: FlaskClient, admin: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "JOB_RETRY_DELAYS", (0, 0))
    job = jobs.record("tests.note", {"marker": "again"}, max_attempts=1)
    job.status, job.attempts, job.error = JobStatus.FAILED, 1, "ConnectionError: refused"
    db.session.commit()
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Try again" in page
    token = csrf_token(client, f"/jobs/{job.id}")

    response = client.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": token})

    assert (response.status_code, response.location) == (302, f"/jobs/{job.id}")
    db.session.expire_all()
    assert (job.status, job.attempts, job.max_attempts) == (JobStatus.SUCCEEDED, 1, 3)
    assert job.error is None and effects("again") == 1
    retried = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "job.retried"))
    assert [(event.actor_id, event.object_id) for event in retried] == [(admin.id, str(job.id))]
    # Done now: trying again is refused, and nothing runs twice.
    again = client.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": token})
    assert again.status_code == 409
    assert effects("again") == 1
