"""Sign-in rules, the links that stand in for a session, and API clients. Services flush;
the request commits (guest invitations: ``invitations``; a guest's access: ``guest_access``)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from intrapreneur.core import metrics
from intrapreneur.core import services as audit
from intrapreneur.core.dates import day_text
from intrapreneur.core.i18n import writing_for
from intrapreneur.core.security import signing_keys
from intrapreneur.extensions import db
from intrapreneur.identity import provisioning, queries
from intrapreneur.identity.directory import (
    AccountRefused,
    CertificateNotTrusted,
    Directory,
    DirectoryPerson,
    DirectoryUnavailable,
    InvalidCredentials,
)
from intrapreneur.identity.models import (
    Person,
)
from intrapreneur.identity.passwords import (
    password_problems,
    personal_words,
    verify_password,
)

log = logging.getLogger(__name__)


class IdentityError(Exception):
    """A refusal with a message meant for the person in front of the screen."""

    status = 400

    def __init__(self, message: str) -> None:
        message = str(message)  # a lazy message is translated now, in the reader's language
        super().__init__(message)
        self.message = message


class WeakPassword(IdentityError):
    status = 422

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


class SignInRefused(IdentityError):
    """``reason`` is for logs and metrics; ``message`` for the person."""

    def __init__(self, reason: str, message: str, *, status: int = 401) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status


WRONG_CREDENTIALS = _l("The username or password is not right.")
# The directory accepted the password but not the account (AccountRefused.reason → message).
ACCOUNT_REFUSALS = {
    "account_disabled": _l(
        "Your company account is disabled. Ask IT to enable it if this is wrong."
    ),
    "password_expired": _l(
        "Your company password has expired. Change it the way your company usually asks "
        "(or ask IT), then sign in with the new one."
    ),
    "password_change_required": _l(
        "Your company password must be changed before you can sign in. Change it the way "
        "your company usually asks (or ask IT), then sign in with the new one."
    ),
    "account_expired": _l(
        "Your company account has expired. Ask IT to extend it if this is wrong."
    ),
    "account_locked": _l(
        "Your company account is locked after too many wrong passwords. "
        "Wait until it unlocks or ask IT to unlock it."
    ),
}


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class LinkRow(Protocol):
    """A row behind an emailed link: an invitation or a password reset."""

    secret_hash: str


Row = TypeVar("Row", bound=LinkRow)


def link_token(salt: str, row_id: int, secret: str) -> str:
    """The link's token: the row's id and the secret, signed; only the secret's hash is kept."""
    return URLSafeSerializer(signing_keys(), salt=salt).dumps([row_id, secret])


def row_behind_link(token: str, salt: str, model: type[Row]) -> Row | None:
    """The row a link's token names, if its secret matches the stored hash."""
    try:
        row_id, secret = URLSafeSerializer(signing_keys(), salt=salt).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    row = db.session.get(model, row_id) if isinstance(row_id, int) else None
    if row is None or not hmac.compare_digest(row.secret_hash, digest(str(secret))):
        return None
    return row


def end_open_links(of_person: ColumnElement[bool], used_at: Any, now: datetime) -> None:
    """Every unused, unexpired link of the person expires now (``used_at`` names the column
    of the link's model that records its use)."""
    model = used_at.class_
    db.session.execute(
        update(model)
        .where(of_person, used_at.is_(None), model.expires_at > now)
        .values(expires_at=now)
        .execution_options(synchronize_session="fetch")
    )


def use_link_once(row_id: int, used_at: Any, now: datetime, *still: ColumnElement[bool]) -> bool:
    """Mark the link used; False when another request used it first, or when one of the
    ``still`` conditions no longer holds (one statement, so two racing requests cannot
    both succeed)."""
    model = used_at.class_
    used = db.session.execute(
        update(model)
        .where(model.id == row_id, used_at.is_(None), *still)
        .values({used_at.key: now})
        .execution_options(synchronize_session="fetch")
    )
    return bool(used.rowcount == 1)


def check_new_password(guest: Person, password: str) -> None:
    """The one password policy, for invitations and resets alike; WeakPassword says why not."""
    problems = password_problems(
        password,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        personal=personal_words(guest.email, guest.display_name),
    )
    if problems:
        raise WeakPassword(problems)


