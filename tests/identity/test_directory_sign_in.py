"""Employees sign in through a real slapd: search-then-bind, roles from groups, managers."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import slapdtest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity import queries
from intrapreneur.identity.directory import (
    Directory,
    DirectoryUnavailable,
    InvalidCredentials,
)
from intrapreneur.identity.local_directory import LocalDirectoryServer, group_dn, person_dn
from intrapreneur.identity.models import Person, Role
from intrapreneur.identity.passwords import hash_password
from intrapreneur.settings import DirectorySettings
from tests.conftest import GUEST_PASSWORD, csrf_token, ldap_password, submit_sign_in

pytestmark = pytest.mark.ldap


def _person(username: str) -> Person:
    return db.session.scalars(select(Person).where(Person.username == username)).one()


def test_first_sign_in_provisions_the_employee_with_roles_and_department(
    client: FlaskClient, use_directory: Callable[..., DirectorySettings]
) -> None:
    use_directory()
    response = submit_sign_in(client, "alice", ldap_password("alice"))
    assert response.status_code == 302 and response.location == "/"
    assert "Hello, Alice Archer" in client.get("/").get_data(as_text=True)

    alice = _person("alice")
    assert alice.email == "alice@corp.example" and alice.title == "HR Partner"
    assert alice.department is not None and alice.department.name == "People"
    assert alice.role_names == {Role.EMPLOYEE, Role.HR}
    assert alice.directory_dn == person_dn("alice")
    assert len(alice.directory_id or "") == 36  # entryUUID
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(alice.id))
    ).all()
    assert {"person.provisioned", "auth.signed_in"} <= set(actions)


@pytest.mark.parametrize(
    ("login", "password"),
    [
        ("alice", "wrong-password"),
        ("nobody", "whatever-password"),
        ("twin", ldap_password("twin")),  # two entries match: never pick one
    ],
)
def test_wrong_or_ambiguous_credentials_get_the_same_message(
    client: FlaskClient, use_directory: Callable[..., DirectorySettings], login: str, password: str
) -> None:
    use_directory()
    response = submit_sign_in(client, login, password)
    assert response.status_code == 401
    assert "The username or password is not right." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_empty_password_is_refused_by_the_authentication_layer(
    use_directory: Callable[..., DirectorySettings],
) -> None:
    # The test server accepts an anonymous bind, like many real ones: only our check stops it.
    directory = Directory(use_directory())
    with pytest.raises(InvalidCredentials) as refusal:
        directory.authenticate("alice", "")
    assert refusal.value.reason == "empty_password"
    with pytest.raises(InvalidCredentials, match="invalid_characters"):
        directory.authenticate("alice", "pass\0word")


@pytest.mark.parametrize(
    "username", ["al*", "*", "alice)(uid=*", "(uid=alice)", "ali\\63e", "alice\0"]
)
def test_filter_characters_in_usernames_are_escaped(
    use_directory: Callable[..., DirectorySettings], username: str
) -> None:
    directory = Directory(use_directory())
    with pytest.raises(InvalidCredentials) as refusal:
        directory.authenticate(username, ldap_password("alice"))
    assert refusal.value.reason in ("unknown_user", "invalid_characters")


def test_username_in_another_case_is_the_same_person(
    client: FlaskClient, use_directory: Callable[..., DirectorySettings]
) -> None:
    use_directory()
    assert submit_sign_in(client, "bob", ldap_password("bob")).status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert submit_sign_in(client, "BoB", ldap_password("bob")).status_code == 302
    assert db.session.scalar(select(func.count()).where(Person.directory_id.is_not(None))) == 1
    assert _person("bob").username == "bob"


def test_nested_group_gives_its_role_and_a_cycle_ends_the_walk(
    use_directory: Callable[..., DirectorySettings],
) -> None:
    directory = Directory(use_directory())
    carol = directory.authenticate("carol", ldap_password("carol"))
    assert carol.roles == {"facilitator"}
    frank = directory.lookup("frank")
    assert frank is not None and {group_dn("loop-a"), group_dn("loop-b")} <= frank.groups


def test_group_search_mode_finds_the_same_roles(
    use_directory: Callable[..., DirectorySettings],
) -> None:
    directory = Directory(use_directory(LDAP_GROUP_MEMBERSHIP="search"))
    carol = directory.lookup("carol")
    assert carol is not None and carol.roles == {"facilitator"}


def test_removing_a_group_removes_the_role_at_the_next_sign_in(
    client: FlaskClient,
    use_directory: Callable[..., DirectorySettings],
    ldap_server: LocalDirectoryServer,
) -> None:
    use_directory()
    submit_sign_in(client, "dan", ldap_password("dan"))
    assert Role.ADMIN in _person("dan").role_names
    admins = f"dn: {group_dn('admins')}\nchangetype: modify\nreplace: member\nmember: "
    # groupOfNames needs a member: the emptied group names itself.
    remove, restore = admins + group_dn("admins") + "\n", admins + person_dn("dan") + "\n"
    ldap_server.ldapmodify(remove)
    try:
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
        submit_sign_in(client, "dan", ldap_password("dan"))
        db.session.expire_all()
        assert _person("dan").role_names == {Role.EMPLOYEE}
    finally:
        ldap_server.ldapmodify(restore)


def test_managers_are_linked_in_any_order_and_indirect_reports_are_found(
    client: FlaskClient, use_directory: Callable[..., DirectorySettings]
) -> None:
    use_directory()
    for uid in ("erin", "cora", "bob", "victor"):  # reports before and after their managers
        submit_sign_in(client, uid, ldap_password(uid))
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    db.session.expire_all()
    erin, bob, victor, cora = (_person(uid) for uid in ("erin", "bob", "victor", "cora"))
    assert (erin.manager, bob.manager, victor.manager, cora.manager) == (bob, victor, cora, None)
    assert Role.MANAGER in bob.role_names and Role.MANAGER in victor.role_names
    assert Role.MANAGER not in erin.role_names
    assert {p.id for p in queries.reports_of(cora.id)} == {victor.id, bob.id, erin.id}


def test_directory_down_gives_a_clear_message_but_guests_still_sign_in(
    client: FlaskClient,
    use_directory: Callable[..., DirectorySettings],
    make_guest: Callable[..., Person],
    closed_port: int,
) -> None:
    use_directory(LDAP_URL=f"ldap://127.0.0.1:{closed_port}")
    response = submit_sign_in(client, "alice", ldap_password("alice"))
    assert response.status_code == 503
    assert "The company directory is not reachable right now" in response.get_data(as_text=True)

    guest = make_guest()
    assert submit_sign_in(client, guest.email, GUEST_PASSWORD).status_code == 302


def test_first_server_down_second_is_used(
    use_directory: Callable[..., DirectorySettings],
    ldap_server: LocalDirectoryServer,
    closed_port: int,
) -> None:
    directory = Directory(
        use_directory(LDAP_URL=f"ldap://127.0.0.1:{closed_port} {ldap_server.ldap_uri}")
    )
    assert directory.authenticate("bob", ldap_password("bob")).username == "bob"


def test_silent_server_fails_within_the_timeout(
    use_directory: Callable[..., DirectorySettings], silent_server: int
) -> None:
    directory = Directory(
        use_directory(LDAP_URL=f"ldap://127.0.0.1:{silent_server}", LDAP_TIMEOUT="1")
    )
    started = time.monotonic()
    with pytest.raises(DirectoryUnavailable):
        directory.authenticate("alice", ldap_password("alice"))
    # Without the timeout the bind would wait for ever; the bound only tells the two apart,
    # and leaves a busy machine (CI under load) the seconds it may add.
    assert time.monotonic() - started < 30


CA_FILE = str(Path(slapdtest.__file__).parent / "certs" / "ca.pem")


def test_start_tls_verifies_the_server_certificate(
    use_directory: Callable[..., DirectorySettings], ldap_server: LocalDirectoryServer
) -> None:
    trusted = Directory(use_directory(LDAP_START_TLS="true", LDAP_CA_FILE=CA_FILE))
    assert trusted.authenticate("bob", ldap_password("bob")).username == "bob"
    # Without our CA the certificate is not trusted, and nothing is sent in the clear instead.
    untrusted = Directory(use_directory(LDAP_START_TLS="true"))
    with pytest.raises(DirectoryUnavailable):
        untrusted.authenticate("bob", ldap_password("bob"))


def test_break_glass_admin_signs_in_while_the_directory_is_down(
    client: FlaskClient,
    use_directory: Callable[..., DirectorySettings],
    make_person: Callable[..., Person],
    closed_port: int,
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_directory(LDAP_URL=f"ldap://127.0.0.1:{closed_port}")
    make_person(Role.ADMIN, username="breakglass", password_hash=hash_password(GUEST_PASSWORD))
    db.session.commit()
    assert submit_sign_in(client, "breakglass", GUEST_PASSWORD).status_code == 302

    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    monkeypatch.setitem(app.config, "BREAK_GLASS_ADMIN", False)
    refused = submit_sign_in(client, "breakglass", GUEST_PASSWORD)
    assert refused.status_code == 401
    assert "Local administrator sign-in is switched off" in refused.get_data(as_text=True)


def test_active_directory_disabled_account_is_refused_after_its_password(
    client: FlaskClient, use_directory: Callable[..., DirectorySettings]
) -> None:
    use_directory(LDAP_ACTIVE_DIRECTORY="true", LDAP_NESTED_GROUPS="false")
    wrong = submit_sign_in(client, "mallory", "not-her-password")
    assert "The username or password is not right." in wrong.get_data(as_text=True)
    refused = submit_sign_in(client, "mallory", ldap_password("mallory"))
    assert refused.status_code == 401
    assert "Your company account is disabled" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302
