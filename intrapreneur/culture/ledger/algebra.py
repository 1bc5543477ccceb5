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
2. *Blocks.* The rows left, over the atoms not determined, fall apart into blocks that
   share no atom (waves with no one in common, parts of an organisation no margin joins);
   a determined union of few atoms lies within one block.
3. *Each block* is reduced exactly over the integers modulo the prime 2^61 − 1 with FLINT,
   and ``search`` finds its small determined unions: by hashing the atoms with a random
   null-space vector and meeting in the middle (k ≤ 5, blocks of up to a few thousand
   atoms), or else by trying the 0/1 combinations of the echelon vectors that vanish on
   every atom of k people or more, component by component. Only a component too large for
   that falls to a stricter test: each of its vectors counts as exposing the atoms it
   touches, which hides more, never less. Every candidate is confirmed exactly.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import flint
import numpy as np

from intrapreneur.culture.ledger.search import (
    COMPONENT_LIMIT,
    PRIME,
    components,
    sharing,
    zero_one,
    zero_sums,
)

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

    def __init__(
        self,
        rows: Sequence[frozenset[int]],
        weights: Sequence[int],
        memo: dict[tuple[object, ...], list[Found]] | None = None,
    ) -> None:
        self.rows = rows
        self.weights = weights
        # Blocks already searched (in an earlier check of the same decision, whose rows keep
        # their positions): a block of the same rows has the same findings.
        self._memo = {} if memo is None else memo
        self._peeled_by: dict[int, int] = {}  # atom → the row that determined it
        residual = self._peel()
        self._blocks = [_Block(part) for part in _apart(residual)]
        self._block_of = {atom: block for block in self._blocks for atom in block.columns}

    def exposures(self, k: int, *, explained: bool = True) -> list[Exposure]:
        """The determined unions weighing 1 to k − 1 (minimal ones), each with its rows.
        Not ``explained``: a quicker answer to "is anything exposed?", its certain findings
        neither confirmed by elimination (a false alarm, about 2^−61 a candidate, only ever
        hides more) nor given their rows."""
        found: list[Found] = [
            (frozenset({atom}), None, True) for atom in self._peeled_by if self.weights[atom] < k
        ]
        for block in self._blocks:
            key = (k, explained, tuple(block.rows))
            if key not in self._memo:
                self._memo[key] = block.exposures(self.weights, k, confirmed=explained)
            found += self._memo[key]
        return [
            Exposure(atoms, frozenset(rows), certain)
            for atoms, solution, certain in found
            for rows in [self._rows_behind(atoms, solution) if explained or not certain else ()]
        ]

    def determines(self, atoms: Atoms) -> bool:
        """Is the sum over these atoms determined?"""
        parts: dict[int, set[int]] = defaultdict(set)
        for atom in atoms:
            if atom not in self._peeled_by:
                if atom not in self._block_of:
                    return False  # in no released row
                parts[id(self._block_of[atom])].add(atom)
        return all(
            self._block_of[next(iter(part))].solutions([frozenset(part)])[0] is not None
            for part in parts.values()
        )

    # Peeling

    def _peel(self) -> list[tuple[int, frozenset[int]]]:
        """Determine atoms row by row; the other rows, each with its undetermined atoms
        (equal ones once: they add nothing to the span)."""
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
        residual, seen = [], set()
        for index, atoms in enumerate(unknown):
            key = frozenset(atoms)
            if key and key not in seen:
                seen.add(key)
                residual.append((index, key))
        return residual

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
        """The released rows whose combination is the union's sum."""
        memo: dict[int, Combination] = {}
        total: Combination = {}
        residual = frozenset(atom for atom in atoms if atom not in self._peeled_by)
        for atom in atoms - residual:
            _add(total, self._peeled_combination(atom, memo), 1)
        if residual and solution is None:
            block = self._block_of[next(iter(residual))]
            solution = block.solutions([residual])[0] or {}
        for row, coefficient in (solution or {}).items():
            # A residual row is its released row minus the determined atoms it holds.
            _add(total, {row: 1}, coefficient)
            for atom in self.rows[row]:
                if atom in self._peeled_by:
                    _add(total, self._peeled_combination(atom, memo), -coefficient)
        return {row for row, coefficient in total.items() if coefficient}


