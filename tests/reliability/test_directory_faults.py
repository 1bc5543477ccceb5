"""The directory stopped, or frozen with SIGSTOP, under a running app: a slapd of the test's own.

A stopped server refuses connections at once; a frozen one accepts them (the kernel does)
and never answers, which only the timeouts end. Either way employees get the clear
"directory not reachable" page, guests and the break-glass admin still sign in, and a sync
that meets the outage, even halfway through its pages, changes nobody and says why.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from intrapreneur.core import jobs
from intrapreneur.core.models import BackgroundJob, JobStatus
from intrapreneur.extensions import db
from intrapreneur.identity import sync
from intrapreneur.identity.directory import Directory, DirectoryUnavailable
from intrapreneur.identity.local_directory import person_dn
from intrapreneur.identity.models import Person, Role
from intrapreneur.identity.passwords import hash_password
from intrapreneur.settings import DirectorySettings, load_directory
from tests.conftest import (
    GUEST_PASSWORD,
    SLAPD_AVAILABLE,
    SLAPD_MISSING,
    csrf_token,
    directory_environment,
    ldap_password,
    seeded,
)
from tests.reliability.servers import BreakableDirectory

pytestmark = pytest.mark.ldap

TIMEOUT_SECONDS = 1  # INTRAPRENEUR_LDAP_TIMEOUT: what ends a wait on a frozen server
RETURN_DEADLINE = 60  # a request that never returns fails the test instead of hanging it
UNREACHABLE = "The company directory is not reachable right now"
FAULTS = ["stopped", "silent"]


@pytest.fixture
def directory_server() -> Iterator[BreakableDirectory]:
    if not SLAPD_AVAILABLE:
        pytest.fail(SLAPD_MISSING)
    with seeded(BreakableDirectory(size_limit=5)) as server:
        yield server


@pytest.fixture
def directory(
    app: Flask, directory_server: BreakableDirectory, monkeypatch: pytest.MonkeyPatch
) -> DirectorySettings:
    """The app pointed at the test's own slapd."""
    environment = directory_environment(directory_server, LDAP_TIMEOUT=str(TIMEOUT_SECONDS))
    settings = load_directory(environment)
    assert settings is not None
    monkeypatch.setitem(app.config, "DIRECTORY", settings)
    return settings


def break_it(server: BreakableDirectory, fault: str) -> None:
    server.go_down() if fault == "stopped" else server.go_silent()


def sign_in(client: FlaskClient, login: str, password: str) -> TestResponse:
    token = csrf_token(client, "/sign-in")
    answered: list[TestResponse] = []
    form = {"csrf_token": token, "login": login, "password": password}
    asking = threading.Thread(target=lambda: answered.append(client.post("/sign-in", data=form)))
    asking.start()
    asking.join(RETURN_DEADLINE)
    assert answered, f"signing in as {login} did not return"
    if answered[0].status_code == 302:
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    return answered[0]


@pytest.mark.parametrize("fault", FAULTS)
def test_employees_are_told_the_directory_is_down_and_the_others_still_sign_in(
    fault: str,
    client: FlaskClient,
    directory: DirectorySettings,
    directory_server: BreakableDirectory,
    make_guest: Callable[..., Person],
    make_person: Callable[..., Person],
) -> None:
    guest = make_guest()
    make_person(Role.ADMIN, username="breakglass", password_hash=hash_password(GUEST_PASSWORD))
    db.session.commit()
    assert sign_in(client, "alice", ldap_password("alice")).status_code == 302

    break_it(directory_server, fault)

    refused = sign_in(client, "bob", ldap_password("bob"))
    assert refused.status_code == 503
    assert UNREACHABLE in refused.get_data(as_text=True)
    assert sign_in(client, guest.email, GUEST_PASSWORD).status_code == 302
    assert sign_in(client, "breakglass", GUEST_PASSWORD).status_code == 302
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["directory"] == "unavailable: DirectoryUnavailable"

    directory_server.come_back()
    assert sign_in(client, "bob", ldap_password("bob")).status_code == 302


def people() -> list[tuple[Any, ...]]:
    """Everything a sync may change about anyone, read afresh."""
    db.session.expire_all()
    return sorted(
        (
            person.directory_id,
            person.active,
            person.display_name,
            person.email,
            person.department_id,
            person.manager_id,
            sorted(person.role_names),
        )
        for person in db.session.scalars(select(Person))
    )


def display_name_of(username: str) -> str | None:
    return db.session.scalar(select(Person.display_name).where(Person.username == username))


def fail_after(entries: int, fault: Callable[[], None], monkeypatch: pytest.MonkeyPatch) -> None:
    """The directory breaks once the sync has read ``entries`` people, and has applied and
    flushed the first of them (batches of two)."""
    monkeypatch.setattr(sync, "BATCH", 2)
    reading = Directory.iter_people

    def iter_people(directory: Directory) -> Iterator[Any]:
        for number, person in enumerate(reading(directory), 1):
            yield person
            if number == entries:
                fault()

    monkeypatch.setattr(Directory, "iter_people", iter_people)


def synced_then_changed(
    settings: DirectorySettings, server: BreakableDirectory
) -> list[tuple[Any, ...]]:
    """Sync everyone, then change the directory; the people as that sync left them."""
    sync.sync_directory(Directory(settings))
    synced = people()
    change_the_directory(server)
    return synced


def change_the_directory(server: BreakableDirectory) -> None:
    """What the next sync would apply: a new name in its first batch, and someone who left."""
    server.ldapmodify(
        f"dn: {person_dn('cora')}\nchangetype: modify\nreplace: cn\ncn: Cora Renamed\n"
    )
    server.ldapdelete(person_dn("frank"))


@pytest.mark.parametrize("fault", FAULTS)
def test_a_sync_meeting_the_outage_halfway_changes_nobody(
    fault: str,
    directory: DirectorySettings,
    directory_server: BreakableDirectory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = synced_then_changed(directory, directory_server)
    written_before_the_fault = []

    def fault_after_writing() -> None:
        # The first batches are already written, inside the sync's open transaction.
        written_before_the_fault.append(display_name_of("cora"))
        break_it(directory_server, fault)

    fail_after(4, fault_after_writing, monkeypatch)

    with pytest.raises(DirectoryUnavailable):
        sync.sync_directory(Directory(directory))

    assert written_before_the_fault == ["Cora Renamed"]
    assert people() == before
    directory_server.come_back()
    monkeypatch.undo()
    sync.sync_directory(Directory(directory))
    assert people() != before, "the changes were real: only the outage held them back"


@pytest.mark.parametrize("fault", FAULTS)
def test_the_sync_job_fails_with_the_reason_and_changes_nobody(
    fault: str,
    directory: DirectorySettings,
    directory_server: BreakableDirectory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = synced_then_changed(directory, directory_server)
    fail_after(4, lambda: break_it(directory_server, fault), monkeypatch)

    job_id = jobs.enqueue("directory-sync")
    db.session.commit()  # runs it here, retries included (the test suite's way)

    job = db.session.get(BackgroundJob, job_id, populate_existing=True)
    assert job is not None
    assert (job.status, job.attempts) == (JobStatus.FAILED, job.max_attempts)
    assert job.error is not None and job.error.startswith("DirectoryUnavailable: ")
    assert people() == before
