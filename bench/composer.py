"""Set composer benchmark: a 2,000-person cohort, and small cohorts against the optimum.

1. Large cohort: ``compose`` on 2,000 participants (1,800 employees in 300
   departments of skewed sizes and 200 guest entrepreneurs) with a management
   tree whose chains cross departments, facilitators of whom some are in those
   chains, and a previous cohort. The benchmark checks every hard rule itself
   and recomputes the quality figures, and prints them next to a naive
   round-robin assignment measured in the same run. Target: under 10 s, every
   hard rule met. Also times a recompute after hr locks 100 people.
2. Small cohorts (12–16 people): the department mix of each proposal against
   the best that any arrangement with the same number of sets and the same
   hard rules reaches, found by exhaustive search. Target: within 10 %.

    .venv/bin/python bench/composer.py [--participants 2000] [--departments 300] [--small 200]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from intrapreneur.learning.composer import (
    Arrangement,
    Candidate,
    Facilitator,
    Proposal,
    assess,
    compose,
)

T = TypeVar("T")
SEED = 2026
TIME_TARGET_SECONDS = 10.0
MIX_TARGET_RATIO = 0.90
MIN_SIZE, MAX_SIZE = 4, 8
GUEST_SHARE = 0.10
# Zipf exponent of the department sizes: the largest of 300 departments has about 450 of
# 1,800 employees, more than there are sets, so some sets must hold two of them.
DEPARTMENT_SKEW = 1.3
REPORTS_PER_MANAGER = 6
# Departments beyond the largest ones report, half of the time, into the upper ranks of one
# of the largest, so that chains cross departments.
NESTED_SHARE = 0.5
TOP_LEVEL_DEPARTMENTS = 30
PREVIOUS_COHORT_SHARE = 0.4
LOCKS = 100
RUNS = 3
# Non-participants above the departments: ids far from the participants'.
CHIEF = 1_000_000
DIRECTORS = tuple(CHIEF + 1 + i for i in range(10))
DIVISION_HEADS = tuple(CHIEF + 100 + i for i in range(20))
# Coaches from outside every chain, three sets each: one per 20 participants.
PARTICIPANTS_PER_COACH = 20


@dataclass
class Cohort:
    candidates: list[Candidate]
    facilitators: list[Facilitator]
    previous_pairs: frozenset[frozenset[int]]


# -- the organisations ----------------------------------------------------------------------


def skewed_sizes(rng: random.Random, total: int, parts: int) -> list[int]:
    """Zipf-like sizes, largest first, each at least 1."""
    sizes = [1] * parts
    weights = [1 / rank**DEPARTMENT_SKEW for rank in range(1, parts + 1)]
    for part in rng.choices(range(parts), weights=weights, k=total - parts):
        sizes[part] += 1
    return sorted(sizes, reverse=True)


def chains_above(manager_of: dict[int, int | None]) -> dict[int, frozenset[int]]:
    above: dict[int, frozenset[int]] = {}

    def chain(person: int) -> frozenset[int]:
        if person not in above:
            manager = manager_of[person]
            above[person] = frozenset() if manager is None else chain(manager) | {manager}
        return above[person]

    for person in manager_of:
        chain(person)
    return above


def large_cohort(rng: random.Random, participants: int, departments: int) -> Cohort:
    guests = round(participants * GUEST_SHARE)
    ids = iter(rng.sample(range(1, 10 * participants), participants))
    manager_of: dict[int, int | None] = {CHIEF: None}
    manager_of.update({director: CHIEF for director in DIRECTORS})
    manager_of.update(
        {head: DIRECTORS[i % len(DIRECTORS)] for i, head in enumerate(DIVISION_HEADS)}
    )
    department_of: dict[int, str] = {}
    upper_ranks: list[list[int]] = []  # per top-level department: the head and their reports
    for number, size in enumerate(skewed_sizes(rng, participants - guests, departments)):
        members = [next(ids) for _ in range(size)]
        for position, person in enumerate(members):
            department_of[person] = f"Department {number:03d}"
            manager_of[person] = (
                members[(position - 1) // REPORTS_PER_MANAGER] if position else None
            )
        if number >= TOP_LEVEL_DEPARTMENTS and rng.random() < NESTED_SHARE:
            manager_of[members[0]] = rng.choice(rng.choice(upper_ranks))
        else:
            manager_of[members[0]] = DIVISION_HEADS[number % len(DIVISION_HEADS)]
        if number < TOP_LEVEL_DEPARTMENTS:
            upper_ranks.append(members[: REPORTS_PER_MANAGER + 1])
    above = chains_above(manager_of)
    candidates = [Candidate(p, department_of[p], False, above[p]) for p in department_of]
    candidates += [Candidate(next(ids), None, True, frozenset()) for _ in range(guests)]
    facilitators = [Facilitator(p, 2, above[p]) for p in DIRECTORS + DIVISION_HEADS]
    coaches = range(CHIEF + 1000, CHIEF + 1000 + participants // PARTICIPANTS_PER_COACH)
    facilitators += [Facilitator(coach, 3) for coach in coaches]
    return Cohort(candidates, facilitators, previous_cohort(rng, list(department_of)))


def previous_cohort(rng: random.Random, employees: list[int]) -> frozenset[frozenset[int]]:
    """Pairs from a previous cohort: a share of the employees in random sets of six."""
    earlier = rng.sample(employees, int(len(employees) * PREVIOUS_COHORT_SHARE))
    sets = [earlier[start : start + 6] for start in range(0, len(earlier), 6)]
    return frozenset(frozenset((a, b)) for s in sets for a in s for b in s if a < b)


def small_cohort(rng: random.Random) -> list[Candidate]:
    size = rng.randint(12, 16)
    departments = rng.randint(3, 6)
    sizes = skewed_sizes(rng, size - rng.randint(0, 3), departments)
    names = [name for number, count in enumerate(sizes) for name in [f"D{number}"] * count]
    rng.shuffle(names)
    manager_of = {
        person: rng.randrange(1, person) if person > 1 and rng.random() < 0.4 else None
        for person in range(1, size + 1)
    }
    above = chains_above(manager_of)
    return [
        Candidate(p, names[p - 1] if p <= len(names) else None, p > len(names), above[p])
        for p in manager_of
    ]


# -- independent checks ---------------------------------------------------------------------


def hard_rule_violations(
    sets: Sequence[Sequence[int]],
    facilitator_ids: Sequence[int | None],
    unplaced: Sequence[int],
    cohort: Cohort,
) -> list[str]:
    """Every broken hard rule, found without the composer's own bookkeeping."""
    above = {c.person_id: c.managers for c in cohort.candidates}
    facilitators = {f.person_id: f for f in cohort.facilitators}
    violations = []
    seen = Counter([m for s in sets for m in s] + list(unplaced))
    if sorted(seen) != sorted(above) or max(seen.values(), default=1) > 1:
        violations.append("not everyone is in exactly one set or in unplaced")
    loads = Counter(f for f in facilitator_ids if f is not None)
    violations += [
        f"facilitator {f} over capacity" for f, n in loads.items() if n > facilitators[f].capacity
    ]
    for number, (members, facilitator) in enumerate(zip(sets, facilitator_ids, strict=True), 1):
        if len(members) > MAX_SIZE:
            violations.append(f"set {number} has {len(members)} members, above the maximum")
        if len(members) < MIN_SIZE:
            violations.append(f"set {number} has {len(members)} members, below the minimum")
        violations += [
            f"set {number}: {a} and {b} in one chain"
            for a in members
            for b in members
            if a in above[b]
        ]
        if facilitator is not None:
            chain = facilitators[facilitator].managers
            violations += [
                f"set {number}: facilitator {facilitator} and {m} in one chain"
                for m in members
                if m == facilitator or facilitator in above[m] or m in chain
            ]
    return violations