class _Block:
    """Residual rows that share atoms, reduced exactly."""

    def __init__(self, rows: list[tuple[int, frozenset[int]]]) -> None:
        self.rows = rows
        self.columns = sorted({atom for _, atoms in rows for atom in atoms})

    @cached_property
    def matrix(self) -> flint.nmod_mat:
        return _incidence(self.rows, self.columns)

    def exposures(self, weights: Sequence[int], k: int, *, confirmed: bool = True) -> list[Found]:
        small = [atom for atom in self.columns if weights[atom] < k]
        if not small:
            return []
        candidates = zero_sums(small, self._hashes(), weights, k)
        if candidates is None:
            return self._by_component(small, weights, k)
        if not confirmed:
            return [(union, None, True) for union in candidates]
        found: list[Found] = []
        ordered = sorted(set(candidates), key=lambda union: (len(union), sorted(union)))
        for union, solution in zip(ordered, self.solutions(ordered), strict=True):
            if solution is not None and not any(kept <= union for kept, _, _ in found):
                found.append((union, solution, True))
        return found

    def _hashes(self) -> dict[int, int]:
        """Each atom's value in a random null-space vector."""
        basis, nullity = self.matrix.nullspace()
        generator = random.Random(SEED)  # noqa: S311 - reproducible, not a secret
        mix = [[generator.randrange(PRIME) if row < nullity else 0] for row in range(basis.ncols())]
        values = (basis * flint.nmod_mat(mix, PRIME)).tolist()
        return {atom: int(v[0]) for atom, v in zip(self.columns, values, strict=True)}

    def solutions(self, targets: Sequence[Atoms]) -> list[Combination | None]:
        """For each union of this block's atoms, coefficients of rows whose combination is
        its indicator, or None when no combination is. One elimination for all: reducing
        [Aᵀ | I] keeps the row operations in the right-hand block; applied to a target they
        give the coefficients on the pivot rows, and zeros below exactly when the target is
        in the row space."""
        if not targets:
            return []
        width, height = len(self.rows), len(self.columns)
        transposed = self.matrix.transpose().tolist()
        augmented = [[*line, *(int(row == column) for column in range(height))]
                     for row, line in enumerate(transposed)]  # fmt: skip
        reduced = flint.nmod_mat(augmented, PRIME).rref()[0].tolist()
        operations = flint.nmod_mat([line[width:] for line in reduced], PRIME)
        wanted = flint.nmod_mat(
            [[int(atom in union) for union in targets] for atom in self.columns], PRIME
        )
        applied = (operations * wanted).tolist()
        pivots = [next((c for c in range(width) if int(line[c])), None) for line in reduced]
        results: list[Combination | None] = []
        for number in range(len(targets)):
            values = [int(line[number]) for line in applied]
            if any(value and pivot is None for value, pivot in zip(values, pivots, strict=True)):
                results.append(None)
            else:
                results.append({
                    self.rows[pivot][0]: value
                    for value, pivot in zip(values, pivots, strict=True)
                    if pivot is not None and value
                })  # fmt: skip
        return results

    def _by_component(self, small: list[int], weights: Sequence[int], k: int) -> list[Found]:
        """The echelon vectors of the combinations that vanish on every atom of k people or
        more, component by component: every 0/1 combination tried where there are few, the
        stricter test where there are many."""
        found: list[Found] = []
        for component in components(self._vanishing_on_big(small)):
            if len(component) > COMPONENT_LIMIT:
                found += [(frozenset(vector), None, False) for vector in component]
            else:
                found += [(union, None, True) for union in zero_one(component, weights, k)]
        return found

    def _vanishing_on_big(self, small: list[int]) -> list[dict[int, int]]:
        position = {atom: column for column, atom in enumerate(self.columns)}
        chosen = set(small)
        lines = [[int(v) for v in line] for line in self.matrix.tolist()]
        big = [position[a] for a in self.columns if a not in chosen]
        if big:
            on_big = flint.nmod_mat([[line[c] for c in big] for line in lines], PRIME)
            left, nullity = on_big.transpose().nullspace()
            mix = [[int(left[row, c]) for c in range(nullity)] for row in range(len(lines))]
        else:
            nullity = len(lines)
            mix = [[int(row == c) for c in range(nullity)] for row in range(len(lines))]
        if not nullity:
            return []
        on_small = flint.nmod_mat([[line[position[a]] for a in small] for line in lines], PRIME)
        reduced, rank = (flint.nmod_mat(mix, PRIME).transpose() * on_small).rref()
        return [
            {small[c]: int(v) for c, v in enumerate(line) if int(v)}
            for line in reduced.tolist()[:rank]
        ]


def _apart(rows: list[tuple[int, frozenset[int]]]) -> list[list[tuple[int, frozenset[int]]]]:
    """Rows grouped into blocks that share no atom."""
    return [[rows[index] for index in group] for group in sharing([atoms for _, atoms in rows])]


def _incidence(rows: list[tuple[int, frozenset[int]]], columns: list[int]) -> flint.nmod_mat:
    position = {atom: column for column, atom in enumerate(columns)}
    ones = [(number, position[atom]) for number, (_, atoms) in enumerate(rows) for atom in atoms]
    dense = np.zeros((len(rows), len(columns)), dtype=np.int64)
    if ones:
        dense[tuple(np.array(ones).T)] = 1
    return flint.nmod_mat(len(rows), len(columns), dense.ravel().tolist(), PRIME)


def _add(total: Combination, part: Combination, factor: int) -> None:
    for row, coefficient in part.items():
        value = (total.get(row, 0) + factor * coefficient) % PRIME
        if value:
            total[row] = value
        else:
            total.pop(row, None)
