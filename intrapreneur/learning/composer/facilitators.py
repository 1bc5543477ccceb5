"""Facilitators to sets: a matching that keeps each facilitator's chain out of their sets."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from intrapreneur.learning.composer.board import Board, Cohort
from intrapreneur.learning.composer.model import Facilitator


class FacilitatorMatching:
    """Sets to facilitators outside their members' chains, within capacity.

    A maximum matching by augmenting paths, trying facilitators in ``_preference`` order.
    Keeps ``board.blocked`` up to date.
    """

    def __init__(self, board: Board, facilitators: Sequence[Facilitator]) -> None:
        self.board = board
        self.available = sorted(
            (f for f in facilitators if f.capacity > 0), key=lambda f: f.person_id
        )
        self.blocked = [blocked_by(board.cohort, f) for f in self.available]
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


def blocked_by(cohort: Cohort, facilitator: Facilitator) -> frozenset[int]:
    """Candidates who may not be in a set this facilitator takes: themselves and their chain."""
    me = facilitator.person_id
    return frozenset(cohort.below.get(me, ())) | frozenset(
        cohort.indices(facilitator.managers | {me})
    )
