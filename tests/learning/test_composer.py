"""The set composer: hard rules over random organisations, soft goals on known cases."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intrapreneur.learning.composer import (
    Arrangement,
    Candidate,
    Facilitator,
    Proposal,
    assess,
    compose,
    measure_quality,
    move_refusal,
)

ROOT = Path(__file__).resolve().parents[2]
DEPARTMENTS = ("Finance", "Legal", "Sales", "Research", "Operations", "People")
OUTSIDERS = (9001, 9002, 9003)  # managers who are not in the cohort
examples = settings(max_examples=60, deadline=None)


@dataclass
class Organisation:
    candidates: list[Candidate]
    facilitators: list[Facilitator] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    def compose(self, **overrides: Any) -> Proposal:
        options = {"facilitators": self.facilitators, **self.options, **overrides}
        return compose(self.candidates, **options)


def chains(manager_of: Mapping[int, int | None]) -> dict[int, frozenset[int]]:
    """Everyone above each person, from each person's direct manager."""
    above = {}
    for person in manager_of:
        chain, manager = set(), manager_of[person]
        while manager is not None:
            chain.add(manager)
            manager = manager_of.get(manager)
        above[person] = frozenset(chain)
    return above


@st.composite
def organisations(draw: st.DrawFn) -> Organisation:
    size = draw(st.integers(0, 36))
    ids = draw(st.lists(st.integers(1, 300), min_size=size, max_size=size, unique=True))
    manager_of = {
        person: draw(st.none() | st.sampled_from(ids[:position] + list(OUTSIDERS)))
        for position, person in enumerate(ids)
    }
    above = chains(manager_of)
    candidates = [
        Candidate(
            person_id=person,
            department=draw(st.sampled_from((*DEPARTMENTS, None))),
            is_guest=draw(st.integers(0, 5)) == 0,
            managers=above[person],
        )
        for person in ids
    ]
    facilitators = {}
    for number in range(draw(st.integers(0, 4))):
        person = draw(st.sampled_from([2000 + number, *OUTSIDERS, *ids]))
        below = draw(st.none() | st.sampled_from(ids)) if ids else None
        managers = frozenset() if below is None else above[below] | {below}
        facilitators[person] = Facilitator(person, draw(st.integers(0, 3)), managers - {person})
    pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids)) if ids else st.nothing()
    pairs = draw(st.lists(pair, max_size=15)) if ids else []
    options = {
        "previous_pairs": frozenset(frozenset(p) for p in pairs if p[0] != p[1]),
        "keep_apart_previous": draw(st.booleans()),
        "locked": draw(
            st.dictionaries(st.sampled_from([*ids, 777]), st.integers(0, 5), max_size=6)
        ),
        "set_count": draw(st.none() | st.integers(1, 8)),
        "seed": draw(st.integers(0, 1000)),
    }
    options["min_size"], options["max_size"] = draw(
        st.sampled_from([(4, 8), (4, 8), (2, 4), (3, 5), (5, 6), (1, 3)])
    )
    return Organisation(candidates, list(facilitators.values()), options)


def mentioned(problems: Sequence[str], number: int, *, about: str) -> bool:
    """Does a problem containing ``about`` name ``number``, alone or in a range like 3–7?"""
    for problem in problems:
        for first, last in re.findall(r"\b(\d+)(?:–(\d+))?\b", problem if about in problem else ""):
            if int(first) <= number <= int(last or first):
                return True
    return False