@dataclass
class Figures:
    departments: int  # (set, department) pairs; someone without a department counts as one
    department_mix: float
    lowest_department_mix: float
    sets_without_guest: int
    most_guests: int
    repeat_pairings: int


def figures(sets: Sequence[Sequence[int]], cohort: Cohort) -> Figures:
    by_id = {c.person_id: c for c in cohort.candidates}
    distinct, mixes, guests, repeats = 0, [], [], 0
    for members in sets:
        departments = [by_id[m].department for m in members]
        count = len(set(departments) - {None}) + departments.count(None)
        distinct += count
        mixes.append(count / len(members) if members else 0.0)
        guests.append(sum(by_id[m].is_guest for m in members))
        repeats += sum(
            frozenset((a, b)) in cohort.previous_pairs for a in members for b in members if a < b
        )
    members = sum(len(s) for s in sets)
    return Figures(
        departments=distinct,
        department_mix=distinct / members if members else 0.0,
        lowest_department_mix=min(mixes, default=0.0),
        sets_without_guest=guests.count(0),
        most_guests=max(guests, default=0),
        repeat_pairings=repeats,
    )


def department_ceiling(candidates: Sequence[Candidate], set_count: int) -> int:
    """No arrangement has more (set, department) pairs: a department of n people reaches at
    most min(n, sets) sets, and each person without a department counts once."""
    sizes = Counter(c.department for c in candidates)
    without = sizes.pop(None, 0)
    return without + sum(min(n, set_count) for n in sizes.values())


