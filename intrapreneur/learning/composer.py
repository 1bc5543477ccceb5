"""Set composer: proposes action-learning sets for a cohort's accepted participants.

Pure and standard-library only: the web layer loads the people, calls
``compose`` and stores what hr publishes.

Hard rules, never broken:

* no set has more than ``max_size`` members;
* no two people share a set, its facilitator included, where one is above the
  other in the management chain;
* no facilitator gets more sets than their capacity.

When the input makes a hard rule impossible to meet, ``Proposal.problems``
says which rule and why, and the composer falls back as follows:

* a person who fits in no set without breaking a rule is left in ``unplaced``;
* a set the participants cannot fill to ``min_size`` stays smaller;
* a set no facilitator can take (capacity used up, or every facilitator with
  room is in the management chain of one of its members) gets none: people
  come first, so it is a set without a facilitator rather than people without
  a set or sets beyond the size limits;
* a lock is honoured unless it would break a hard rule (two people of one
  management chain, more than ``max_size`` locked people, a set beyond the set
  count); such a lock is not obeyed, the composer places the person and
  ``problems`` names the lock and the reason.

Soft goals, in priority order: guest entrepreneurs spread evenly over the
sets, departments mixed within each set, and (with ``keep_apart_previous``)
no two people together again who shared a set before.

Method: locked people first; facilitators matched to sets (so placement keeps
each facilitator's chain out of their sets); a greedy placement (people whose
management chain spans many sets, then guests, then departments largest
first, each dealt across consecutive sets); repairs for people or sets the
greedy could not serve; then a local search of moves and swaps that keep
every hard rule and the guest spread and lower, in this order, the members who
bring no new department to their set, same-department pairs and repeat pairs,
with rounds of ruin and recreate for small cohorts; last, the facilitators
again for sets that lost theirs. Passes and kicks are counted,
never timed, and ties are broken by ``random.Random(seed)``, so the same input
and seed give the same proposal. Candidates are processed in person-id order
and departments in name order, so neither the input order nor string hashing
(PYTHONHASHSEED) changes the result.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

NO_DEPARTMENT = -1
UNPLACED = -1
MAX_SWAP_PASSES = 8
# Ruin-and-recreate rounds: KICK_BUDGET / (people × sets), at most MAX_KICKS. Hundreds
# for a small cohort, where one descent stops a department short of the best about once
# in a hundred; one for 2,000 people, where the descent comes within 0.2 % of the bound.
KICK_BUDGET = 1_000_000
MAX_KICKS = 200
RUIN_SIZE = 5  # people a kick takes out, besides one person's whole chain
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


@dataclass(frozen=True)
class Candidate:
    """An accepted participant as the composer sees them."""

    person_id: int
    department: str | None
    is_guest: bool
    # Everyone above this person in the management chain (the caller computes it transitively).
    managers: frozenset[int] = frozenset()
    name: str = ""  # for messages; "Person <id>" without one


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
        return _set_name(self.index)


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


@dataclass(frozen=True)
class Proposal:
    sets: list[ProposedSet]
    reasons: dict[int, str]  # person id -> why they are in their set, for every placed person
    problems: list[str]  # every hard rule that could not be met, and why
    unplaced: list[int]
    quality: Quality


def compose(
    candidates: Sequence[Candidate],
    *,
    facilitators: Sequence[Facilitator] = (),
    min_size: int = 4,
    max_size: int = 8,
    previous_pairs: frozenset[frozenset[int]] = frozenset(),
    keep_apart_previous: bool = True,
    locked: Mapping[int, int] | None = None,
    set_count: int | None = None,
    seed: int = 0,
) -> Proposal:
    """Propose sets for ``candidates``; see the module docstring for the rules.

    ``locked`` maps a person id to a set index (0-based, as ``ProposedSet.index``).
    With ``set_count`` None the count aims at sets of the middle size (6 for
    4–8) within the size limits, no more than the facilitators can take, but at
    least as many as the size limits, the longest management chain and the
    locks need. Facilitators are optional: with none, every set has
    ``facilitator_id`` None and that is not a problem.
    """
    _check_arguments(min_size, max_size, set_count, facilitators, locked or {})
    pairs = frozenset(frozenset(pair) for pair in previous_pairs)
    cohort = _Cohort(candidates, pairs)
    locks = dict(locked or {})
    if set_count is None:
        capacity = sum(f.capacity for f in facilitators) if facilitators else None
        set_count = _choose_set_count(cohort, min_size, max_size, capacity, locks)
    board = _Board(cohort, set_count, (min_size, max_size), keep_apart_previous)
    problems = _apply_locks(board, locks)
    matching = _FacilitatorMatching(board, facilitators)
    # First on the locked members only, so that placement steers clear of each
    # facilitator's chain; again at the end for sets that lost theirs.
    matching.run()
    rng = random.Random(seed)  # noqa: S311 - reproducible tie-breaking, not secrecy
    _place_everyone(board, rng)
    _place_by_dropping_facilitators(board, matching)
    _improve_by_swaps(board)
    _improve_by_kicks(board, rng)
    matching.run()
    problems += _unplaced_problems(board)
    problems += _size_problems(board)
    problems += _facilitator_problems(board, matching, bool(facilitators))
    facilitator_ids = matching.facilitator_ids()
    sets = [
        ProposedSet(index=s, members=board.member_ids(s), facilitator_id=facilitator_ids[s])
        for s in range(set_count)
    ]
    return Proposal(
        sets=sets,
        reasons=_reasons(board),
        problems=problems,
        unplaced=[cohort.ids[i] for i in range(len(cohort.ids)) if board.where[i] == UNPLACED],
        quality=measure_quality([s.members for s in sets], candidates, pairs),
    )


def measure_quality(
    sets: Sequence[Sequence[int]],
    candidates: Sequence[Candidate],
    previous_pairs: frozenset[frozenset[int]] = frozenset(),
) -> Quality:
    """The quality figures of any arrangement of ``candidates`` (person ids per set)."""
    by_id = {c.person_id: c for c in candidates}
    per_set = tuple(
        _set_quality(index, members, by_id, previous_pairs) for index, members in enumerate(sets)
    )
    members = sum(q.size for q in per_set)
    distinct = sum(q.departments for q in per_set)
    mixes = [q.department_mix for q in per_set]
    guests = [q.entrepreneurs for q in per_set]
    return Quality(
        sets=per_set,
        department_mix=distinct / members if members else 0.0,
        average_department_mix=sum(mixes) / len(mixes) if mixes else 0.0,
        lowest_department_mix=min(mixes, default=0.0),
        entrepreneurs=sum(guests),
        sets_without_entrepreneur=guests.count(0),
        most_entrepreneurs_in_a_set=max(guests, default=0),
        repeat_pairings=sum(q.repeat_pairings for q in per_set),
    )


@dataclass(frozen=True)
class Arrangement:
    """Sets as hr holds them between compositions, after moving people by hand."""

    sets: Sequence[Sequence[int]]  # person ids per set, in set order
    facilitator_ids: Sequence[int | None]  # one per set
    locked: frozenset[int] = frozenset()  # people who stay put when the rest is recomputed


def assess(
    arrangement: Arrangement,
    candidates: Sequence[Candidate],
    *,
    facilitators: Sequence[Facilitator] = (),
    min_size: int = 4,
    max_size: int = 8,
    previous_pairs: frozenset[frozenset[int]] = frozenset(),
) -> Proposal:
    """Reasons, problems and quality of an arrangement as it stands, without changing it.

    Members who are no longer candidates are left out; candidates the
    arrangement does not hold are ``unplaced`` (the caller knows why). Any hard
    rule the arrangement breaks (its data may have changed since it was made)
    is named in ``problems``, as are sets below the minimum or without a facilitator.
    """
    pairs = frozenset(frozenset(pair) for pair in previous_pairs)
    board = _board_for(arrangement, _Cohort(candidates, pairs), facilitators, (min_size, max_size))
    cohort = board.cohort
    sets = [
        ProposedSet(index=s, members=board.member_ids(s), facilitator_id=facilitator_id)
        for s, facilitator_id in enumerate(arrangement.facilitator_ids)
    ]
    return Proposal(
        sets=sets,
        reasons=_reasons(board),
        problems=_rules_broken(board, arrangement.facilitator_ids, facilitators)
        + _shortfalls(board, sets, bool(facilitators)),
        unplaced=[cohort.ids[i] for i in range(len(cohort)) if board.where[i] == UNPLACED],
        quality=measure_quality([s.members for s in sets], candidates, pairs),
    )


def broken_rules(
    arrangement: Arrangement,
    candidates: Sequence[Candidate],
    *,
    facilitators: Sequence[Facilitator] = (),
    max_size: int = 8,
) -> list[str]:
    """The hard rules ``arrangement`` breaks, as sentences; empty when it may be published."""
    board = _board_for(arrangement, _Cohort(candidates, frozenset()), facilitators, (1, max_size))
    return _rules_broken(board, arrangement.facilitator_ids, facilitators)


def move_refusal(
    arrangement: Arrangement,
    candidates: Sequence[Candidate],
    person_id: int,
    target: int,
    *,
    facilitators: Sequence[Facilitator] = (),
    max_size: int = 8,
) -> str | None:
    """Why moving ``person_id`` into set ``target`` would break a hard rule, or None."""
    board = _board_for(arrangement, _Cohort(candidates, frozenset()), facilitators, (1, max_size))
    cohort = board.cohort
    i = cohort.index_of[person_id]
    name, set_name = cohort.short(person_id), _set_name(target)
    if board.where[i] == target:
        return f"{name} is already in {set_name}."
    if board.size(target) >= max_size:
        return f"{set_name} already has {max_size} members, the most a set can have."
    blocker = next((m for m in board.members[target] if cohort.in_chain(i, m)), None)
    if blocker is not None:
        return f"{name} cannot join {set_name}: {_chain_clause(cohort, i, blocker)}."
    if i in board.blocked[target]:
        facilitator = _facilitator_name(facilitators, arrangement.facilitator_ids[target])
        return (
            f"{name} cannot join {set_name}: its facilitator {facilitator} is in "
            "their management chain."
        )
    return None


def _board_for(
    arrangement: Arrangement,
    cohort: _Cohort,
    facilitators: Sequence[Facilitator],
    sizes: tuple[int, int],
) -> _Board:
    if len(arrangement.facilitator_ids) != len(arrangement.sets):
        raise ValueError("An arrangement needs one facilitator entry per set.")
    board = _Board(cohort, len(arrangement.sets), sizes, keep_apart=True)
    for s, members in enumerate(arrangement.sets):
        for person_id in members:
            i = cohort.index_of.get(person_id)
            if i is not None and board.where[i] == UNPLACED:
                board.add(i, s)
                board.locked[i] = person_id in arrangement.locked
    by_id = {f.person_id: f for f in facilitators}
    for s, facilitator_id in enumerate(arrangement.facilitator_ids):
        if facilitator_id in by_id:
            board.blocked[s] = _blocked_by(cohort, by_id[facilitator_id])
    return board


def _rules_broken(
    board: _Board, facilitator_ids: Sequence[int | None], facilitators: Sequence[Facilitator]
) -> list[str]:
    cohort = board.cohort
    problems = []
    for s in range(board.set_count):
        name = _set_name(s)
        if board.size(s) > board.max_size:
            problems.append(
                f"{name} has {board.size(s)} members, above the maximum of {board.max_size}."
            )
        members = sorted(board.members[s])
        for position, i in enumerate(members):
            for j in members[position + 1 :]:
                if cohort.in_chain(i, j):
                    problems.append(f"In {name}, {_chain_clause(cohort, i, j)}.")
        clashing = [cohort.ids[i] for i in members if i in board.blocked[s]]
        if clashing:
            facilitator = _facilitator_name(facilitators, facilitator_ids[s])
            problems.append(
                f"{name}'s facilitator {facilitator} is in the management chain of "
                f"{cohort.persons(clashing)}."
            )
    load = Counter(f for f in facilitator_ids if f is not None)
    for facilitator in facilitators:
        if load[facilitator.person_id] > facilitator.capacity:
            problems.append(
                f"{_facilitator_name(facilitators, facilitator.person_id)} facilitates "
                f"{_sets(load[facilitator.person_id])}, more than their capacity of "
                f"{facilitator.capacity}."
            )
    return problems


def _shortfalls(board: _Board, sets: list[ProposedSet], facilitators_given: bool) -> list[str]:
    small = [
        f"{_set_name(s)} has {board.size(s)} members, below the minimum of {board.min_size}."
        for s in range(board.set_count)
        if board.size(s) < board.min_size
    ]
    uncovered = [s.index for s in sets if s.facilitator_id is None]
    if facilitators_given and uncovered:
        verb = "has" if len(uncovered) == 1 else "have"
        small.append(f"{_set_names(uncovered)} {verb} no facilitator.")
    return small


def _chain_clause(cohort: _Cohort, i: int, j: int) -> str:
    upper, lower = (j, i) if j in cohort.ancestors[i] else (i, j)
    return (
        f"{cohort.short(cohort.ids[upper])} is above {cohort.short(cohort.ids[lower])} "
        "in the management chain"
    )


def _facilitator_name(facilitators: Sequence[Facilitator], person_id: int | None) -> str:
    named = {f.person_id: f.name for f in facilitators if f.name}
    return named.get(person_id, f"person {person_id}") if person_id is not None else "(none)"


def _set_quality(
    index: int,
    members: Sequence[int],
    by_id: Mapping[int, Candidate],
    previous_pairs: frozenset[frozenset[int]],
) -> SetQuality:
    departments = [by_id[m].department for m in members]
    distinct = len({d for d in departments if d is not None}) + departments.count(None)
    repeats = sum(
        frozenset((a, b)) in previous_pairs
        for position, a in enumerate(members)
        for b in members[position + 1 :]
    )
    return SetQuality(
        index=index,
        size=len(members),
        departments=distinct,
        department_mix=distinct / len(members) if members else 0.0,
        entrepreneurs=sum(by_id[m].is_guest for m in members),
        repeat_pairings=repeats,
    )


def _check_arguments(
    min_size: int,
    max_size: int,
    set_count: int | None,
    facilitators: Sequence[Facilitator],
    locked: Mapping[int, int],
) -> None:
    if min_size < 1 or max_size < min_size:
        raise ValueError(f"Set sizes {min_size}–{max_size}: need 1 ≤ min_size ≤ max_size.")
    if set_count is not None and set_count < 1:
        raise ValueError(f"set_count must be at least 1, not {set_count}.")
    ids = [f.person_id for f in facilitators]
    if len(set(ids)) != len(ids):
        raise ValueError("A facilitator appears twice.")
    if any(f.capacity < 0 for f in facilitators):
        raise ValueError("A facilitator's capacity cannot be negative.")
    if any(index < 0 for index in locked.values()):
        raise ValueError("Set indices in locked start at 0.")


class _Cohort:
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
            return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        if len(person_ids) == 1:
            return f"Person {person_ids[0]}"
        numbers = [str(p) for p in person_ids]
        return f"Persons {', '.join(numbers[:-1])} and {numbers[-1]}"

    def in_chain(self, i: int, j: int) -> bool:
        return i in self.ancestors[j] or j in self.ancestors[i]

    def longest_chain(self) -> int:
        # Managers are transitive, so a person and their ancestors in the cohort form one chain.
        return 1 + max((len(a) for a in self.ancestors), default=0)


def _choose_set_count(
    cohort: _Cohort, min_size: int, max_size: int, capacity: int | None, locks: Mapping[int, int]
) -> int:
    people = len(cohort)
    if not people:
        return 0
    fewest = -(-people // max_size)
    most = max(fewest, people // min_size)
    count = round(people / ((min_size + max_size) / 2))
    if capacity is not None:
        count = min(count, capacity)
    highest_lock = max((s for p, s in locks.items() if p in cohort.index_of), default=-1)
    # Sizes come before facilitators; a chain of n people needs n sets to be placed at all.
    needed = max(fewest, min(cohort.longest_chain(), most), min(highest_lock + 1, most))
    return max(count, needed)


class _Board:
    """Who sits where, with per-set counts kept up to date for O(1)-ish checks."""

    def __init__(
        self, cohort: _Cohort, set_count: int, sizes: tuple[int, int], keep_apart: bool
    ) -> None:
        self.cohort = cohort
        self.set_count = set_count
        self.min_size, self.max_size = sizes
        self.keep_apart = keep_apart
        # Lexicographic weights: a department fewer in a set outweighs any change in
        # same-department pairs one move or swap can make, and such a pair any change in
        # repeat pairs.
        self.pair_weight = 2 * self.max_size
        self.duplicate_weight = 4 * self.max_size * self.pair_weight
        self.where = [UNPLACED] * len(cohort)
        self.locked = [False] * len(cohort)
        self.members: list[list[int]] = [[] for _ in range(set_count)]
        self.department_count = [Counter[int]() for _ in range(set_count)]
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
        self.guests[s] += self.cohort.is_guest[i]
        self.above[s].update(self.cohort.ancestors[i])

    def remove(self, i: int) -> None:
        s = self.where[i]
        self.where[i] = UNPLACED
        self.members[s].remove(i)
        self.department_count[s][self.cohort.department[i]] -= 1
        self.guests[s] -= self.cohort.is_guest[i]
        self.above[s].subtract(self.cohort.ancestors[i])

    def move(self, i: int, s: int) -> None:
        self.remove(i)
        self.add(i, s)

    def restore(self, where: list[int]) -> None:
        for i, s in enumerate(where):
            if self.where[i] != s:
                self.move(i, s)

    def total_cost(self) -> tuple[int, int, int]:
        """Over all sets: members who bring no new department, same-department pairs, and
        repeat pairs."""
        counts = [
            count
            for per_set in self.department_count
            for department, count in per_set.items()
            if department != NO_DEPARTMENT and count
        ]
        duplicates = sum(count - 1 for count in counts)
        pairs = sum(count * (count - 1) // 2 for count in counts)
        repeats = 0
        if self.keep_apart:
            repeats = sum(
                self.where[i] == self.where[j] != UNPLACED
                for i, partners in enumerate(self.cohort.partners)
                for j in partners
                if i < j
            )
        return duplicates, pairs, repeats

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
        they repeat a department, how many they share it with, and their repeat pairs."""
        cohort = self.cohort
        department = cohort.department[i]
        same = 0
        if department != NO_DEPARTMENT:
            same = self.department_count[s][department]
            if self.where[i] == s:
                same -= 1
            if leaving != UNPLACED and cohort.department[leaving] == department:
                same -= 1
        repeats = 0
        if self.keep_apart:
            repeats = sum(1 for j in cohort.partners[i] if self.where[j] == s and j != leaving)
        return (same > 0) * self.duplicate_weight + same * self.pair_weight + repeats


