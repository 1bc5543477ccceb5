"""Who may open the learning library. What each reader finds in it is the boards' own rule
(``experiments.queries.visible_to``), applied in its queries."""

from __future__ import annotations

from intrapreneur.experiments.permissions import can_start_ventures
from intrapreneur.identity.models import Person


def can_read_library(person: Person) -> bool:
    """Everyone who takes part in ventures: employees (managers and HR among them: HR sees
    what any employee sees, no more) and guest entrepreneurs (only what is shared into their
    sets, and their own ventures)."""
    return can_start_ventures(person)
