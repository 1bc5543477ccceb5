"""``Proposal.problems``: the hard rules an arrangement breaks, and what the composer could
not do and why, as sentences hr reads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from intrapreneur.learning.composer.board import UNPLACED, Board, Cohort
from intrapreneur.learning.composer.facilitators import FacilitatorMatching
from intrapreneur.learning.composer.model import Arrangement, Facilitator, ProposedSet
from intrapreneur.learning.composer.wording import number_of_sets, set_name, set_names


def rules_broken(
    board: Board, arrangement: Arrangement, facilitators: Sequence[Facilitator]
) -> list[str]:
    cohort, facilitator_ids = board.cohort, arrangement.facilitator_ids
    problems = []
    for s in range(board.set_count):
        name = arrangement.name_of(s)
        if board.size(s) > board.max_size:
            problems.append(
                f"{name} has {board.size(s)} members, above the maximum of {board.max_size}."
            )
        members = sorted(board.members[s])
        for position, i in enumerate(members):
            for j in members[position + 1 :]:
                if cohort.in_chain(i, j):
                    problems.append(f"In {name}, {chain_clause(cohort, i, j)}.")
        clashing = [cohort.ids[i] for i in members if i in board.blocked[s]]
        facilitator = facilitator_name(facilitators, facilitator_ids[s])
        if facilitator_ids[s] in clashing:
            clashing.remove(facilitator_ids[s])
            problems.append(f"{facilitator} is a member of {name} and cannot also facilitate it.")
        if clashing:
            problems.append(
                f"{name}'s facilitator {facilitator} is in the management chain of "
                f"{cohort.persons(clashing)}."
            )
    load = Counter(f for f in facilitator_ids if f is not None)
    for facilitator in facilitators:
        if load[facilitator.person_id] > facilitator.capacity:
            problems.append(
                f"{facilitator_name(facilitators, facilitator.person_id)} facilitates "
                f"{number_of_sets(load[facilitator.person_id])}, more than their capacity of "
                f"{facilitator.capacity}."
            )
    return problems


def shortfalls(board: Board, sets: list[ProposedSet], facilitators_given: bool) -> list[str]:
    small = [
        f"{set_name(s)} has {board.size(s)} members, below the minimum of {board.min_size}."
        for s in range(board.set_count)
        if board.size(s) < board.min_size
    ]
    uncovered = [s.index for s in sets if s.facilitator_id is None]
    if facilitators_given and uncovered:
        verb = "has" if len(uncovered) == 1 else "have"
        small.append(f"{set_names(uncovered)} {verb} no facilitator.")
    return small


def chain_clause(cohort: Cohort, i: int, j: int) -> str:
    upper, lower = (j, i) if j in cohort.ancestors[i] else (i, j)
    return (
        f"{cohort.short(cohort.ids[upper])} is above {cohort.short(cohort.ids[lower])} "
        "in the management chain"
    )


def facilitator_name(facilitators: Sequence[Facilitator], person_id: int | None) -> str:
    named = {f.person_id: f.name for f in facilitators if f.name}
    return named.get(person_id, f"person {person_id}") if person_id is not None else "(none)"


def unplaced_problems(board: Board) -> list[str]:
    cohort = board.cohort
    unplaced = [cohort.ids[i] for i in range(len(cohort)) if board.where[i] == UNPLACED]
    if not unplaced:
        return []
    if all(board.size(s) >= board.max_size for s in range(board.set_count)):
        why = (
            f"all {number_of_sets(board.set_count)} are full ({board.max_size} at most) "
            f"for {len(cohort)} participants"
        )
    else:
        why = "every set with room has someone from their management chain"
    verb = "was" if len(unplaced) == 1 else "were"
    return [f"{cohort.persons(unplaced)} {verb} not placed: {why}."]


def size_problems(board: Board) -> list[str]:
    people, min_size = len(board.cohort), board.min_size
    if people < board.set_count * min_size:
        why = (
            f"{people} participants cannot fill {number_of_sets(board.set_count)} "
            f"of at least {min_size}"
        )
    else:
        why = (
            "no one else can join it without meeting their management chain, "
            "breaking a lock or leaving another set too small"
        )
    return [
        f"{set_name(s)} has {board.size(s)} members, below the minimum of {min_size}: {why}."
        for s in range(board.set_count)
        if board.size(s) < min_size
    ]


def facilitator_problems(
    board: Board, matching: FacilitatorMatching, facilitators_given: bool
) -> list[str]:
    uncovered = [s for s, f in enumerate(matching.facilitator_ids()) if f is None]
    if not facilitators_given or not uncovered:
        return []
    sets = f"{set_names(uncovered)} {'has' if len(uncovered) == 1 else 'have'} no facilitator"
    if matching.capacity < board.set_count:
        return [
            f"The facilitators can take {number_of_sets(matching.capacity)} between them, "
            f"but there are {board.set_count}; {sets}."
        ]
    return [
        f"{sets}: every facilitator with room is in the management chain of one of its members."
    ]
