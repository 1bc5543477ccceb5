"""Who may see and change ventures, their boards and reviews.

Visibility, in the words the owners choose:

* private: the team, and the managers above any team member (they review the
  board: that is how ideas stay out of the black hole);
* shared with sets: also the members and facilitators of the sets it is shared into;
* organisation: also every employee. Guests never see organisation-wide
  content unless it is shared into one of their sets.

HR has no special access to ventures: boards are people's work, not HR data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from intrapreneur.experiments import queries
from intrapreneur.experiments.models import TeamRole, Venture
from intrapreneur.identity.models import Person, Role


def can_start_ventures(person: Person) -> bool:
    """Employees and guest entrepreneurs run ventures."""
    return person.has_role(Role.EMPLOYEE, Role.GUEST)


@dataclass(frozen=True)
class Access:
    """Everything one person may do with one venture, worked out with as few queries as
    possible (a page that needs several answers asks once)."""

    view: bool
    work: bool
    manage: bool
    review: bool


def access_to(person: Person, venture: Venture, today: date) -> Access:
    role = queries.team_role(venture.id, person.id)
    if role is not None:
        return Access(
            view=True,
            work=venture.archived_at is None,
            manage=role is TeamRole.OWNER,
            review=False,
        )
    # The lists' rule, asked of this one venture: a page and a list never disagree.
    view = queries.may_see(person, venture.id, today)
    review = view and person.has_role(Role.MANAGER) and queries.manages_team(person.id, venture.id)
    return Access(view=view, work=False, manage=False, review=review)


def can_view_venture(person: Person, venture: Venture, today: date) -> bool:
    return access_to(person, venture, today).view


def can_work_on(person: Person, venture: Venture) -> bool:
    """Team members add, edit and move cards while the venture is not archived."""
    return venture.archived_at is None and queries.team_role(venture.id, person.id) is not None


def can_manage_venture(person: Person, venture: Venture) -> bool:
    """Owners change the venture itself: its team, visibility, sharing and archiving."""
    return queries.team_role(venture.id, person.id) is TeamRole.OWNER


def can_review_boards(person: Person) -> bool:
    """Route-level: managers review their reports' boards."""
    return person.has_role(Role.MANAGER)


def can_review(person: Person, venture: Venture) -> bool:
    """A manager above someone on the team, who is not on it themselves."""
    return person.has_role(Role.MANAGER) and queries.manages_team(person.id, venture.id)
