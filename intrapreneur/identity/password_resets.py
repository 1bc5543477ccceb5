"""Guests who forgot their password choose a new one through a link sent by email.

Employees have no password here (the company directory has it), so only guests get
links. Whoever asks hears the same answer, so the form tells nobody which addresses
have accounts. Services flush; the request commits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from secrets import token_urlsafe

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from intrapreneur.core import mail
from intrapreneur.core import services as audit
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.extensions import db
from intrapreneur.identity import queries
from intrapreneur.identity.models import PasswordReset, Person
from intrapreneur.identity.passwords import hash_password
from intrapreneur.identity.services import (
    IdentityError,
    check_new_password,
    digest,
    end_open_links,
    ensure_may_sign_in,
    link_token,
    row_behind_link,
    typed_login,
    use_link_once,
)

RESET_SALT = "intrapreneur.password-reset"
LINK_LIFETIME = timedelta(hours=1)
USED = _l("This link has already been used. Sign in with your new password, or ask for a new link.")


class ResetLinkNotFound(IdentityError):
    status = 404


class ResetLinkGone(IdentityError):
    status = 410


def can_send_links() -> bool:
    """Links are built from INTRAPRENEUR_BASE_URL only: a request's Host header is the
    sender's to choose, and would let anyone send a victim a link to their own site."""
    return bool(current_app.config.get("BASE_URL"))


def request_reset(email: str, now: datetime) -> bool:
    """Email a new link to the guest behind ``email``, if there is one who may sign in.

    The return value is for tests and never reaches the person asking.
    """
    email = email.strip().lower()
    guest = _guest_who_may_reset(email, now.date())
    # Never the address itself: the person it names, else its keyed hash.
    named, hashed = (guest, {}) if guest is not None else typed_login(email)
    audit.record("auth.password_reset_requested", actor=None, obj=named, **hashed)
    if guest is None or not can_send_links():
        return False
    reset, token = issue_link(guest, now)
    _email_link(reset, token, now)
    return True


def issue_link(guest: Person, now: datetime) -> tuple[PasswordReset, str]:
    """A new link for ``guest``, ending every earlier one; the token is never stored."""
    end_open_links(PasswordReset.person_id == guest.id, PasswordReset.used_at, now)
    secret = token_urlsafe(32)
    reset = PasswordReset(person=guest, secret_hash=digest(secret), expires_at=now + LINK_LIFETIME)
    db.session.add(reset)
    db.session.flush()
    return reset, link_token(RESET_SALT, reset.id, secret)


def _guest_who_may_reset(email: str, today: date) -> Person | None:
    """A guest who has set a password and may still sign in; nobody else gets a link."""
    person = queries.local_account(email)
    if person is None or not person.is_guest:
        return None
    try:
        ensure_may_sign_in(person, today)
    except IdentityError:
        return None
    return person


def _email_link(reset: PasswordReset, token: str, now: datetime) -> None:
    # The configured address wins over the request's own (see can_send_links).
    link = mail.absolute_url("auth.reset_password", token=token)
    mail.queue(
        reset.person,
        EmailKind.PASSWORD_RESET,
        subject=_l("Choose a new password for Intrapreneur"),
        template="password_reset",
        context={"link": link, "expires_at": reset.expires_at},
        now=now,
        dedupe_key=f"password_reset:{reset.id}",
    )


def open_link(token: str, now: datetime) -> PasswordReset:
    """The reset a link points to, if it may still be used; otherwise say why not."""
    not_found = ResetLinkNotFound(
        _(
            "This link is not valid. Check that you opened the whole link from the email, "
            "or ask for a new one."
        )
    )
    reset = row_behind_link(token, RESET_SALT, PasswordReset)
    if reset is None:
        raise not_found
    if reset.used_at is not None:
        raise ResetLinkGone(USED)
    if now >= reset.expires_at:
        raise ResetLinkGone(
            _(
                "This link has expired: links work for an hour, and only the newest one works. "
                "Ask for a new link."
            )
        )
    ensure_may_sign_in(reset.person, now.date())
    return reset


def reset_password(reset: PasswordReset, password: str, now: datetime) -> Person:
    """Use the link up (exactly once, even if two requests race), set the password and end
    every session signed in with the old one."""
    guest = reset.person
    check_new_password(guest, password)
    if not use_link_once(reset.id, PasswordReset.used_at, now):
        raise ResetLinkGone(USED)
    guest.password_hash = hash_password(password)
    guest.end_all_sessions()
    audit.record("auth.password_reset", actor=guest, obj=guest, reset_id=reset.id)
    return guest
