"""Who may do what with people, guests and invitations."""

from __future__ import annotations

from intrapreneur.identity.models import Person, Role


def can_manage_guests(person: Person) -> bool:
    """Programme leads invite and look after the external entrepreneurs."""
    return person.has_role(Role.HR)


def can_read_audit_log(person: Person) -> bool:
    return person.has_role(Role.ADMIN)


def can_manage_api_clients(person: Person) -> bool:
    """Administrators create and revoke the tokens HR systems read the API with."""
    return person.has_role(Role.ADMIN)


def can_change_privacy_rules(person: Person) -> bool:
    """Only administrators change the minimum group sizes (and it is audited)."""
    return person.has_role(Role.ADMIN)
