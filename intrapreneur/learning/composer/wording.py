"""How sets are named in the sentences hr reads: "Set 2", "Sets 2 and 5", "3 sets", "second"."""

from __future__ import annotations

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def set_name(index: int) -> str:
    return f"Set {index + 1}"


def number_of_sets(count: int) -> str:
    return f"{count} set" if count == 1 else f"{count} sets"


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
    return f"Sets {', '.join(parts[:-1])} and {parts[-1]}" if len(parts) > 1 else f"Sets {parts[0]}"


def ordinal(n: int) -> str:
    if n <= len(ORDINALS):
        return ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