def _apply_locks(board: _Board, locks: Mapping[int, int]) -> list[str]:
    """Place the locked people; report (and leave to the composer) locks that break a rule."""
    cohort = board.cohort
    problems = []
    placeable = []
    for person_id, s in sorted(locks.items()):
        if person_id not in cohort.index_of:
            problems.append(
                f"{cohort.persons([person_id])} is locked but is not among the candidates; "
                "the lock was ignored."
            )
        elif s >= board.set_count:
            problems.append(
                f"{cohort.persons([person_id])} is locked in {_set_name(s)}, but there are only "
                f"{_sets(board.set_count)}; the composer placed them instead."
            )
        else:
            placeable.append((s, cohort.index_of[person_id]))
    locks_per_set = Counter(s for s, _ in placeable)
    over_limit: dict[int, list[int]] = {}
    for s, i in sorted(placeable):
        if board.size(s) >= board.max_size:
            over_limit.setdefault(s, []).append(cohort.ids[i])
            continue
        blocker = next((m for m in board.members[s] if cohort.in_chain(i, m)), None)
        if blocker is not None:
            problems.append(_chain_lock_problem(cohort, i, blocker, s))
        else:
            board.add(i, s)
            board.locked[i] = True
    for s, person_ids in over_limit.items():
        problems.append(
            f"{locks_per_set[s]} people are locked in {_set_name(s)}, more than the maximum "
            f"of {board.max_size}; the locks of {cohort.persons(person_ids)} were not honoured and "
            "the composer placed them."
        )
    return problems