def assert_hard_rules_hold_or_are_reported(org: Organisation, proposal: Proposal) -> None:
    options = {"min_size": 4, "max_size": 8, "locked": {}, **org.options}
    problems = proposal.problems
    above = {c.person_id: c.managers for c in org.candidates}
    placed = [m for s in proposal.sets for m in s.members]
    assert sorted(placed + proposal.unplaced) == sorted(above)
    for person in proposal.unplaced:
        assert mentioned(problems, person, about="not placed")
    facilitators = {f.person_id: f for f in org.facilitators}
    for facilitator, load in Counter(s.facilitator_id for s in proposal.sets).items():
        assert facilitator is None or load <= facilitators[facilitator].capacity
    for s in proposal.sets:
        assert s.members == sorted(s.members)
        assert len(s.members) <= options["max_size"]
        if len(s.members) < options["min_size"]:
            assert any(p.startswith(f"{s.name} has {len(s.members)} members") for p in problems)
        for position, a in enumerate(s.members):
            assert not any(a in above[b] or b in above[a] for b in s.members[position + 1 :])
        if s.facilitator_id is not None:
            f = facilitators[s.facilitator_id]
            assert not any(m == f.person_id or f.person_id in above[m] for m in s.members)
            assert not f.managers & set(s.members)
        elif org.facilitators:
            assert mentioned(problems, s.index + 1, about="no facilitator")
    for person, index in options["locked"].items():
        honoured = index < len(proposal.sets) and person in proposal.sets[index].members
        assert honoured or mentioned(problems, person, about="lock")


def assert_quality_matches(org: Organisation, proposal: Proposal) -> None:
    by_id = {c.person_id: c for c in org.candidates}
    pairs = org.options.get("previous_pairs", frozenset())
    for s, q in zip(proposal.sets, proposal.quality.sets, strict=True):
        departments = [by_id[m].department for m in s.members]
        distinct = len(set(departments) - {None}) + departments.count(None)
        assert (q.size, q.departments) == (len(s.members), distinct)
        assert q.entrepreneurs == sum(by_id[m].is_guest for m in s.members)
        assert q.repeat_pairings == sum(
            {a, b} in pairs for a in s.members for b in s.members if a < b
        )


@examples
@given(organisations())
def test_every_hard_rule_holds_or_is_reported(org: Organisation) -> None:
    proposal = org.compose()

    assert_hard_rules_hold_or_are_reported(org, proposal)
    assert_quality_matches(org, proposal)
    assert set(proposal.reasons) == {m for s in proposal.sets for m in s.members}
    assert all(reason.endswith(".") for reason in proposal.reasons.values())


@examples
@given(organisations())
def test_same_input_and_seed_give_the_same_proposal_in_any_input_order(
    org: Organisation,
) -> None:
    shuffled = replace(org, candidates=org.candidates[::-1], facilitators=org.facilitators[::-1])

    assert org.compose() == shuffled.compose()


@examples
@given(organisations())
def test_guests_spread_evenly_when_no_chain_forces_otherwise(org: Organisation) -> None:
    # Hard rules come first: a chain can force a guest next to another to fill a set.
    candidates = [replace(c, managers=frozenset()) for c in org.candidates]
    ids = {c.person_id for c in candidates}
    facilitators = [
        replace(f, managers=frozenset()) for f in org.facilitators if f.person_id not in ids
    ]
    proposal = replace(org, candidates=candidates, facilitators=facilitators).compose(
        locked={}, set_count=None
    )

    per_set = [q.entrepreneurs for q in proposal.quality.sets]
    if per_set:
        assert max(per_set) - min(per_set) <= 1
        assert min(per_set) >= 1 or proposal.quality.entrepreneurs < len(per_set)


def sample_fingerprint() -> str:
    """A proposal over many string departments, for the hash-seed test's subprocesses."""
    rng = random.Random(7)
    manager_of = {p: rng.choice([None, *range(1, p)]) if p > 1 else None for p in range(1, 91)}
    above = chains(manager_of)
    candidates = [
        Candidate(p, f"Department {rng.randrange(25)}", rng.random() < 0.1, above[p])
        for p in manager_of
    ]
    pairs = frozenset(frozenset(rng.sample(range(1, 91), 2)) for _ in range(40))
    facilitators = [Facilitator(500 + f, capacity=2) for f in range(8)]
    return repr(compose(candidates, facilitators=facilitators, previous_pairs=pairs, seed=3))


