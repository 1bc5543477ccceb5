"""Admins narrow the audit log by person, kind of event and days (their own days), page
through it with the filters kept, and export it as JSON lines for a SIEM, streamed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.core import services as audit
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests.conftest import sign_in_as

AUDIT = "/admin/audit"
EXPORT = "/admin/audit/export.jsonl"
# 23:30 on 14 January in Tokyo is 14:30 UTC; 00:30 on 16 January in Tokyo is 15:30 UTC on the 15th.
LATE_ON_THE_14TH = datetime(2026, 1, 14, 14, 30, tzinfo=UTC)
EARLY_ON_THE_16TH = datetime(2026, 1, 15, 15, 30, tzinfo=UTC)
ON_THE_15TH = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)


def _event(
    action: str, at: datetime, actor: Person | None = None, obj: Any = None, **details: Any
) -> None:
    recorded = audit.record(action, actor=actor, obj=obj, **details)
    recorded.occurred_at = at


@pytest.fixture
def admin(client: FlaskClient, make_person: Callable[..., Person]) -> Person:
    person = make_person(Role.ADMIN, display_name="Amira Haddad", time_zone="Asia/Tokyo")
    sign_in_as(client, person)
    return person


@pytest.fixture
def people(make_person: Callable[..., Person]) -> dict[str, Person]:
    return {
        "tom": make_person(display_name="Tom Becker", username="tbecker"),
        "lena": make_person(display_name="Lena Vogel", username="lvogel"),
    }


def _rows(page: str) -> list[str]:
    return re.findall(r"<tr>\s*<td><time.*?</tr>", page, re.S)


def _error_of(page: str, field: str) -> str:
    found = re.search(rf'id="{field}-error">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def test_the_log_is_narrowed_to_a_person_by_name_username_or_id(
    client: FlaskClient, admin: Person, people: dict[str, Person]
) -> None:
    tom, lena = people["tom"], people["lena"]
    _event("experiment.moved", ON_THE_15TH, actor=tom, round="by tom")
    _event("guest.invited", ON_THE_15TH, actor=admin, obj=tom, round="to tom")
    _event("experiment.moved", ON_THE_15TH, actor=lena, round="by lena")
    _event("guest.invited", ON_THE_15TH, actor=admin, obj=lena, round="to lena")
    db.session.commit()

    for asked in ("becker", "TBECK", str(tom.id)):
        page = client.get(AUDIT, query_string={"person": asked}).get_data(as_text=True)
        assert "round: by tom" in page and "round: to tom" in page, asked
        assert "lena" not in page, asked
    nobody = client.get(AUDIT, query_string={"person": "100%_"}).get_data(as_text=True)
    assert _rows(nobody) == [] and "No events match these filters." in nobody


def test_the_days_are_the_readers_own_and_both_are_included(
    client: FlaskClient, admin: Person
) -> None:
    for at, label in (
        (LATE_ON_THE_14TH, "the 14th"),
        (ON_THE_15TH, "the 15th"),
        (EARLY_ON_THE_16TH, "the 16th"),
    ):
        _event("person.checked", at, actor=admin, day=label)
    _event("person.checked", ON_THE_15TH - timedelta(days=3), actor=admin, day="the 12th")
    db.session.commit()

    only_15th = client.get(AUDIT, query_string={"since": "2026-01-15", "until": "2026-01-15"})
    text = only_15th.get_data(as_text=True)
    assert only_15th.status_code == 200
    assert "day: the 15th" in text
    assert "day: the 14th" not in text and "day: the 16th" not in text  # Tokyo's days, not UTC's
    from_14th = client.get(AUDIT, query_string={"since": "2026-01-14"}).get_data(as_text=True)
    assert all(f"day: the {n}" in from_14th for n in ("14th", "15th", "16th"))
    assert "day: the 12th" not in from_14th
    until_14th = client.get(AUDIT, query_string={"until": "2026-01-14"}).get_data(as_text=True)
    assert "day: the 14th" in until_14th and "day: the 12th" in until_14th
    assert "day: the 15th" not in until_14th


def test_the_filters_combine_and_survive_paging(
    client: FlaskClient, admin: Person, people: dict[str, Person]
) -> None:
    for number in range(60):
        _event("person.checked", ON_THE_15TH, actor=admin, obj=people["tom"], round=number)
    _event("guest.invited", ON_THE_15TH, actor=admin, obj=people["tom"])
    _event("person.checked", ON_THE_15TH, actor=admin, obj=people["lena"], round="lena")
    db.session.commit()
    chosen = {"person": "Tom", "action": "person.checked", "since": "2026-01-01"}

    first = client.get(AUDIT, query_string=chosen).get_data(as_text=True)
    second = client.get(AUDIT, query_string={**chosen, "page": 2}).get_data(as_text=True)

    assert "Page 1 of 2 (60 in all)" in first
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert next_link and all(
        part in next_link.group(1).replace("&amp;", "&")
        for part in ("person=Tom", "action=person.checked", "since=2026-01-01", "page=2")
    )
    assert "round: 0" in second and "guest.invited</td>" not in second + first
    assert "round: lena" not in first + second
    export_link = re.search(r'href="(/admin/audit/export\.jsonl[^"]*)"', first)
    assert export_link and "person=Tom" in export_link.group(1)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"since": "15/01/2026"}, "since", "Enter a date as YYYY-MM-DD"),
        ({"until": "2026-02-30"}, "until", "Enter a date as YYYY-MM-DD"),
        ({"since": "2026-02-01", "until": "2026-01-31"}, "until", "on or after the “From” day"),
        ({"since": "0001-01-01"}, "since", "Enter a date from 1970 to 2099."),
        ({"action": "made.up"}, "action", "Not a valid choice"),
        ({"person": "9" * 30}, "person", "No person has an id that large."),
        ({"person": "x" * 201}, "person", "Field cannot be longer than 200 characters."),
    ],
)
def test_a_filter_it_cannot_read_is_named_next_to_its_field(
    client: FlaskClient, admin: Person, query: dict[str, str], field: str, message: str
) -> None:
    _event("person.checked", ON_THE_15TH, actor=admin)
    db.session.commit()

    response = client.get(AUDIT, query_string=query)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in _error_of(page, field)
    assert "Correct the filters above" in page and _rows(page) == []
    exported = client.get(EXPORT, query_string=query)
    assert exported.status_code == 400 and message in exported.get_data(as_text=True)


def _lines(response: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def test_the_export_is_json_lines_with_the_same_filters_and_is_audited(
    client: FlaskClient, admin: Person, people: dict[str, Person]
) -> None:
    tom = people["tom"]
    _event("api_client.created", ON_THE_15TH, actor=admin, obj=tom, name="Zürich", token="ipr_x")
    _event("guest.invited", ON_THE_15TH, actor=people["lena"], obj=people["lena"])
    db.session.commit()

    response = client.get(EXPORT, query_string={"person": "tbecker", "until": "2026-01-31"})

    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/jsonl"
    assert re.fullmatch(
        r'attachment; filename="audit-log-\d{8}-\d{6}\.jsonl"',
        response.headers["Content-Disposition"],
    )
    (line,) = _lines(response)
    assert line == {
        "id": line["id"],
        "occurred_at": "2026-01-15T03:00:00+00:00",
        "actor_id": admin.id,
        "actor": "Amira Haddad",
        "action": "api_client.created",
        "object_type": "person",
        "object_id": str(tom.id),
        "details": {"name": "Zürich", "token": "[redacted]"},  # a secret-looking key is blanked
        "ip": None,
    }
    exported = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "audit_log.exported")
    ).one()
    assert exported.actor_id == admin.id
    # The typed filter may be a name: only its keyed hash is kept.
    assert exported.details == {
        "person_filter_hash": audit.typed_text_hash("tbecker"),
        "until": "2026-01-31",
    }


def test_the_export_streams_row_by_row_in_a_bounded_number_of_statements(
    client: FlaskClient, admin: Person, count_queries: Callable[[], Any]
) -> None:
    def export_all() -> tuple[int, list[bytes]]:
        with count_queries() as counted:
            response = client.get(EXPORT)
            assert response.is_streamed
            chunks = iter(response.response)
            first = next(chunks)
            rest = list(chunks)
        return counted.total, [first, *rest]

    for number in range(3):
        _event("person.checked", ON_THE_15TH, actor=admin, round=number)
    db.session.commit()
    few_statements, few_chunks = export_all()

    for number in range(700):  # more than one batch of rows
        _event("person.checked", ON_THE_15TH, actor=admin, round=number)
    db.session.commit()
    many_statements, many_chunks = export_all()

    assert few_statements == many_statements <= 6
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert len(many_chunks) == total  # one chunk per event: sent as read, never all at once
    assert all(chunk.count(b"\n") == 1 for chunk in many_chunks)
    assert len(few_chunks) == 3 + 1  # the three events and the first export's own record


def test_only_admins_export_the_log(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.HR))

    assert client.get(EXPORT).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