def _chain_lock_problem(cohort: _Cohort, i: int, blocker: int, s: int) -> str:
    upper, lower = (blocker, i) if blocker in cohort.ancestors[i] else (i, blocker)
    ids = cohort.ids
    return (
        f"{cohort.persons([ids[blocker], ids[i]])} are both locked in {_set_name(s)}, "
        f"but {cohort.short(ids[upper])} is above {cohort.short(ids[lower])} in the management "
        f"chain; the lock of {cohort.short(ids[i])} was not honoured and the composer placed them."
    )


def _place_everyone(board: _Board, rng: random.Random) -> None:
    """The greedy placement, then repairs: people it could not place, sets it left below the
    minimum, and anyone those repairs made room for."""
    free = [i for i in range(len(board.cohort)) if board.where[i] == UNPLACED]
    locked_counts = [board.size(s) for s in range(board.set_count)]
    targets = _target_sizes(locked_counts, len(board.cohort), board.max_size)
    full = [board.max_size] * board.set_count
    order = _placement_order(board.cohort, free, board.set_count, rng)
    cursor = rng.randrange(board.set_count) if board.set_count else 0
    for i in order:
        cursor = _place(board, i, (targets, full), cursor)
    for i in order:
        if board.where[i] == UNPLACED:
            _place_by_moving_blockers(board, i)
    _fill_undersized(board)
    for i in order:
        if board.where[i] == UNPLACED:
            _place(board, i, (full,), 0)


