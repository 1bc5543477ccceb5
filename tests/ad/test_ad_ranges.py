"""Ranged retrieval of a group's members and a person's groups, as Active Directory
requires past 1,500 values.

Samba answers ranged requests exactly as AD does ("member;range=0-3" for a slice,
"member;range=12-*" for the last) but, unlike AD, never forces them on a plain request.
So the sync here reads its role groups (and sign-in a person's memberOf) in slices of a few
values (AD's 1,500 made small through ``value_range``) from the real DC: every slice must be
read for everyone in a big group to keep the role, and for a person in several groups to
keep the role each of them gives.

Real AD also cuts a plain request, and may cut below what was asked for (an administrator
can lower MaxValRange). ``ValueRangeProxy`` stands in front of the DC and does exactly
that, so the last tests read through an imitation of AD's own limit, with the app asking
both ways: for slices of 1,500 (as on AD) and for the plain attribute (as elsewhere).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import ldap
import pytest
from sqlalchemy import select

from intrapreneur.extensions import db
from intrapreneur.identity.directory import Directory
from intrapreneur.identity.models import Person, Role
from intrapreneur.identity.sync import sync_directory
from intrapreneur.settings import DirectorySettings
from tests.ad.conftest import (
    CROWD,
    SERVICE_DN,
    SERVICE_PASSWORD,
    Organisation,
    ad_password,
    group_dn,
)
from tests.ad.value_range_proxy import ValueRangeProxy

pytestmark = pytest.mark.samba

EVERYONE = {"cora", "alice", *CROWD}  # the members of "Everyone": 14


@pytest.mark.parametrize("value_range", [1, 4, 13, 14, 1500])
def test_sync_in_group_search_mode_reads_every_slice_of_a_big_group(
    use_active_directory: Callable[..., DirectorySettings], value_range: int
) -> None:
    settings = use_active_directory(
        LDAP_GROUP_MEMBERSHIP="search",
        LDAP_ROLE_MAP=json.dumps(
            {"facilitator": [group_dn("Everyone")], "admin": [group_dn("Admins")]}
        ),
    )
    sync_directory(Directory(settings, value_range=value_range))

    roles = {
        person.username: person.role_names
        for person in db.session.scalars(select(Person).where(Person.directory_id.is_not(None)))
    }
    facilitators = {name for name, held in roles.items() if Role.FACILITATOR in held}
    assert facilitators == EVERYONE
    assert {name for name, held in roles.items() if Role.ADMIN in held} == {"dan"}


# Alice is directly in "HR Partners" (inside "HR") and "Everyone": one role from each.
ROLES_FROM_TWO_GROUPS = json.dumps({"hr": [group_dn("HR")], "facilitator": [group_dn("Everyone")]})


@pytest.mark.parametrize("value_range", [1, 2, 1500])
def test_member_of_mode_reads_every_slice_of_a_persons_groups(
    use_active_directory: Callable[..., DirectorySettings], value_range: int
) -> None:
    settings = use_active_directory(
        LDAP_GROUP_MEMBERSHIP="memberof", LDAP_ROLE_MAP=ROLES_FROM_TWO_GROUPS
    )
    directory = Directory(settings, value_range=value_range)

    alice = directory.authenticate("alice", ad_password("alice"))
    assert alice.roles == {"hr", "facilitator"}
    assert {group_dn("HR Partners").lower(), group_dn("Everyone").lower()} <= alice.groups

    sync_directory(directory)
    synced = db.session.scalar(select(Person).where(Person.username == "alice"))
    assert synced is not None
    assert set(synced.role_names) == {Role.EMPLOYEE, Role.HR, Role.FACILITATOR}


@pytest.fixture
def capped_ad(samba_ad: Organisation) -> Iterator[Callable[[int], ValueRangeProxy]]:
    """``capped_ad(limit)``: the DC behind an imitation of AD's MaxValRange at ``limit``."""
    proxies: list[ValueRangeProxy] = []

    def start(limit: int) -> ValueRangeProxy:
        proxies.append(ValueRangeProxy(samba_ad.dc.address, samba_ad.dc.ca_file, limit))
        return proxies[-1]

    yield start
    for proxy in proxies:
        proxy.stop()


def test_the_proxy_cuts_a_plain_request_as_ad_does(
    capped_ad: Callable[[int], ValueRangeProxy],
) -> None:
    connection = ldap.initialize(capped_ad(4).uri)
    connection.simple_bind_s(SERVICE_DN, SERVICE_PASSWORD)
    [(_, entry)] = connection.search_s(
        group_dn("Everyone"), ldap.SCOPE_BASE, "(objectClass=*)", ["member"]
    )
    connection.unbind_s()
    assert list(entry) == ["member;range=0-3"]
    assert len(entry["member;range=0-3"]) == 4


@pytest.mark.parametrize("active_directory", ["true", "false"])
@pytest.mark.parametrize("membership", ["search", "memberof"])
def test_sync_follows_the_slices_the_server_chose_to_send(
    use_active_directory: Callable[..., DirectorySettings],
    capped_ad: Callable[[int], ValueRangeProxy],
    active_directory: str,
    membership: str,
) -> None:
    """At a limit of one value, every group of more than one member and every person in
    more than one group is cut, whether the app asked for the plain attribute or for 1,500."""
    settings = use_active_directory(
        LDAP_URL=capped_ad(1).uri,
        LDAP_ACTIVE_DIRECTORY=active_directory,
        LDAP_GROUP_MEMBERSHIP=membership,
        LDAP_ROLE_MAP=json.dumps(
            {
                "hr": [group_dn("HR")],
                "facilitator": [group_dn("Everyone")],
                "admin": [group_dn("Admins")],
            }
        ),
    )
    sync_directory(Directory(settings))

    roles = {
        person.username: set(person.role_names)
        for person in db.session.scalars(select(Person).where(Person.directory_id.is_not(None)))
    }
    assert {name for name, held in roles.items() if Role.FACILITATOR in held} == EVERYONE
    assert roles["alice"] == {Role.EMPLOYEE, Role.HR, Role.FACILITATOR}
    assert {name for name, held in roles.items() if Role.ADMIN in held} == {"dan"}
