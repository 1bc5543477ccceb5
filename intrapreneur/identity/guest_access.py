"""An accepted guest's access over time: HR moves its end date or revokes it at once.

The end date is the guest's last day (``Person.may_act``): shortening it to today leaves
today, and revoking ends access now, with every open session. Each change is audited, told
to the guest by email, and made on the version of the guest HR saw (``claim``), so the second
of two HR people acting at once is told to reload. Services flush; the request commits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from intrapreneur.core import mail
from intrapreneur.core import services as audit
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.extensions import db
from intrapreneur.identity.models import PasswordReset, Person
from intrapreneur.identity.services import IdentityError, end_open_links


class GuestRefusal(IdentityError):
    """What HR asked for does not fit the guest as they are now."""

    status = 409


class AccessDateRefused(IdentityError):
    """The new end date itself is wrong: said next to the date field."""

    status = 422


class StaleGuest(GuestRefusal):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this guest's access or invitation while you were looking "
                "at it. Reload the page to see what changed, then try again."
            )
        )


def claim(guest: Person, version: int) -> None:
    """Take the guest as HR saw them (``version``), or StaleGuest: one conditional UPDATE,
    so of two requests made on the same version only the first gets through."""
    if guest.access_version != version:  # also keeps a forged version out of the SQL
        raise StaleGuest
    claimed = db.session.execute(
        update(Person)
        .where(Person.id == guest.id, Person.access_version == version)
        .values(access_version=Person.access_version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise StaleGuest
    db.session.refresh(guest, ["access_version"])


def _ensure_accepted(guest: Person) -> None:
    if guest.password_hash is None:
        raise GuestRefusal(
            _(
                "%(name)s has not accepted an invitation yet, so there is no access to change. "
                "Send a new invitation instead: it carries its own end date.",
                name=guest.display_name,
            )
        )


def change_end_date(
    guest: Person, ends_on: date, *, version: int, by: Person, today: date, now: datetime
) -> None:
    """Extend or shorten an accepted guest's access (extending an ended access gives it
    back: the guest signs in with the password they had)."""
    _ensure_accepted(guest)
    if ends_on < today:
        raise AccessDateRefused(_("Choose today or a later day. To end access now, revoke it."))
    if ends_on == guest.access_ends_on:
        raise AccessDateRefused(_("Access already ends on that day. Choose another day."))
    claim(guest, version)
    before = guest.access_ends_on
    extended = before is None or ends_on > before
    guest.access_ends_on = ends_on
    audit.record(
        "guest.access_extended" if extended else "guest.access_shortened",
        actor=by,
        obj=guest,
        access_ends_on=ends_on.isoformat(),
        before=before.isoformat() if before else None,
    )
    _tell(guest, "extended" if extended else "shortened", now)


def revoke(guest: Person, *, version: int, by: Person, today: date, now: datetime) -> None:
    """End the guest's access now: yesterday becomes their last day, every open session
    ends at once, and so do their unused password reset links (which would otherwise
    work again if HR later gave access back)."""
    _ensure_accepted(guest)
    if not guest.may_act(today):
        raise GuestRefusal(_("%(name)s's access has already ended.", name=guest.display_name))
    claim(guest, version)
    # Queued first: the outbox writes only to people who may still act.
    _tell(guest, "revoked", now)
    guest.access_ends_on = today - timedelta(days=1)
    guest.end_all_sessions()
    end_open_links(PasswordReset.person_id == guest.id, PasswordReset.used_at, now)
    audit.record("guest.access_revoked", actor=by, obj=guest)


# The subject of each email; its text is in templates/email/guest_access.*.
SUBJECTS = {
    "extended": _l("Your access to Intrapreneur has been extended"),
    "shortened": _l("Your access to Intrapreneur now ends earlier"),
    "revoked": _l("Your access to Intrapreneur has ended"),
}


def _tell(guest: Person, change: str, now: datetime) -> None:
    """A guest learns of every change to their access by email: a later end date so they
    can plan, an earlier one before it catches them out, a revocation so they are not left
    wondering why they cannot sign in."""
    mail.queue(
        guest,
        EmailKind.GUEST_ACCESS,
        subject=SUBJECTS[change],
        template="guest_access",
        context={
            "change": change,
            "access_ends_on": guest.access_ends_on,
            "sign_in": mail.absolute_url("auth.sign_in"),
        },
        now=now,
        dedupe_key=f"guest_access:{guest.id}:{guest.access_version}",
    )