def _target_sizes(locked_counts: list[int], people: int, max_size: int) -> list[int]:
    """Sizes as even as the locks allow: each further person goes to the smallest set."""
    targets = list(locked_counts)
    heap = [(size, s) for s, size in enumerate(targets) if size < max_size]
    heapq.heapify(heap)
    for _ in range(people - sum(targets)):
        if not heap:
            break
        size, s = heapq.heappop(heap)
        targets[s] = size + 1
        if size + 1 < max_size:
            heapq.heappush(heap, (size + 1, s))
    return targets


def _placement_order(
    cohort: _Cohort, free: list[int], set_count: int, rng: random.Random
) -> list[int]:
    """People related to at least half the sets' worth of others first (most related first,
    managers before their reports), while sets free of their chain remain; then guests, so
    they spread; then departments largest first, so each is dealt across consecutive sets.
    The seeded shuffle orders everything else."""
    shuffled = list(free)
    rng.shuffle(shuffled)

    def key(i: int) -> tuple[int, int, bool, int, int]:
        chain = cohort.chain_size[i]
        crowded = chain if chain and 2 * chain >= set_count else 0
        depth = len(cohort.ancestors[i]) if crowded else 0
        department = cohort.department[i]
        size = cohort.department_size[department] if department != NO_DEPARTMENT else 0
        return (-crowded, depth, not cohort.is_guest[i], -size, department)

    return sorted(shuffled, key=key)


