"""Managers see their reports at any depth, in one query, even when the data has a cycle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from intrapreneur.extensions import db
from intrapreneur.identity import queries
from intrapreneur.identity.models import Person


def test_indirect_reports_are_found_and_a_cycle_ends_the_walk(
    make_person: Callable[..., Person], count_queries: Callable[[], Any]
) -> None:
    top = make_person(display_name="Top")
    middle = make_person(display_name="Middle", manager=top)
    bottom = make_person(display_name="Bottom", manager=middle)
    make_person(display_name="Elsewhere")
    # Directories do contain loops (A manages B manages A); the query must still end.
    top.manager = bottom
    db.session.flush()

    with count_queries() as counted:
        below_middle = queries.reports_of(middle.id)

    assert [p.display_name for p in below_middle] == ["Bottom", "Top"]
    assert counted.total == 2  # the people, then their roles in one IN query
    assert [p.display_name for p in queries.reports_of(bottom.id)] == ["Middle", "Top"]
