"""The anonymity engine: worked examples per rule, then random populations attacked with sums
and differences of the figures it lets through (in hierarchies: any linear combination)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from itertools import combinations, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intrapreneur.culture.anonymity import (
    NO_RESPONSES,
    Cell,
    Rules,
    Shown,
    comments_allowed,
    hidden_label,
    suppress,
)

VALUES = {
    "department": ("Finance", "Legal", "Sales", "Research"),
    "cohort": ("2026", "2027", "none"),
    "status": ("participant", "comparison"),
}
examples = settings(max_examples=70, deadline=None)

Person = dict[str, str]


def cell(count: int, **group: str) -> Cell:
    return Cell(group, count, {"mean": 3.5})


def hidden_groups(shown: Sequence[Shown]) -> list[dict[str, str]]:
    return [dict(s.group) for s in shown if s.hidden]


def count_cells(people: Sequence[Person], levels: Sequence[Sequence[str]]) -> list[Cell]:
    """Every combination of values at each level (zero counts included), as SQL would give."""
    counts = Counter(tuple(sorted(person.items())) for person in people)
    cells = []
    for level in levels:
        for values in product(*({**VALUES, **TEAMS}[dimension] for dimension in level)):
            group = dict(zip(level, values, strict=True))
            inside = sum(n for key, n in counts.items() if group.items() <= dict(key).items())
            cells.append(Cell(group, inside, {"mean": float(inside)}))
    return cells


# Worked examples, one per rule


@pytest.mark.parametrize("k", [3, 4, 5])
def test_a_group_below_k_is_hidden_and_one_of_k_is_shown(k: int) -> None:
    rules = Rules(k=k, comment_k=10)
    (small,) = suppress([cell(k - 1)], rules)
    (enough,) = suppress([cell(k)], rules)
    assert small.hidden and small.count is None and small.values == {"mean": None}
    assert small.reason == f"hidden: fewer than {k} responses, here or by subtraction"
    assert not enough.hidden and enough.count == k and enough.values == {"mean": 3.5}


def test_a_hidden_cell_never_reports_zero_and_an_empty_one_says_no_responses() -> None:
    empty, one = suppress([cell(0, cohort="2027"), cell(1, cohort="2026"), cell(1)], Rules())[:2]
    assert (empty.hidden, empty.count, empty.reason) == (False, 0, NO_RESPONSES)
    assert empty.values == {"mean": None}
    assert one.hidden and one.count is None and one.reason == hidden_label(5)


def test_a_filtered_group_is_hidden_when_what_is_left_of_its_parent_is_below_k() -> None:
    # Finance has 13; the 2027 cohort alone would reveal the other 3 by subtraction.
    finance = [cell(13), cell(10, cohort="2027"), cell(3, cohort="2026")]
    assert hidden_groups(suppress(finance, Rules())) == [{"cohort": "2027"}, {"cohort": "2026"}]
    assert hidden_groups(suppress(finance, Rules(k=3))) == []
    assert hidden_groups(suppress(finance, Rules(k=4))) == [{"cohort": "2027"}, {"cohort": "2026"}]


def test_when_one_part_is_hidden_the_next_smallest_is_hidden_with_it() -> None:
    parts = [cell(12, cohort="2026"), cell(3, cohort="2027"), cell(10, cohort="none")]
    shown = suppress([cell(25), *parts], Rules())
    assert hidden_groups(shown) == [{"cohort": "2027"}, {"cohort": "none"}]


@pytest.mark.parametrize("k", [3, 5])
def test_two_hidden_parts_reaching_k_together_leave_the_rest_shown(k: int) -> None:
    # k=5: 3 and 2 are both too small and cover each other; k=3: 2 is, and 3 goes with it.
    parts = [cell(12, cohort="2026"), cell(3, cohort="2027"), cell(2, cohort="none")]
    assert hidden_groups(suppress([cell(17), *parts], Rules(k=k))) == [
        {"cohort": "2027"},
        {"cohort": "none"},
    ]


def test_a_group_two_levels_down_cannot_be_recovered_through_the_grand_total() -> None:
    # Sales (2) is hidden and Finance (10) with it; with both Finance teams shown, Finance
    # would be their sum and Sales total − Legal − Finance, so team a goes too.
    teams = [
        cell(5, department="Finance", team="a"),
        cell(5, department="Finance", team="b"),
        cell(2, department="Sales", team="c"),
        cell(12, department="Legal", team="d"),
    ]
    margins = [
        cell(24),
        *(cell(n, department=d) for d, n in [("Finance", 10), ("Sales", 2), ("Legal", 12)]),
    ]
    assert hidden_groups(suppress([*margins, *teams], Rules())) == [
        {"department": "Finance"},
        {"department": "Sales"},
        {"department": "Finance", "team": "a"},
        {"department": "Sales", "team": "c"},
    ]


def test_groups_are_people_not_labels() -> None:
    # Finance has no comparison group, so its total is its participants' total: showing the
    # one and hiding the other would hide nothing.
    table = [
        cell(7, department="Finance", status="participant"),
        cell(0, department="Finance", status="comparison"),
        cell(6, department="Legal", status="participant"),
        cell(2, department="Legal", status="comparison"),
        cell(7, department="Finance"),
        cell(8, department="Legal"),
        cell(13, status="participant"),
        cell(2, status="comparison"),
        cell(15),
    ]
    hidden = hidden_groups(suppress(table, Rules()))
    assert ({"department": "Finance"} in hidden) == (
        {"department": "Finance", "status": "participant"} in hidden
    )
    assert {"department": "Legal", "status": "comparison"} in hidden


def test_comments_need_the_larger_minimum_also_after_subtraction() -> None:
    rules = Rules()
    assert not comments_allowed(9, rules) and comments_allowed(10, rules)
    table = [cell(25), cell(18, cohort="2026"), cell(7, cohort="2027")]
    assert not any(s.hidden for s in suppress(table, rules))
    comments = suppress(table, rules, comments=True)
    assert [s.hidden for s in comments] == [False, True, True]
    assert comments[1].reason == hidden_label(10)


@pytest.mark.parametrize(
    ("k", "comment_k"), [(2, 10), (5, 4), (0, 10)], ids=["k below 3", "comments below k", "zero"]
)
def test_rules_refuse_a_minimum_below_three_or_comments_below_k(k: int, comment_k: int) -> None:
    with pytest.raises(ValueError, match="minimum"):
        Rules(k=k, comment_k=comment_k)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ([cell(3), cell(3)], "given twice"),
        ([cell(10), cell(4, cohort="2026")], "add up to 4"),
        ([cell(4, cohort="2026"), cell(5, cohort="2026", status="x")], "add up to 5"),
    ],
)
def test_a_table_that_does_not_add_up_is_refused(cells: list[Cell], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        suppress(cells, Rules())


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="-1 respondents"):
        cell(-1, cohort="2026")


# Random populations

TEAMS = {
    "team": tuple(f"{department} {team}" for department in VALUES["department"] for team in "ab")
}


@st.composite
def populations(draw: st.DrawFn) -> tuple[list[str], list[Person]]:
    dimensions = draw(st.lists(st.sampled_from(sorted(VALUES)), unique=True, max_size=3))
    person = st.fixed_dictionaries({d: st.sampled_from(VALUES[d]) for d in dimensions})
    return dimensions, draw(st.lists(person, max_size=60))


@st.composite
def tables(draw: st.DrawFn, population: st.SearchStrategy | None = None) -> tuple[int, list[Cell]]:
    dimensions, people = draw(populations() if population is None else population)
    margins = [list(c) for size in range(len(dimensions)) for c in combinations(dimensions, size)]
    levels = [dimensions, *(level for level in margins if draw(st.booleans()))]
    cells = count_cells(people, levels)
    # Some margin cells left out: their parts then leave an unlisted rest.
    kept = [c for c in cells if len(c.group) == len(dimensions) or draw(st.integers(0, 4))]
    return draw(st.integers(3, 5)), kept


@st.composite
def hierarchies(draw: st.DrawFn) -> tuple[list[str], list[Person]]:
    """Departments and their teams: every grouping nests in the one above."""
    teams = draw(st.lists(st.sampled_from(TEAMS["team"]), max_size=60))
    return ["department", "team"], [{"department": t.split()[0], "team": t} for t in teams]


def indicators(cells: Sequence[Cell], shown: Sequence[Shown]) -> tuple[list[Cell], np.ndarray]:
    """The finest cells with respondents, and the null space of the shown cells over them.

    A combination of finest cells is recoverable from the shown counts exactly when its
    indicator is orthogonal to that null space.
    """
    width = max(len(c.group) for c in cells)
    atoms = [c for c in cells if len(c.group) == width and c.count]
    rows = [
        [float(s.group.items() <= atom.group.items()) for atom in atoms]
        for s in shown
        if not s.hidden and s.count
    ]
    if not rows:
        return atoms, np.ones((len(atoms), 1))
    _, singular, vt = np.linalg.svd(np.array(rows))
    return atoms, vt[int((singular > 1e-9).sum()) :].T


def recoverable(null_space: np.ndarray, indicator: Sequence[float]) -> bool:
    return not null_space.size or np.abs(np.asarray(indicator) @ null_space).max() < 1e-9


def small_unions_recoverable(cells: Sequence[Cell], shown: Sequence[Shown], k: int) -> list:
    """Any set of 1 to k−1 respondents (a union of finest cells) some combination isolates."""
    atoms, null_space = indicators(cells, shown)
    small = [i for i, atom in enumerate(atoms) if atom.count < k]
    return [
        [atoms[i].group for i in chosen]
        for size in range(1, k)
        for chosen in combinations(small, size)
        if sum(atoms[i].count for i in chosen) < k
        and recoverable(null_space, [float(i in chosen) for i in range(len(atoms))])
    ]


def assert_published_faithfully(cells: Sequence[Cell], shown: Sequence[Shown], k: int) -> None:
    for original, published in zip(cells, shown, strict=True):
        assert published.group == original.group
        if published.hidden:
            assert published.count is None and set(published.values.values()) == {None}
            assert published.reason == hidden_label(k) and original.count > 0
        elif original.count == 0:
            assert published.reason == NO_RESPONSES and published.count == 0
        else:
            assert published.count == original.count >= k
            assert published.values == original.values and published.reason is None


def assert_no_small_difference(shown: Sequence[Shown], k: int) -> None:
    """Parent − child, and a margin minus its shown parts along one dimension."""
    visible = [s for s in shown if not s.hidden and s.count]
    for parent in visible:
        below = [s for s in visible if parent.group.items() < s.group.items()]
        for child in below:
            assert not 0 < parent.count - child.count < k
        for dimension in {d for s in below for d in s.group} - set(parent.group):
            parts = [
                s for s in below if len(s.group) == len(parent.group) + 1 and dimension in s.group
            ]
            assert not 0 < parent.count - sum(part.count for part in parts) < k


def assert_cross_table_safe(cells: Sequence[Cell], shown: Sequence[Shown], k: int) -> None:
    assert_published_faithfully(cells, shown, k)
    assert_no_small_difference(shown, k)


@examples
@given(tables(hierarchies()))
def test_in_a_hierarchy_no_combination_of_shown_figures_isolates_fewer_than_k(
    table: tuple[int, list[Cell]],
) -> None:
    k, cells = table
    shown = suppress(cells, Rules(k=k, comment_k=10))
    assert_published_faithfully(cells, shown, k)
    assert small_unions_recoverable(cells, shown, k) == []


@examples
@given(tables())
def test_in_a_cross_table_no_difference_of_shown_figures_isolates_fewer_than_k(
    table: tuple[int, list[Cell]],
) -> None:
    k, cells = table
    assert_cross_table_safe(cells, suppress(cells, Rules(k=k, comment_k=10)), k)


@examples
@given(tables(), st.randoms(use_true_random=False))
def test_the_order_of_the_cells_changes_nothing(
    table: tuple[int, list[Cell]], shuffler: random.Random
) -> None:
    k, cells = table
    rules = Rules(k=k, comment_k=10)
    hidden = [s.hidden for s in suppress(cells, rules)]
    shuffled = shuffler.sample(range(len(cells)), len(cells))
    again = suppress([cells[i] for i in shuffled], rules)
    assert [again[shuffled.index(i)].hidden for i in range(len(cells))] == hidden
