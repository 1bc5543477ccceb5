"""The first placement: locked people, then everyone else greedily, then the repairs."""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Mapping

from flask_babel import gettext as _

from intrapreneur.learning.composer.board import NO_DEPARTMENT, UNPLACED, Board, Cohort
from intrapreneur.learning.composer.repair import fill_undersized, place_by_moving_blockers
from intrapreneur.learning.composer.wording import number_of_sets, set_name


def apply_locks(board: Board, locks: Mapping[int, int]) -> list[str]:
    """Place the locked people; report (and leave to the composer) locks that break a rule."""
    cohort = board.cohort
    problems = []
    placeable = []
    for person_id, s in sorted(locks.items()):
        if person_id not in cohort.index_of:
            problems.append(
                _(
                    "%(person)s is locked but is not among the candidates; the lock was ignored.",
                    person=cohort.persons([person_id]),
                )
            )
        elif s >= board.set_count:
            problems.append(
                _(
                    "%(person)s is locked in %(set)s, but there are only %(sets)s; the composer "
                    "placed them instead.",
                    person=cohort.persons([person_id]),
                    set=set_name(s),
                    sets=number_of_sets(board.set_count),
                )
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
            _(
                "%(count)d people are locked in %(set)s, more than the maximum of %(most)d; the "
                "locks of %(people)s were not honoured and the composer placed them.",
                count=locks_per_set[s],
                set=set_name(s),
                most=board.max_size,
                people=cohort.persons(person_ids),
            )
        )
    return problems


def _chain_lock_problem(cohort: Cohort, i: int, blocker: int, s: int) -> str:
    upper, lower = (blocker, i) if blocker in cohort.ancestors[i] else (i, blocker)
    ids = cohort.ids
    return _(
        "%(people)s are both locked in %(set)s, but %(upper)s is above %(lower)s in the "
        "management chain; the lock of %(person)s was not honoured and the composer placed them.",
        people=cohort.persons([ids[blocker], ids[i]]),
        set=set_name(s),
        upper=cohort.short(ids[upper]),
        lower=cohort.short(ids[lower]),
        person=cohort.short(ids[i]),
    )


def place_everyone(board: Board, rng: random.Random) -> None:
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
            place_by_moving_blockers(board, i)
    fill_undersized(board)
    for i in order:
        if board.where[i] == UNPLACED:
            _place(board, i, (full,), 0)


def _target_sizes(locked_counts: list[int], people: int, max_size: int) -> list[int]:
    """Sizes as even as the locks allow: each further person goes to the smallest set."""
    targets = list(locked_counts)
    heap = [(size, s) for s, size in enumerate(targets) if size < max_size]
    heapq.heapify(heap)
    for _extra in range(people - sum(targets)):
        if not heap:
            break
        size, s = heapq.heappop(heap)
        targets[s] = size + 1
        if size + 1 < max_size:
            heapq.heappush(heap, (size + 1, s))
    return targets


def _placement_order(
    cohort: Cohort, free: list[int], set_count: int, rng: random.Random
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


def _place(board: Board, i: int, limits_in_turn: tuple[list[int], ...], cursor: int) -> int:
    """Put ``i`` in the best set under the first limits that leave any; return the next cursor."""
    for limits in limits_in_turn:
        s = _best_set(board, i, limits, cursor)
        if s is not None:
            board.add(i, s)
            return (s + 1) % board.set_count
    return cursor


def _best_set(board: Board, i: int, limits: list[int], cursor: int) -> int | None:
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