def best_department_count(
    candidates: Sequence[Candidate], set_count: int, *, spread_guests: bool
) -> int | None:
    """The most (set, department) pairs any arrangement into ``set_count`` sets reaches with
    sizes in bounds, no two people of one chain together and, with ``spread_guests``,
    guests at most one apart: exhaustive branch and bound. None when there is none."""
    sizes = Counter(c.department for c in candidates)
    people = sorted(
        candidates, key=lambda c: (c.department is None, -sizes[c.department], str(c.department))
    )
    n, k = len(people), set_count
    ids = [c.person_id for c in people]
    related = [
        [
            a != b and (ids[a] in people[b].managers or ids[b] in people[a].managers)
            for b in range(n)
        ]
        for a in range(n)
    ]
    optimistic = optimistic_gains(people, k)
    ceiling = department_ceiling(candidates, k)
    guest_total = sum(c.is_guest for c in people)
    guest_cap = -(-guest_total // k) if spread_guests else guest_total
    members: list[list[int]] = [[] for _ in range(k)]
    departments = [Counter[str | None]() for _ in range(k)]
    guests = [0] * k
    best = -1

    def search(position: int, score: int) -> None:
        nonlocal best
        if best == ceiling or score + optimistic(position, departments) <= best:
            return
        if sum(max(0, MIN_SIZE - len(m)) for m in members) > n - position:
            return
        if position == n:
            if not spread_guests or max(guests) - min(guests) <= 1:
                best = score
            return
        person = people[position]
        tried_empty = False
        for s in range(k):
            if len(members[s]) >= MAX_SIZE or (person.is_guest and guests[s] >= guest_cap):
                continue
            if not members[s]:  # empty sets are interchangeable: try one
                if tried_empty:
                    continue
                tried_empty = True
            if any(related[position][m] for m in members[s]):
                continue
            department = person.department
            gain = department is None or departments[s][department] == 0
            members[s].append(position)
            departments[s][department] += 1
            guests[s] += person.is_guest
            search(position + 1, score + gain)
            members[s].pop()
            departments[s][department] -= 1
            guests[s] -= person.is_guest

    search(0, 0)
    return best if best >= 0 else None


def optimistic_gains(
    people: list[Candidate], set_count: int
) -> Callable[[int, list[Counter[str | None]]], int]:
    """A bound on what the people from a position on can still add, for people sorted by
    department: the rest of the current department reaches at most the sets it is not in
    yet, and each later department at most min(size, sets)."""
    n = len(people)
    same_after = [0] * (n + 1)  # people from here on in the same department
    for position in range(n - 1, -1, -1):
        following = (
            position + 1 < n and people[position + 1].department == people[position].department
        )
        same_after[position] = 1 + (same_after[position + 1] if following else 0)
    later = [later_bound(people, p + same_after[p], set_count) for p in range(n)]

    def bound(position: int, departments: list[Counter[str | None]]) -> int:
        if position == n:
            return 0
        department = people[position].department
        if department is None:  # sorted last, and each adds one
            return n - position
        missing = sum(1 for counts in departments if counts[department] == 0)
        return min(same_after[position], missing) + later[position]

    return bound


def later_bound(people: list[Candidate], start: int, set_count: int) -> int:
    sizes = Counter(c.department for c in people[start:])
    without = sizes.pop(None, 0)
    return without + sum(min(n, set_count) for n in sizes.values())


# -- measuring ------------------------------------------------------------------------------


def seeded(offset: int) -> random.Random:
    return random.Random(SEED + offset)  # noqa: S311 - reproducible test data, not secrets


def say(message: str) -> None:
    print(message, flush=True)


def timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def round_robin(cohort: Cohort, set_count: int) -> tuple[list[list[int]], list[int | None]]:
    """The naive baseline: people by id dealt in turn, facilitators' slots likewise."""
    sets: list[list[int]] = [[] for _ in range(set_count)]
    for position, person in enumerate(sorted(c.person_id for c in cohort.candidates)):
        sets[position % set_count].append(person)
    slots = [f.person_id for f in cohort.facilitators for _ in range(f.capacity)]
    return sets, [slots[s] if s < len(slots) else None for s in range(set_count)]


def placement(proposal: Proposal) -> tuple[list[list[int]], list[int | None]]:
    return [s.members for s in proposal.sets], [s.facilitator_id for s in proposal.sets]


def check_proposal(proposal: Proposal, cohort: Cohort) -> list[str]:
    """Independent hard-rule check, plus the composer's own figures against ours."""
    sets, facilitators = placement(proposal)
    violations = hard_rule_violations(sets, facilitators, proposal.unplaced, cohort)
    ours, quality = figures(sets, cohort), proposal.quality
    theirs = Figures(
        departments=sum(q.departments for q in quality.sets),
        department_mix=quality.department_mix,
        lowest_department_mix=quality.lowest_department_mix,
        sets_without_guest=quality.sets_without_entrepreneur,
        most_guests=quality.most_entrepreneurs_in_a_set,
        repeat_pairings=quality.repeat_pairings,
    )
    if ours != theirs:
        violations.append(f"quality figures differ: ours {ours}, composer's {theirs}")
    if set(proposal.reasons) != {m for s in sets for m in s}:
        violations.append("a placed person has no reason")
    return violations


def verdict(passed: bool) -> str:
    return "ok" if passed else "MISSED"


def print_table(rows: list[tuple[str, ...]]) -> None:
    header = ("measure", "composer", "round-robin", "ratio", "target", "")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * width for width in widths), *rows]:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def ratio(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.2f}×" if baseline else "–"


