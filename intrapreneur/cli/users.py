"""``intrapreneur users create-admin``: the break-glass local administrator;
``intrapreneur users reset-two-step``: a local account's lost second step, from the server."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity import mfa, queries, two_step_reset
from intrapreneur.identity.models import Person, PersonKind, PersonRole, Role
from intrapreneur.identity.passwords import hash_password, password_problems, personal_words

users = AppGroup("users", help="Local accounts.")


@users.command("create-admin")
@click.option("--username", required=True, help="Local sign-in name (not a directory name).")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="Full name shown in the audit log.")
@click.password_option(help="Asked for when not given; never echoed.")
def create_admin(username: str, email: str, display_name: str, password: str) -> None:
    """Create a local admin who can sign in while the directory is down.

    Production accepts this sign-in only with INTRAPRENEUR_BREAK_GLASS_ADMIN=true.
    """
    username, email = username.strip().lower(), email.strip().lower()
    if queries.local_account(username) or queries.person_by_email(email):
        click.echo(f"intrapreneur: {username} or {email} is already taken", err=True)
        sys.exit(1)
    problems = password_problems(
        password,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        personal=personal_words(username, email, display_name),
    )
    if problems:
        click.echo("intrapreneur: " + " ".join(problems), err=True)
        sys.exit(1)
    admin = Person(
        kind=PersonKind.EMPLOYEE,
        username=username,
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        roles=[PersonRole(role=Role.EMPLOYEE), PersonRole(role=Role.ADMIN)],
    )
    db.session.add(admin)
    audit.record("person.break_glass_admin_created", actor=None, obj=admin)
    db.session.commit()
    state = "enabled" if current_app.config["BREAK_GLASS_ADMIN"] else "disabled on this server"
    click.echo(f"Created local admin {username} (break-glass sign-in is {state}).")


@users.command("reset-two-step")
@click.argument("login")
def reset_two_step(login: str) -> None:
    """Reset LOGIN's two-step sign-in (a username or a guest's email).

    For the break-glass admin who lost their phone and recovery codes, when no other
    administrator can reset it on the web. Audited; the account's owner is told by email.
    """
    person = queries.local_account(login.strip().lower())
    if person is None or not two_step_reset.resettable(person, by=None):
        click.echo(f"intrapreneur: {login} is no local account with two-step sign-in on", err=True)
        sys.exit(1)
    two_step_reset.reset(person, by=None, now=datetime.now(UTC))
    db.session.commit()
    next_time = "set it up again" if mfa.is_required() else "the password alone"
    click.echo(f"Two-step sign-in of {login} is reset: the next sign-in takes {next_time}.")
