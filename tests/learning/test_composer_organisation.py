"""The composer and the organisation model: departments are told apart by business unit,
and locations are mixed as a soft goal after departments."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from intrapreneur.extensions import db
from intrapreneur.identity.models import BusinessUnit, Department, Person
from intrapreneur.learning import composer
from intrapreneur.learning.services.set_rules import candidate_of


def _finance_in(unit: str) -> Department:
    department = Department(name="Finance", business_unit=BusinessUnit(name=unit))
    db.session.add(department)
    return department


def test_same_named_departments_of_two_units_count_as_two(
    make_person: Callable[..., Person],
) -> None:
    retail, wholesale = _finance_in("Retail"), _finance_in("Wholesale")
    people = [make_person(department=retail) for _ in range(4)]
    people += [make_person(department=wholesale) for _ in range(4)]
    candidates = [candidate_of(person, frozenset()) for person in people]

    proposal = composer.compose(candidates, set_count=4, min_size=2, max_size=2)

    # Two departments and four sets of two: the best mix puts one of each in every set,
    # which only happens when the two Finance departments are told apart.
    assert [q.departments for q in proposal.quality.sets] == [2, 2, 2, 2]
    assert {c.department for c in candidates} == {"Finance (Retail)", "Finance (Wholesale)"}
    unit_of = {person.id: person.department.business_unit.name for person in people}
    for proposed in proposal.sets:
        assert sorted(unit_of[m] for m in proposed.members) == ["Retail", "Wholesale"]


def test_locations_are_mixed_where_departments_leave_room(
    make_person: Callable[..., Person],
) -> None:
    places = [("Berlin", "DE")] * 4 + [("Berlin", "US")] * 4
    people = [
        make_person(department=Department(name=f"Team {n}"), location=location, country=country)
        for n, (location, country) in enumerate(places)
    ]
    candidates = [candidate_of(person, frozenset()) for person in people]

    proposal = composer.compose(candidates, set_count=2, min_size=4, max_size=4, seed=3)

    # Berlin, Germany and Berlin, USA are two places; each set gets two of each.
    place_of = {c.person_id: c.location for c in candidates}
    for proposed in proposal.sets:
        assert Counter(place_of[m] for m in proposed.members) == {
            "Berlin, DE": 2,
            "Berlin, US": 2,
        }
    assert proposal.quality.location_mix == 0.5
