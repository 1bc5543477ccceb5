"""The attacker's mathematics: which groups of fewer than k people do released figures isolate?

Nothing here knows the application. The input is a list of *facts*: a released figure, named by
its family and the exact set of people behind it.

Threat model (a strong attacker, the product's "reader of everything"):

* It reads every figure released to any audience, in every wave.
* It knows the organisation completely: who was in which department, cohort and group in each
  wave, who answered, and which dimensions each person answered. It does not know the answers.
* Each released figure is then a linear function of per-person unknowns, one unknown per person
  and *family*:

  - a dimension's shown mean over a group, times its number of answers (which the attacker
    knows), is the sum of that dimension's scores of the people in the group who answered it;
  - a shown count (respondents, or the answers a mean rests on) is the sum, over the people
    counted, of a 1 the attacker treats as unknown: working it out for a small group is what
    the minimum group size forbids;
  - a shown band of a dimension's distribution counts, over the people who answered the
    dimension, those whose score lies in the band; a band table with any band shown is taken as
    a released sum over all of them (its other bands add to the number of answers, which the
    attacker knows).

* Worst case across waves: a person's unknown is the same in every wave (scores that do not
  change), so a joiner or a leaver is the difference of two waves' figures.

A group T (1 ≤ |T| < k people) is *determined* in a family when some linear combination of that
family's released figures equals the sum over T alone, i.e. T's indicator vector lies in the
row space of the family's incidence matrix (rows: released figures; columns: people). People
whose columns are identical (they are in exactly the same figures) form an *atom*: every vector
of the row space is constant on an atom, so only unions of whole atoms can be determined, and
the test runs on atoms as columns. Arithmetic is exact (integers and fractions), no tolerance.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from math import gcd

Person = str


@dataclass(frozen=True)
class Fact:
    """One released figure: its family, the people behind it and where it was read."""

    family: str
    members: frozenset[Person]
    source: str


@dataclass(frozen=True)
class Exposure:
    """A small group whose sum in ``family`` the released figures give away, with the
    combination of released figures that isolates it."""

    family: str
    group: frozenset[Person]
    combination: tuple[tuple[Fraction, Fact], ...]

    def describe(self) -> str:
        people = ", ".join(sorted(self.group))
        lines = [f"{self.family}: {{{people}}} is determined by"]
        for coefficient, fact in self.combination:
            lines.append(f"  {_signed(coefficient)} × [{len(fact.members)} people] {fact.source}")
            lines.append(f"      people: {', '.join(sorted(fact.members))}")
        return "\n".join(lines)


def _signed(coefficient: Fraction) -> str:
    return f"+{coefficient}" if coefficient > 0 else str(coefficient)


def determined_groups(facts: Iterable[Fact], k: int) -> list[Exposure]:
    """Every minimal group of 1 to k−1 people determined in some family, with its proof."""
    by_family: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.members:  # "no responses" describes nobody
            by_family[fact.family].append(fact)
    found = []
    for family, family_facts in sorted(by_family.items()):
        for group in _determined_in(_distinct(family_facts), k):
            combination = explain(family_facts, group)
            assert combination is not None, "a determined group always has a combination"
            found.append(Exposure(family, group, combination))
    return found


def _distinct(facts: Sequence[Fact]) -> list[Fact]:
    """One fact per set of people (the first read): duplicates add no row."""
    first: dict[frozenset[Person], Fact] = {}
    for fact in facts:
        first.setdefault(fact.members, fact)
    return list(first.values())


def atoms_of(facts: Sequence[Fact]) -> list[frozenset[Person]]:
    """People grouped by the figures they are in (identical columns)."""
    figures_of: dict[Person, set[int]] = defaultdict(set)
    for number, fact in enumerate(facts):
        for person in fact.members:
            figures_of[person].add(number)
    atoms: dict[frozenset[int], set[Person]] = defaultdict(set)
    for person, numbers in figures_of.items():
        atoms[frozenset(numbers)].add(person)
    return sorted((frozenset(people) for people in atoms.values()), key=sorted)


def _determined_in(facts: list[Fact], k: int) -> list[frozenset[Person]]:
    """The minimal unions of atoms, of 1 to k−1 people, whose indicator is in the row space."""
    atoms = atoms_of(facts)
    space = IntegerRowSpace(len(atoms))
    for fact in facts:
        space.add([1 if atom <= fact.members else 0 for atom in atoms])
    residues = space.residues()
    screen = _screen(residues)
    found: list[frozenset[Person]] = []
    for chosen in _unions(atoms, k):
        # The screen is one number per atom; a zero sum is then checked on whole vectors.
        if sum(screen[a] for a in chosen) == 0 and _sums_to_zero(residues, chosen):
            group = frozenset().union(*(atoms[a] for a in chosen))
            if not any(smaller < group for smaller in found):
                found.append(group)
    return found


def _unions(atoms: list[frozenset[Person]], k: int) -> Iterator[tuple[int, ...]]:
    """Sets of atoms with 1 to k−1 people in all, fewest atoms first."""
    small = [number for number, atom in enumerate(atoms) if len(atom) < k]
    for count in range(1, k):
        for chosen in combinations(small, count):
            if sum(len(atoms[a]) for a in chosen) < k:
                yield chosen


def _screen(residues: list[list[Fraction]]) -> list[Fraction]:
    """Each residue vector projected on fixed random integers: a sum of residues is zero only
    if its projection is; the projection is a fast first test, never the last word."""
    weights = random.Random(15).choices(range(1, 2**31), k=len(residues[0]) if residues else 0)
    return [
        sum((w * r for w, r in zip(weights, residue, strict=True)), Fraction(0))
        for residue in residues
    ]


def _sums_to_zero(residues: list[list[Fraction]], chosen: tuple[int, ...]) -> bool:
    return all(sum(column) == 0 for column in zip(*(residues[a] for a in chosen), strict=True))


class IntegerRowSpace:
    """The row space of integer rows, kept in reduced echelon form with integer entries: each
    kept row is primitive (gcd 1), has a positive pivot and is zero at every other pivot."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: dict[int, list[int]] = {}  # pivot column -> row

    def add(self, vector: Sequence[int]) -> bool:
        """Add a row; False when it was already in the space."""
        row = list(vector)
        for pivot, kept in self.rows.items():
            row = _eliminate(row, kept, pivot)
        pivot = next((column for column, x in enumerate(row) if x), None)
        if pivot is None:
            return False
        if row[pivot] < 0:
            row = [-x for x in row]
        for column, kept in self.rows.items():
            # row[pivot] > 0 scales kept by a positive number: its own pivot stays positive.
            self.rows[column] = _eliminate(kept, row, pivot)
        self.rows[pivot] = row
        return True

    def contains(self, vector: Sequence[int]) -> bool:
        row = list(vector)
        for pivot, kept in self.rows.items():
            row = _eliminate(row, kept, pivot)
        return not any(row)

    def residues(self) -> list[list[Fraction]]:
        """For each column a, e_a minus its projection on the space along the pivots:
        a vector u is in the space exactly when Σ u_a · residue_a = 0 (in RREF, u is in the
        space iff u = Σ over pivots p of u_p · (row_p / row_p[p]))."""
        free = [column for column in range(self.width) if column not in self.rows]
        residues = []
        for column in range(self.width):
            if column in self.rows:
                row = self.rows[column]
                residues.append([Fraction(-row[f], row[column]) for f in free])
            else:
                residues.append([Fraction(int(f == column)) for f in free])
        return residues


