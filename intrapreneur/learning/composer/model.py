"""What the composer takes and gives: candidates, facilitators, hr's arrangement, and the
proposal with its quality figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from intrapreneur.learning.composer.wording import set_name


@dataclass(frozen=True)
class Candidate:
    """An accepted participant as the composer sees them."""

    person_id: int
    # Unique across the organisation: the same name in two business units is two departments.
    department: str | None
    is_guest: bool
    # Everyone above this person in the management chain (the caller computes it transitively).
    managers: frozenset[int] = frozenset()
    name: str = ""  # for messages; "Person <id>" without one
    location: str | None = None  # where they work (site and country); None: not known


@dataclass(frozen=True)
class Facilitator:
    person_id: int
    capacity: int = 1  # how many sets they can take
    managers: frozenset[int] = frozenset()
    name: str = ""


@dataclass(frozen=True)
class ProposedSet:
    index: int  # position in Proposal.sets, the number ``locked`` refers to
    members: list[int]  # person ids, ascending
    facilitator_id: int | None

    @property
    def name(self) -> str:
        return set_name(self.index)


@dataclass(frozen=True)
class SetQuality:
    index: int
    size: int
    # A member without a department (a guest, usually) repeats no one, so
    # counts as a department of their own.
    departments: int
    department_mix: float  # departments / size
    entrepreneurs: int
    repeat_pairings: int  # pairs of members who shared a set before
    # Distinct locations among members; members without a known location are not counted
    # (an organisation that records none shows 0, not a mix).
    locations: int = 0


@dataclass(frozen=True)
class Quality:
    sets: tuple[SetQuality, ...]
    department_mix: float  # over all sets: distinct departments summed over sets / members
    average_department_mix: float  # mean of the per-set figures
    lowest_department_mix: float
    entrepreneurs: int
    sets_without_entrepreneur: int
    most_entrepreneurs_in_a_set: int
    repeat_pairings: int
    location_mix: float = 0.0  # over all sets: distinct locations summed over sets / members


@dataclass(frozen=True)
class Proposal:
    sets: list[ProposedSet]
    reasons: dict[int, str]  # person id -> why they are in their set, for every placed person
    problems: list[str]  # every hard rule that could not be met, and why
    unplaced: list[int]
    quality: Quality


@dataclass(frozen=True)
class Arrangement:
    """Sets as hr holds them between compositions, after moving people by hand."""

    sets: Sequence[Sequence[int]]  # person ids per set, in set order
    facilitator_ids: Sequence[int | None]  # one per set
    locked: frozenset[int] = frozenset()  # people who stay put when the rest is recomputed
    # The sets' own names, once they exist; a draft's sets are "Set 1", "Set 2"…
    names: Sequence[str] = ()

    def name_of(self, s: int) -> str:
        return self.names[s] if self.names else set_name(s)
