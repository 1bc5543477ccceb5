"""Who a verified single sign-on is, whatever the protocol (OpenID Connect or SAML): the
identity the provider vouched for matched to a person the directory provides, provisioned
as the password sign-in does when the directory knows them but we do not yet, with roles
from a groups claim or attribute through the directory's role map if one is set; and the
refusal both protocols give when the provider's answer fails a check."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from intrapreneur.extensions import db
from intrapreneur.identity import provisioning, services
from intrapreneur.identity.directory import (
    DirectoryUnavailable,
    InvalidCredentials,
    normalise_dn,
)
from intrapreneur.identity.models import Person, PersonKind

log = logging.getLogger(__name__)

# An error code as the provider (or anyone posting to our callback) sent it: shown and
# logged, never a metric label, and cut short.
MAX_ERROR_CODE_LENGTH = 64

UNKNOWN_PERSON = _l(
    "Your organisation's sign-in knows you, but the company directory of this application "
    "does not. Ask the programme team to check your directory entry."
)


def refusal(
    method: str, protocol: str, reason: str, code: str | None = None, *, status: int = 401
) -> services.SignInRefused:
    """A refusal whose ``reason`` is one of a fixed few (audit, metrics; prefixed with the
    ``method``) and whose page and log line name the detailed ``code`` (the provider's error
    code where it sent one)."""
    code = (code or reason)[:MAX_ERROR_CODE_LENGTH]
    log.warning(f"{protocol} sign-in refused", extra={"reason": reason, "error_code": code})
    return services.SignInRefused(
        reason=f"{method}_{reason}",
        message=_(
            "Your organisation's sign-in refused this sign-in (error code: %(code)s). "
            "Try again, or contact IT if it keeps happening.",
            code=code,
        ),
        status=status,
    )


@dataclass(frozen=True)
class SsoIdentity:
    """What the provider vouched for. ``match`` says what ``value`` is compared with:
    ``subject`` (the provider's own id, stored on the person in ``subject_column`` at the
    first sign-in, found then by ``email``), ``email`` or ``username``."""

    method: str  # "oidc" or "saml": the audit source and the prefix of refusal reasons
    subject_column: str  # the Person attribute holding this provider's id of the person
    match: str
    value: str
    email: str | None
    username: str | None
    groups: Sequence[str] | None  # None: roles come from the directory, not the provider


def person_for(identity: SsoIdentity, today: date) -> Person:
    """The person ``identity`` names, or SignInRefused (``Person.may_act`` applies)."""
    person = _matched(identity) or _provisioned(identity)
    if person is None:
        raise services.SignInRefused(
            reason=f"{identity.method}_unknown_person", message=UNKNOWN_PERSON, status=403
        )
    if identity.match == "subject" and getattr(person, identity.subject_column) is None:
        setattr(person, identity.subject_column, identity.value)
        changes = {identity.subject_column: identity.value}
        outcome = provisioning.Outcome(person=person, changes=changes)
        services.record_provisioning(outcome, source=identity.method)
    if identity.groups is not None:
        _apply_groups(identity, person)
    services.ensure_may_sign_in(person, today)
    return person


def _from_directory(*conditions: Any) -> Person | None:
    """Only people the directory provided: never a guest, never the local break-glass admin."""
    return db.session.scalar(
        select(Person).where(
            Person.kind == PersonKind.EMPLOYEE, Person.directory_id.is_not(None), *conditions
        )
    )


def _matched(identity: SsoIdentity) -> Person | None:
    if identity.match == "subject":
        subject = getattr(Person, identity.subject_column)
        linked = _from_directory(subject == identity.value)
        if linked is not None:
            return linked
        # The first sign-in: found by email, then linked by the subject for good.
        if identity.email is None:
            return None
        first = _from_directory(func.lower(Person.email) == identity.email.strip().lower())
        if first is not None and getattr(first, identity.subject_column) is not None:
            raise services.SignInRefused(
                reason=f"{identity.method}_subject_mismatch", message=UNKNOWN_PERSON, status=403
            )
        return first
    column = Person.username if identity.match == "username" else Person.email
    return _from_directory(func.lower(column) == identity.value.strip().lower())


def _provisioned(identity: SsoIdentity) -> Person | None:
    """The directory's entry under the sign-in's username, provisioned, if it then matches."""
    directory = services.configured_directory()
    if directory is None or identity.username is None:
        return None
    try:
        found = directory.lookup(identity.username.strip())
    except DirectoryUnavailable:
        raise services.directory_unavailable() from None
    except InvalidCredentials:  # not a possible username (empty, too long, NUL)
        return None
    if found is None or found.disabled:
        return None
    services.provision(found)
    return _matched(identity)


def _apply_groups(identity: SsoIdentity, person: Person) -> None:
    directory_settings = services.configured_directory()
    assert directory_settings is not None  # the settings require the role map
    held = {normalise_dn(group) for group in identity.groups or () if isinstance(group, str)}
    roles = {role for role, mapped in directory_settings.role_groups.items() if mapped & held}
    outcome = provisioning.replace_directory_roles(person, roles)
    services.record_provisioning(outcome, source=identity.method)
