"""Who may look after people's personal data."""

from __future__ import annotations

from intrapreneur.identity.models import Person, Role


def can_erase_people(person: Person) -> bool:
    """Administrators list anyone's data-protection page and erase a person (audited)."""
    return person.has_role(Role.ADMIN)
