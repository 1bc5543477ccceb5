"""Guest invitations: the first one, a new link, a withdrawn one, and the link's use.

A link is signed and single-use, expires after ``INTRAPRENEUR_INVITATION_DAYS``, and only a
hash of its secret is stored. Each new link ends the guest's earlier unused ones, and a guest
gets at most ``INVITATIONS_PER_DAY`` of them a day, however they are asked for. A refused
link says why in words that tell its holder nothing they could not know already (used,
expired, replaced, withdrawn). Services flush; the request commits.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from intrapreneur.core import mail
from intrapreneur.core import services as audit
from intrapreneur.core.dates import local_day_text, moment_text
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.extensions import db
from intrapreneur.identity import queries
from intrapreneur.identity.guest_access import AccessDateRefused, GuestRefusal, claim
from intrapreneur.identity.models import Invitation, Person, PersonKind, PersonRole, Role
from intrapreneur.identity.passwords import hash_password
from intrapreneur.identity.services import (
    IdentityError,
    check_new_password,
    digest,
    end_open_links,
    ensure_may_sign_in,
    link_token,
    row_behind_link,
    use_link_once,
)

INVITATION_SALT = "intrapreneur.guest-invitation"
# Enough for a typo fixed and a lost email; not enough to flood anyone's inbox.
INVITATIONS_PER_DAY = 3
USED = _l("This invitation has already been used. Sign in with your password.")


class InvitationNotFound(IdentityError):
    status = 404


class InvitationGone(IdentityError):
    status = 410


class GuestConflict(IdentityError):
    status = 409


class TooManyInvitations(IdentityError):
    status = 429


def invite_guest(
    *, email: str, display_name: str, access_ends_on: date, invited_by: Person, now: datetime
) -> tuple[Invitation, str]:
    """Create (or re-invite) a guest; return the invitation and its link token.

    The token is shown once and never stored: only its hash is kept.
    """
    email = email.strip().lower()
    guest = queries.person_by_email(email)
    if guest is None:
        guest = Person(kind=PersonKind.GUEST, email=email, display_name=display_name)
        guest.roles.append(PersonRole(role=Role.GUEST))
        db.session.add(guest)
    elif not guest.is_guest:
        raise GuestConflict(
            _(
                "%(email)s belongs to an employee, who signs in with the company login instead.",
                email=email,
            )
        )
    elif guest.password_hash is not None:
        raise GuestConflict(
            _("%(email)s has already accepted an invitation and can sign in.", email=email)
        )
    guest.display_name = display_name
    guest.access_ends_on = access_ends_on
    return _issue(guest, invited_by, now, "guest.invited")


def send_again(
    guest: Person, access_ends_on: date, *, version: int, by: Person, now: datetime
) -> tuple[Invitation, str]:
    """A new link for a guest who has not accepted yet, whether the last one is still
    pending, expired or withdrawn; the earlier links stop working."""
    if guest.password_hash is not None:
        raise GuestRefusal(
            _(
                "%(name)s has already accepted an invitation and can sign in. "
                "Change their access end date instead.",
                name=guest.display_name,
            )
        )
    if access_ends_on < now.date():
        raise AccessDateRefused(_("Choose today or a later day."))
    claim(guest, version)
    guest.access_ends_on = access_ends_on
    return _issue(guest, by, now, "guest.invited_again")


def withdraw(guest: Person, *, version: int, by: Person, now: datetime) -> None:
    """Take back the guest's pending invitation: its link then says it was withdrawn."""
    latest = queries.latest_invitation(guest.id)
    if latest is None or not latest.is_pending(now):
        raise GuestRefusal(
            _("%(name)s has no pending invitation to withdraw.", name=guest.display_name)
        )
    claim(guest, version)
    # Conditional, so a guest accepting at this very moment wins or loses as a whole.
    withdrawn = db.session.execute(
        update(Invitation)
        .where(Invitation.id == latest.id, Invitation.accepted_at.is_(None))
        .values(withdrawn_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if withdrawn.rowcount != 1:
        raise GuestRefusal(_("%(name)s has just accepted the invitation.", name=guest.display_name))
    audit.record("guest.invitation_withdrawn", actor=by, obj=guest, invitation_id=latest.id)


def _issue(guest: Person, invited_by: Person, now: datetime, action: str) -> tuple[Invitation, str]:
    """A new invitation and its link, emailed to the guest and audited as ``action``;
    earlier unused links end."""
    if guest.id is not None:
        _ensure_not_flooded(guest, invited_by, now)
        end_open_links(Invitation.person_id == guest.id, Invitation.accepted_at, now)
    secret = secrets.token_urlsafe(32)
    invitation = Invitation(
        person=guest,
        invited_by=invited_by,
        secret_hash=digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    assert guest.access_ends_on is not None  # every invitation offers access until a day
    audit.record(
        action,
        actor=invited_by,
        obj=guest,
        invitation_id=invitation.id,
        access_ends_on=guest.access_ends_on.isoformat(),
    )
    token = link_token(INVITATION_SALT, invitation.id, secret)
    _email_invitation(invitation, token, now)
    return invitation, token


def _ensure_not_flooded(guest: Person, by: Person, now: datetime) -> None:
    sent = queries.invitations_sent_since(guest.id, now - timedelta(days=1))
    if len(sent) >= INVITATIONS_PER_DAY:
        raise TooManyInvitations(
            _(
                "%(email)s has been sent %(count)d invitations in the last 24 hours. Send "
                "another after %(moment)s, or pass on the latest link yourself.",
                email=guest.email,
                count=len(sent),
                moment=moment_text(sent[0] + timedelta(days=1), "medium"),
            )
        )


def _email_invitation(invitation: Invitation, token: str, now: datetime) -> None:
    """The guest gets the link by email as well; HR's page still shows it once."""
    link = mail.absolute_url("auth.accept_invitation", token=token)
    if link is None:
        return
    guest, inviter = invitation.person, invitation.invited_by
    mail.queue(
        guest,
        EmailKind.GUEST_INVITATION,
        subject=_l("Your invitation to Intrapreneur"),
        template="guest_invitation",
        context={
            "link": link,
            "invited_by": inviter.display_name if inviter else None,
            "expires_at": invitation.expires_at,
            "access_ends_on": guest.access_ends_on,
        },
        now=now,
        dedupe_key=f"guest_invitation:{invitation.id}",
    )


def open_invitation(token: str, now: datetime) -> Invitation:
    """The invitation a link points to, if it may still be used; otherwise say why not."""
    invitation = row_behind_link(token, INVITATION_SALT, Invitation)
    if invitation is None:
        raise InvitationNotFound(
            _(
                "This invitation link is not valid. Check that you opened the whole link, "
                "or ask the programme team for a new invitation."
            )
        )
    gone = _why_gone(invitation, now)
    if gone is not None:
        raise gone
    # An invitation left unused until the guest's access ended (or HR switched the account
    # off) must not open an account that could not sign in anyway.
    ensure_may_sign_in(invitation.person, now.date())
    return invitation


def _why_gone(invitation: Invitation, now: datetime) -> InvitationGone | None:
    if invitation.accepted_at is not None:
        return InvitationGone(USED)
    if invitation.withdrawn_at is not None:
        return InvitationGone(
            _(
                "This invitation was withdrawn. If you expected to take part, "
                "ask the programme team."
            )
        )
    if now < invitation.expires_at:
        return None
    if queries.has_newer_invitation(invitation):
        return InvitationGone(
            _(
                "This invitation link was replaced by a newer one. "
                "Use the link in the latest invitation email."
            )
        )
    # The guest opening the link reads the day in their own zone (the page's reader's).
    return InvitationGone(
        _(
            "This invitation expired on %(day)s. Ask the programme team for a new one.",
            day=local_day_text(invitation.expires_at, "long"),
        )
    )


def accept_invitation(invitation: Invitation, password: str, now: datetime) -> Person:
    """Use the invitation up (exactly once, even if two requests race, and never once HR
    has withdrawn it) and set the password."""
    guest = invitation.person
    check_new_password(guest, password)
    if not use_link_once(
        invitation.id, Invitation.accepted_at, now, Invitation.withdrawn_at.is_(None)
    ):
        db.session.refresh(invitation)
        raise _why_gone(invitation, now) or InvitationGone(USED)
    guest.password_hash = hash_password(password)
    audit.record("guest.accepted_invitation", actor=guest, obj=guest, invitation_id=invitation.id)
    return guest