def _place(board: _Board, i: int, limits_in_turn: tuple[list[int], ...], cursor: int) -> int:
    """Put ``i`` in the best set under the first limits that leave any; return the next cursor."""
    for limits in limits_in_turn:
        s = _best_set(board, i, limits, cursor)
        if s is not None:
            board.add(i, s)
            return (s + 1) % board.set_count
    return cursor


def _best_set(board: _Board, i: int, limits: list[int], cursor: int) -> int | None:
    """The set with room, no one of ``i``'s chain, fewest guests (for a guest) and lowest cost,
    searched from ``cursor`` so that ties go round the sets; stops at the first perfect one."""
    k = board.set_count
    with_room = [s for s in range(k) if board.size(s) < limits[s]]
    if not with_room:
        return None
    is_guest = board.cohort.is_guest[i]
    fewest_guests = min(board.guests[s] for s in with_room) if is_guest else 0
    best, best_key = None, None
    for step in range(k):
        s = (cursor + step) % k
        if board.size(s) >= limits[s] or board.conflicts(i, s):
            continue
        key = (board.guests[s] if is_guest else 0, board.cost(i, s))
        if best_key is None or key < best_key:
            best, best_key = s, key
            if key == (fewest_guests, 0):
                break
    return best


def _place_by_moving_blockers(board: _Board, i: int) -> None:
    """Place ``i`` by moving the members of their chain out of one set, trying the sets with
    the fewest such members first; a set whose blockers cannot all move is left as it was."""
    cohort = board.cohort
    blockers_in = {
        s: [m for m in board.members[s] if cohort.in_chain(i, m)]
        for s in range(board.set_count)
        if i not in board.blocked[s]
    }
    for s in sorted(blockers_in, key=lambda s: (len(blockers_in[s]), s)):
        blockers = blockers_in[s]
        if not blockers or any(board.locked[m] for m in blockers):
            continue
        moved = []
        for blocker in blockers:
            targets = [
                t
                for t in range(board.set_count)
                if t != s and board.size(t) < board.max_size and not board.conflicts(blocker, t)
            ]
            if not targets:
                break
            board.move(blocker, min(targets, key=lambda t: _fallback_key(board, blocker, t)))
            moved.append(blocker)
        if len(moved) == len(blockers):
            board.add(i, s)
            return
        for blocker in moved:
            board.move(blocker, s)


def _fill_undersized(board: _Board) -> None:
    """Bring sets below the minimum size up by moving people from sets above it."""
    for s in range(board.set_count):
        while board.size(s) < board.min_size:
            donor = _cheapest_donor(board, s)
            if donor is not None:
                board.move(donor, s)
            elif not (_fill_by_exchange(board, s) or _fill_by_relay(board, s)):
                break