def configured_directory() -> Directory | None:
    settings = current_app.config.get("DIRECTORY")
    return Directory(settings) if settings is not None else None


class DirectoryLookupRefused(IdentityError):
    """Why the directory page could not show a person's entry."""


DIRECTORY_UNREACHABLE = _l(
    "The company directory is not reachable right now. Try again in a few minutes."
)


def directory_unavailable() -> SignInRefused:
    """The refusal of any sign-in that needed the directory while it did not answer."""
    return SignInRefused(reason="directory_unavailable", message=DIRECTORY_UNREACHABLE, status=503)


def look_up_in_directory(username: str) -> DirectoryPerson:
    """What the directory says about ``username`` and the roles its groups give (the admins'
    check of a person's directory set-up, as ``intrapreneur directory test`` does)."""
    directory = configured_directory()
    if directory is None:
        raise DirectoryLookupRefused(_("No directory is configured (INTRAPRENEUR_LDAP_URL)."))
    try:
        found = directory.lookup(username)
    except DirectoryUnavailable:
        raise DirectoryLookupRefused(DIRECTORY_UNREACHABLE) from None
    except InvalidCredentials:
        raise DirectoryLookupRefused(
            _("That cannot be a username: it is empty, too long or holds a NUL character.")
        ) from None
    if found is None:
        raise DirectoryLookupRefused(
            _(
                "No entry under %(base)s has the username '%(username)s'.",
                base=directory.settings.user_base,
                username=username,
            )
        )
    return found


def sign_in(login: str, password: str, today: date) -> tuple[Person, str]:
    """The person these credentials belong to and how they were checked, or SignInRefused.

    Local accounts (guests by email, the break-glass admin) are checked here;
    everyone else is an employee checked by the company directory.
    """
    login = login.strip()
    local = queries.local_account(login.lower())
    directory = configured_directory()
    # INTRAPRENEUR_PASSWORD_SIGN_IN=false: employees use single sign-on; local accounts stay.
    if local is None and directory is not None and current_app.config["PASSWORD_SIGN_IN"]:
        return _sign_in_with_directory(directory, login, password, today), "directory"
    if not verify_password(local.password_hash if local else None, password):
        reason = "unknown_account" if local is None else "wrong_password"
        raise SignInRefused(reason=reason, message=WRONG_CREDENTIALS)
    assert local is not None
    # Only after the password: the refusal must not reveal which local accounts exist.
    if not local.is_guest and not current_app.config["BREAK_GLASS_ADMIN"]:
        raise SignInRefused(
            reason="break_glass_disabled",
            message=_("Local administrator sign-in is switched off on this server."),
        )
    ensure_may_sign_in(local, today)
    return local, "password"


def _sign_in_with_directory(
    directory: Directory, username: str, password: str, today: date
) -> Person:
    try:
        found = directory.authenticate(username, password)
    except InvalidCredentials as refusal:
        raise SignInRefused(reason=refusal.reason, message=WRONG_CREDENTIALS) from None
    except AccountRefused as refusal:
        raise SignInRefused(
            reason=refusal.reason, message=ACCOUNT_REFUSALS[refusal.reason]
        ) from None
    except CertificateNotTrusted:
        raise SignInRefused(
            reason="directory_certificate_untrusted",
            message=_(
                "Sign-in with your company account is not working: this server does not trust "
                "the company directory's certificate. Please tell IT."
            ),
            status=503,
        ) from None
    except DirectoryUnavailable:
        raise directory_unavailable() from None
    person = provision(found)
    ensure_may_sign_in(person, today)
    return person


def provision(found: DirectoryPerson) -> Person:
    """Create or refresh the person behind a directory entry, with their roles and manager.

    Two first sign-ins of the same person at once: the loser's insert hits the
    unique directory id, and it then refreshes the winner's row instead.
    """
    for attempt in range(2):
        try:
            organisation = provisioning.Organisation()
            with db.session.begin_nested():
                outcome = provisioning.apply(
                    found,
                    person=queries.person_by_directory_id(found.directory_id),
                    organisation=organisation,
                    claims=provisioning.Claims([found]),
                )
                provisioning.link_manager_of(outcome.person)
                record_provisioning(outcome, source="sign-in")
            organisation.log_unknown_countries()
            return outcome.person
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


