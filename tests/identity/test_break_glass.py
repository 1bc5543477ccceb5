"""``intrapreneur users create-admin``: a local admin for when the directory is down."""

from __future__ import annotations

from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import select

from intrapreneur.cli import cli
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.identity.passwords import verify_password
from tests.conftest import GUEST_PASSWORD


def _create(app: Flask, password: str) -> object:
    arguments = ["users", "create-admin", "--username", "BreakGlass", "--email", "it@corp.example"]
    return CliRunner().invoke(
        cli,
        [*arguments, "--name", "IT on call"],
        input=f"{password}\n{password}\n",
        obj=ScriptInfo(create_app=lambda: app),
    )


def test_create_admin_refuses_a_weak_password_and_creates_nothing(app: Flask) -> None:
    result = _create(app, "password123")
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    assert db.session.scalar(select(Person).where(Person.username == "breakglass")) is None


def test_create_admin_creates_a_local_admin(app: Flask) -> None:
    result = _create(app, GUEST_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "Created local admin breakglass" in result.output
    admin = db.session.scalars(select(Person).where(Person.username == "breakglass")).one()
    assert admin.role_names == {Role.EMPLOYEE, Role.ADMIN}
    assert verify_password(admin.password_hash, GUEST_PASSWORD)
    assert GUEST_PASSWORD not in result.output
