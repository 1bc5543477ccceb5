"""Finding the small unions of atoms one block of released rows determines.

A union T of atoms is determined iff its indicator is orthogonal to the null space of the
block's rows, i.e. iff Σ_{a∈T} z_a = 0 for every null-space vector z. ``zero_sums`` hashes
each atom by its value in a random null-space vector and finds the unions of at most k − 1
atoms weighing less than k whose hashes cancel, meeting in the middle: every union of at
most two atoms is one half, and two halves whose sums cancel make a candidate (so k ≤ 5;
candidates are confirmed by exact elimination, false alarms having probability about
2^−61 each). ``zero_one`` is the way for any k: the combinations of rows that vanish on
every atom of k or more people, in echelon form; a 0/1 vector of their span is the plain
sum of the echelon vectors whose pivots it holds, so trying every subset, pruned by the
weight of its pivots, finds every determined union. It is used on independent components
of at most ``COMPONENT_LIMIT`` vectors; a larger one is left to a stricter test.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

PRIME = 2**61 - 1  # two hash values add up below 2^63: numpy's int64 holds the sum
# The most atoms whose pairs meeting in the middle hashes (their number squared, halved,
# is the memory it takes in eight-byte numbers).
PAIRS_LIMIT = 3000
# The most echelon vectors of one component whose 0/1 combinations are tried one by one.
COMPONENT_LIMIT = 16

Atoms = frozenset[int]


def zero_sums(
    small: Sequence[int], hashes: dict[int, int], weights: Sequence[int], k: int
) -> list[Atoms] | None:
    """Unions of the small atoms weighing less than k whose hashes cancel (candidates, to
    be confirmed); None when k > 5 or there are too many atoms to pair."""
    if k > 5 or len(small) > PAIRS_LIMIT:
        return None
    # An atom whose hash is zero is determined alone; a union holding it is determined only
    # if the rest is, so the search goes on without it.
    alone = [frozenset({a}) for a in small if not hashes[a]]
    atoms = np.array(sorted(a for a in small if hashes[a]), dtype=np.int64)
    if not len(atoms):
        return alone
    value = np.array([hashes[a] for a in atoms], dtype=np.int64)
    weight = np.array([weights[a] for a in atoms], dtype=np.int64)
    first, second = np.triu_indices(len(atoms), 1)
    # Halves: nothing, each atom, each pair (as index pairs; -1 stands for "none").
    left = np.concatenate(([-1], np.arange(len(atoms)), first))
    right = np.concatenate(([-1], np.full(len(atoms), -1), second))
    half_weight = _pick(weight, left) + _pick(weight, right)
    half_sum = (_pick(value, left) + _pick(value, right)) % PRIME
    keep = half_weight < k
    left, right, half_weight, half_sum = left[keep], right[keep], half_weight[keep], half_sum[keep]
    order = np.argsort(half_sum, kind="stable")
    ordered = half_sum[order]
    wanted = (PRIME - half_sum) % PRIME
    start = np.searchsorted(ordered, wanted, side="left")
    stop = np.searchsorted(ordered, wanted, side="right")
    found = []
    for half in np.nonzero(stop > start)[0]:
        for other in order[start[half] : stop[half]]:
            if half_weight[half] + half_weight[other] >= k:
                continue
            union = {int(atoms[i]) for i in (left[half], right[half], left[other], right[other])
                     if i >= 0}  # fmt: skip
            parts = sum(int(i >= 0) for i in (left[half], right[half], left[other], right[other]))
            if union and len(union) == parts:  # two halves sharing an atom are no union
                found.append(frozenset(union))
    return alone + found


def _pick(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``values[index]``, and 0 where the index is -1 (no atom)."""
    return np.where(index >= 0, values[np.maximum(index, 0)], 0)


def components(basis: list[dict[int, int]]) -> list[list[dict[int, int]]]:
    """Echelon vectors grouped by the atoms they share (transitively): a vector of the span
    that touches few atoms lies within one group."""
    return [[basis[index] for index in group] for group in sharing(basis)]


def sharing(sets: Sequence[Iterable[int]]) -> list[list[int]]:
    """The indices of ``sets``, grouped so that sets sharing a member (transitively) are
    in one group: union–find over the members."""
    parent = list(range(len(sets)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    holder: dict[int, int] = {}
    for index, members in enumerate(sets):
        for member in members:
            if member in holder:
                parent[root(index)] = root(holder[member])
            else:
                holder[member] = index
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(sets)):
        groups[root(index)].append(index)
    return list(groups.values())


def zero_one(vectors: list[dict[int, int]], weights: Sequence[int], k: int) -> list[Atoms]:
    """Every 0/1 combination of echelon vectors (atom → value mod PRIME, pivot first)
    weighing 1 to k − 1."""
    pivots = [min(vector) for vector in vectors]
    found = []

    def extend(start: int, total: dict[int, int], pivot_weight: int) -> None:
        for index in range(start, len(vectors)):
            weight = pivot_weight + weights[pivots[index]]
            if weight >= k:
                continue
            combined = dict(total)
            for atom, value in vectors[index].items():
                combined[atom] = (combined.get(atom, 0) + value) % PRIME
            support = [atom for atom, value in combined.items() if value]
            if all(combined[a] == 1 for a in support) and sum(weights[a] for a in support) < k:
                found.append(frozenset(support))
            extend(index + 1, combined, weight)

    extend(0, {}, 0)
    return found
