"""Who may ask for a Hack, read one, answer one, and read the figures."""

from __future__ import annotations

from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.hacks.models import HackRequest, HackStatus


def can_request_hacks(person: Person) -> bool:
    """Employees ask entrepreneurs for a Hack on their own challenge or card."""
    return person.has_role(Role.EMPLOYEE)


def is_in(person: Person, hack: HackRequest) -> bool:
    """A Hack is read by its two people only: HR reads figures over all of them."""
    return person.id in (hack.requester_id, hack.entrepreneur_id)


def can_answer(person: Person, hack: HackRequest) -> bool:
    return person.id == hack.entrepreneur_id and hack.status is HackStatus.REQUESTED


def can_read_hack_figures(person: Person) -> bool:
    return person.has_role(Role.HR)
