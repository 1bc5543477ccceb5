"""The shared state every step works on: the cohort as dense indices, and the board of who
sits where with the per-set counts that make the rule checks and the cost cheap."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from flask_babel import gettext as _

from intrapreneur.learning.composer.model import Candidate

NO_DEPARTMENT = NO_LOCATION = -1  # a person's code when they have none
UNPLACED = -1


class Cohort:
    """The candidates as dense indices (ascending person id), with what the rules need."""

    def __init__(self, candidates: Sequence[Candidate], pairs: frozenset[frozenset[int]]) -> None:
        people = sorted(candidates, key=lambda c: c.person_id)
        self.ids = [c.person_id for c in people]
        self.names = {c.person_id: c.name for c in people if c.name}
        self.index_of = {person_id: i for i, person_id in enumerate(self.ids)}
        if len(self.index_of) != len(self.ids):
            raise ValueError("A candidate appears twice.")
        self.department_names = sorted({c.department for c in people if c.department is not None})
        code = {name: d for d, name in enumerate(self.department_names)}
        self.department = [
            NO_DEPARTMENT if c.department is None else code[c.department] for c in people
        ]
        self.department_size = Counter(self.department)
        location_names = sorted({c.location for c in people if c.location is not None})
        place = {name: code for code, name in enumerate(location_names)}
        self.location = [NO_LOCATION if c.location is None else place[c.location] for c in people]
        self.is_guest = [c.is_guest for c in people]
        self.ancestors = [self.indices(c.managers - {c.person_id}) for c in people]
        # Candidates below each person id (candidate or not): facilitators need it.
        self.below: dict[int, list[int]] = {}
        for i, c in enumerate(people):
            for manager in sorted(c.managers - {c.person_id}):
                self.below.setdefault(manager, []).append(i)
        self.chain_size = [
            len(self.ancestors[i]) + len(self.below.get(person_id, ()))
            for i, person_id in enumerate(self.ids)
        ]
        self.partners = self._partners(pairs)

    def __len__(self) -> int:
        return len(self.ids)

    def indices(self, person_ids: frozenset[int]) -> tuple[int, ...]:
        return tuple(sorted(self.index_of[p] for p in person_ids if p in self.index_of))

    def _partners(self, pairs: frozenset[frozenset[int]]) -> list[tuple[int, ...]]:
        partners: list[list[int]] = [[] for _ in self.ids]
        for pair in pairs:
            if len(pair) != 2:
                raise ValueError(f"A previous pair must hold two people: {sorted(pair)}.")
            if pair <= self.index_of.keys():
                a, b = self.indices(pair)
                partners[a].append(b)
                partners[b].append(a)
        return [tuple(sorted(p)) for p in partners]

    def short(self, person_id: int) -> str:
        return self.names.get(person_id, str(person_id))

    def persons(self, person_ids: list[int]) -> str:
        """ "Ada Lovelace and Alan Turing", or "Persons 2 and 5" where names are not known."""
        if all(p in self.names for p in person_ids):
            names = [self.names[p] for p in person_ids]
            if len(names) == 1:
                return names[0]
            return _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])
        if len(person_ids) == 1:
            return _("Person %(number)d", number=person_ids[0])
        numbers = [str(p) for p in person_ids]
        return _(
            "Persons %(numbers)s and %(last)s", numbers=", ".join(numbers[:-1]), last=numbers[-1]
        )

    def in_chain(self, i: int, j: int) -> bool:
        return i in self.ancestors[j] or j in self.ancestors[i]

    def longest_chain(self) -> int:
        # Managers are transitive, so a person and their ancestors in the cohort form one chain.
        return 1 + max((len(a) for a in self.ancestors), default=0)


class Board:
    """Who sits where, with per-set counts kept up to date for O(1)-ish checks."""

    def __init__(
        self, cohort: Cohort, set_count: int, sizes: tuple[int, int], keep_apart: bool
    ) -> None:
        self.cohort = cohort
        self.set_count = set_count
        self.min_size, self.max_size = sizes
        self.keep_apart = keep_apart
        # Lexicographic weights: a department fewer in a set outweighs any change in
        # same-department pairs one move or swap can make, such a pair any change in
        # locations, a location fewer any change in same-location pairs, and such a pair
        # any change in repeat pairs.
        self.location_pair_weight = 2 * self.max_size
        self.location_weight = 4 * self.max_size * self.location_pair_weight
        self.pair_weight = 4 * self.max_size * self.location_weight
        self.duplicate_weight = 4 * self.max_size * self.pair_weight
        self.where = [UNPLACED] * len(cohort)
        self.locked = [False] * len(cohort)
        self.members: list[list[int]] = [[] for _ in range(set_count)]
        self.department_count = [Counter[int]() for _ in range(set_count)]
        self.location_count = [Counter[int]() for _ in range(set_count)]
        self.guests = [0] * set_count
        # For each set: ancestor index -> how many members sit below them.
        self.above = [Counter[int]() for _ in range(set_count)]
        # For each set: the candidates its facilitator's chain rules out.
        self.blocked: list[frozenset[int]] = [frozenset()] * set_count

    def size(self, s: int) -> int:
        return len(self.members[s])

    def member_ids(self, s: int) -> list[int]:
        return sorted(self.cohort.ids[i] for i in self.members[s])

    def add(self, i: int, s: int) -> None:
        self.where[i] = s
        self.members[s].append(i)
        self.department_count[s][self.cohort.department[i]] += 1
        self.location_count[s][self.cohort.location[i]] += 1
        self.guests[s] += self.cohort.is_guest[i]
        self.above[s].update(self.cohort.ancestors[i])

    def remove(self, i: int) -> None:
        s = self.where[i]
        self.where[i] = UNPLACED
        self.members[s].remove(i)
        self.department_count[s][self.cohort.department[i]] -= 1
        self.location_count[s][self.cohort.location[i]] -= 1
        self.guests[s] -= self.cohort.is_guest[i]
        self.above[s].subtract(self.cohort.ancestors[i])

    def move(self, i: int, s: int) -> None:
        self.remove(i)
        self.add(i, s)

    def restore(self, where: list[int]) -> None:
        for i, s in enumerate(where):
            if self.where[i] != s:
                self.move(i, s)

    def total_cost(self) -> tuple[int, int, int, int, int]:
        """Over all sets: members who bring no new department, same-department pairs,
        members who bring no new location, same-location pairs, and repeat pairs."""
        departments = _repeated(self.department_count, NO_DEPARTMENT)
        locations = _repeated(self.location_count, NO_LOCATION)
        repeats = 0
        if self.keep_apart:
            repeats = sum(
                self.where[i] == self.where[j] != UNPLACED
                for i, partners in enumerate(self.cohort.partners)
                for j in partners
                if i < j
            )
        return (*departments, *locations, repeats)

    def movable(self, i: int) -> bool:
        return self.where[i] != UNPLACED and not self.locked[i]

    def conflicts(
        self, i: int, s: int, leaving: int = UNPLACED, *, with_facilitator: bool = True
    ) -> bool:
        """Would ``i`` share set ``s`` (without ``leaving``) with someone of their chain?"""
        if with_facilitator and i in self.blocked[s]:
            return True
        where = self.where
        if any(where[a] == s and a != leaving for a in self.cohort.ancestors[i]):
            return True
        below = self.above[s][i]
        if below and leaving != UNPLACED and i in self.cohort.ancestors[leaving]:
            below -= 1
        return below > 0

    def cost(self, i: int, s: int, leaving: int = UNPLACED) -> int:
        """What ``i`` adds to ``total_cost`` in ``s`` (without ``leaving``), weighted: whether
        they repeat a department, how many they share it with, the same for their location,
        and their repeat pairs."""
        cohort = self.cohort
        same = self._sharing(i, s, leaving, cohort.department, self.department_count)
        here = self._sharing(i, s, leaving, cohort.location, self.location_count)
        repeats = 0
        if self.keep_apart:
            repeats = sum(1 for j in cohort.partners[i] if self.where[j] == s and j != leaving)
        return (
            (same > 0) * self.duplicate_weight
            + same * self.pair_weight
            + (here > 0) * self.location_weight
            + here * self.location_pair_weight
            + repeats
        )

    def _sharing(
        self, i: int, s: int, leaving: int, codes: list[int], counts: list[Counter[int]]
    ) -> int:
        """How many others in ``s`` (without ``leaving``) share ``i``'s department or location
        (``codes``); none for a person without one."""
        code = codes[i]
        if code in (NO_DEPARTMENT, NO_LOCATION):
            return 0
        same = counts[s][code]
        if self.where[i] == s:
            same -= 1
        if leaving != UNPLACED and codes[leaving] == code:
            same -= 1
        return same


def _repeated(counts: list[Counter[int]], none: int) -> tuple[int, int]:
    """Members who repeat a value already in their set, and pairs sharing one."""
    shared = [count for per_set in counts for value, count in per_set.items() if value != none]
    return sum(count - 1 for count in shared if count), sum(
        count * (count - 1) // 2 for count in shared
    )
