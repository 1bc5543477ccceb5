"""What an attacker can work out from released sums, exactly.

Every released survey figure is a sum over a set of people (a mean times its count is the
sum of the answers behind it; a count is a sum of ones). Write the released sums as rows of
an incidence matrix over people: a combination of rows is everything subtraction and
addition can give, so a group T of people is *determined* exactly when the indicator of T
lies in the row space. People whose columns are identical (in the same released groups in
every wave) cannot be told apart by any combination: they form one *atom*, and only whole
atoms can be determined. So this module works on atoms with their weights (how many people
each holds) and answers one question: which unions of atoms weighing 1 to k − 1 are
determined, and from which released rows?

How, exactly and fast enough for a large organisation:

1. *Peeling.* A row whose atoms are all determined but one determines that one (a shown
   finest cell determines its atom at once). Repeated, this settles most atoms of a big
   table without any matrix.
2. *The rest* (typically the hidden cells and the margins over them) is a small matrix,
   reduced exactly over the integers modulo the prime 2^61 − 1 with FLINT. A union T is
   determined iff its indicator is orthogonal to the null space, i.e. iff Σ_{a∈T} z_a = 0
   for every null-space vector z. Two random null-space vectors give each atom a pair of
   hash values: a determined union always sums to zero, an undetermined one only with
   probability about 2^−122, and every candidate is confirmed by exact elimination.
3. *Small unions* summing to zero are found by meeting in the middle: every union of at
   most ⌈(k − 1)/2⌉ small atoms is hashed once, and two halves whose sums cancel make a
   candidate. Where that enumeration would be too large (a large k over very many tiny
   atoms), the combinations that vanish on every atom of k or more people are reduced to
   echelon form and split into independent components; in a component of a few vectors
   every 0/1 combination is tried, exactly. Only in a larger component does a stricter
   test take over: each of its vectors counts as exposing the atoms it touches. That hides
   more, never less.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import flint

PRIME = 2**61 - 1
# The most half-unions the meet-in-the-middle search builds before the search by
# component takes over (each costs a few hundred bytes).
HALVES_LIMIT = 3_000_000
# The most echelon vectors of one component whose 0/1 combinations are tried one by one;
# a larger component falls to the stricter test.
COMPONENT_LIMIT = 16
# Seeded the same way every time: the same release always gives the same hash values, so
# the same unions are found in the same order and two runs never decide differently.
SEED = 15

Atoms = frozenset[int]
Combination = dict[int, int]  # released row index → coefficient (mod PRIME)
Found = tuple[Atoms, Combination | None, bool]  # a union, how (if known), and whether certain


@dataclass(frozen=True)
class Exposure:
    """A union of atoms the released rows determine, and the rows it is worked out from.
    Not ``certain``: the stricter test's finding, a combination that touches only atoms of
    fewer than k people, which may weigh k or more in all."""

    atoms: Atoms
    rows: frozenset[int]
    certain: bool = True


class KnownSums:
    """The row space of released rows over atoms."""

    def __init__(self, rows: Sequence[frozenset[int]], weights: Sequence[int]) -> None:
        self.rows = rows
        self.weights = weights
        self._peeled_by: dict[int, int] = {}  # atom → the row that determined it
        self._residual: list[tuple[int, frozenset[int]]] = []  # (row, its undetermined atoms)
        self._peel()
        self._columns = sorted({atom for _, atoms in self._residual for atom in atoms})
        self._matrix = _incidence(self._residual, self._columns)
        self._hashes = self._null_space_hashes()

    def exposures(self, k: int) -> list[Exposure]:
        """The determined unions weighing 1 to k − 1 (minimal ones), each with its rows."""
        peeled = [frozenset({atom}) for atom in self._peeled_by if self.weights[atom] < k]
        found: list[Found] = [(atoms, None, True) for atoms in peeled]
        found += self._residual_exposures(k)
        return [Exposure(atoms, frozenset(self._rows_behind(atoms, solution)), certain)
                for atoms, solution, certain in found]  # fmt: skip

    def determines(self, atoms: Atoms) -> bool:
        """Is the sum over these atoms determined?"""
        residual = frozenset(atom for atom in atoms if atom not in self._peeled_by)
        return not residual or self._solutions([residual])[0] is not None

    # Peeling

    def _peel(self) -> None:
        unknown = [set(row) for row in self.rows]
        rows_of: dict[int, list[int]] = defaultdict(list)
        for index, row in enumerate(self.rows):
            for atom in row:
                rows_of[atom].append(index)
        ready = [index for index, atoms in enumerate(unknown) if len(atoms) == 1]
        while ready:
            index = ready.pop()
            if len(unknown[index]) != 1:
                continue
            (atom,) = unknown[index]
            self._peeled_by[atom] = index
            for other in rows_of[atom]:
                unknown[other].discard(atom)
                if len(unknown[other]) == 1:
                    ready.append(other)
        seen: set[frozenset[int]] = set()
        for index, atoms in enumerate(unknown):
            key = frozenset(atoms)
            if key and key not in seen:  # equal residual rows add nothing to the span
                seen.add(key)
                self._residual.append((index, key))

    def _peeled_combination(self, atom: int, memo: dict[int, Combination]) -> Combination:
        """The rows whose combination is this determined atom's sum: the row that determined
        it minus the atoms in that row determined before it."""
        if atom not in memo:
            row = self._peeled_by[atom]
            combination: Combination = {row: 1}
            for other in self.rows[row]:
                if other != atom:
                    _add(combination, self._peeled_combination(other, memo), -1)
            memo[atom] = combination
        return memo[atom]

    def _rows_behind(self, atoms: Atoms, solution: Combination | None) -> set[int]:
        memo: dict[int, Combination] = {}
        total: Combination = {}
        residual = frozenset(atom for atom in atoms if atom not in self._peeled_by)
        for atom in atoms - residual:
            _add(total, self._peeled_combination(atom, memo), 1)
        if residual and not solution:
            solution = self._solutions([residual])[0] or {}
        for row, coefficient in (solution or {}).items():
            # A residual row is its released row minus the determined atoms it holds.
            _add(total, {row: 1}, coefficient)
            for atom in self.rows[row]:
                if atom in self._peeled_by:
                    _add(total, self._peeled_combination(atom, memo), -coefficient)
        return {row for row, coefficient in total.items() if coefficient}

    # The residual matrix

    def _null_space_hashes(self) -> dict[int, tuple[int, int]]:
        """Each residual atom's values in two random null-space vectors."""
        if not self._columns:
            return {}
        basis, nullity = self._matrix.nullspace()
        generator = random.Random(SEED)  # noqa: S311 - reproducible, not a secret
        mix = [[generator.randrange(PRIME) if row < nullity else 0 for _ in range(2)]
               for row in range(basis.ncols())]  # fmt: skip
        values = (basis * flint.nmod_mat(mix, PRIME)).tolist()
        return {atom: (int(v[0]), int(v[1])) for atom, v in zip(self._columns, values, strict=True)}

    def _residual_exposures(self, k: int) -> list[Found]:
        small = [atom for atom in self._columns if self.weights[atom] < k]
        candidates = _zero_sums(small, self._hashes, self.weights, k)
        if candidates is None:
            return self._unions_by_component(small, k)
        confirmed: list[Found] = []
        ordered = sorted(set(candidates), key=lambda union: (len(union), sorted(union)))
        for union, solution in zip(ordered, self._solutions(ordered), strict=True):
            if solution is not None and not any(kept <= union for kept, _, _ in confirmed):
                confirmed.append((union, solution, True))
        return confirmed

    def _solutions(self, targets: Sequence[Atoms]) -> list[Combination | None]:
        """For each union of residual atoms, coefficients of residual rows whose combination
        is its indicator, or None when no combination is. One elimination for all."""
        if not targets:
            return []
        inside = set(self._columns)
        solvable = [union for union in targets if union <= inside]
        solved = dict(zip(solvable, self._solve(solvable), strict=True)) if solvable else {}
        return [solved.get(union) for union in targets]

    def _solve(self, targets: Sequence[Atoms]) -> list[Combination | None]:
        # Reducing [Aᵀ | I] keeps the row operations in the right-hand block: applied to a
        # target, they give the coefficients on the pivot rows, and zeros on the rows below
        # exactly when the target is in the row space.
        width, height = len(self._residual), len(self._columns)
        transposed = self._matrix.transpose().tolist()
        augmented = [[*line, *(int(row == column) for column in range(height))]
                     for row, line in enumerate(transposed)]  # fmt: skip
        reduced = flint.nmod_mat(augmented, PRIME).rref()[0].tolist()
        operations = flint.nmod_mat([line[width:] for line in reduced], PRIME)
        wanted = flint.nmod_mat(
            [[int(atom in union) for union in targets] for atom in self._columns], PRIME
        )
        applied = (operations * wanted).tolist()
        pivots = [next((c for c in range(width) if int(line[c])), None) for line in reduced]
        results: list[Combination | None] = []
        for number in range(len(targets)):
            values = [int(line[number]) for line in applied]
            if any(value and pivot is None for value, pivot in zip(values, pivots, strict=True)):
                results.append(None)  # the union's indicator is not in the row space
            else:
                results.append({
                    self._residual[pivot][0]: value
                    for value, pivot in zip(values, pivots, strict=True)
                    if pivot is not None and value
                })  # fmt: skip
        return results

    def _unions_by_component(self, small: list[int], k: int) -> list[Found]:
        """When meeting in the middle is too large (a large k over many small atoms): the
        row-space vectors that vanish on every atom of k people or more, reduced to echelon
        form and split into independent components; in a component of a few vectors every
        0/1 combination is tried (exact), in a larger one each vector counts as exposing
        the atoms it touches (the stricter test)."""
        position = {atom: column for column, atom in enumerate(self._columns)}
        chosen = set(small)
        lines = [[int(v) for v in line] for line in self._matrix.tolist()]
        big = [position[a] for a in self._columns if a not in chosen]
        if big:
            on_big = flint.nmod_mat([[line[c] for c in big] for line in lines], PRIME)
            left, nullity = on_big.transpose().nullspace()
            mix = [[int(left[row, c]) for c in range(nullity)] for row in range(len(lines))]
        else:
            nullity = len(lines)
            mix = [[int(row == c) for c in range(nullity)] for row in range(len(lines))]
        if not nullity:
            return []
        small_lines = flint.nmod_mat([[line[position[a]] for a in small] for line in lines], PRIME)
        vanishing = flint.nmod_mat(mix, PRIME).transpose() * small_lines
        reduced, rank = vanishing.rref()
        basis = [
            {small[c]: int(v) for c, v in enumerate(line) if int(v)}
            for line in reduced.tolist()[:rank]
        ]
        found: list[Found] = []
        for component in _components(basis):
            if len(component) > COMPONENT_LIMIT:
                found += [(frozenset(vector), None, False) for vector in component]
            else:
                found += [(union, None, True) for union in _zero_one(component, self.weights, k)]
        return found


