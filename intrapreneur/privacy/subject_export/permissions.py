"""Who may ask for a copy of a person's data: the person themselves, and administrators
for anyone (a subject access request that reached the organisation another way)."""

from __future__ import annotations

from intrapreneur.identity.models import Person, Role


def can_export_anyones_data(person: Person) -> bool:
    """Administrators answer subject access requests for any person."""
    return person.has_role(Role.ADMIN)


def can_export_data_of(asker: Person, person: Person) -> bool:
    """Everyone signed in, guests too, asks for their own; administrators for anyone."""
    return asker.id == person.id or can_export_anyones_data(asker)
