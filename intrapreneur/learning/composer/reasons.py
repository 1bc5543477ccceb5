"""``Proposal.reasons``: why each placed person is in their set, in one sentence."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

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
    locked = board.locked[i]
    # Once the lock has named the set, the clauses after it say "there".
    clauses = [_("locked in %(set)s by hr", set=name)] if locked else []
    department = cohort.department[i]
    if department != NO_DEPARTMENT:
        clauses.append(_department_clause(board, department, s, name if not locked else None))
    elif not cohort.is_guest[i]:
        clauses.append(
            _("there (no department recorded)")
            if clauses
            else _("in %(set)s (no department recorded)", set=name)
        )
    if cohort.is_guest[i]:
        guests = [m for m in sorted(board.members[s]) if cohort.is_guest[m]]
        position = ordinal(guests.index(i) + 1)
        clauses.append(
            _("brings the set's %(ordinal)s guest entrepreneur", ordinal=position)
            if clauses
            else _("brings %(set)s's %(ordinal)s guest entrepreneur", set=name, ordinal=position)
        )
    if cohort.chain_size[i]:
        clauses.append(_("no one from their management chain there"))
    else:
        clauses.append(_("no one from their management chain in the cohort"))
    if cohort.partners[i]:
        again = sum(board.where[j] == s for j in cohort.partners[i])
        clauses.append(
            ngettext(
                "together again with %(num)d person they shared a set with before",
                "together again with %(num)d people they shared a set with before",
                again,
            )
            if again
            else _("no one they shared a set with before")
        )
    sentence = _("%(clauses)s.", clauses=_("; ").join(clauses))
    return sentence[0].upper() + sentence[1:]


def _department_clause(board: Board, department: int, s: int, name: str | None) -> str:
    """Who else of the person's department is in their set; ``name`` None: "there"."""
    cohort = board.cohort
    title = cohort.department_names[department]
    together = board.department_count[s][department]
    if together == 1:
        if name is None:
            return _("only %(department)s person there", department=title)
        return _("only %(department)s person in %(set)s", department=title, set=name)
    if name is None:
        clause = _("one of %(count)d %(department)s people there", count=together, department=title)
    else:
        clause = _(
            "one of %(count)d %(department)s people in %(set)s",
            count=together,
            department=title,
            set=name,
        )
    size = cohort.department_size[department]
    if size > board.set_count:
        clause += " " + _(
            "(%(department)s has %(size)d people for %(sets)s)",
            department=title,
            size=size,
            sets=number_of_sets(board.set_count),
        )
    return clause