# Directory fields whose values name a person (a DN holds a name or username, a manager's
# DN names the manager): the audit log says that they changed, not to what.
NAMING_FIELDS = frozenset(
    {"username", "email", "display_name", "title", "directory_dn", "manager_dn"}
)


def record_provisioning(outcome: provisioning.Outcome, *, source: str) -> None:
    """One audit event per kind of change, naming which fields changed (and the new value
    of those that name nobody: department, place, zone, language)."""
    person = outcome.person
    if outcome.created:
        roles = sorted(outcome.roles_added)
        audit.record("person.provisioned", actor=None, obj=person, source=source, roles=roles)
        return
    if outcome.reactivated:
        audit.record("person.reactivated", actor=None, obj=person, source=source)
    if outcome.changes:
        values = {
            name: value for name, value in outcome.changes.items() if name not in NAMING_FIELDS
        }
        audit.record(
            "person.updated",
            actor=None,
            obj=person,
            source=source,
            changed=sorted(outcome.changes),
            **values,
        )
    if outcome.roles_added or outcome.roles_removed:
        audit.record(
            "person.roles_changed",
            actor=None,
            obj=person,
            source=source,
            added=sorted(outcome.roles_added),
            removed=sorted(outcome.roles_removed),
        )


def ensure_may_sign_in(person: Person, today: date) -> None:
    """``Person.may_act``, with the reason a refused person is told."""
    if person.may_act(today):
        return
    # Told in the person's own language: this also runs while their session is being read,
    # before anyone is signed in whose language the page could ask for.
    with writing_for(person):
        _refuse_sign_in(person)


def _refuse_sign_in(person: Person) -> None:
    if not person.active:
        raise SignInRefused(
            reason="inactive",
            message=_("This account is switched off. Ask the programme team for help."),
        )
    assert person.access_ends_on is not None
    raise SignInRefused(
        reason="access_ended",
        message=_(
            "Your guest access ended on %(day)s. Ask the programme team if you need it extended.",
            day=day_text(person.access_ends_on, "long"),
        ),
    )


def note_sign_in(person: Person, *, method: str, now: datetime) -> None:
    person.last_sign_in_at = now
    audit.record("auth.signed_in", actor=person, obj=person, method=method)
    metrics.count_sign_in(method)


def note_refused_sign_in(refusal: SignInRefused, *, login: str) -> None:
    """Audit and log a refused sign-in without what was typed: a known person's refusal is
    about them (its object), an unknown name is kept as its keyed hash, so attempts on one
    name still line up (and a password typed into the login field is not kept either)."""
    person, hashed = typed_login(login)
    named = {"person_id": person.id} if person is not None else hashed
    log.warning("sign-in refused", extra={"reason": refusal.reason, **named})
    audit.record("auth.sign_in_refused", actor=None, obj=person, reason=refusal.reason, **hashed)
    metrics.count_refused_sign_in(refusal.reason)


def typed_login(login: str) -> tuple[Person | None, dict[str, str]]:
    """What the audit log keeps of a typed login or address: the person it names, else its
    keyed hash as ``login_hash`` (nothing for an empty one)."""
    if not login.strip():
        return None, {}
    person = queries.person_by_login(login.strip().lower())
    if person is not None:
        return person, {}
    return None, {"login_hash": audit.typed_text_hash(login)}


def person_for_session(session_user_id: str) -> Person | None:
    """The person behind a session cookie, or None; SignInRefused once they may no longer
    sign in today.

    Checked on every request, so an ended guest access, a switched-off account or a
    sign-out (which raises the person's session version) takes effect at once, even for
    a copy of the cookie kept from before.
    """
    person_id, _dot, version = session_user_id.partition(".")
    if not (person_id.isdigit() and version.isdigit()):
        return None
    # Roles joined in: one statement on every signed-in request instead of two.
    person = db.session.get(Person, int(person_id), options=[joinedload(Person.roles)])
    if person is None:
        return None
    # Before the version: a guest whose access HR revoked (which also raised the version)
    # is told why, not merely asked to sign in again.
    ensure_may_sign_in(person, date.today())
    if person.session_version != int(version):
        return None
    return person
