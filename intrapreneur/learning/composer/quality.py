"""The quality figures of an arrangement: department and location mix, guest spread, repeat
pairs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from intrapreneur.learning.composer.model import Candidate, Quality, SetQuality


def measure_quality(
    sets: Sequence[Sequence[int]],
    candidates: Sequence[Candidate],
    previous_pairs: frozenset[frozenset[int]] = frozenset(),
) -> Quality:
    """The quality figures of any arrangement of ``candidates`` (person ids per set)."""
    by_id = {c.person_id: c for c in candidates}
    per_set = tuple(
        _set_quality(index, members, by_id, previous_pairs) for index, members in enumerate(sets)
    )
    members = sum(q.size for q in per_set)
    distinct = sum(q.departments for q in per_set)
    mixes = [q.department_mix for q in per_set]
    guests = [q.entrepreneurs for q in per_set]
    return Quality(
        sets=per_set,
        department_mix=distinct / members if members else 0.0,
        average_department_mix=sum(mixes) / len(mixes) if mixes else 0.0,
        lowest_department_mix=min(mixes, default=0.0),
        entrepreneurs=sum(guests),
        sets_without_entrepreneur=guests.count(0),
        most_entrepreneurs_in_a_set=max(guests, default=0),
        repeat_pairings=sum(q.repeat_pairings for q in per_set),
        location_mix=sum(q.locations for q in per_set) / members if members else 0.0,
    )


def _set_quality(
    index: int,
    members: Sequence[int],
    by_id: Mapping[int, Candidate],
    previous_pairs: frozenset[frozenset[int]],
) -> SetQuality:
    departments = [by_id[m].department for m in members]
    distinct = len({d for d in departments if d is not None}) + departments.count(None)
    repeats = sum(
        frozenset((a, b)) in previous_pairs
        for position, a in enumerate(members)
        for b in members[position + 1 :]
    )
    return SetQuality(
        index=index,
        size=len(members),
        departments=distinct,
        department_mix=distinct / len(members) if members else 0.0,
        entrepreneurs=sum(by_id[m].is_guest for m in members),
        repeat_pairings=repeats,
        locations=len({by_id[m].location for m in members} - {None}),
    )
