"""One Samba AD domain controller per test process, seeded with a small organisation.

Staff (OU=Staff) sign in by sAMAccountName or userPrincipalName; roles come from groups in
OU=Groups, some only through nesting, read with AD's in-chain rule. Mallory's account is
disabled, Ed's expired, Pete's password expired, Nina's password to be changed at her next
sign-in, and Lou locked out after two wrong passwords (a fine-grained password policy of
his own); a dozen more people make the sync read several pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import ldap
import pytest
from flask import Flask

from intrapreneur.settings import DirectorySettings
from tests.ad.samba_ad import (
    LONG_AGO,
    REALM,
    SAMBA_MISSING,
    SUFFIX,
    SambaDomainController,
    make_certificate_authority,
    samba_binary,
)
from tests.conftest import directory_configurer

STAFF = f"OU=Staff,{SUFFIX}"
GROUPS = f"OU=Groups,{SUFFIX}"
SERVICE_DN = f"CN=svc-intrapreneur,CN=Users,{SUFFIX}"
SERVICE_PASSWORD = "Service-Account-Pass-1!"
LOCKOUT_THRESHOLD = 2
# More people than the tests' page size (5), so reading them all takes several pages.
CROWD = [f"staff{number:02d}" for number in range(1, 13)]


def ad_password(name: str) -> str:
    return f"{name}-Secret-Pass-1!"


def staff_dn(name: str) -> str:
    return f"CN={name},{STAFF}"


def group_dn(name: str) -> str:
    return f"CN={name},{GROUPS}"


@dataclass(frozen=True)
class Organisation:
    dc: SambaDomainController
    wrong_ca_file: Path


def _seed(dc: SambaDomainController) -> None:
    dc.add_organisational_unit("Staff")
    dc.add_organisational_unit("Groups")
    dc.add_user("svc-intrapreneur", f"CN=Users,{SUFFIX}", SERVICE_PASSWORD)

    def person(name: str, display: str, **values: str) -> str:
        return dc.add_user(
            name, STAFF, ad_password(name), displayName=display, mail=f"{name}@corp.test", **values
        )

    person("cora", "Cora Chief", department="Executive", title="CEO")
    person(
        "alice", "Alice Archer", department="People", title="HR Partner", manager=staff_dn("cora")
    )
    person("carol", "Carol Cole", department="Operations", title="Coach", manager=staff_dn("cora"))
    person("dan", "Dan Dyer", department="IT", title="Engineer", manager=staff_dn("cora"))
    person("mallory", "Mallory Left", disabled=True)
    person("ed", "Ed Expired", accountExpires=LONG_AGO)
    lou = person("lou", "Lou Locked")
    dc.age_password(person("pete", "Pete Stale"))
    must_change = person("nina", "Nina New")
    dc.modify(must_change, [(ldap.MOD_REPLACE, "pwdLastSet", [b"0"])])  # change at next logon
    for name in CROWD:
        person(name, f"Staff {name[-2:]}", department="Sales")
    # Alice is HR only through "HR Partners" inside "HR"; Carol a facilitator two levels down.
    dc.add_group("HR Partners", GROUPS, [staff_dn("alice")])
    dc.add_group("HR", GROUPS, [group_dn("HR Partners")])
    dc.add_group("Coaches", GROUPS, [staff_dn("carol")])
    dc.add_group("Senior Coaches", GROUPS, [group_dn("Coaches")])
    dc.add_group("Facilitators", GROUPS, [group_dn("Senior Coaches")])
    dc.add_group("Admins", GROUPS, [staff_dn("dan")])
    dc.add_group("Everyone", GROUPS, [staff_dn(name) for name in ("cora", "alice", *CROWD)])
    dc.add_lockout_policy(lou, LOCKOUT_THRESHOLD)
    dc.lock_out(lou, LOCKOUT_THRESHOLD)


@pytest.fixture(scope="session")
def samba_ad(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Organisation]:
    """The running DC (fails, never skips, without samba: `make test` installs it)."""
    if samba_binary() is None:
        pytest.fail(SAMBA_MISSING)
    root = tmp_path_factory.mktemp("samba-ad")
    dc = SambaDomainController(root)
    dc.start()
    try:
        _seed(dc)
        wrong_ca, _ = make_certificate_authority(root / "other-ca", "Unrelated CA")
        yield Organisation(dc, wrong_ca)
    finally:
        dc.stop()


def ad_environment(dc: SambaDomainController, **variables: str) -> dict[str, str]:
    base = {
        "LDAP_URL": dc.ldaps_uri,
        "LDAP_CA_FILE": str(dc.ca_file),
        "LDAP_BIND_DN": SERVICE_DN,
        "LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
        "LDAP_USER_BASE": STAFF,
        "LDAP_USER_FILTER": (
            "(&(objectCategory=person)(objectClass=user)"
            "(|(sAMAccountName={username})(userPrincipalName={username})))"
        ),
        "LDAP_GROUP_BASE": GROUPS,
        "LDAP_ACTIVE_DIRECTORY": "true",
        "LDAP_NESTED_GROUPS": "true",
        "LDAP_TIMEOUT": "5",
        "LDAP_PAGE_SIZE": "5",
        "LDAP_ATTR_MAP": json.dumps(
            {
                "id": "objectGUID",
                "username": "sAMAccountName",
                "email": "mail",
                "name": "displayName",
                "department": "department",
                "title": "title",
                "manager": "manager",
            }
        ),
        "LDAP_ROLE_MAP": json.dumps(
            {
                "hr": [group_dn("HR")],
                "admin": [group_dn("Admins")],
                "facilitator": [group_dn("Facilitators")],
            }
        ),
    }
    return {f"INTRAPRENEUR_{name}": value for name, value in {**base, **variables}.items()}


@pytest.fixture
def use_active_directory(
    app: Flask, samba_ad: Organisation, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., DirectorySettings]:
    """Point the app at the Samba DC; keyword arguments override INTRAPRENEUR_LDAP_* names."""
    return directory_configurer(app, monkeypatch, partial(ad_environment, samba_ad.dc))


def upn(name: str) -> str:
    return f"{name}@{REALM.lower()}"
