"""Improving a placement that keeps every hard rule: a local search of moves and swaps, and
rounds of ruin and recreate around it."""

from __future__ import annotations

import random
from collections import Counter

from intrapreneur.learning.composer.board import UNPLACED, Board

MAX_SWAP_PASSES = 8
# Ruin-and-recreate rounds: KICK_BUDGET / (people × sets), at most MAX_KICKS. Hundreds
# for a small cohort, where one descent stops a department short of the best about once
# in a hundred; one for 2,000 people, where the descent comes within 0.2 % of the bound.
KICK_BUDGET = 1_000_000
MAX_KICKS = 200
RUIN_SIZE = 5  # people a kick takes out, besides one person's whole chain


def improve_by_swaps(board: Board) -> None:
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


def improve_by_kicks(board: Board, rng: random.Random) -> None:
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
        improve_by_swaps(board)
        cost = board.total_cost()
        if cost <= best_cost:
            best, best_cost = list(board.where), cost
        else:
            board.restore(best)


def _ruin_and_recreate(board: Board, movable: list[int], rng: random.Random) -> None:
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


def _recreate(board: Board, order: list[int], room: Counter[int], rng: random.Random) -> bool:
    for i in order:
        options = [s for s in sorted(room) if room[s] and not board.conflicts(i, s)]
        if not options:
            return False
        guests = board.guests if board.cohort.is_guest[i] else [0] * board.set_count
        s = min(options, key=lambda s: (guests[s], board.cost(i, s), rng.random()))
        room[s] -= 1
        board.add(i, s)
    return True


def _better_place_for(board: Board, a: int) -> bool:
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


def _may_move(board: Board, a: int, other: int) -> bool:
    """Moving ``a`` alone to a smaller set keeps sizes as even as they were, and within
    bounds; a guest moves only towards fewer guests."""
    home = board.where[a]
    return (
        board.size(home) > max(board.size(other), board.min_size)
        and (not board.cohort.is_guest[a] or board.guests[home] > board.guests[other])
        and not board.conflicts(a, other)
    )


def _swap_partner(board: Board, a: int, other: int, own: int) -> int | None:
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
