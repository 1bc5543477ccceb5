"""Repairs for what the greedy placement could not serve: people kept out of every set by
their chain or a facilitator's, and sets below the minimum size."""

from __future__ import annotations

from intrapreneur.learning.composer.board import UNPLACED, Board
from intrapreneur.learning.composer.facilitators import FacilitatorMatching


def place_by_moving_blockers(board: Board, i: int) -> None:
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
            board.move(blocker, min(targets, key=lambda t: fallback_key(board, blocker, t)))
            moved.append(blocker)
        if len(moved) == len(blockers):
            board.add(i, s)
            return
        for blocker in moved:
            board.move(blocker, s)


def fill_undersized(board: Board) -> None:
    """Bring sets below the minimum size up by moving people from sets above it."""
    for s in range(board.set_count):
        while board.size(s) < board.min_size:
            donor = _cheapest_donor(board, s)
            if donor is not None:
                board.move(donor, s)
            elif not (_fill_by_exchange(board, s) or _fill_by_relay(board, s)):
                break


def _fill_by_exchange(board: Board, s: int) -> bool:
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


def _fill_by_relay(board: Board, s: int) -> bool:
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


def _cheapest_donor(board: Board, s: int) -> int | None:
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


def place_by_dropping_facilitators(board: Board, matching: FacilitatorMatching) -> None:
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
            s = min(open_sets, key=lambda s: fallback_key(board, i, s))
            matching.release(s)
            board.add(i, s)


def fallback_key(board: Board, i: int, s: int) -> tuple[int, int, int, int]:
    """Order of preference for a set when the greedy's choice is gone: fewest guests (for a
    guest), lowest cost, fewest members."""
    guests = board.guests[s] if board.cohort.is_guest[i] else 0
    return (guests, board.cost(i, s), board.size(s), s)
