"""Starting a session once a person is known, and the half-signed-in state between a local
account's password and its second step (no routes here: ``auth`` and ``two_step`` have them).

The half-signed-in state lives in the signed session under its own key, never under
Flask-Login's: until the code is given, the person is anonymous to every page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user

from intrapreneur.core.security import note_signed_in_now, safe_next
from intrapreneur.extensions import db
from intrapreneur.identity import mfa, services
from intrapreneur.identity.models import Person

PENDING = "second_step"
# Long enough to find the phone, short enough that a forgotten tab does not stay half open.
PENDING_FOR = timedelta(minutes=10)


def next_url() -> str:
    """Where a sign-in goes on to: the page asked for, if it is one of ours, else home."""
    return safe_next(request.args.get("next"), url_for("main.home"))


def after_sign_in() -> ResponseReturnValue:
    return redirect(next_url())


def start_session(person: Person, method: str) -> None:
    session.clear()
    login_user(person)
    session.permanent = True
    note_signed_in_now()
    services.note_sign_in(person, method=method, now=datetime.now(UTC))


def continue_sign_in(
    person: Person, method: str, next_url: str, welcome: str | None = None
) -> ResponseReturnValue:
    """After the password: signed in now, or half signed in and sent to the second step.
    Commits either way (the caller's changes, such as a new password, with it)."""
    step = mfa.step_after_password(person, method)
    if step is None:
        start_session(person, method)
        db.session.commit()
        if welcome:
            flash(welcome, "success")
        return redirect(next_url)
    session.clear()
    session[PENDING] = {
        "person": person.id,
        "version": person.session_version,
        "method": method,
        "step": step,
        "next": next_url,
        "welcome": welcome,
        "since": datetime.now(UTC).timestamp(),
    }
    db.session.commit()
    return redirect(
        url_for("two_step.code" if step == mfa.Step.CODE else "two_step.set_up_at_sign_in")
    )


def _pending() -> dict[str, Any] | None:
    pending = session.get(PENDING)
    return pending if isinstance(pending, dict) else None


def pending_person(step: str) -> Person | None:
    """The person half signed in for ``step``, while that state lasts and they may still
    sign in (a sign-out elsewhere or a password reset ends it, as it ends sessions)."""
    pending = _pending()
    if pending is None or pending.get("step") != step:
        return None
    started = datetime.fromtimestamp(pending["since"], UTC)
    person = db.session.get(Person, pending["person"])
    if (
        datetime.now(UTC) - started > PENDING_FOR
        or person is None
        or person.session_version != pending["version"]
        or not person.may_act(date.today())
    ):
        session.pop(PENDING, None)
        return None
    return person


def pending_account_key() -> str:
    """The half-signed-in account, for rate limits per account ('' when there is none)."""
    pending = _pending()
    return str(pending["person"]) if pending else ""


def finish_sign_in(person: Person) -> str:
    """Sign the half-signed-in person in; where they were going. Commits."""
    pending = _pending()
    assert pending is not None  # callers got ``person`` from ``pending_person``
    start_session(person, pending["method"])
    db.session.commit()
    if pending["welcome"]:
        flash(pending["welcome"], "success")
    return str(pending["next"])
