"""Who may do what with survey waves.

Nobody may read one person's answers: there is no rule for it because there is
no page, query or export that shows them.
"""

from __future__ import annotations

from intrapreneur.identity.models import Person, Role


def can_run_surveys(person: Person) -> bool:
    """HR creates waves, reads their response rates and closes them early."""
    return person.has_role(Role.HR)


def can_answer_surveys(person: Person) -> bool:
    """Anyone signed in, employee or guest; each view then checks their own invitation."""
    return person.is_authenticated


def can_read_culture(person: Person) -> bool:
    """HR and admins read the whole organisation's figures; managers their own part."""
    return person.has_role(Role.HR, Role.ADMIN, Role.MANAGER)


def sees_whole_organisation(person: Person) -> bool:
    return person.has_role(Role.HR, Role.ADMIN)


def can_export_culture(person: Person) -> bool:
    """HR and admins export the organisation's survey figures; managers only read theirs."""
    return person.has_role(Role.HR, Role.ADMIN)
