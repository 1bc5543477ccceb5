"""The nightly sync against a real Active Directory (Samba AD): every page, disabled
accounts deactivated, roles through nested groups."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from intrapreneur.extensions import db
from intrapreneur.identity.directory import Directory
from intrapreneur.identity.models import Person, Role
from intrapreneur.identity.sync import sync_directory
from intrapreneur.settings import DirectorySettings
from tests.ad.conftest import CROWD

pytestmark = pytest.mark.samba

ENABLED = {"cora", "alice", "carol", "dan", "ed", "lou", "pete", "nina", *CROWD}


@pytest.mark.parametrize("membership", ["memberof", "search"])
def test_sync_reads_every_page_and_keeps_disabled_accounts_out(
    use_active_directory: Callable[..., DirectorySettings], membership: str
) -> None:
    settings = use_active_directory(LDAP_GROUP_MEMBERSHIP=membership)
    assert settings.page_size < len(ENABLED)  # several pages

    report = sync_directory(Directory(settings))

    people = {
        person.username: person
        for person in db.session.scalars(select(Person).where(Person.directory_id.is_not(None)))
    }
    # An expired or locked account, or a password to change, is still enabled on AD
    # (userAccountControl says nothing of them); only the disabled one is left out.
    assert set(people) == ENABLED and report.created == len(ENABLED)
    assert Role.HR in people["alice"].role_names
    assert Role.FACILITATOR in people["carol"].role_names
    assert Role.ADMIN in people["dan"].role_names
    assert people["alice"].manager == people["cora"]
    assert len({person.directory_id for person in people.values()}) == len(ENABLED)
