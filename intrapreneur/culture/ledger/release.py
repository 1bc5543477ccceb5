"""Which candidate figures of one family may be released, given everything released before.

Greedy and exact: show every candidate that has at least k people behind it (but those a
first pass suggests hiding), then, while the released rows (earlier ones and these)
determine a union of fewer than k people (see ``algebra``), withhold the cheapest candidate
among the rows it is worked out from — the figure with the fewest people behind it, the
finest first — and check again. Last, every hidden figure that could be shown after all
without isolating anyone is shown, most valuable first: no figure stays hidden that no
subtraction needs hidden. Earlier releases are never withdrawn: they are published, and
only these candidates can change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from intrapreneur.culture.ledger.algebra import Found, KnownSums
from intrapreneur.culture.ledger.people import GroupKey

# The most exact checks spent on showing hidden figures again, per decision: each costs
# one elimination, and a large organisation may have thousands of hidden figures.
RESTORE_CHECKS = 32


class EarlierReleaseExposes(RuntimeError):
    """Figures released before already determine a small group: no choice of the new ones
    can help. Publications are made in order with the same rules, so this is a bug."""


@dataclass(frozen=True)
class Candidate:
    key: GroupKey
    atoms: frozenset[int]
    people: int  # the answers the figure rests on


def released(
    weights: Sequence[int],
    fixed: Sequence[frozenset[int]],
    candidates: Sequence[Candidate],
    k: int,
    withheld: Collection[GroupKey] = (),
    suggested: Collection[GroupKey] = (),
) -> set[GroupKey]:
    """The keys of the candidates that may be shown (groups nobody is in included: they
    read "no responses" and describe no one). ``withheld`` are hidden whatever happens;
    ``suggested`` start hidden (a first pass's choice) and are shown after all where that
    isolates no one."""
    same_people: dict[frozenset[int], list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        same_people[candidate.atoms].append(candidate)
    always = {key for c in candidates if c.key in set(withheld) or 0 < c.people < k
              for key in _keys(same_people[c.atoms])}  # fmt: skip
    hidden = always | {key for c in candidates if c.key in set(suggested)
                       for key in _keys(same_people[c.atoms])}  # fmt: skip
    memo: dict[tuple[object, ...], list[Found]] = {}
    while True:
        shown = [c for c in candidates if c.key not in hidden and c.people]
        to_hide = {
            min(involved, key=_cheapest).atoms
            for involved in _exposing(weights, fixed, shown, k, memo=memo)
        }
        if not to_hide:
            break
        for atoms in to_hide:
            # Groups are people, not labels: a figure over the same people goes with it.
            hidden.update(_keys(same_people[atoms]))
    units = {c.atoms: same_people[c.atoms] for c in candidates if c.key in hidden - always}
    trial = sorted(units.values(), key=lambda unit: _cheapest(unit[0]), reverse=True)
    for unit in _restorable(weights, fixed, shown, trial, k, memo):
        hidden.difference_update(_keys(unit))
    return {candidate.key for candidate in candidates if candidate.key not in hidden}


def _exposing(
    weights: Sequence[int],
    fixed: Sequence[frozenset[int]],
    shown: Sequence[Candidate],
    k: int,
    *,
    explained: bool = True,
    memo: dict[tuple[object, ...], list[Found]] | None = None,
) -> list[list[Candidate]]:
    """For each small union the rows determine, the candidates it is worked out from (none
    named when not ``explained``: then only whether there is one counts). ``memo`` carries
    the searched blocks from one check of a decision to the next."""
    known = KnownSums([*fixed, *(c.atoms for c in shown)], weights, memo)
    found = []
    for exposure in known.exposures(k, explained=explained):
        involved = [shown[row - len(fixed)] for row in exposure.rows if row >= len(fixed)]
        if (exposure.certain and not explained) or involved:
            found.append(involved)
        elif exposure.certain:
            raise EarlierReleaseExposes(
                f"figures released earlier determine {len(exposure.atoms)} atom(s)"
            )
        # An uncertain finding among earlier figures alone is the stricter test's caution
        # about figures already checked when they were released: nothing new.
    return found


def _restorable(
    weights: Sequence[int],
    fixed: Sequence[frozenset[int]],
    shown: list[Candidate],
    trial: list[list[Candidate]],
    k: int,
    memo: dict[tuple[object, ...], list[Found]],
) -> list[list[Candidate]]:
    """Hidden figures that can be shown after all, most valuable first: a batch at a time,
    halved where it isolates someone, so that a figure hidden in the end is one that would
    isolate a small group given everything else shown (up to ``RESTORE_CHECKS`` checks)."""
    accepted: list[list[Candidate]] = []
    batches = [trial] if trial else []
    for _ in range(RESTORE_CHECKS):
        if not batches:
            break
        batch = batches.pop(0)
        extra = [candidate for unit in batch for candidate in unit if candidate.people]
        if not _exposing(weights, fixed, [*shown, *extra], k, explained=False, memo=memo):
            accepted += batch
            shown = [*shown, *extra]
        elif len(batch) > 1:
            middle = len(batch) // 2
            batches[:0] = [batch[:middle], batch[middle:]]
    return accepted


def _keys(unit: list[Candidate]) -> set[GroupKey]:
    return {candidate.key for candidate in unit}


def _cheapest(candidate: Candidate) -> tuple[int, int, list[tuple[str, str]], str]:
    key = candidate.key
    return candidate.people, -len(key.coordinates), sorted(key.coordinates), key.scope or ""