def _components(basis: list[dict[int, int]]) -> list[list[dict[int, int]]]:
    """Basis vectors grouped by the atoms they share (transitively): a vector of the span
    that is 0/1 on few atoms lies within one group."""
    parent = list(range(len(basis)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    holder: dict[int, int] = {}
    for index, vector in enumerate(basis):
        for atom in vector:
            if atom in holder:
                parent[root(index)] = root(holder[atom])
            else:
                holder[atom] = index
    groups: dict[int, list[dict[int, int]]] = defaultdict(list)
    for index, vector in enumerate(basis):
        groups[root(index)].append(vector)
    return list(groups.values())


def _zero_one(vectors: list[dict[int, int]], weights: Sequence[int], k: int) -> list[Atoms]:
    """Every 0/1 combination of echelon vectors weighing 1 to k − 1. In echelon form a 0/1
    vector of the span is the plain sum of the vectors whose pivots it holds, so trying
    every subset (pruned by the weight of its pivots) finds them all."""
    pivots = [min(vector) for vector in vectors]  # echelon rows: a distinct first atom each
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


def _incidence(rows: list[tuple[int, frozenset[int]]], columns: list[int]) -> flint.nmod_mat:
    position = {atom: column for column, atom in enumerate(columns)}
    entries = [0] * (len(rows) * len(columns))
    for number, (_, atoms) in enumerate(rows):
        for atom in atoms:
            entries[number * len(columns) + position[atom]] = 1
    return flint.nmod_mat(len(rows), len(columns), entries, PRIME)


def _add(total: Combination, part: Combination, factor: int) -> None:
    for row, coefficient in part.items():
        value = (total.get(row, 0) + factor * coefficient) % PRIME
        if value:
            total[row] = value
        else:
            total.pop(row, None)


def _zero_sums(
    small: list[int], hashes: dict[int, tuple[int, int]], weights: Sequence[int], k: int
) -> list[Atoms] | None:
    """Unions of small atoms weighing less than k whose hashes sum to zero; None when the
    search would be too large."""
    halves = _halves(sorted(small), weights, k // 2, k - 1)  # k // 2 = ⌈(k − 1) / 2⌉
    if halves is None:
        return None
    sums = [_hash(union, hashes) for union in halves]
    by_sum: dict[tuple[int, int], list[tuple[int, ...]]] = defaultdict(list)
    for union, total in zip(halves, sums, strict=True):
        by_sum[total].append(union)
    found = []
    for first, total in zip(halves, sums, strict=True):
        wanted = ((-total[0]) % PRIME, (-total[1]) % PRIME)
        for second in by_sum.get(wanted, ()):
            # Each union is found once: its first half holds its smallest atoms.
            if (first or second) and (not second or not first or first[-1] < second[0]):
                union = first + second
                if sum(weights[atom] for atom in union) < k:
                    found.append(frozenset(union))
    return found


def _halves(
    order: list[int], weights: Sequence[int], size: int, budget: int
) -> list[tuple[int, ...]] | None:
    """Every union of at most ``size`` atoms (the empty one included) weighing at most
    ``budget``; None past ``HALVES_LIMIT``."""
    halves: list[tuple[int, ...]] = [()]
    for count in range(1, size + 1):
        for union in combinations(order, count):
            if sum(weights[atom] for atom in union) <= budget:
                halves.append(union)
                if len(halves) > HALVES_LIMIT:
                    return None
    return halves


def _hash(union: tuple[int, ...], hashes: dict[int, tuple[int, int]]) -> tuple[int, int]:
    return (
        sum(hashes[atom][0] for atom in union) % PRIME,
        sum(hashes[atom][1] for atom in union) % PRIME,
    )
