"""Sign-in against a real Active Directory (Samba AD): names, identity, nested groups, the
account states AD refuses with the right password, and LDAPS with the DC's own CA."""

from __future__ import annotations

import logging
from collections.abc import Callable

import ldap
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core import services as audit
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.directory import (
    AccountRefused,
    CertificateNotTrusted,
    Directory,
    DirectoryUnavailable,
    InvalidCredentials,
    normalise_dn,
)
from intrapreneur.identity.models import Person, Role
from intrapreneur.settings import DirectorySettings
from tests.ad.conftest import (
    STAFF,
    Organisation,
    ad_password,
    group_dn,
    staff_dn,
    upn,
)
from tests.conftest import csrf_token, submit_sign_in

pytestmark = pytest.mark.samba


def _refusals() -> list[dict[str, str]]:
    return [
        event.details
        for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.sign_in_refused")
        )
    ]


def test_sign_in_by_account_name_or_principal_name_is_one_person(
    client: FlaskClient, use_active_directory: Callable[..., DirectorySettings]
) -> None:
    use_active_directory()
    assert submit_sign_in(client, "alice", ad_password("alice")).status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert submit_sign_in(client, upn("alice"), ad_password("alice")).status_code == 302

    people = db.session.scalars(select(Person).where(Person.directory_id.is_not(None))).all()
    assert len(people) == 1
    alice = people[0]
    assert (alice.username, alice.email, alice.display_name) == (
        "alice",
        "alice@corp.test",
        "Alice Archer",
    )
    assert alice.department is not None and alice.department.name == "People"
    assert len(alice.directory_id or "") == 36  # objectGUID, read as a UUID


def test_nested_groups_give_roles_through_the_in_chain_rule(
    use_active_directory: Callable[..., DirectorySettings],
) -> None:
    directory = Directory(use_active_directory())
    alice = directory.authenticate("alice", ad_password("alice"))
    carol = directory.authenticate(upn("carol"), ad_password("carol"))
    assert alice.roles == {"hr"} and carol.roles == {"facilitator"}
    looked_up = directory.lookup("carol")
    assert looked_up is not None
    chain = {normalise_dn(group_dn(name)) for name in ("Coaches", "Senior Coaches", "Facilitators")}
    assert chain <= looked_up.groups


def test_group_search_mode_finds_the_same_roles(
    use_active_directory: Callable[..., DirectorySettings],
) -> None:
    directory = Directory(use_active_directory(LDAP_GROUP_MEMBERSHIP="search"))
    assert directory.authenticate("carol", ad_password("carol")).roles == {"facilitator"}
    assert directory.authenticate("dan", ad_password("dan")).roles == {"admin"}


def test_a_renamed_account_stays_the_same_person(
    client: FlaskClient,
    use_active_directory: Callable[..., DirectorySettings],
    samba_ad: Organisation,
) -> None:
    use_active_directory()
    assert submit_sign_in(client, "dan", ad_password("dan")).status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    dc = samba_ad.dc
    dc.rename(staff_dn("dan"), "CN=daniel")
    dc.modify(staff_dn("daniel"), [(ldap.MOD_REPLACE, "sAMAccountName", [b"daniel"])])
    try:
        assert submit_sign_in(client, "daniel", ad_password("dan")).status_code == 302
        db.session.expire_all()
        people = db.session.scalars(select(Person).where(Person.directory_id.is_not(None))).all()
        assert [(person.username, person.directory_dn) for person in people] == [
            ("daniel", normalise_dn(staff_dn("daniel")))
        ]
        assert Role.ADMIN in people[0].role_names  # the group followed the rename
    finally:
        dc.modify(staff_dn("daniel"), [(ldap.MOD_REPLACE, "sAMAccountName", [b"dan"])])
        dc.rename(staff_dn("daniel"), "CN=dan")


