"""How sets are named in the sentences hr reads: "Set 2", "Sets 2 and 5", "3 sets", "second"."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

# As in "brings the set's second guest entrepreneur" (a set has at most eight members).
ORDINALS = (
    _l("first"),
    _l("second"),
    _l("third"),
    _l("fourth"),
    _l("fifth"),
    _l("sixth"),
    _l("seventh"),
    _l("eighth"),
)


def set_name(index: int) -> str:
    return _("Set %(number)d", number=index + 1)


def number_of_sets(count: int) -> str:
    return ngettext("%(num)d set", "%(num)d sets", count)


def set_names(indices: list[int]) -> str:
    """ "Set 2", "Sets 2 and 5", "Sets 2, 5 and 7–12": runs of three or more as a range."""
    if len(indices) == 1:
        return set_name(indices[0])
    runs: list[list[int]] = []
    for number in sorted(s + 1 for s in indices):
        if runs and runs[-1][1] == number - 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    parts = []
    for first, last in runs:
        if last - first >= 2:
            parts.append(f"{first}–{last}")
        else:
            parts.extend(str(n) for n in range(first, last + 1))
    if len(parts) == 1:
        return _("Sets %(numbers)s", numbers=parts[0])
    return _("Sets %(numbers)s and %(last)s", numbers=", ".join(parts[:-1]), last=parts[-1])


def ordinal(n: int) -> str:
    if n <= len(ORDINALS):
        return str(ORDINALS[n - 1])
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