def describe(cohort: Cohort) -> str:
    employees = [c for c in cohort.candidates if not c.is_guest]
    ids = {e.person_id for e in employees}
    depths = [1 + len(c.managers & ids) for c in employees]
    largest = max(Counter(c.department for c in employees).values())
    return (
        f"{len(cohort.candidates):,} participants: {len(employees):,} employees in "
        f"{len({c.department for c in employees})} departments (largest {largest}), "
        f"{len(cohort.candidates) - len(employees)} guests; management chains among them: "
        f"longest {max(depths)}, mean {statistics.mean(depths):.1f}; "
        f"{len(cohort.facilitators)} facilitators (capacity "
        f"{sum(f.capacity for f in cohort.facilitators)}); "
        f"{len(cohort.previous_pairs):,} pairs from a previous cohort"
    )


def bench_large(args: Any) -> bool:
    cohort = large_cohort(seeded(0), args.participants, args.departments)
    say(f"== 1. {describe(cohort)} ==")
    options = {"facilitators": cohort.facilitators, "previous_pairs": cohort.previous_pairs}
    runs = [timed(lambda: compose(cohort.candidates, **options, seed=1)) for _ in range(RUNS)]
    proposal, seconds = runs[0][0], statistics.median(t for _, t in runs)
    deterministic = all(p == proposal for p, _ in runs)
    k = len(proposal.sets)
    (baseline_sets, baseline_facilitators), baseline_seconds = min(
        (timed(lambda: round_robin(cohort, k)) for _ in range(RUNS)), key=lambda run: run[1]
    )
    broken = check_proposal(proposal, cohort) + proposal.problems
    baseline_broken = hard_rule_violations(baseline_sets, baseline_facilitators, [], cohort)
    ours, theirs = figures(placement(proposal)[0], cohort), figures(baseline_sets, cohort)
    bound = department_ceiling(cohort.candidates, k) / len(cohort.candidates)
    guests_spread = not ours.sets_without_guest or ours.most_guests <= 1

    locks = locked_people(proposal)
    locked, recompute_seconds = timed(
        lambda: compose(cohort.candidates, **options, locked=locks, set_count=k, seed=2)
    )
    refused = [p for p in locked.problems if "lock" in p]
    lock_broken = check_proposal(locked, cohort) + [p for p in locked.problems if "lock" not in p]
    honoured = sum(person in locked.sets[index].members for person, index in locks.items())

    # What every composer page view does: re-check the stored arrangement against the data.
    arrangement = Arrangement(*placement(proposal), locked=frozenset(locks))
    assessed, assess_seconds = timed(lambda: assess(arrangement, cohort.candidates, **options))
    assessed_well = assessed.quality == proposal.quality and not [
        p for p in assessed.problems if not p.endswith(("no facilitator.", "minimum of 4."))
    ]

    sizes = [len(s.members) for s in proposal.sets]
    say(f"{k} sets of {min(sizes)}–{max(sizes)} members; time is the median of {RUNS} runs")
    print_table([
        ("time", f"{seconds:.2f} s", f"{baseline_seconds * 1000:.2f} ms",
         ratio(seconds, baseline_seconds), f"< {TIME_TARGET_SECONDS:.0f} s",
         verdict(seconds < TIME_TARGET_SECONDS)),
        ("hard rules broken + problems", str(len(broken)), str(len(baseline_broken)), "–", "0",
         verdict(not broken)),
        (f"same proposal in {RUNS} runs", str(deterministic), "–", "–", "True",
         verdict(deterministic)),
        ("department mix, all sets", f"{ours.department_mix:.4f}",
         f"{theirs.department_mix:.4f}", ratio(ours.department_mix, theirs.department_mix),
         "–", ""),
        ("  against its upper bound", f"{ours.department_mix / bound:.4f}",
         f"{theirs.department_mix / bound:.4f}", f"bound {bound:.4f}",
         f"≥ {MIX_TARGET_RATIO:.2f}", verdict(ours.department_mix >= MIX_TARGET_RATIO * bound)),
        ("department mix, lowest set", f"{ours.lowest_department_mix:.3f}",
         f"{theirs.lowest_department_mix:.3f}",
         ratio(ours.lowest_department_mix, theirs.lowest_department_mix), "–", ""),
        ("sets without a guest", str(ours.sets_without_guest), str(theirs.sets_without_guest),
         "–", "0, or ≤ 1 guest a set", verdict(guests_spread)),
        ("most guests in a set", str(ours.most_guests), str(theirs.most_guests), "–", "–", ""),
        ("repeat pairings", str(ours.repeat_pairings), str(theirs.repeat_pairings), "–", "–", ""),
        (f"recompute, {LOCKS} locked", f"{recompute_seconds:.2f} s", "–", "–",
         f"< {TIME_TARGET_SECONDS:.0f} s", verdict(recompute_seconds < TIME_TARGET_SECONDS)),
        ("  locks honoured + refused", f"{honoured} + {len(refused)}", "–", "–",
         f"{LOCKS}, rules kept", verdict(honoured + len(refused) == LOCKS and not lock_broken)),
        ("assess (each page view)", f"{assess_seconds * 1000:.0f} ms",
         f"{baseline_seconds * 1000:.2f} ms", ratio(assess_seconds, baseline_seconds),
         "same quality, no rule broken", verdict(assessed_well)),
    ])  # fmt: skip
    for problem in (broken + lock_broken)[:10]:
        say(f"  ! {problem}")
    return (
        seconds < TIME_TARGET_SECONDS
        and recompute_seconds < TIME_TARGET_SECONDS
        and not broken
        and not lock_broken
        and deterministic
        and guests_spread
        and assessed_well
    )


