"""An administrator resets a local account's two-step sign-in when its owner lost their
phone and their recovery codes: the authenticator and codes are removed, the owner is told
by email, and their next sign-in goes on as for someone who never set it up — asked to set
it up again when the organisation requires it, the password alone otherwise.

Administrators only, not HR who look after guests: removing a sign-in factor on someone's
word is the step an impostor would ask for, so it sits with those who already hold every
other security setting. Nobody resets their own here (a stolen admin session must not be
able to drop its owner's second step); the server's command line does that
(``intrapreneur users reset-two-step``). Services flush; the request commits.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from intrapreneur.core import mail
from intrapreneur.core import services as audit
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.identity import mfa
from intrapreneur.identity.models import LocalMfa, Person, RecoveryCode
from intrapreneur.identity.permissions import can_use_local_mfa
from intrapreneur.identity.services import IdentityError

SUBJECT = _l("Your two-step sign-in for Intrapreneur was reset")


class ResetRefused(IdentityError):
    status = 409


def resettable(person: Person, by: Person | None) -> bool:
    """A local account with two-step sign-in on, other than the one asking (None: the CLI)."""
    return can_use_local_mfa(person) and mfa.is_on(person) and (by is None or person.id != by.id)


def accounts_with_two_step() -> Select[tuple[Person, LocalMfa, int]]:
    """Each local account with two-step sign-in on, its set-up and its unused recovery
    codes, by name (a statement: the page shows it a page at a time)."""
    unused = (
        select(func.count())
        .where(RecoveryCode.person_id == LocalMfa.person_id, RecoveryCode.used_at.is_(None))
        .correlate(LocalMfa)
        .scalar_subquery()
    )
    return (
        select(Person, LocalMfa, unused)
        .join(LocalMfa, LocalMfa.person_id == Person.id)
        .where(LocalMfa.enabled_at.is_not(None))
        .order_by(Person.display_name, Person.id)
    )


def reset(person: Person, *, by: Person | None, now: datetime) -> None:
    """Remove ``person``'s authenticator and recovery codes, audited with ``by`` (None: the
    server's command line) as the actor, and tell the person by email."""
    if not resettable(person, by):
        raise ResetRefused(
            _(
                "%(name)s has no two-step sign-in to reset, or it is your own.",
                name=person.display_name,
            )
        )
    mfa.remove(person)
    audit.record("mfa.reset", actor=by, obj=person, via="cli" if by is None else "web")
    mail.queue(
        person,
        EmailKind.TWO_STEP_RESET,
        subject=SUBJECT,
        template="two_step_reset",
        context={"required": mfa.is_required(), "sign_in": mail.absolute_url("auth.sign_in")},
        now=now,
    )
