"""Directory sync against a real slapd whose size limit forces paging."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask_migrate import upgrade
from sqlalchemy import func, select

from intrapreneur import create_app
from intrapreneur.cli import cli
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity import queries, services
from intrapreneur.identity.directory import Directory, DirectoryUnavailable
from intrapreneur.identity.local_directory import (
    Employee,
    LocalDirectoryServer,
    employee_ldif,
    person_dn,
)
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.identity.sync import SyncRefused, sync_directory
from intrapreneur.settings import DirectorySettings
from tests.conftest import (
    DIRECTORY_PEOPLE,
    csrf_token,
    directory_environment,
    environment_for,
    ldap_password,
    sign_in_as,
)

pytestmark = pytest.mark.ldap

# Everyone under the people branch: the seeded employees, the two "twins" and mallory.
IN_DIRECTORY = len(DIRECTORY_PEOPLE) + 3


def _employees() -> int:
    return db.session.scalar(
        select(func.count()).where(Person.kind == PersonKind.EMPLOYEE, Person.active)
    )


def _ghosts(make_person: Callable[..., Person], count: int) -> list[int]:
    """Ids of people we know from an earlier sync who are no longer in the directory.

    (Sync empties the session between pages, so tests hold ids, not objects.)
    """
    ghosts = [make_person(directory_id=f"gone-{n}", display_name=f"Gone {n}") for n in range(count)]
    db.session.commit()
    return [ghost.id for ghost in ghosts]


def _active(ids: list[int]) -> list[bool]:
    return [db.session.get(Person, person_id).active for person_id in ids]


def test_sync_reads_past_the_size_limit_and_builds_the_manager_tree(
    use_directory: Callable[..., DirectorySettings],
) -> None:
    report = sync_directory(Directory(use_directory()))

    assert report.seen == IN_DIRECTORY > 5  # the server returns at most 5 per search
    assert report.created == IN_DIRECTORY and _employees() == IN_DIRECTORY
    people = {p.username: p for p in db.session.scalars(select(Person))}
    assert people["erin"].manager is people["bob"]
    assert people["victor"].manager is people["cora"]
    assert {p.username for p in queries.reports_of(people["cora"].id)} == {
        "victor",
        "alice",
        "bob",
        "carol",
        "dan",
        "erin",
        "frank",
    }
    managers = {p.username for p in people.values() if Role.MANAGER in p.role_names}
    assert managers == {"cora", "victor", "bob"}
    assert Role.FACILITATOR in people["carol"].role_names
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.action == "person.provisioned"))
        == IN_DIRECTORY
    )

    again = sync_directory(Directory(use_directory()))
    assert (again.created, again.updated, again.deactivated) == (0, 0, 0)


def test_dry_run_changes_nothing(use_directory: Callable[..., DirectorySettings]) -> None:
    report = sync_directory(Directory(use_directory()), dry_run=True)
    assert report.created == IN_DIRECTORY
    assert _employees() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_too_many_departures_stop_the_run_unless_forced(
    use_directory: Callable[..., DirectorySettings], make_person: Callable[..., Person]
) -> None:
    directory = Directory(use_directory())
    sync_directory(directory)
    ghosts = _ghosts(make_person, 3)

    with pytest.raises(SyncRefused, match="would deactivate 3 of 14 active people"):
        sync_directory(directory, max_deactivate_share=0.1)
    assert _active(ghosts) == [True, True, True]

    report = sync_directory(directory, force=True)
    assert report.deactivated == 3 and _active(ghosts) == [False, False, False]
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.action == "person.deactivated"))
        == 3
    )


def test_deactivated_people_lose_their_session_at_once(
    client: Any,
    use_directory: Callable[..., DirectorySettings],
    make_person: Callable[..., Person],
) -> None:
    directory = Directory(use_directory())
    sync_directory(directory)
    (ghost,) = _ghosts(make_person, 1)
    sign_in_as(client, db.session.get(Person, ghost))
    assert client.get("/").status_code == 200
    sync_directory(directory, max_deactivate_share=0.5)
    assert client.get("/").status_code == 302


AD_MODE = {"LDAP_ACTIVE_DIRECTORY": "true", "LDAP_NESTED_GROUPS": "false"}
# How IT takes an account away: the entry goes, or (Active Directory) it is disabled.
DEPROVISIONING = {
    "removed": ({}, lambda server: server.ldapdelete(person_dn("gina"))),
    "disabled": (
        AD_MODE,
        lambda server: server.ldapmodify(
            f"dn: {person_dn('gina')}\nchangetype: modify\n"
            "replace: userAccountControl\nuserAccountControl: 514\n"
        ),
    ),
}


@pytest.mark.parametrize("how", sorted(DEPROVISIONING))
def test_an_employee_deprovisioned_in_the_directory_loses_access_after_the_sync(
    client: Any,
    use_directory: Callable[..., DirectorySettings],
    ldap_server: LocalDirectoryServer,
    how: str,
) -> None:
    """Signed in for real through the directory; IT takes the account away; the next sync
    ends the session that the browser still holds."""
    variables, deprovision = DEPROVISIONING[how]
    directory = Directory(use_directory(**variables))
    entry = employee_ldif(Employee("gina", "Gina Gone", ldap_password("gina")))
    ldap_server.ldapadd(entry + "objectClass: adCompatibleAccount\nuserAccountControl: 512\n")
    try:
        data = {"csrf_token": csrf_token(client, "/sign-in"), "login": "gina"}
        signed_in = client.post("/sign-in", data={**data, "password": ldap_password("gina")})
        assert signed_in.status_code == 302
        assert "Hello, Gina Gone" in client.get("/").get_data(as_text=True)
        deprovision(ldap_server)
    finally:
        if how != "removed":
            ldap_server.ldapdelete(person_dn("gina"))

    sync_directory(directory, max_deactivate_share=0.5)

    refused = client.get("/")
    assert refused.status_code == 302 and refused.location.startswith("/sign-in")


def test_a_returning_person_is_reactivated_with_their_history(
    use_directory: Callable[..., DirectorySettings],
) -> None:
    directory = Directory(use_directory())
    sync_directory(directory)
    bob = db.session.scalars(select(Person).where(Person.username == "bob")).one()
    bob.active = False
    db.session.commit()

    report = sync_directory(directory)

    assert report.reactivated == 1 and _active([bob.id]) == [True]
    assert db.session.scalar(select(func.count()).where(Person.username == "bob")) == 1


def test_an_empty_or_unreachable_directory_is_never_read_as_everyone_left(
    use_directory: Callable[..., DirectorySettings], closed_port: int
) -> None:
    sync_directory(Directory(use_directory()))
    with pytest.raises(SyncRefused, match="returned nobody"):
        sync_directory(Directory(use_directory(LDAP_USER_FILTER="(&(uid={username})(cn=nobody))")))
    with pytest.raises(DirectoryUnavailable):
        sync_directory(Directory(use_directory(LDAP_URL=f"ldap://127.0.0.1:{closed_port}")))
    assert _employees() == IN_DIRECTORY


def test_cli_sync_and_test_commands(
    app: Flask, use_directory: Callable[..., DirectorySettings]
) -> None:
    use_directory()
    runner = CliRunner()
    dry = runner.invoke(cli, ["directory", "sync", "--dry-run"], obj=_script_info(app))
    assert dry.exit_code == 0, dry.output
    assert f"Would change: {IN_DIRECTORY} created" in dry.output
    assert _employees() == 0

    shown = runner.invoke(cli, ["directory", "test", "carol"], obj=_script_info(app))
    assert shown.exit_code == 0, shown.output
    assert f"DN:          {person_dn('carol')}" in shown.output
    assert "cn=facilitators,ou=groups,dc=corp,dc=example" in shown.output
    assert "Roles:       employee, facilitator" in shown.output


def _script_info(app: Flask) -> ScriptInfo:
    return ScriptInfo(create_app=lambda: app)


def test_two_first_sign_ins_at_once_create_one_person(
    empty_database: Callable[[str], Any], tmp_path: Path, ldap_server: LocalDirectoryServer
) -> None:
    with empty_database("concurrent") as url:
        environment = {**environment_for(url, tmp_path), **directory_environment(ldap_server)}
        concurrent_app = create_app(environment)
        with concurrent_app.app_context():
            upgrade()
        directory = Directory(concurrent_app.config["DIRECTORY"])
        found = directory.authenticate("alice", "alice-Secret-Pass-1")
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def sign_in() -> None:
            with concurrent_app.app_context():
                try:
                    barrier.wait()
                    services.provision(found)
                    db.session.commit()
                except BaseException as error:
                    errors.append(error)

        threads = [threading.Thread(target=sign_in) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        with concurrent_app.app_context():
            count = db.session.scalar(select(func.count()).where(Person.username == "alice"))
            db.session.remove()
            db.engine.dispose()
        assert errors == []
        assert count == 1


def test_disabled_accounts_are_not_synced_as_active(
    use_directory: Callable[..., DirectorySettings],
) -> None:
    report = sync_directory(
        Directory(use_directory(LDAP_ACTIVE_DIRECTORY="true", LDAP_NESTED_GROUPS="false"))
    )
    assert report.seen == IN_DIRECTORY - 1
    assert db.session.scalar(select(func.count()).where(Person.username == "mallory")) == 0
