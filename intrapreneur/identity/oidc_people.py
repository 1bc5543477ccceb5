"""Who a verified OpenID Connect sign-in is: the claims matched to a person the directory
provides (``INTRAPRENEUR_OIDC_MATCH_CLAIM``), provisioned as the password sign-in does when
the directory knows them but we do not yet, with roles from a groups claim if one is set."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from intrapreneur.extensions import db
from intrapreneur.identity import provisioning, services
from intrapreneur.identity.directory import (
    DirectoryUnavailable,
    InvalidCredentials,
    normalise_dn,
)
from intrapreneur.identity.models import Person, PersonKind
from intrapreneur.identity.oidc import refusal, settings
from intrapreneur.settings.oidc import SUBJECT_CLAIMS, USERNAME_CLAIMS, OidcSettings

UNKNOWN_PERSON = (
    "Your organisation's sign-in knows you, but the company directory of this application "
    "does not. Ask the programme team to check your directory entry."
)


def person_for(claims: dict[str, Any], today: date) -> Person:
    """The person these verified claims name, or SignInRefused (``Person.may_act`` applies)."""
    oidc = settings()
    assert oidc is not None
    value = claims.get(oidc.match_claim)
    if not isinstance(value, str) or not value.strip():
        raise refusal("missing_claim", f"missing_claim_{oidc.match_claim}")
    if oidc.match_claim == "email" and claims.get("email_verified") is False:
        raise refusal("email_not_verified")
    person = _matched(oidc, claims, value) or _provisioned(oidc, claims, value)
    if person is None:
        raise services.SignInRefused("oidc_unknown_person", UNKNOWN_PERSON, status=403)
    if oidc.match_claim in SUBJECT_CLAIMS and person.oidc_subject is None:
        person.oidc_subject = value
        outcome = provisioning.Outcome(person=person, changes={"oidc_subject": value})
        services.record_provisioning(outcome, source="oidc")
    if oidc.groups_claim:
        _apply_groups(oidc, person, claims.get(oidc.groups_claim))
    services.ensure_may_sign_in(person, today)
    return person


def _from_directory(*conditions: Any) -> Person | None:
    """Only people the directory provided: never a guest, never the local break-glass admin."""
    return db.session.scalar(
        select(Person).where(
            Person.kind == PersonKind.EMPLOYEE, Person.directory_id.is_not(None), *conditions
        )
    )


def _matched(oidc: OidcSettings, claims: dict[str, Any], value: str) -> Person | None:
    if oidc.match_claim in SUBJECT_CLAIMS:
        linked = _from_directory(Person.oidc_subject == value)
        if linked is not None:
            return linked
        # The first sign-in: found by email, then linked by the subject for good.
        email = claims.get("email")
        if not isinstance(email, str):
            return None
        first = _from_directory(func.lower(Person.email) == email.strip().lower())
        if first is not None and first.oidc_subject is not None:
            raise services.SignInRefused("oidc_subject_mismatch", UNKNOWN_PERSON, status=403)
        return first
    column = Person.username if oidc.match_claim in USERNAME_CLAIMS else Person.email
    return _from_directory(func.lower(column) == value.strip().lower())


def _provisioned(oidc: OidcSettings, claims: dict[str, Any], value: str) -> Person | None:
    """The directory's entry under the sign-in's username, provisioned, if it then matches."""
    directory = services.configured_directory()
    username = value if oidc.match_claim in USERNAME_CLAIMS else claims.get("preferred_username")
    if directory is None or not isinstance(username, str):
        return None
    try:
        found = directory.lookup(username.strip())
    except DirectoryUnavailable:
        raise services.SignInRefused(
            "directory_unavailable",
            "The company directory is not reachable right now. Try again in a few minutes.",
            status=503,
        ) from None
    except InvalidCredentials:  # not a possible username (empty, too long, NUL)
        return None
    if found is None or found.disabled:
        return None
    services.provision(found)
    return _matched(oidc, claims, value)


def _apply_groups(oidc: OidcSettings, person: Person, groups: Any) -> None:
    directory_settings = services.configured_directory()
    assert directory_settings is not None  # the settings require the role map
    held = {normalise_dn(group) for group in groups or () if isinstance(group, str)}
    roles = {role for role, mapped in directory_settings.role_groups.items() if mapped & held}
    outcome = provisioning.replace_directory_roles(person, roles)
    services.record_provisioning(outcome, source="oidc")
