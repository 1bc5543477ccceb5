"""Only an admin changes the minimum group sizes, within the engine's limits, audited; the
dashboards follow at once."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core.models import AuditEvent
from intrapreneur.culture.dashboard import rules_in_force
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests.conftest import csrf_token, sign_in_as


def _post(client: FlaskClient, **data: object):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/privacy", data={"csrf_token": csrf_token(client, "/admin/privacy"), **data}
    )


def test_an_admin_lowers_the_minimum_and_it_is_audited(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.ADMIN))
    assert 'value="5"' in client.get("/admin/privacy").get_data(as_text=True)

    assert _post(client, min_group=3, min_group_comments=10).status_code == 302

    db.session.expire_all()
    assert (rules_in_force().k, rules_in_force().comment_k) == (3, 10)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.min_group_changed")
    ).one()
    assert event.details["min_group_before"] == 5 and event.details["min_group"] == 3


def test_limits_are_refused_with_the_reason_and_nothing_changes(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.ADMIN))

    too_small = _post(client, min_group=2, min_group_comments=10)
    comments_below = _post(client, min_group=6, min_group_comments=4)

    assert too_small.status_code == 422
    assert "Number must be between 3 and 50." in too_small.get_data(as_text=True)
    assert comments_below.status_code == 422
    assert "Not changed" in comments_below.get_data(as_text=True)
    assert (rules_in_force().k, rules_in_force().comment_k) == (5, 10)


def test_hr_cannot_change_the_rules(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sign_in_as(client, make_person(Role.HR))
    assert client.get("/admin/privacy").status_code == 403