@pytest.mark.parametrize(
    ("name", "reason", "message"),
    [
        ("mallory", "account_disabled", "Your company account is disabled."),
        ("ed", "account_expired", "Your company account has expired."),
        ("lou", "account_locked", "Your company account is locked after too many wrong"),
        ("pete", "password_expired", "Your company password has expired."),
        ("nina", "password_change_required", "Your company password must be changed"),
    ],
)
def test_an_account_ad_refuses_gets_its_own_message_and_record(
    client: FlaskClient,
    use_active_directory: Callable[..., DirectorySettings],
    caplog: pytest.LogCaptureFixture,
    name: str,
    reason: str,
    message: str,
) -> None:
    use_active_directory()
    caplog.set_level(logging.WARNING)
    refused = submit_sign_in(client, name, ad_password(name))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 401
    assert message in page and "The username or password is not right." not in page
    assert _refusals() == [{"reason": reason, "login_hash": audit.typed_text_hash(name)}]
    assert [r.reason for r in caplog.records if r.getMessage() == "sign-in refused"] == [reason]
    assert client.get("/").status_code == 302  # not signed in
    assert db.session.scalars(select(Person).where(Person.username == name)).first() is None


def test_a_disabled_account_with_a_wrong_password_is_a_wrong_password(
    client: FlaskClient, use_active_directory: Callable[..., DirectorySettings]
) -> None:
    use_active_directory()
    refused = submit_sign_in(client, "mallory", "not-her-password")
    assert "The username or password is not right." in refused.get_data(as_text=True)
    assert _refusals() == [
        {"reason": "wrong_password", "login_hash": audit.typed_text_hash("mallory")}
    ]


def test_the_directory_layer_names_each_refusal(
    use_active_directory: Callable[..., DirectorySettings],
) -> None:
    directory = Directory(use_active_directory())
    for name, reason in (("mallory", "account_disabled"), ("ed", "account_expired")):
        with pytest.raises(AccountRefused) as refusal:
            directory.authenticate(name, ad_password(name))
        assert refusal.value.reason == reason
    with pytest.raises(InvalidCredentials, match="wrong_password"):
        directory.authenticate("alice", "not-her-password")


def test_ldaps_and_start_tls_verify_the_dc_certificate_with_its_ca(
    use_active_directory: Callable[..., DirectorySettings], samba_ad: Organisation
) -> None:
    over_ldaps = Directory(use_active_directory())
    assert over_ldaps.authenticate("alice", ad_password("alice")).username == "alice"
    start_tls = Directory(
        use_active_directory(LDAP_URL=samba_ad.dc.ldap_uri, LDAP_START_TLS="true")
    )
    assert start_tls.authenticate("alice", ad_password("alice")).username == "alice"


@pytest.mark.parametrize("start_tls", [False, True])
def test_a_wrong_ca_file_is_reported_as_a_certificate_problem(
    client: FlaskClient,
    use_active_directory: Callable[..., DirectorySettings],
    samba_ad: Organisation,
    caplog: pytest.LogCaptureFixture,
    start_tls: bool,
) -> None:
    url = samba_ad.dc.ldap_uri if start_tls else samba_ad.dc.ldaps_uri
    settings = use_active_directory(
        LDAP_URL=url,
        LDAP_START_TLS=str(start_tls).lower(),
        LDAP_CA_FILE=str(samba_ad.wrong_ca_file),
    )
    with pytest.raises(CertificateNotTrusted) as problem:
        Directory(settings).ping()
    assert "INTRAPRENEUR_LDAP_CA_FILE" in str(problem.value)
    assert str(samba_ad.wrong_ca_file) in str(problem.value)

    refused = submit_sign_in(client, "alice", ad_password("alice"))
    assert refused.status_code == 503
    assert "does not trust the company directory" in refused.get_data(as_text=True)
    assert _refusals() == [
        {"reason": "directory_certificate_untrusted", "login_hash": audit.typed_text_hash("alice")}
    ]
    assert any("INTRAPRENEUR_LDAP_CA_FILE" in record.getMessage() for record in caplog.records)


def test_a_server_that_is_down_is_still_reported_as_down(
    use_active_directory: Callable[..., DirectorySettings], closed_port: int
) -> None:
    settings = use_active_directory(LDAP_URL=f"ldaps://127.0.0.1:{closed_port}")
    with pytest.raises(DirectoryUnavailable) as problem:
        Directory(settings).ping()
    assert not isinstance(problem.value, CertificateNotTrusted)


def test_the_service_account_reads_people_under_the_user_base_only(
    use_active_directory: Callable[..., DirectorySettings],
) -> None:
    directory = Directory(use_active_directory())
    assert directory.lookup("svc-intrapreneur") is None
    found = directory.lookup("cora")
    assert found is not None and found.dn.lower() == staff_dn("cora").lower()
    assert STAFF.lower() in found.dn.lower()
