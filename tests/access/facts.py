"""The facts the oracle reads: what the seeding did, by name, and what each marker names.

They record intent (who is in which set since when, who is on which team, what is shared
where), not anything read back through the app, so the oracle can judge the app from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from intrapreneur.experiments.models import TeamRole, Visibility
from intrapreneur.identity.models import Person, Role

# What can carry a marker (``World.mark``), as it is spelled in markers.
MARKED_KINDS = frozenset(
    {"programme", "programme-description", "cohort", "set", "session", "hot-seat", "question"}
    | {"action", "venture", "experiment", "review", "wave", "job-file", "api-client", "feedback"}
    | {"hack"}
)


@dataclass(frozen=True)
class Owner:
    """What a marker belongs to: a kind of object and its name in the world."""

    kind: str
    name: str


@dataclass
class PersonFacts:
    id: int
    guest: bool
    roles: frozenset[Role]
    manager: str | None = None
    active: bool = True
    access_ends_on: date | None = None
    two_step: bool = False  # a local account whose second step is on (an admin may reset it)


@dataclass(frozen=True)
class Stay:
    person: str
    joined: date
    left: date | None = None


@dataclass
class SetFacts:
    id: int
    cohort: str
    facilitator: str
    stays: list[Stay]


@dataclass
class SessionFacts:
    id: int
    set: str
    starts_at: datetime
    cancelled: bool = False


@dataclass
class VentureFacts:
    id: int
    visibility: Visibility
    team: dict[str, TeamRole]
    shares: set[str] = field(default_factory=set)
    archived: bool = False
    deleted: bool = False


@dataclass
class WaveFacts:
    id: int
    open: bool
    tokens: dict[str, str]  # invitee → the secret of their personal link


@dataclass
class World:
    now: datetime
    today: date
    people: dict[str, Person] = field(default_factory=dict)
    persons: dict[str, PersonFacts] = field(default_factory=dict)
    programmes: dict[str, int] = field(default_factory=dict)
    cohorts: dict[str, int] = field(default_factory=dict)
    open_cohorts: set[str] = field(default_factory=set)
    enrolled: dict[str, set[str]] = field(default_factory=dict)  # cohort → people
    sets: dict[str, SetFacts] = field(default_factory=dict)
    sessions: dict[str, SessionFacts] = field(default_factory=dict)
    memberships: dict[str, tuple[int, str, Stay]] = field(default_factory=dict)  # id, set, stay
    feedback: dict[str, tuple[str, str]] = field(default_factory=dict)  # session, author
    hot_seats: dict[str, tuple[int, str]] = field(default_factory=dict)  # id, session
    actions: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # id, owner, session
    ventures: dict[str, VentureFacts] = field(default_factory=dict)
    experiments: dict[str, tuple[int, str]] = field(default_factory=dict)  # id, venture
    reviews: dict[str, str] = field(default_factory=dict)  # → venture
    waves: dict[str, WaveFacts] = field(default_factory=dict)
    jobs: dict[int, tuple[str | None, bool]] = field(default_factory=dict)  # requester, file
    # id, requester, entrepreneur, accepted
    hacks: dict[str, tuple[int, str, str, bool]] = field(default_factory=dict)
    markers: dict[str, Owner] = field(default_factory=dict)
    calendar_tokens: dict[str, str] = field(default_factory=dict)
    invitation_tokens: dict[str, str] = field(default_factory=dict)
    reset_tokens: dict[str, str] = field(default_factory=dict)
    api_tokens: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # creator, revoked

    def mark(self, kind: str, name: str, part: str) -> str:
        marker = f"mkq-{kind}-{name}-{part}".replace("_", "-")
        assert marker not in self.markers and kind.replace("_", "-") in MARKED_KINDS, marker
        self.markers[marker] = Owner(kind, name)
        return marker

    def name_of(self, person_id: int) -> str:
        """The world's name for a person the seeding made."""
        return next(name for name, facts in self.persons.items() if facts.id == person_id)