def _fill_by_exchange(board: _Board, s: int) -> bool:
    """Swap a member of ``s`` for someone only that member's chain kept out, if someone
    else can then join too."""
    cohort = board.cohort
    for member in list(board.members[s]):
        if board.locked[member] or cohort.is_guest[member]:
            continue
        for j in range(len(cohort)):
            t = board.where[j]
            if (
                not board.movable(j)
                or t == s
                or cohort.is_guest[j]
                or not cohort.in_chain(j, member)
                or board.conflicts(j, s, leaving=member)
                or board.conflicts(member, t, leaving=j)
            ):
                continue
            board.move(member, t)
            board.move(j, s)
            donor = _cheapest_donor(board, s)
            if donor is not None:
                board.move(donor, s)
                return True
            board.move(j, t)
            board.move(member, s)
    return False


def _fill_by_relay(board: _Board, s: int) -> bool:
    """Take someone from a set at the minimum size, if someone else can then fill that set."""
    cohort = board.cohort
    for j in sorted(range(len(cohort)), key=lambda j: cohort.is_guest[j]):
        t = board.where[j]
        if (
            t in (UNPLACED, s)
            or board.locked[j]
            or board.size(t) != board.min_size
            or board.conflicts(j, s)
        ):
            continue
        board.move(j, s)
        donor = _cheapest_donor(board, t)
        if donor is not None:
            board.move(donor, t)
            return True
        board.move(j, t)
    return False


def _cheapest_donor(board: _Board, s: int) -> int | None:
    cohort = board.cohort
    best, best_key = None, None
    for i in range(len(cohort)):
        t = board.where[i]
        if t in (UNPLACED, s) or board.locked[i] or board.size(t) <= board.min_size:
            continue
        if board.conflicts(i, s):
            continue
        # Sizes come first, but a guest moves towards more guests only as a last resort.
        guest = cohort.is_guest[i]
        key = (
            guest and board.guests[t] <= board.guests[s],
            guest,
            board.cost(i, s) - board.cost(i, t),
        )
        if best_key is None or key < best_key:
            best, best_key = i, key
    return best


def _improve_by_swaps(board: _Board) -> None:
    """Move or swap movable people (guest for guest, so the spread holds) while that lowers
    the cost; a bounded number of passes, each O(people × sets)."""
    for _ in range(MAX_SWAP_PASSES):
        swapped = False
        for a in range(len(board.cohort)):
            if (
                board.movable(a)
                and board.cost(a, board.where[a]) > 0
                and _better_place_for(board, a)
            ):
                swapped = True
        if not swapped:
            return


