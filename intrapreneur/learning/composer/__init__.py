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
sets, departments mixed within each set (a department is unique across
business units: callers pass "Finance (Retail)", not "Finance"), locations
mixed within each set, and (with ``keep_apart_previous``) no two people
together again who shared a set before.

Method: locked people first; facilitators matched to sets (so placement keeps
each facilitator's chain out of their sets); a greedy placement (people whose
management chain spans many sets, then guests, then departments largest
first, each dealt across consecutive sets); repairs for people or sets the
greedy could not serve; then a local search of moves and swaps that keep
every hard rule and the guest spread and lower, in this order, the members who
bring no new department to their set, same-department pairs, the same two for
locations, and repeat pairs,
with rounds of ruin and recreate for small cohorts; last, the facilitators
again for sets that lost theirs. Passes and kicks are counted,
never timed, and ties are broken by ``random.Random(seed)``, so the same input
and seed give the same proposal. Candidates are processed in person-id order
and departments in name order, so neither the input order nor string hashing
(PYTHONHASHSEED) changes the result.

This module holds the public API and runs the steps in order. The parts, each
importing only parts named after it: ``search`` (moves, swaps, ruin and
recreate), ``greedy`` (locks and the first placement), ``repair`` (what the
greedy could not serve), ``problems`` and ``reasons`` (the sentences hr
reads), ``facilitators`` (the matching), ``board`` (the shared mutable state),
``quality``, ``model`` (the dataclasses callers pass and get back) and
``wording`` (how sets are named).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from flask_babel import gettext as _

from intrapreneur.learning.composer.board import UNPLACED, Board, Cohort
from intrapreneur.learning.composer.facilitators import FacilitatorMatching, blocked_by
from intrapreneur.learning.composer.greedy import apply_locks, place_everyone
from intrapreneur.learning.composer.model import (
    Arrangement,
    Candidate,
    Facilitator,
    Proposal,
    ProposedSet,
    Quality,
    SetQuality,
)
from intrapreneur.learning.composer.problems import (
    chain_clause,
    facilitator_name,
    facilitator_problems,
    rules_broken,
    shortfalls,
    size_problems,
    unplaced_problems,
)
from intrapreneur.learning.composer.quality import measure_quality
from intrapreneur.learning.composer.reasons import reasons_for
from intrapreneur.learning.composer.repair import place_by_dropping_facilitators
from intrapreneur.learning.composer.search import improve_by_kicks, improve_by_swaps

__all__ = [
    "Arrangement",
    "Candidate",
    "Facilitator",
    "Proposal",
    "ProposedSet",
    "Quality",
    "SetQuality",
    "assess",
    "broken_rules",
    "compose",
    "measure_quality",
    "move_refusal",
]


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
    cohort = Cohort(candidates, pairs)
    locks = dict(locked or {})
    if set_count is None:
        capacity = sum(f.capacity for f in facilitators) if facilitators else None
        set_count = _choose_set_count(cohort, min_size, max_size, capacity, locks)
    board = Board(cohort, set_count, (min_size, max_size), keep_apart_previous)
    problems = apply_locks(board, locks)
    matching = FacilitatorMatching(board, facilitators)
    # First on the locked members only, so that placement steers clear of each
    # facilitator's chain; again at the end for sets that lost theirs.
    matching.run()
    rng = random.Random(seed)  # noqa: S311 - reproducible tie-breaking, not secrecy
    place_everyone(board, rng)
    place_by_dropping_facilitators(board, matching)
    improve_by_swaps(board)
    improve_by_kicks(board, rng)
    matching.run()
    problems += unplaced_problems(board)
    problems += size_problems(board)
    problems += facilitator_problems(board, matching, bool(facilitators))
    facilitator_ids = matching.facilitator_ids()
    sets = [
        ProposedSet(index=s, members=board.member_ids(s), facilitator_id=facilitator_ids[s])
        for s in range(set_count)
    ]
    return _proposal(board, sets, problems, candidates, pairs)


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
    board = _board_for(arrangement, Cohort(candidates, pairs), facilitators, (min_size, max_size))
    sets = [
        ProposedSet(index=s, members=board.member_ids(s), facilitator_id=facilitator_id)
        for s, facilitator_id in enumerate(arrangement.facilitator_ids)
    ]
    problems = rules_broken(board, arrangement, facilitators)
    problems += shortfalls(board, sets, bool(facilitators))
    return _proposal(board, sets, problems, candidates, pairs)


