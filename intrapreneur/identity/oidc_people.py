"""Who a verified OpenID Connect sign-in is: its claims read as the identity ``sso_people``
matches to a person the directory provides (``INTRAPRENEUR_OIDC_MATCH_CLAIM``), with roles
from a groups claim if one is set."""

from __future__ import annotations

from datetime import date
from typing import Any

from intrapreneur.identity import sso_people
from intrapreneur.identity.models import Person
from intrapreneur.identity.oidc import refusal, settings
from intrapreneur.settings.oidc import SUBJECT_CLAIMS, USERNAME_CLAIMS


def person_for(claims: dict[str, Any], today: date) -> Person:
    """The person these verified claims name, or SignInRefused (``Person.may_act`` applies)."""
    oidc = settings()
    assert oidc is not None
    value = claims.get(oidc.match_claim)
    if not isinstance(value, str) or not value.strip():
        raise refusal(reason="missing_claim", code=f"missing_claim_{oidc.match_claim}")
    if oidc.match_claim == "email" and claims.get("email_verified") is False:
        raise refusal(reason="email_not_verified")
    if oidc.match_claim in SUBJECT_CLAIMS:
        match = "subject"
    else:
        match = "username" if oidc.match_claim in USERNAME_CLAIMS else "email"
    username = value if match == "username" else claims.get("preferred_username")
    email = claims.get("email")
    groups = None
    if oidc.groups_claim:
        claimed = claims.get(oidc.groups_claim)
        groups = claimed if isinstance(claimed, list) else []
    identity = sso_people.SsoIdentity(
        method="oidc",
        subject_column="oidc_subject",
        match=match,
        value=value,
        email=email if isinstance(email, str) else None,
        username=username if isinstance(username, str) else None,
        groups=groups,
    )
    return sso_people.person_for(identity, today)