def locked_people(proposal: Proposal) -> dict[int, int]:
    """hr keeps half of the locked people where they are and moves the other half."""
    rng = seeded(1)
    home = {m: s.index for s in proposal.sets for m in s.members}
    chosen = rng.sample(sorted(home), LOCKS)
    k = len(proposal.sets)
    return {
        person: home[person] if n % 2 else (home[person] + rng.randrange(1, k)) % k
        for n, person in enumerate(chosen)
    }


def optimum(candidates: Sequence[Candidate], set_count: int) -> int | None:
    """The best department count under the hard rules, with guests spread if that is possible
    at all (the composer's order of priorities)."""
    best = best_department_count(candidates, set_count, spread_guests=True)
    if best is None:
        best = best_department_count(candidates, set_count, spread_guests=False)
    return best


def bench_small(count: int) -> bool:
    say(f"\n== 2. {count} small cohorts (12–16 people) against an exhaustive optimum ==")
    rng = seeded(2)
    ratios, impossible, missed, broken = [], 0, 0, []
    composer_seconds = search_seconds = 0.0
    for _ in range(count):
        candidates = small_cohort(rng)
        proposal, seconds = timed(lambda: compose(candidates))  # noqa: B023 - called at once
        composer_seconds += seconds
        best, seconds = timed(lambda: optimum(candidates, len(proposal.sets)))  # noqa: B023
        search_seconds += seconds
        cohort = Cohort(candidates, [], frozenset())
        sets, facilitators = placement(proposal)
        broken += [
            v
            for v in hard_rule_violations(sets, facilitators, proposal.unplaced, cohort)
            if "below the minimum" not in v or not proposal.problems  # if short, say so
        ]
        if best is None:  # no arrangement keeps every hard rule
            impossible += 1
            broken += [] if proposal.problems else ["an impossible cohort without problems"]
            continue
        missed += bool(proposal.problems)
        ratios.append(figures(sets, cohort).departments / best)
    worst = min(ratios)
    say(
        f"{len(ratios)} compared; {impossible} cannot be arranged in that many sets under the "
        f"hard rules (the composer reported each); {missed} got problems though they can be"
    )
    say(
        f"department mix / optimum: lowest {worst:.3f}, mean {statistics.mean(ratios):.4f}, "
        f"at the optimum {sum(r == 1 for r in ratios)} of {len(ratios)}"
    )
    say(
        f"time per cohort: composer {composer_seconds * 1000 / count:.1f} ms, exhaustive search "
        f"{search_seconds * 1000 / count:.1f} ms"
    )
    for violation in broken[:10]:
        say(f"  ! {violation}")
    passed = worst >= MIX_TARGET_RATIO and not broken
    say(f"target: lowest ≥ {MIX_TARGET_RATIO:.2f}, no hard rule broken  {verdict(passed)}")
    return passed


def arguments(argv: list[str] | None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--departments", type=int, default=300)
    parser.add_argument("--small", type=int, default=200, help="small cohorts to compare")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    say(f"Set composer benchmark ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d')})\n")
    large_ok = bench_large(args)
    small_ok = bench_small(args.small) if args.small else True
    return 0 if large_ok and small_ok else 1


if __name__ == "__main__":
    sys.exit(main())
