"""Admins read the audit log: newest first, filtered by kind, in pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests.conftest import sign_in_as


def test_admin_reads_filters_and_pages_the_audit_log(
    client: FlaskClient, make_person: Callable[..., Person], count_queries: Callable[[], Any]
) -> None:
    admin = make_person(Role.ADMIN, display_name="Amira Haddad")
    subject = make_person(display_name="Tom Becker")
    for number in range(60):
        audit.record("person.checked", actor=admin, obj=subject, round=number)
    audit.record("guest.invited", actor=admin, obj=subject, access_ends_on="2027-01-31")
    db.session.commit()
    sign_in_as(client, admin)

    with count_queries() as counted:
        first = client.get("/admin/audit").get_data(as_text=True)
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    invited = client.get("/admin/audit?action=guest.invited").get_data(as_text=True)

    assert "Page 1 of 2 (61 in all)" in first
    assert first.index("guest.invited") < first.index("person.checked")  # newest first
    assert "<td>Amira Haddad</td>" in first and admin.email not in first
    assert f"Tom Becker (person #{subject.id})" in first and "round: 59" in first
    assert "round: 0" in second and "round: 59" not in second
    assert "access_ends_on: 2027-01-31" in invited and "person.checked</td>" not in invited
    assert counted.total == 6  # person with roles, unread, open surveys, count, rows, kinds
