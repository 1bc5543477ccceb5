"""The within-table rules of anonymity: the first pass of the release ledger.

``ledger`` decides what every audience may see, against everything released to anyone in
this and every earlier wave, exactly (by linear algebra over the people behind each figure).
This module is its fast first pass over one wave's table: the classic rules of statistical
disclosure control, which pick good complementary cells (siblings rather than margins) so
that the exact check usually has little left to do.

Pure: the standard library only, and gettext for the two texts a hidden figure shows.
Callers aggregate in SQL and pass one table at a time: a ``Cell`` per group of respondents,
named by its coordinates (``{"department": "Finance", "cohort": "2027"}``; ``{}`` is
everyone who answered). A table must hold its finest cells, one per combination of all the
coordinates it uses (zero counts may be left out), and any margins (department totals,
cohort totals, the grand total); every cell must count exactly the finest cells inside it,
or ``ValueError``.

Groups are groups of people: cells with the same respondents are one group, named by the
coordinates all of them share (Finance's total *is* "Finance, participants" when Finance has
no one in the comparison group), so knowing which combinations are empty gives nothing away.

Rules, with k = ``Rules.k`` (``comment_k`` for comments):

1. Minimum group size. A figure of 1 to k−1 respondents is hidden. A figure of 0 is shown
   as "no responses": it describes no one.
2. Remainder rule and 3. complementary suppression, checked against everything
   *derivable*: what is shown, and any group that subtraction or addition works out from
   it (the one unknown part of a known group, the sum of known parts), repeatedly. For each
   ordering of the table's dimensions, the groups that share the first 0, 1, 2 … coordinates
   form a hierarchy, and in each

   a. a derivable group minus its largest derivable subgroups is 0 or at least k (Finance
      minus "Finance, 2027"; the total minus Legal minus each of Finance's teams);
   b. no hidden figure and no group of fewer than k is derivable (a hidden cohort next to
      shown ones under a known total: the next smallest is hidden with it).

   While either fails, the smallest shown part involved is hidden (failing that, a shown
   group inside one; last, the whole), and everything is checked again.
4. Free-text comments need ``comment_k`` respondents: ``comments_allowed`` for one group,
   ``suppress(..., comments=True)`` across filters (comments, unlike means, can be matched
   one by one between two lists, so the subtraction rules apply with ``comment_k``).
   Comments never go into de-identified exports.

What this guarantees, and the tests check with linear algebra over random tables: in a
hierarchy (department → team, or a single dimension) no sum or difference of shown figures,
however combined, isolates 1 to k−1 people. In a cross-table (department × cohort × status)
the same holds for every sum or difference within one ordering of the dimensions: parent
minus child, a margin minus its shown parts, chains of these. Not covered: combinations
that mix margins of different orderings, e.g. (2026 total + 2027 total − Research's
comparison group), taken from Finance's participants, when Finance's participants and
Research's comparison group are the only people in those cohorts; nor bounds that follow
from counts being non-negative. Excluding those exactly is a minimum-weight lattice
problem; the safe shortcut (everyone included in the same shown figures must number k)
hides the grand total and most margins of a three-way table.

Callers' side of the contract:

* Suppress a whole table once, with every figure any view of it may show, and select
  afterwards. Two calls over different cells can hide different figures, which together
  may reveal what each call protected.
* Every hidden cell shows the same text (``hidden_label``): telling "fewer than k" apart
  from "hidden to protect another" would narrow hidden counts down, sometimes to one value.
  For the same reason no message names the size of a hidden group.
* ``count`` is the number of answers the figure rests on: the ledger runs one table per
  family (respondents; each dimension's answers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise, permutations

from flask_babel import gettext

NO_RESPONSES = "no responses"

# A group's coordinates as a set of (dimension, value) pairs; frozenset() is everyone.
Group = frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Rules:
    """Minimum respondents behind a shown figure and behind shown comments."""

    k: int = 5
    comment_k: int = 10

    def __post_init__(self) -> None:
        if self.k < 3:
            raise ValueError(f"the minimum group size is at least 3, not {self.k}")
        if self.comment_k < self.k:
            raise ValueError(
                f"the minimum for comments ({self.comment_k}) is below the one for figures "
                f"({self.k})"
            )


@dataclass(frozen=True)
class Cell:
    """One group's aggregate: respondents counted and its figures (means, shares …)."""

    group: Mapping[str, str]
    count: int
    values: Mapping[str, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(f"{_describe(_key(self.group))} counts {self.count} respondents")


@dataclass(frozen=True)
class Shown:
    """A cell as it may be printed: hidden cells carry no count and no values."""

    group: Mapping[str, str]
    count: int | None
    values: Mapping[str, float | None]
    hidden: bool
    reason: str | None


def hidden_label(minimum: int) -> str:
    """The text every hidden cell shows, whichever rule hid it (in the reader's language)."""
    return gettext("hidden: fewer than %(k)s responses, here or by subtraction", k=minimum)


def scope_hidden_label(minimum: int) -> str:
    """The text a manager's figure over all their departments shows when hidden: the same
    for every reason, and saying that other reports are why it may be hidden."""
    return gettext(
        "hidden: fewer than %(k)s responses here, or would reveal a smaller group "
        "when compared with other reports",
        k=minimum,
    )


def comments_allowed(count: int, rules: Rules) -> bool:
    """May one group's free-text comments be listed?"""
    return count >= rules.comment_k


def suppress(cells: Iterable[Cell], rules: Rules, *, comments: bool = False) -> list[Shown]:
    """One table's cells, in the order given, as they may be shown.

    With ``comments=True`` a shown cell means that the group's comments may be listed.
    """
    cells = list(cells)
    minimum = rules.comment_k if comments else rules.k
    table = _Table.of(cells)
    return _publish(cells, table, _hidden_groups(table, minimum, set()), minimum)


@dataclass(frozen=True)
class _Table:
    """A table's groups of people, for each ordering of its dimensions as a hierarchy.

    Cells with the same respondents are one group, named by the coordinates all of them
    share (Finance's total is "Finance, participants" when Finance has no one in the
    comparison group), so an attacker who knows which combinations are empty gains
    nothing. Empty cells are left out: they hold no one.
    """

    group_of: dict[Group, Group]  # each given cell with respondents → its group
    counts: dict[Group, int]  # every group of respondents that some coordinates describe
    # Per ordering of the dimensions, each finest group's chain: everyone, then the group
    # sharing its first value, its first two, … (groups may repeat down a chain).
    chains: tuple[tuple[tuple[int, tuple[Group, ...]], ...], ...]
    # Every group with its parts one level down, in every ordering.
    splits: tuple[tuple[Group, frozenset[Group]], ...]

    @classmethod
    def of(cls, cells: Sequence[Cell]) -> _Table:
        counts = _given_counts(cells)
        dimensions = sorted({dimension for key in counts for dimension, _ in key})
        finest = {key: n for key, n in counts.items() if len(key) == len(dimensions)}
        totals: dict[Group, int] = defaultdict(int)
        shared: dict[Group, Group] = {}
        for key, count in finest.items():
            for size in range(len(key) + 1):
                for part in map(frozenset, combinations(key, size)):
                    totals[part] += count
                    if count:
                        shared[part] = shared.get(part, key) & key
        for key, count in counts.items():
            if totals[key] != count:
                raise ValueError(
                    f"{_describe(key)} counts {count} but its finest cells add up to {totals[key]}"
                )
        groups = {part: shared[part] for part, total in totals.items() if total}
        chains = tuple(
            tuple(
                (count, tuple(groups[_prefix(key, order, size)] for size in range(len(order) + 1)))
                for key, count in finest.items()
                if count
            )
            for order in permutations(dimensions)
        )
        sizes = {group: totals[part] for part, group in groups.items()}
        group_of = {key: groups[key] for key in counts if key in groups}
        return cls(group_of, sizes, chains, tuple(_splits(chains)))


def _given_counts(cells: Sequence[Cell]) -> dict[Group, int]:
    counts: dict[Group, int] = {}
    # In coordinate order, so that the same table in any order gives the same result.
    for cell in sorted(cells, key=lambda cell: sorted(cell.group.items())):
        key = _key(cell.group)
        if key in counts:
            raise ValueError(f"{_describe(key)} is given twice")
        counts[key] = cell.count
    return counts


def _prefix(key: Group, order: Sequence[str], size: int) -> Group:
    return frozenset(item for item in key if item[0] in order[:size])


def _hidden_groups(table: _Table, minimum: int, primary: set[Group]) -> set[Group]:
    """Rule 1 and the ``primary`` groups, then rules 2–3 to a fixed point."""
    given = set(table.group_of.values())
    hidden = {group for group in given if table.counts[group] < minimum} | primary
    while True:
        known = _derivable(table, given - hidden)
        exposed = [
            *_small_remainders(table, known, minimum),
            *_solved(table, hidden, known, minimum),
        ]
        to_hide = {_figure_to_hide(table, given - hidden, *problem) for problem in exposed}
        to_hide.discard(None)
        if not to_hide:
            return hidden
        hidden |= to_hide


def _splits(
    chains: tuple[tuple[tuple[int, tuple[Group, ...]], ...], ...],
) -> Iterator[tuple[Group, frozenset[Group]]]:
    for ordering in chains:
        for level in range(len(ordering[0][1]) - 1 if ordering else 0):
            parts: dict[Group, set[Group]] = defaultdict(set)
            for _, chain in ordering:
                parts[chain[level]].add(chain[level + 1])
            for whole, below in parts.items():
                if below != {whole}:
                    yield whole, frozenset(below)


def _derivable(table: _Table, shown: set[Group]) -> set[Group]:
    """Shown groups, and groups worked out from them by subtraction or addition, repeatedly."""
    known = set(shown)
    changed = True
    while changed:
        changed = False
        for whole, parts in table.splits:
            unknown = parts - known
            if whole in known and len(unknown) == 1:
                known |= unknown
                changed = True
            elif whole not in known and not unknown:
                known.add(whole)
                changed = True
    return known


def _small_remainders(
    table: _Table, known: set[Group], minimum: int
) -> Iterator[tuple[Group, set[Group]]]:
    """Rules 2–3 in every hierarchy: a known group minus its largest known subgroups.

    Yields each known group whose remainder is 1 to k−1, with those subgroups.
    """
    for chains in table.chains:
        subgroups: dict[Group, set[Group]] = defaultdict(set)
        for _, chain in chains:
            levels = [level for level, group in enumerate(chain) if group in known]
            for upper, lower in pairwise(levels):
                if chain[upper] != chain[lower]:
                    subgroups[chain[upper]].add(chain[lower])
        for group in known:
            if 0 < table.counts[group] - sum(table.counts[s] for s in subgroups[group]) < minimum:
                yield group, subgroups[group]


def _solved(
    table: _Table, hidden: set[Group], known: set[Group], minimum: int
) -> Iterator[tuple[Group, set[Group]]]:
    """Splits whose counts are all known although one of them is a hidden figure or a group
    of fewer than k: subtraction recovers it."""
    for whole, parts in table.splits:
        members = parts | {whole}
        exposed = members & hidden or any(table.counts[m] < minimum for m in members)
        if members <= known and exposed:
            yield whole, parts


def _figure_to_hide(
    table: _Table, shown: set[Group], whole: Group, parts: frozenset[Group] | set[Group]
) -> Group | None:
    """The smallest shown part; failing that, the smallest shown group inside a part; last,
    the whole itself."""
    candidates = (
        (parts & shown)
        or {group for group in shown if any(part < group for part in parts)}
        or ({whole} & shown)
    )
    return min(candidates, key=lambda group: _size_order(table, group), default=None)


def _size_order(table: _Table, group: Group) -> tuple[int, list[tuple[str, str]]]:
    """Smallest first; ties broken by coordinates so the same table always gives the same result."""
    return table.counts[group], sorted(group)


def _publish(cells: Sequence[Cell], table: _Table, hidden: set[Group], minimum: int) -> list[Shown]:
    return [_shown(cell, table.group_of.get(_key(cell.group)) in hidden, minimum) for cell in cells]


def _shown(cell: Cell, hidden: bool, minimum: int) -> Shown:
    group = dict(cell.group)
    if hidden:
        return Shown(group, None, dict.fromkeys(cell.values), True, hidden_label(minimum))
    if cell.count == 0:
        return Shown(group, 0, dict.fromkeys(cell.values), False, NO_RESPONSES)
    return Shown(group, cell.count, dict(cell.values), False, None)


def _key(group: Mapping[str, str]) -> Group:
    return frozenset(group.items())


def _describe(key: Group) -> str:
    return ", ".join(f"{dimension}={value}" for dimension, value in sorted(key)) or "the total"
