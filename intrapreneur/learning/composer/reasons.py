"""``Proposal.reasons``: why each placed person is in their set, in one sentence."""

from __future__ import annotations

from intrapreneur.learning.composer.board import NO_DEPARTMENT, UNPLACED, Board
from intrapreneur.learning.composer.wording import number_of_sets, ordinal, set_name


def reasons_for(board: Board) -> dict[int, str]:
    cohort = board.cohort
    return {
        cohort.ids[i]: _reason(board, i) for i in range(len(cohort)) if board.where[i] != UNPLACED
    }


def _reason(board: Board, i: int) -> str:
    cohort = board.cohort
    s = board.where[i]
    name = set_name(s)
    clauses = [f"locked in {name} by hr"] if board.locked[i] else []
    place = "there" if clauses else f"in {name}"
    department = cohort.department[i]
    if department != NO_DEPARTMENT:
        clauses.append(_department_clause(board, department, s, place))
    elif not cohort.is_guest[i]:
        clauses.append(f"{place} (no department recorded)")
    if cohort.is_guest[i]:
        guests = [m for m in sorted(board.members[s]) if cohort.is_guest[m]]
        whose = "the set's" if clauses else f"{name}'s"
        clauses.append(f"brings {whose} {ordinal(guests.index(i) + 1)} guest entrepreneur")
    if cohort.chain_size[i]:
        clauses.append("no one from their management chain there")
    else:
        clauses.append("no one from their management chain in the cohort")
    if cohort.partners[i]:
        again = sum(board.where[j] == s for j in cohort.partners[i])
        clauses.append(
            f"together again with {again} {'person' if again == 1 else 'people'} "
            "they shared a set with before"
            if again
            else "no one they shared a set with before"
        )
    sentence = "; ".join(clauses)
    return sentence[0].upper() + sentence[1:] + "."


def _department_clause(board: Board, department: int, s: int, place: str) -> str:
    cohort = board.cohort
    title = cohort.department_names[department]
    together = board.department_count[s][department]
    if together == 1:
        return f"only {title} person {place}"
    clause = f"one of {together} {title} people {place}"
    size = cohort.department_size[department]
    if size > board.set_count:
        clause += f" ({title} has {size} people for {number_of_sets(board.set_count)})"
    return clause
