"""The administrators' people pages and the command line: finding people, a person's
data-protection page, erasing through the form (CSRF, typed confirmation, refusals), and
``intrapreneur people erase``."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.cli import cli
from intrapreneur.core.models import AuditEvent
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.privacy.erasure import tombstone
from tests.conftest import csrf_token, sign_in_as
from tests.experiments.builders import venture_for

MakePerson = Callable[..., Person]
NOW = datetime.now(UTC)


@pytest.fixture
def admin(make_person: MakePerson) -> Person:
    return make_person(Role.ADMIN, display_name="Amira Admin")


@pytest.fixture
def leaver(make_person: MakePerson) -> Person:
    person = make_person(
        display_name="Lena Leaver",
        username="lleaver",
        email="lena.leaver@corp.example",
        directory_id="dir-lena",
        active=False,
        deactivated_at=NOW,
    )
    db.session.add(Notification(person_id=person.id, text="Welcome, Lena Leaver"))
    db.session.commit()
    return person


def _names(page: str) -> list[str]:
    return re.findall(r'<a href="/admin/people/\d+"[^>]*>([^<]+)</a>', page)


def test_admins_find_people_by_name_email_or_username_and_page_through_them(
    app: Flask, client: FlaskClient, admin: Person, make_person: MakePerson
) -> None:
    make_person(display_name="Zoe Quill", username="zquill", email="zoe@corp.example")
    make_person(display_name="Zed Quarry", username="zq_x", email="zed@corp.example")
    for number in range(30):
        make_person(display_name=f"Filler {number:02d}")
    db.session.commit()
    sign_in_as(client, admin)
    assert _names(client.get("/admin/people?q=QUILL").get_data(as_text=True)) == ["Zoe Quill"]
    assert _names(client.get("/admin/people?q=zed@corp").get_data(as_text=True)) == ["Zed Quarry"]
    assert _names(client.get("/admin/people?q=zq_").get_data(as_text=True)) == ["Zed Quarry"]
    nobody = client.get("/admin/people?q=%25").get_data(as_text=True)  # % is taken literally
    assert _names(nobody) == [] and "Nobody’s name, email address or username contains" in nobody
    first = client.get("/admin/people").get_data(as_text=True)
    assert len(_names(first)) == 25 and "Page 1 of 2 (33 in all)" in first
    second = client.get("/admin/people?page=2").get_data(as_text=True)
    assert len(_names(second)) == 8
    assert not set(_names(first)) & set(_names(second))
    filtered = client.get("/admin/people?q=Filler&page=2").get_data(as_text=True)
    assert _names(filtered) == [f"Filler {n}" for n in range(25, 30)]


def test_non_admins_cannot_erase(
    app: Flask, client: FlaskClient, leaver: Person, make_person: MakePerson
) -> None:
    hr = make_person(Role.HR)
    db.session.commit()
    sign_in_as(client, hr)
    token = csrf_token(client, "/")
    answer = client.post(f"/admin/people/{leaver.id}/erase", data={"csrf_token": token})
    assert answer.status_code == 403
    assert client.get(f"/admin/people/{leaver.id}").status_code == 403
    db.session.refresh(leaver)
    assert leaver.erased_at is None


def _erase(client: FlaskClient, person: Person, confirm: str) -> object:
    url = f"/admin/people/{person.id}"
    return client.post(
        f"{url}/erase", data={"csrf_token": csrf_token(client, url), "confirm": confirm}
    )


def test_erasing_through_the_form_takes_the_csrf_token_and_the_typed_username(
    app: Flask, client: FlaskClient, admin: Person, leaver: Person
) -> None:
    sign_in_as(client, admin)
    page = client.get(f"/admin/people/{leaver.id}").get_data(as_text=True)
    assert "lleaver" in page and "What erasing them would do" in page
    assert re.search(r"<code>notification</code></th><td>0</td><td>1</td>", page)
    assert tombstone(leaver.id) in page
    forged = client.post(
        f"/admin/people/{leaver.id}/erase", data={"csrf_token": "forged", "confirm": "lleaver"}
    )
    assert forged.status_code == 400
    wrong = _erase(client, leaver, "Lena Leaver")
    assert wrong.status_code == 422
    assert "This is not their username or email address: nobody was erased." in wrong.get_data(
        as_text=True
    )
    db.session.refresh(leaver)
    assert leaver.erased_at is None and leaver.display_name == "Lena Leaver"
    done = _erase(client, leaver, " LENA.LEAVER@corp.example ")
    assert done.status_code == 302 and done.location == f"/admin/people/{leaver.id}"
    after = client.get(done.location).get_data(as_text=True)
    assert f"Erased: the records now name them {tombstone(leaver.id)}." in after
    assert "What the erasure changed" in after
    assert re.search(r"<code>notification</code></th><td>0</td><td>1</td>", after)
    assert "Lena" not in after and "lleaver" not in after
    db.session.refresh(leaver)
    assert leaver.display_name == tombstone(leaver.id) and leaver.username is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person.erased")).one()
    assert event.actor_id == admin.id
    listed = client.get("/admin/people?q=former").get_data(as_text=True)
    assert _names(listed) == [tombstone(leaver.id)] and "erased" in listed


def test_the_page_shows_the_refusals_and_a_forced_post_is_refused(
    app: Flask, client: FlaskClient, admin: Person, leaver: Person
) -> None:
    venture = venture_for(leaver, "Pre-orders", now=NOW)
    db.session.commit()
    sign_in_as(client, admin)
    page = client.get(f"/admin/people/{leaver.id}").get_data(as_text=True)
    assert f"They are the only owner of venture #{venture.id}" in page
    assert 'name="confirm"' not in page and "Pre-orders" not in page
    refused = _erase(client, leaver, "lleaver")
    assert refused.status_code == 409
    assert f"venture #{venture.id}" in refused.get_data(as_text=True)
    db.session.refresh(leaver)
    assert leaver.erased_at is None
    assert db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.person_id == leaver.id)
    )


def _command(app: Flask, *arguments: str, answer: str = "") -> object:
    return CliRunner().invoke(
        cli, ["people", "erase", *arguments], input=answer, obj=ScriptInfo(create_app=lambda: app)
    )


def test_the_command_line_erases_after_asking_and_says_what_it_did(
    app: Flask, leaver: Person
) -> None:
    kept = _command(app, "lleaver", answer="n\n")
    assert kept.exit_code == 1 and "Erase Lena Leaver" in kept.output
    db.session.refresh(leaver)
    assert leaver.erased_at is None
    done = _command(app, str(leaver.id), answer="y\n")
    assert done.exit_code == 0, done.output
    assert f"Person #{leaver.id} is erased; the records now name {tombstone(leaver.id)}." in (
        done.output
    )
    assert "notification: 0 changed, 1 deleted" in done.output
    again = _command(app, str(leaver.id), "--yes")
    assert again.exit_code == 1
    assert "This person is already erased" in again.output
    assert _command(app, "nobody-here", "--yes").exit_code == 1


def test_the_command_line_says_why_it_refuses_in_english(
    app: Flask, make_person: MakePerson
) -> None:
    app.config["DEFAULT_LOCALE"], was = "de", app.config["DEFAULT_LOCALE"]
    try:
        active = make_person(username="still-on", directory_id="dir-still-on")
        db.session.commit()
        refused = _command(app, "still-on", "--yes")
    finally:
        app.config["DEFAULT_LOCALE"] = was
    assert refused.exit_code == 1
    assert "the directory sync has not seen them leave" in refused.output
    db.session.refresh(active)
    assert active.erased_at is None
