"""The ledger's arithmetic against brute force: every union of fewer than k people that the
released rows determine is found (and nothing else is), a release never leaves one, and
it hides nothing that could be shown."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intrapreneur.culture.ledger import algebra, search
from intrapreneur.culture.ledger.algebra import KnownSums
from intrapreneur.culture.ledger.people import GroupKey
from intrapreneur.culture.ledger.release import Candidate, released
from intrapreneur.culture.ledger.waves import Band, coarsened

examples = settings(max_examples=120, deadline=None, derandomize=True)


def rank(rows: list[list[Fraction]]) -> int:
    """Exact rank by Gaussian elimination over the rationals."""
    rows = [row[:] for row in rows if any(row)]
    found = 0
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((r for r in range(found, len(rows)) if rows[r][column]), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for r in range(len(rows)):
            if r != found and rows[r][column]:
                factor = rows[r][column] / rows[found][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[found], strict=True)]
        found += 1
    return found


def determined(rows: list[frozenset[int]], atoms: int, union: frozenset[int]) -> bool:
    matrix = [[Fraction(int(a in row)) for a in range(atoms)] for row in rows]
    target = [Fraction(int(a in union)) for a in range(atoms)]
    return rank([*matrix, target]) == rank(matrix)


def small_determined(rows: list[frozenset[int]], weights: list[int], k: int) -> set[frozenset]:
    """Every union of atoms weighing 1 to k − 1 that the rows determine (brute force)."""
    found = set()
    for size in range(1, k):
        for union in map(frozenset, combinations(range(len(weights)), size)):
            if sum(weights[a] for a in union) < k and determined(rows, len(weights), union):
                found.add(union)
    return found


@st.composite
def releases(draw: st.DrawFn) -> tuple[list[frozenset[int]], list[int], int]:
    atoms = draw(st.integers(1, 9))
    weights = draw(st.lists(st.integers(1, 7), min_size=atoms, max_size=atoms))
    row = st.frozensets(st.integers(0, atoms - 1), min_size=1)
    return draw(st.lists(row, max_size=10)), weights, draw(st.integers(3, 5))


@pytest.mark.parametrize("way", ["halves", "components"])
@examples
@given(release=releases())
def test_the_exposures_found_are_exactly_the_determined_small_unions(
    way: str, release: tuple[list[frozenset[int]], list[int], int]
) -> None:
    rows, weights, k = release
    truth = small_determined(rows, weights, k)
    # The search by components is what a large organisation meets when meeting in the
    # middle is too large: it must be exact too.
    limit = search.PAIRS_LIMIT if way == "halves" else 0

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "PAIRS_LIMIT", limit)
        exposures = KnownSums(rows, weights).exposures(k)

    found = {exposure.atoms for exposure in exposures}
    assert all(union in truth for union in found)  # nothing that is not determined
    assert all(any(f <= union for f in found) for union in truth)  # every one, or a part
    for exposure in exposures:
        # The rows named really are the ones it is worked out from.
        assert determined([rows[r] for r in exposure.rows], len(weights), exposure.atoms)


@examples
@given(releases(), st.data())
def test_a_release_leaves_no_small_union_determined(
    release: tuple[list[frozenset[int]], list[int], int], data: st.DataObject
) -> None:
    rows, weights, k = release
    # The first rows were released before and pass on their own; the rest are candidates.
    fixed = [row for row in rows[:3] if not small_determined([row], weights, k)]
    if small_determined(fixed, weights, k):
        fixed = []
    candidates = [
        Candidate(GroupKey(frozenset({("group", str(n))})), row, sum(weights[a] for a in row))
        for n, row in enumerate(rows[3:])
    ]

    shown = released(weights, fixed, candidates, k)

    kept = fixed + [c.atoms for c in candidates if c.key in shown]
    assert small_determined(kept, weights, k) == set()
    assert all(c.people >= k for c in candidates if c.key in shown)
    # Nothing is hidden that could be shown: each hidden figure of k people or more
    # would, added to what is shown, determine a small group.
    for candidate in candidates:
        if candidate.key not in shown and candidate.people >= k:
            assert small_determined([*kept, candidate.atoms], weights, k), candidate


def test_the_stricter_test_takes_over_when_a_component_is_too_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Six people alone, the total and every department but one of two shown.
    weights = [1, 1, 1, 1, 1, 1, 9]
    rows = [frozenset(range(7)), frozenset({0, 1, 2}), frozenset({6})]
    monkeypatch.setattr(search, "PAIRS_LIMIT", 0)
    monkeypatch.setattr(algebra, "COMPONENT_LIMIT", 0)

    exposures = KnownSums(rows, weights).exposures(5)

    # {3, 4, 5} = total − {0, 1, 2} − {6} weighs 3 < 5: reported (with {0, 1, 2}, which
    # the stricter test cannot tell apart), each with the rows that derive it.
    assert any(exposure.atoms >= {3, 4, 5} for exposure in exposures)
    assert all(exposure.rows and not exposure.certain for exposure in exposures)


def test_a_first_pass_suggestion_that_isolates_no_one_is_shown_after_all() -> None:
    weights = [6, 7]
    total, first, second = (
        Candidate(GroupKey(frozenset(coordinates)), atoms, sum(weights[a] for a in atoms))
        for coordinates, atoms in (
            ((), frozenset({0, 1})),
            ({("department", "1")}, frozenset({0})),
            ({("department", "2")}, frozenset({1})),
        )
    )

    shown = released(weights, [], [total, first, second], 5, suggested={first.key})

    assert shown == {total.key, first.key, second.key}


def test_a_figure_of_the_same_people_goes_with_the_one_hidden() -> None:
    weights = [3, 8]
    same = frozenset({0})
    candidates = [
        Candidate(GroupKey(frozenset({("department", "1")})), same, 3),
        Candidate(GroupKey(frozenset({("group", "participant")})), same, 3),
        Candidate(GroupKey(frozenset()), frozenset({0, 1}), 11),
        Candidate(GroupKey(frozenset({("department", "2")})), frozenset({1}), 8),
    ]

    shown = released(weights, [], candidates, 5)

    assert GroupKey(frozenset()) in shown or GroupKey(frozenset({("department", "2")})) in shown
    assert not shown & {candidates[0].key, candidates[1].key}
    assert len(shown) == 1  # the total minus Legal would give the three away


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([(1.0, 2), (1.5, 4), (2.0, 9), (2.5, 1)], [Band(1.0, 1.5, 6), Band(2.0, 2.5, 10)]),
        ([(3.0, 7)], [Band(3.0, 3.0, 7)]),
        ([(3.0, 2), (3.5, 2)], []),
    ],
    ids=["merged", "one band", "too few"],
)
def test_bands_are_merged_until_each_holds_k(
    counts: list[tuple[float, int]], expected: list[Band]
) -> None:
    assert coarsened(counts, 5) == expected