def _eliminate(target: list[int], source: list[int], pivot: int) -> list[int]:
    """target with its entry at ``pivot`` cleared by a multiple of source (source[pivot] > 0)."""
    if not target[pivot]:
        return target
    scaled = [source[pivot] * x - target[pivot] * y for x, y in zip(target, source, strict=True)]
    return _primitive(scaled)


def _primitive(row: list[int]) -> list[int]:
    divisor = 0
    for x in row:
        divisor = gcd(divisor, x)
    return row if divisor in (0, 1) else [x // divisor for x in row]


class RationalRowSpace:
    """Rows over the rationals in reduced row echelon form, each remembering which given rows
    it combines: slower than ``IntegerRowSpace``, used to prove a finding."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: dict[int, tuple[list[Fraction], dict[int, Fraction]]] = {}

    def add(self, vector: Sequence[int], tag: int) -> bool:
        row, combination = [Fraction(x) for x in vector], {tag: Fraction(1)}
        for pivot, (kept, kept_combination) in self.rows.items():
            if row[pivot]:
                row, combination = _minus(row, combination, row[pivot], kept, kept_combination)
        pivot = next((column for column, x in enumerate(row) if x), None)
        if pivot is None:
            return False
        scale = row[pivot]
        row = [x / scale for x in row]
        combination = {t: c / scale for t, c in combination.items()}
        for column, (kept, kept_combination) in list(self.rows.items()):
            if kept[pivot]:
                self.rows[column] = _minus(kept, kept_combination, kept[pivot], row, combination)
        self.rows[pivot] = (row, combination)
        return True

    def express(self, vector: Sequence[int]) -> dict[int, Fraction] | None:
        """The combination of given rows equal to ``vector``, or None if it is not in the space."""
        rest, combination = [Fraction(x) for x in vector], {}
        for pivot, (kept, kept_combination) in self.rows.items():
            if rest[pivot]:
                rest, combination = _minus(rest, combination, rest[pivot], kept, kept_combination)
        if any(rest):
            return None
        return {tag: -c for tag, c in combination.items() if c}


def _minus(
    row: list[Fraction],
    combination: dict[int, Fraction],
    factor: Fraction,
    kept: list[Fraction],
    kept_combination: dict[int, Fraction],
) -> tuple[list[Fraction], dict[int, Fraction]]:
    """row − factor · kept, and the same for their combinations."""
    new_row = [x - factor * y for x, y in zip(row, kept, strict=True)]
    new_combination = dict(combination)
    for tag, c in kept_combination.items():
        new_combination[tag] = new_combination.get(tag, Fraction(0)) - factor * c
    return new_row, new_combination


def explain(
    facts: Sequence[Fact], group: frozenset[Person]
) -> tuple[tuple[Fraction, Fact], ...] | None:
    """A short combination of ``facts`` whose sum is exactly ``group``'s, or None.

    Facts that touch the group go first, smallest first, and independent facts are added
    until the group is in their span; a short list is then pruned (a fact goes if the rest
    still suffice), so the proof printed is one an engineer can check by hand."""
    ordered = sorted(_distinct(facts), key=lambda f: (not f.members & group, len(f.members)))
    people = sorted(group.union(*(fact.members for fact in ordered)))
    space = IntegerRowSpace(len(people))
    target = _indicator(people, group)
    used: list[Fact] = []
    for fact in ordered:
        if space.add(_indicator(people, fact.members)):
            used.append(fact)
            if space.contains(target):
                break
    else:
        return None
    if len(used) <= PRUNED_PROOFS:
        for fact in sorted(used, key=lambda f: -len(f.members)):
            fewer = [f for f in used if f is not fact]
            if fewer and _spans(fewer, people, target):
                used = fewer
    combination = _combination(used, group)
    assert combination is not None
    return tuple((coefficient, used[tag]) for tag, coefficient in sorted(combination.items()))


PRUNED_PROOFS = 16  # longer proofs are printed as found: pruning them costs more than it helps


def _indicator(people: Sequence[Person], members: frozenset[Person]) -> list[int]:
    return [int(person in members) for person in people]


def _spans(facts: Sequence[Fact], people: Sequence[Person], target: list[int]) -> bool:
    space = IntegerRowSpace(len(people))
    for fact in facts:
        space.add(_indicator(people, fact.members))
    return space.contains(target)


def _combination(facts: Sequence[Fact], group: frozenset[Person]) -> dict[int, Fraction] | None:
    people = sorted(group.union(*(fact.members for fact in facts)))
    space = RationalRowSpace(len(people))
    for tag, fact in enumerate(facts):
        space.add(_indicator(people, fact.members), tag)
    return space.express(_indicator(people, group))