def broken_rules(
    arrangement: Arrangement,
    candidates: Sequence[Candidate],
    *,
    facilitators: Sequence[Facilitator] = (),
    max_size: int = 8,
) -> list[str]:
    """The hard rules ``arrangement`` breaks, as sentences; empty when it may be published."""
    board = _board_for(arrangement, Cohort(candidates, frozenset()), facilitators, (1, max_size))
    return rules_broken(board, arrangement, facilitators)


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
    board = _board_for(arrangement, Cohort(candidates, frozenset()), facilitators, (1, max_size))
    cohort = board.cohort
    i = cohort.index_of[person_id]
    name, target_name = cohort.short(person_id), arrangement.name_of(target)
    if board.where[i] == target:
        return _("%(name)s is already in %(set)s.", name=name, set=target_name)
    if board.size(target) >= max_size:
        return _(
            "%(set)s already has %(most)d members, the most a set can have.",
            set=target_name,
            most=max_size,
        )
    blocker = next((m for m in board.members[target] if cohort.in_chain(i, m)), None)
    if blocker is not None:
        return _(
            "%(name)s cannot join %(set)s: %(chain)s.",
            name=name,
            set=target_name,
            chain=chain_clause(cohort, i, blocker),
        )
    if i in board.blocked[target]:
        facilitator = facilitator_name(facilitators, arrangement.facilitator_ids[target])
        if arrangement.facilitator_ids[target] == person_id:
            return _(
                "%(name)s facilitates %(set)s and cannot also be a member of it.",
                name=name,
                set=target_name,
            )
        return _(
            "%(name)s cannot join %(set)s: its facilitator %(facilitator)s is in their "
            "management chain.",
            name=name,
            set=target_name,
            facilitator=facilitator,
        )
    return None


def _proposal(
    board: Board,
    sets: list[ProposedSet],
    problems: list[str],
    candidates: Sequence[Candidate],
    pairs: frozenset[frozenset[int]],
) -> Proposal:
    """The proposal for ``sets`` as ``board`` holds them: reasons, the unplaced, quality."""
    cohort = board.cohort
    return Proposal(
        sets=sets,
        reasons=reasons_for(board),
        problems=problems,
        unplaced=[cohort.ids[i] for i in range(len(cohort)) if board.where[i] == UNPLACED],
        quality=measure_quality([s.members for s in sets], candidates, pairs),
    )


def _board_for(
    arrangement: Arrangement,
    cohort: Cohort,
    facilitators: Sequence[Facilitator],
    sizes: tuple[int, int],
) -> Board:
    if len(arrangement.facilitator_ids) != len(arrangement.sets):
        raise ValueError("An arrangement needs one facilitator entry per set.")
    board = Board(cohort, len(arrangement.sets), sizes, keep_apart=True)
    for s, members in enumerate(arrangement.sets):
        for person_id in members:
            i = cohort.index_of.get(person_id)
            if i is not None and board.where[i] == UNPLACED:
                board.add(i, s)
                board.locked[i] = person_id in arrangement.locked
    by_id = {f.person_id: f for f in facilitators}
    for s, facilitator_id in enumerate(arrangement.facilitator_ids):
        if facilitator_id in by_id:
            board.blocked[s] = blocked_by(cohort, by_id[facilitator_id])
    return board


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


def _choose_set_count(
    cohort: Cohort, min_size: int, max_size: int, capacity: int | None, locks: Mapping[int, int]
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
