"""``Proposal.problems``: the hard rules an arrangement breaks, and what the composer could
not do and why, as sentences hr reads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import ngettext

from intrapreneur.learning.composer.board import UNPLACED, Board, Cohort
from intrapreneur.learning.composer.facilitators import FacilitatorMatching
from intrapreneur.learning.composer.model import Arrangement, Facilitator, ProposedSet
from intrapreneur.learning.composer.wording import number_of_sets, set_name, set_names


def rules_broken(
    board: Board, arrangement: Arrangement, facilitators: Sequence[Facilitator]
) -> list[str]:
    cohort, facilitator_ids = board.cohort, arrangement.facilitator_ids
    problems = []
    for s in range(board.set_count):
        name = arrangement.name_of(s)
        if board.size(s) > board.max_size:
            problems.append(
                _(
                    "%(set)s has %(count)d members, above the maximum of %(most)d.",
                    set=name,
                    count=board.size(s),
                    most=board.max_size,
                )
            )
        members = sorted(board.members[s])
        for position, i in enumerate(members):
            for j in members[position + 1 :]:
                if cohort.in_chain(i, j):
                    problems.append(
                        _(
                            "In %(set)s, %(upper)s is above %(lower)s in the management chain.",
                            set=name,
                            **_chain(cohort, i, j),
                        )
                    )
        clashing = [cohort.ids[i] for i in members if i in board.blocked[s]]
        facilitator = facilitator_name(facilitators, facilitator_ids[s])
        if facilitator_ids[s] in clashing:
            clashing.remove(facilitator_ids[s])
            problems.append(
                _(
                    "%(name)s is a member of %(set)s and cannot also facilitate it.",
                    name=facilitator,
                    set=name,
                )
            )
        if clashing:
            problems.append(
                _(
                    "%(set)s's facilitator %(name)s is in the management chain of %(people)s.",
                    set=name,
                    name=facilitator,
                    people=cohort.persons(clashing),
                )
            )
    load = Counter(f for f in facilitator_ids if f is not None)
    for facilitator in facilitators:
        if load[facilitator.person_id] > facilitator.capacity:
            problems.append(
                _(
                    "%(name)s facilitates %(sets)s, more than their capacity of %(capacity)d.",
                    name=facilitator_name(facilitators, facilitator.person_id),
                    sets=number_of_sets(load[facilitator.person_id]),
                    capacity=facilitator.capacity,
                )
            )
    return problems


def shortfalls(board: Board, sets: list[ProposedSet], facilitators_given: bool) -> list[str]:
    small = [
        _(
            "%(set)s has %(count)d members, below the minimum of %(minimum)d.",
            set=set_name(s),
            count=board.size(s),
            minimum=board.min_size,
        )
        for s in range(board.set_count)
        if board.size(s) < board.min_size
    ]
    uncovered = [s.index for s in sets if s.facilitator_id is None]
    if facilitators_given and uncovered:
        small.append(_("%(sets)s.", sets=_without_facilitator(uncovered)))
    return small


def _without_facilitator(uncovered: list[int]) -> str:
    return ngettext(
        "%(sets)s has no facilitator",
        "%(sets)s have no facilitator",
        len(uncovered),
        sets=set_names(uncovered),
    )


def _chain(cohort: Cohort, i: int, j: int) -> dict[str, str]:
    """Which of two people is above the other in the management chain, by short name."""
    upper, lower = (j, i) if j in cohort.ancestors[i] else (i, j)
    return {"upper": cohort.short(cohort.ids[upper]), "lower": cohort.short(cohort.ids[lower])}


def chain_clause(cohort: Cohort, i: int, j: int) -> str:
    return _("%(upper)s is above %(lower)s in the management chain", **_chain(cohort, i, j))


def facilitator_name(facilitators: Sequence[Facilitator], person_id: int | None) -> str:
    named = {f.person_id: f.name for f in facilitators if f.name}
    if person_id is None:
        return _("(none)")
    return named.get(person_id) or _("person %(id)d", id=person_id)


def unplaced_problems(board: Board) -> list[str]:
    cohort = board.cohort
    unplaced = [cohort.ids[i] for i in range(len(cohort)) if board.where[i] == UNPLACED]
    if not unplaced:
        return []
    if all(board.size(s) >= board.max_size for s in range(board.set_count)):
        why = _(
            "all %(sets)s are full (%(most)d at most) for %(people)d participants",
            sets=number_of_sets(board.set_count),
            most=board.max_size,
            people=len(cohort),
        )
    else:
        why = _("every set with room has someone from their management chain")
    return [
        ngettext(
            "%(people)s was not placed: %(why)s.",
            "%(people)s were not placed: %(why)s.",
            len(unplaced),
            people=cohort.persons(unplaced),
            why=why,
        )
    ]


def size_problems(board: Board) -> list[str]:
    people, min_size = len(board.cohort), board.min_size
    if people < board.set_count * min_size:
        why = _(
            "%(people)d participants cannot fill %(sets)s of at least %(minimum)d",
            people=people,
            sets=number_of_sets(board.set_count),
            minimum=min_size,
        )
    else:
        why = _(
            "no one else can join it without meeting their management chain, "
            "breaking a lock or leaving another set too small"
        )
    return [
        _(
            "%(set)s has %(count)d members, below the minimum of %(minimum)d: %(why)s.",
            set=set_name(s),
            count=board.size(s),
            minimum=min_size,
            why=why,
        )
        for s in range(board.set_count)
        if board.size(s) < min_size
    ]


def facilitator_problems(
    board: Board, matching: FacilitatorMatching, facilitators_given: bool
) -> list[str]:
    uncovered = [s for s, f in enumerate(matching.facilitator_ids()) if f is None]
    if not facilitators_given or not uncovered:
        return []
    sets = _without_facilitator(uncovered)
    if matching.capacity < board.set_count:
        return [
            _(
                "The facilitators can take %(sets)s between them, but there are %(count)d; "
                "%(uncovered)s.",
                sets=number_of_sets(matching.capacity),
                count=board.set_count,
                uncovered=sets,
            )
        ]
    return [
        _(
            "%(uncovered)s: every facilitator with room is in the management chain of one of "
            "its members.",
            uncovered=sets,
        )
    ]
