"""Who reads the portfolio: sponsors (from a directory group) and HR, who runs the programme.

The page gives figures across ventures; a venture's own text appears only where the boards'
rule (``experiments.queries.visible_to``) lets its reader see that venture.
"""

from __future__ import annotations

from intrapreneur.identity.models import Person, Role


def can_read_portfolio(person: Person) -> bool:
    return person.has_role(Role.SPONSOR, Role.HR)


def gets_sponsor_digest(person: Person) -> bool:
    """The monthly digest goes to sponsors (HR reads the page)."""
    return person.has_role(Role.SPONSOR)
