"""Form helpers shared by every domain."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import TYPE_CHECKING

from wtforms import SelectChoice

if TYPE_CHECKING:
    from intrapreneur.identity.models import Person


def strip_whitespace(value: str | None) -> str | None:
    """WTForms filter: people paste names and addresses with stray spaces."""
    return value.strip() if isinstance(value, str) else value


def person_choices(
    people: Iterable[Person],
    label: Callable[[Person], str] = attrgetter("display_name"),
    *,
    nobody: str | None = None,
) -> list[SelectChoice]:
    """Options for a select of people; ``nobody`` adds a first "no one" option (value 0)."""
    options = [SelectChoice(0, nobody)] if nobody else []
    return options + [SelectChoice(person.id, label(person)) for person in people]