def _improve_by_kicks(board: _Board, rng: random.Random) -> None:
    """Iterated local search: ruin and recreate a few placements, descend, and keep the
    result if it is at least as good as the best so far (so the search can wander across
    equally good arrangements), else go back to the best."""
    rounds = min(MAX_KICKS, KICK_BUDGET // max(1, len(board.cohort) * board.set_count))
    movable = [i for i in range(len(board.cohort)) if board.movable(i)]
    if board.set_count < 2 or len(movable) < 2:
        return
    best, best_cost = list(board.where), board.total_cost()
    for _ in range(rounds):
        _ruin_and_recreate(board, movable, rng)
        _improve_by_swaps(board)
        cost = board.total_cost()
        if cost <= best_cost:
            best, best_cost = list(board.where), cost
        else:
            board.restore(best)


def _ruin_and_recreate(board: _Board, movable: list[int], rng: random.Random) -> None:
    """Take out a few random people and one person's whole chain, and put them back into the
    places they left, greedily with random ties; undo if someone no longer fits or the
    guests spread less evenly. Every set keeps its size."""
    cohort = board.cohort
    someone = rng.choice(movable)
    taken = set(rng.sample(movable, min(RUIN_SIZE, len(movable)))) | {someone}
    taken.update(j for j in movable if cohort.in_chain(someone, j))
    order = sorted(taken)
    rng.shuffle(order)
    order.sort(key=lambda i: not cohort.is_guest[i])  # guests first, to keep them spread
    homes = {i: board.where[i] for i in order}
    spread = max(board.guests) - min(board.guests)
    for i in order:
        board.remove(i)
    if not _recreate(board, order, Counter(homes.values()), rng) or (
        max(board.guests) - min(board.guests) > spread
    ):
        for i in order:
            if board.where[i] != UNPLACED:
                board.remove(i)
        for i in order:
            board.add(i, homes[i])


def _recreate(board: _Board, order: list[int], room: Counter[int], rng: random.Random) -> bool:
    for i in order:
        options = [s for s in sorted(room) if room[s] and not board.conflicts(i, s)]
        if not options:
            return False
        guests = board.guests if board.cohort.is_guest[i] else [0] * board.set_count
        s = min(options, key=lambda s: (guests[s], board.cost(i, s), rng.random()))
        room[s] -= 1
        board.add(i, s)
    return True


def _better_place_for(board: _Board, a: int) -> bool:
    """Make the first move or swap of ``a`` that lowers the cost and keeps every hard rule.

    Any improving swap lowers the cost of at least one of its two people, so looking only
    at sets where ``a`` alone would be better off misses none that its partner won't find.
    """
    home = board.where[a]
    own = board.cost(a, home)
    for step in range(1, board.set_count):
        other = (home + step) % board.set_count
        if board.cost(a, other) >= own:
            continue
        if _may_move(board, a, other):
            board.move(a, other)
            return True
        partner = _swap_partner(board, a, other, own)
        if partner is not None:
            board.move(a, other)
            board.move(partner, home)
            return True
    return False


def _may_move(board: _Board, a: int, other: int) -> bool:
    """Moving ``a`` alone to a smaller set keeps sizes as even as they were, and within
    bounds; a guest moves only towards fewer guests."""
    home = board.where[a]
    return (
        board.size(home) > max(board.size(other), board.min_size)
        and (not board.cohort.is_guest[a] or board.guests[home] > board.guests[other])
        and not board.conflicts(a, other)
    )


def _swap_partner(board: _Board, a: int, other: int, own: int) -> int | None:
    """Someone in ``other`` to swap with ``a`` (guest for guest) at a lower total cost."""
    cohort = board.cohort
    home = board.where[a]
    for b in board.members[other]:
        if board.locked[b] or cohort.is_guest[b] != cohort.is_guest[a]:
            continue
        before = own + board.cost(b, other)
        after = board.cost(a, other, leaving=b) + board.cost(b, home, leaving=a)
        if (
            after < before
            and not board.conflicts(a, other, leaving=b)
            and not board.conflicts(b, home, leaving=a)
        ):
            return b
    return None


def _unplaced_problems(board: _Board) -> list[str]:
    cohort = board.cohort
    unplaced = [cohort.ids[i] for i in range(len(cohort)) if board.where[i] == UNPLACED]
    if not unplaced:
        return []
    if all(board.size(s) >= board.max_size for s in range(board.set_count)):
        why = (
            f"all {_sets(board.set_count)} are full ({board.max_size} at most) "
            f"for {len(cohort)} participants"
        )
    else:
        why = "every set with room has someone from their management chain"
    verb = "was" if len(unplaced) == 1 else "were"
    return [f"{cohort.persons(unplaced)} {verb} not placed: {why}."]


def _size_problems(board: _Board) -> list[str]:
    people, min_size = len(board.cohort), board.min_size
    if people < board.set_count * min_size:
        why = f"{people} participants cannot fill {_sets(board.set_count)} of at least {min_size}"
    else:
        why = (
            "no one else can join it without meeting their management chain, "
            "breaking a lock or leaving another set too small"
        )
    return [
        f"{_set_name(s)} has {board.size(s)} members, below the minimum of {min_size}: {why}."
        for s in range(board.set_count)
        if board.size(s) < min_size
    ]


def _place_by_dropping_facilitators(board: _Board, matching: _FacilitatorMatching) -> None:
    """Members come before facilitators: take a facilitator off a set if only they keep
    someone out of every set (the final matching may find that set another one)."""
    for i in range(len(board.cohort)):
        if board.where[i] != UNPLACED:
            continue
        open_sets = [
            s
            for s in range(board.set_count)
            if board.size(s) < board.max_size and not board.conflicts(i, s, with_facilitator=False)
        ]
        if open_sets:
            s = min(open_sets, key=lambda s: _fallback_key(board, i, s))
            matching.release(s)
            board.add(i, s)


def _fallback_key(board: _Board, i: int, s: int) -> tuple[int, int, int, int]:
    """Order of preference for a set when the greedy's choice is gone: fewest guests (for a
    guest), lowest cost, fewest members."""
    guests = board.guests[s] if board.cohort.is_guest[i] else 0
    return (guests, board.cost(i, s), board.size(s), s)


def _facilitator_problems(
    board: _Board, matching: _FacilitatorMatching, facilitators_given: bool
) -> list[str]:
    uncovered = [s for s, f in enumerate(matching.facilitator_ids()) if f is None]
    if not facilitators_given or not uncovered:
        return []
    sets = f"{_set_names(uncovered)} {'has' if len(uncovered) == 1 else 'have'} no facilitator"
    if matching.capacity < board.set_count:
        return [
            f"The facilitators can take {_sets(matching.capacity)} between them, but there are "
            f"{board.set_count}; {sets}."
        ]
    return [
        f"{sets}: every facilitator with room is in the management chain of one of its members."
    ]


class _FacilitatorMatching:
    """Sets to facilitators outside their members' chains, within capacity.

    A maximum matching by augmenting paths, trying facilitators in ``_preference`` order.
    Keeps ``board.blocked`` up to date.
    """

    def __init__(self, board: _Board, facilitators: Sequence[Facilitator]) -> None:
        self.board = board
        self.available = sorted(
            (f for f in facilitators if f.capacity > 0), key=lambda f: f.person_id
        )
        self.blocked = [_blocked_by(board.cohort, f) for f in self.available]
        self.capacity = sum(f.capacity for f in self.available)
        self.owner: list[int | None] = [None] * board.set_count
        self.serving: list[list[int]] = [[] for _ in self.available]
        self.load = [0] * len(self.available)

    def facilitator_ids(self) -> list[int | None]:
        return [None if f is None else self.available[f].person_id for f in self.owner]

    def run(self) -> None:
        """Find a facilitator for every set without one, while capacity lasts."""
        for s in range(self.board.set_count):
            if self.owner[s] is None and sum(self.load) < self.capacity:
                self._augment(s)

    def release(self, s: int) -> None:
        f = self.owner[s]
        if f is not None:
            self.owner[s] = None
            self.serving[f].remove(s)
            self.load[f] -= 1
            self.board.blocked[s] = frozenset()

    def _preference(self, f: int) -> tuple[bool, int, int, int]:
        """Facilitators outside every participant's chain first (they constrain placement
        least), then the fewest sets so far, so the load spreads."""
        blocked = len(self.blocked[f])
        return (blocked > 0, self.load[f], blocked, self.available[f].person_id)

    def _allowed(self, f: int, s: int) -> bool:
        return not any(m in self.blocked[f] for m in self.board.members[s])

    def _augment(self, s: int) -> None:
        """Find set ``s`` a facilitator, handing other sets on to other facilitators if need be."""
        order = sorted(range(len(self.available)), key=self._preference)
        reached_from: dict[int, int] = {}
        seen = {s}
        queue = deque([s])
        while queue:
            t = queue.popleft()
            for f in order:
                if f in reached_from or not self._allowed(f, t):
                    continue
                reached_from[f] = t
                if self.load[f] < self.available[f].capacity:
                    self.load[f] += 1
                    self._hand_on(f, reached_from)
                    return
                fresh = [u for u in self.serving[f] if u not in seen]
                seen.update(fresh)
                queue.extend(fresh)

    def _hand_on(self, f: int, reached_from: dict[int, int]) -> None:
        """Walk the path back: each set on it goes to the facilitator that reached it."""
        while True:
            t = reached_from[f]
            previous = self.owner[t]
            self.owner[t] = f
            self.serving[f].append(t)
            self.board.blocked[t] = self.blocked[f]
            if previous is None:
                return
            self.serving[previous].remove(t)
            f = previous


def _blocked_by(cohort: _Cohort, facilitator: Facilitator) -> frozenset[int]:
    """Candidates who may not be in a set this facilitator takes: themselves and their chain."""
    me = facilitator.person_id
    return frozenset(cohort.below.get(me, ())) | frozenset(
        cohort.indices(facilitator.managers | {me})
    )


def _reasons(board: _Board) -> dict[int, str]:
    cohort = board.cohort
    return {
        cohort.ids[i]: _reason(board, i) for i in range(len(cohort)) if board.where[i] != UNPLACED
    }


def _reason(board: _Board, i: int) -> str:
    cohort = board.cohort
    s = board.where[i]
    name = _set_name(s)
    clauses = [f"locked in {name} by hr"] if board.locked[i] else []
    place = "there" if clauses else f"in {name}"
    department = cohort.department[i]
    if department != NO_DEPARTMENT:
        clauses.append(_department_clause(board, department, s, place))
    elif not cohort.is_guest[i]:
        clauses.append(f"{place} (no department recorded)")
    if cohort.is_guest[i]:
        guests = [m for m in sorted(board.members[s]) if cohort.is_guest[m]]
        whose = "the set's" if clauses else f"{name}'s"
        clauses.append(f"brings {whose} {_ordinal(guests.index(i) + 1)} guest entrepreneur")
    if cohort.chain_size[i]:
        clauses.append("no one from their management chain there")
    else:
        clauses.append("no one from their management chain in the cohort")
    if cohort.partners[i]:
        again = sum(board.where[j] == s for j in cohort.partners[i])
        clauses.append(
            f"together again with {again} {'person' if again == 1 else 'people'} "
            "they shared a set with before"
            if again
            else "no one they shared a set with before"
        )
    sentence = "; ".join(clauses)
    return sentence[0].upper() + sentence[1:] + "."


def _department_clause(board: _Board, department: int, s: int, place: str) -> str:
    cohort = board.cohort
    title = cohort.department_names[department]
    together = board.department_count[s][department]
    if together == 1:
        return f"only {title} person {place}"
    clause = f"one of {together} {title} people {place}"
    size = cohort.department_size[department]
    if size > board.set_count:
        clause += f" ({title} has {size} people for {_sets(board.set_count)})"
    return clause


def _set_name(index: int) -> str:
    return f"Set {index + 1}"


def _sets(count: int) -> str:
    return f"{count} set" if count == 1 else f"{count} sets"


def _set_names(indices: list[int]) -> str:
    """ "Set 2", "Sets 2 and 5", "Sets 2, 5 and 7–12": runs of three or more as a range."""
    if len(indices) == 1:
        return _set_name(indices[0])
    runs: list[list[int]] = []
    for number in sorted(s + 1 for s in indices):
        if runs and runs[-1][1] == number - 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    parts = []
    for first, last in runs:
        if last - first >= 2:
            parts.append(f"{first}–{last}")
        else:
            parts.extend(str(n) for n in range(first, last + 1))
    return f"Sets {', '.join(parts[:-1])} and {parts[-1]}" if len(parts) > 1 else f"Sets {parts[0]}"


def _ordinal(n: int) -> str:
    if n <= len(ORDINALS):
        return ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