def test_proposal_does_not_depend_on_string_hashing() -> None:
    script = (
        "from tests.learning.test_composer import sample_fingerprint; print(sample_fingerprint())"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            stdout=subprocess.PIPE,
            text=True,
        )
        for hash_seed in ("1", "2")
    ]
    outputs = {run.communicate(timeout=60)[0] for run in runs}

    assert outputs == {sample_fingerprint() + "\n"}


def people(*rows: tuple[int, str | None], guests: Sequence[int] = ()) -> list[Candidate]:
    return [Candidate(p, department, p in guests, frozenset()) for p, department in rows]


def departments_of(proposal: Proposal, candidates: Sequence[Candidate]) -> list[list[str]]:
    by_id = {c.person_id: str(c.department) for c in candidates}
    return [sorted(by_id[m] for m in s.members) for s in proposal.sets]


def test_each_set_gets_one_of_each_department_across_a_management_chain() -> None:
    candidates = people(*[(p, "ABCD"[(p - 1) // 2]) for p in range(1, 9)])
    # 1 (A) manages 3 (B), and 6 (C) manages 8 (D): the optimum still mixes fully.
    candidates[2] = replace(candidates[2], managers=frozenset({1}))
    candidates[7] = replace(candidates[7], managers=frozenset({6}))

    proposal = compose(candidates, set_count=2)

    assert departments_of(proposal, candidates) == [list("ABCD"), list("ABCD")]
    assert proposal.quality.department_mix == 1.0
    assert proposal.problems == []
    for s in proposal.sets:
        assert not {1, 3} <= set(s.members)
        assert not {6, 8} <= set(s.members)


def test_a_department_larger_than_the_set_count_is_split_evenly() -> None:
    # Six Finance, three Legal, three Sales in two sets of six: at best every department is
    # in both sets, three departments a set, a mix of 0.5, and Finance split three and three.
    rows = [(p, "Finance") for p in range(1, 7)] + [(p, "Legal") for p in range(7, 10)]
    candidates = people(*rows, *[(p, "Sales") for p in range(10, 13)])

    proposal = compose(candidates)

    assert [len(s.members) for s in proposal.sets] == [6, 6]
    assert [q.departments for q in proposal.quality.sets] == [3, 3]
    assert proposal.quality.department_mix == 0.5
    assert [d.count("Finance") for d in departments_of(proposal, candidates)] == [3, 3]


def test_quality_numbers_on_a_known_arrangement() -> None:
    candidates = people(
        (1, "A"),
        (2, "A"),
        (3, "B"),
        (4, None),
        (5, "B"),
        (6, "C"),
        (7, "D"),
        (8, None),
        (9, None),
        guests=(4, 8, 9),
    )
    pairs = frozenset({frozenset({1, 2}), frozenset({5, 9}), frozenset({1, 5})})
    # Locking everyone makes the composer evaluate hr's own arrangement.
    locked = {p: 0 if p <= 4 else 1 for p in range(1, 10)}

    proposal = compose(candidates, previous_pairs=pairs, locked=locked, set_count=2)
    quality = proposal.quality

    assert [s.members for s in proposal.sets] == [[1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert [q.department_mix for q in quality.sets] == [0.75, 1.0]
    assert [q.entrepreneurs for q in quality.sets] == [1, 2]
    assert [q.repeat_pairings for q in quality.sets] == [1, 1]
    assert quality.department_mix == 8 / 9
    assert quality.average_department_mix == 0.875
    assert quality.lowest_department_mix == 0.75
    assert (quality.entrepreneurs, quality.sets_without_entrepreneur) == (3, 0)
    assert (quality.most_entrepreneurs_in_a_set, quality.repeat_pairings) == (2, 2)
    assert quality == measure_quality([[1, 2, 3, 4], [5, 6, 7, 8, 9]], candidates, pairs)


def test_reasons_say_why_each_person_is_where_they_are() -> None:
    candidates = people((1, "Finance"), (2, "Legal"), (3, "Sales"), (4, None), guests=(4,))
    candidates[1] = replace(candidates[1], managers=frozenset({99}))

    proposal = compose(candidates, previous_pairs=frozenset({frozenset({1, 3})}), min_size=4)

    assert proposal.reasons == {
        1: "Only Finance person in Set 1; no one from their management chain in the cohort; "
        "together again with 1 person they shared a set with before.",
        2: "Only Legal person in Set 1; no one from their management chain in the cohort.",
        3: "Only Sales person in Set 1; no one from their management chain in the cohort; "
        "together again with 1 person they shared a set with before.",
        4: "Brings Set 1's first guest entrepreneur; "
        "no one from their management chain in the cohort.",
    }


def test_previous_set_mates_are_kept_apart_when_asked() -> None:
    candidates = people(*[(p, f"D{p}") for p in range(1, 9)])
    pairs = frozenset(frozenset({p, p + 1}) for p in range(1, 9, 2))

    apart = compose(candidates, previous_pairs=pairs, set_count=2)

    assert apart.quality.repeat_pairings == 0
    assert "no one they shared a set with before" in apart.reasons[1]


def test_locks_are_honoured_and_a_recompute_keeps_them() -> None:
    rng = random.Random(5)
    candidates = people(*[(p, rng.choice(DEPARTMENTS)) for p in range(1, 31)], guests=(7, 19))
    first = compose(candidates)
    # hr moves 1 and 2 into the last set and keeps 3 where it was, then recomputes the rest.
    last = len(first.sets) - 1
    home_of_3 = next(s.index for s in first.sets if 3 in s.members)
    locked = {1: last, 2: last, 3: home_of_3}

    again = compose(candidates, locked=locked, set_count=len(first.sets), seed=1)

    assert {p: next(s.index for s in again.sets if p in s.members) for p in locked} == locked
    assert again.problems == []
    assert again.reasons[1].startswith(f"Locked in Set {last + 1} by hr; ")


def test_a_lock_that_joins_a_management_chain_is_reported_not_obeyed() -> None:
    candidates = people(*[(p, f"D{p}") for p in range(1, 13)])
    candidates[4] = replace(candidates[4], managers=frozenset({2}))  # 2 manages 5

    proposal = compose(candidates, locked={2: 0, 5: 0})

    assert 2 in proposal.sets[0].members
    assert 5 not in proposal.sets[0].members
    assert proposal.problems == [
        "Persons 2 and 5 are both locked in Set 1, but 2 is above 5 in the management chain; "
        "the lock of 5 was not honoured and the composer placed them."
    ]


def test_locks_of_strangers_and_of_missing_sets_are_reported() -> None:
    candidates = people(*[(p, f"D{p}") for p in range(1, 9)])

    proposal = compose(candidates, locked={3: 5, 77: 0}, set_count=2)

    assert proposal.problems == [
        "Person 3 is locked in Set 6, but there are only 2 sets; the composer placed them instead.",
        "Person 77 is locked but is not among the candidates; the lock was ignored.",
    ]
    assert 3 not in proposal.unplaced


def test_too_many_locks_in_one_set_are_reported() -> None:
    candidates = people(*[(p, f"D{p}") for p in range(1, 13)])

    proposal = compose(candidates, locked={p: 0 for p in range(1, 6)}, max_size=4, min_size=2)

    assert proposal.sets[0].members == [1, 2, 3, 4]
    assert proposal.problems == [
        "5 people are locked in Set 1, more than the maximum of 4; the locks of Person 5 "
        "were not honoured and the composer placed them."
    ]


def test_too_few_participants_make_one_small_set_and_say_so() -> None:
    proposal = compose(people((1, "A"), (2, "B"), (3, "C")))

    assert [s.members for s in proposal.sets] == [[1, 2, 3]]
    assert proposal.problems == [
        "Set 1 has 3 members, below the minimum of 4: "
        "3 participants cannot fill 1 set of at least 4."
    ]


def test_a_chain_longer_than_the_set_count_leaves_someone_unplaced() -> None:
    candidates = people((1, "A"), (2, "B"), (3, "C"))
    candidates[1] = replace(candidates[1], managers=frozenset({1}))
    candidates[2] = replace(candidates[2], managers=frozenset({1, 2}))

    proposal = compose(candidates, set_count=2, min_size=1)

    assert len(proposal.unplaced) == 1
    assert proposal.problems == [
        f"Person {proposal.unplaced[0]} was not placed: "
        "every set with room has someone from their management chain."
    ]


def test_the_set_count_aims_at_six_and_stays_within_facilitator_capacity() -> None:
    candidates = people(*[(p, f"D{p % 9}") for p in range(1, 61)])

    assert len(compose(candidates).sets) == 10
    assert len(compose(candidates, facilitators=[Facilitator(900, capacity=8)]).sets) == 8


def test_too_little_facilitator_capacity_leaves_sets_without_one() -> None:
    candidates = people(*[(p, f"D{p % 5}") for p in range(1, 21)])

    proposal = compose(candidates, facilitators=[Facilitator(900)])

    assert sorted(len(s.members) for s in proposal.sets) == [6, 7, 7]
    assert [s.facilitator_id for s in proposal.sets] == [900, None, None]
    assert proposal.problems == [
        "The facilitators can take 1 set between them, but there are 3; "
        "Sets 2 and 3 have no facilitator."
    ]


def test_a_facilitator_never_takes_a_set_with_their_own_manager_or_report() -> None:
    candidates = people(*[(p, f"D{p}") for p in range(1, 13)])
    candidates[0] = replace(candidates[0], managers=frozenset({900}))  # 900 manages 1
    facilitators = [Facilitator(900, capacity=2), Facilitator(901, managers=frozenset({2}))]

    proposal = compose(candidates, facilitators=facilitators)

    assert {s.facilitator_id for s in proposal.sets} == {900, 901}
    for s in proposal.sets:
        assert 1 not in s.members or s.facilitator_id != 900
        assert 2 not in s.members or s.facilitator_id != 901
    assert proposal.problems == []


def test_a_facilitator_above_everyone_takes_no_set_and_says_so() -> None:
    candidates = [
        replace(c, managers=frozenset({900})) for c in people(*[(p, f"D{p}") for p in range(1, 13)])
    ]

    proposal = compose(candidates, facilitators=[Facilitator(900, capacity=2)])

    assert [s.facilitator_id for s in proposal.sets] == [None, None]
    assert sorted(len(s.members) for s in proposal.sets) == [6, 6]
    assert proposal.problems == [
        "Sets 1 and 2 have no facilitator: "
        "every facilitator with room is in the management chain of one of its members."
    ]


@pytest.mark.parametrize(
    "options",
    [{"min_size": 0}, {"min_size": 5, "max_size": 4}, {"set_count": 0}, {"locked": {1: -1}}],
)
def test_impossible_arguments_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        compose(people((1, "A")), **options)


def test_duplicate_people_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        compose(people((1, "A"), (1, "B")))


def _arrangement(proposal: Proposal, locked: frozenset[int] = frozenset()) -> Arrangement:
    return Arrangement(
        sets=[s.members for s in proposal.sets],
        facilitator_ids=[s.facilitator_id for s in proposal.sets],
        locked=locked,
    )


@examples
@given(organisations(), st.data())
def test_a_move_hr_is_allowed_to_make_keeps_every_hard_rule(
    org: Organisation, data: st.DataObject
) -> None:
    proposal = org.compose()
    if not proposal.sets or not org.candidates:
        return
    sizes = {k: org.options[k] for k in ("min_size", "max_size")}
    person = data.draw(st.sampled_from([c.person_id for c in org.candidates]))
    target = data.draw(st.integers(0, len(proposal.sets) - 1))
    arrangement = _arrangement(proposal)
    refusal = move_refusal(
        arrangement,
        org.candidates,
        person,
        target,
        facilitators=org.facilitators,
        max_size=sizes["max_size"],
    )
    if refusal is not None:
        return
    moved = [[m for m in s if m != person] for s in arrangement.sets]
    moved[target].append(person)
    after = assess(
        Arrangement(moved, arrangement.facilitator_ids, frozenset({person})),
        org.candidates,
        facilitators=org.facilitators,
        **sizes,
    )
    shortfalls = ("below the minimum", "no facilitator")
    assert [p for p in after.problems if not any(s in p for s in shortfalls)] == []
    assert person in after.sets[target].members
    assert after.reasons[person].startswith(f"Locked in Set {target + 1} by hr")


def _small_organisation() -> list[Candidate]:
    boss = Candidate(1, "Finance", False, name="Bea Boss")
    return [
        boss,
        Candidate(2, "Finance", False, managers=frozenset({1}), name="Dan Direct"),
        *(Candidate(n, dept, False, name=f"P{n}") for n, dept in ((3, "Legal"), (4, "Sales"))),
        *(Candidate(n, dept, False, name=f"P{n}") for n, dept in ((5, "Legal"), (6, "Sales"))),
        Candidate(7, None, True, name="Gia Guest"),
        Candidate(8, "People", False, name="P8"),
    ]


def test_moves_that_break_a_hard_rule_are_refused_with_the_reason() -> None:
    candidates = _small_organisation()
    facilitators = [Facilitator(50, 2, managers=frozenset({3}), name="Fay Facilitator")]
    arrangement = Arrangement([[1, 3, 4, 7], [2, 5, 6, 8]], [None, 50])

    def refusal(person: int, target: int, max_size: int = 8) -> str | None:
        return move_refusal(
            arrangement, candidates, person, target, facilitators=facilitators, max_size=max_size
        )

    assert refusal(2, 0) == (
        "Dan Direct cannot join Set 1: Bea Boss is above Dan Direct in the management chain."
    )
    assert refusal(3, 1) == (
        "P3 cannot join Set 2: its facilitator Fay Facilitator is in their management chain."
    )
    assert refusal(3, 0) == "P3 is already in Set 1."
    assert refusal(4, 1, max_size=4) == "Set 2 already has 4 members, the most a set can have."
    assert refusal(4, 1) is None


def test_assess_reports_rules_an_arrangement_breaks_and_its_shortfalls() -> None:
    candidates = _small_organisation()
    facilitators = [Facilitator(50, 1, name="Fay Facilitator"), Facilitator(2, 1, name="Dan")]
    # Data changed since it was made: Bea now sits with her report, and one
    # facilitator manages a member of the set they facilitate.
    arrangement = Arrangement([[1, 2, 3], [4, 5, 6, 7, 8, 99]], [None, 50], frozenset({3}))

    proposal = assess(arrangement, candidates, facilitators=facilitators)

    assert proposal.problems == [
        "In Set 1, Bea Boss is above Dan Direct in the management chain.",
        "Set 1 has 3 members, below the minimum of 4.",
        "Set 1 has no facilitator.",
    ]
    assert proposal.sets[1].members == [4, 5, 6, 7, 8]  # 99 is no longer a candidate
    assert proposal.unplaced == []
    assert proposal.reasons[3].startswith("Locked in Set 1 by hr")
    assert proposal.quality.sets[1].entrepreneurs == 1
    assert proposal.quality.sets[0].departments == 2


def test_assess_names_a_facilitator_over_capacity_or_in_a_members_chain() -> None:
    candidates = _small_organisation()
    facilitators = [Facilitator(50, 1, managers=frozenset({1}), name="Fay Facilitator")]
    arrangement = Arrangement([[1, 3, 4, 7], [2, 5, 6, 8]], [50, 50])

    problems = assess(arrangement, candidates, facilitators=facilitators).problems

    assert problems == [
        "Set 1's facilitator Fay Facilitator is in the management chain of Bea Boss.",
        "Fay Facilitator facilitates 2 sets, more than their capacity of 1.",
    ]


def test_names_replace_numbers_in_problems_when_known() -> None:
    candidates = _small_organisation()
    proposal = compose(candidates, locked={1: 0, 2: 0}, set_count=2)
    assert (
        "Bea Boss and Dan Direct are both locked in Set 1, but Bea Boss is above Dan Direct in "
        "the management chain; the lock of Dan Direct was not honoured and the composer placed "
        "them."
    ) in proposal.problems
