"""Who keeps a profile, who manages the vocabulary, who looks for entrepreneurs."""

from __future__ import annotations

from intrapreneur.identity.models import Person, Role

# The people who can be asked for a Hack: visiting entrepreneurs and facilitators.
PROFILE_ROLES = (Role.GUEST, Role.FACILITATOR)


def can_manage_expertise(person: Person) -> bool:
    """HR keeps the vocabulary of expertise tags."""
    return person.has_role(Role.HR)


def can_keep_profile(person: Person) -> bool:
    """Guest entrepreneurs and facilitators tell employees what they know and when."""
    return person.has_role(*PROFILE_ROLES)


def can_find_entrepreneurs(person: Person) -> bool:
    """Employees look for someone to help them with a challenge."""
    return person.has_role(Role.EMPLOYEE)
