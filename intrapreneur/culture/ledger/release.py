"""Which candidate figures of one family may be released, given everything released before.

Greedy and exact: show every candidate that has at least k people behind it, then, while
the released rows (earlier ones and these) determine a union of fewer than k people (see
``algebra``), withhold the cheapest candidate among the rows it is worked out from — the
figure with the fewest people behind it, the finest first — and check again. Earlier
releases are never withdrawn: they are published, and only these candidates can change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from intrapreneur.culture.ledger.algebra import KnownSums
from intrapreneur.culture.ledger.people import GroupKey


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
) -> set[GroupKey]:
    """The keys of the candidates that may be shown (groups nobody is in included: they
    read "no responses" and describe no one). ``withheld`` are hidden whatever happens."""
    same_people: dict[frozenset[int], list[GroupKey]] = defaultdict(list)
    for candidate in candidates:
        same_people[candidate.atoms].append(candidate.key)
    hidden = set(withheld) | {c.key for c in candidates if 0 < c.people < k}
    hidden |= {key for c in candidates if c.key in hidden for key in same_people[c.atoms]}
    while True:
        shown = [c for c in candidates if c.key not in hidden and c.people]
        exposures = KnownSums([*fixed, *(c.atoms for c in shown)], weights).exposures(k)
        to_hide = set()
        for exposure in exposures:
            involved = [shown[row - len(fixed)] for row in exposure.rows if row >= len(fixed)]
            if involved:
                to_hide.add(min(involved, key=_cheapest).atoms)
            elif exposure.certain:
                raise EarlierReleaseExposes(
                    f"figures released earlier determine {len(exposure.atoms)} atom(s)"
                )
            # An uncertain finding among earlier figures alone is the stricter test's
            # caution about figures already checked when they were released: not new.
        if not to_hide:
            return {candidate.key for candidate in candidates if candidate.key not in hidden}
        for atoms in to_hide:
            # Groups are people, not labels: a figure over the same people goes with it.
            hidden.update(same_people[atoms])


def _cheapest(candidate: Candidate) -> tuple[int, int, list[tuple[str, str]], str]:
    key = candidate.key
    return candidate.people, -len(key.coordinates), sorted(key.coordinates), key.scope or ""
