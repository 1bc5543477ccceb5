"""The set composer's hard rules, applied to a cohort's sets as they stand.

HR's draft is checked by ``composer.move_refusal`` and ``composer.broken_rules``; once the
sets exist, moving a member or giving a set another facilitator is checked by those very
functions, over an ``Arrangement`` read from the cohort's open sets today and named as the
sets are. The rules are therefore the composer's: nobody shares a set with anyone from their
management chain, its facilitator included (so a facilitator is not a member of the set they
facilitate, nor above or below any member), no set above the maximum size, and nobody
facilitates more of the cohort's sets than the composer lets HR give one person.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from intrapreneur.identity import queries as people
from intrapreneur.identity.models import Person
from intrapreneur.learning import composer, queries
from intrapreneur.learning.forms import MAX_SETS_PER_FACILITATOR
from intrapreneur.learning.models import LearningSet, SetMembership
from intrapreneur.learning.services.sets import MAX_SET_SIZE


def candidate_of(person: Person, managers: frozenset[int]) -> composer.Candidate:
    """A person as the composer sees them; ``managers`` is their whole chain upwards."""
    return composer.Candidate(
        person_id=person.id,
        department=person.department.label if person.department else None,
        is_guest=person.is_guest,
        managers=managers,
        name=person.display_name,
        location=person.place,
    )


@dataclass(frozen=True)
class CohortSets:
    """A cohort's open sets today, as the composer sees a draft."""

    sets: list[LearningSet]
    arrangement: composer.Arrangement
    candidates: list[composer.Candidate]
    facilitators: list[composer.Facilitator]

    def index_of(self, learning_set: LearningSet) -> int:
        return [each.id for each in self.sets].index(learning_set.id)

    def problems(self, arrangement: composer.Arrangement) -> list[str]:
        return composer.broken_rules(
            arrangement, self.candidates, facilitators=self.facilitators, max_size=MAX_SET_SIZE
        )


def cohort_sets(cohort_id: int, today: date, *, facilitator: Person | None = None) -> CohortSets:
    """The cohort's open sets with their members and facilitators (and ``facilitator``, who
    may be about to take one), in four queries whatever the cohort holds."""
    sets = [each for each in queries.sets_of_cohort(cohort_id) if each.closed_at is None]
    members: dict[int, list[int]] = {each.id: [] for each in sets}
    in_sets: dict[int, Person] = {}
    for membership in queries.members_of_sets(list(members), today):
        members[membership.set_id].append(membership.person_id)
        in_sets[membership.person_id] = membership.person
    facilitating = {each.facilitator.id: each.facilitator for each in sets if each.facilitator}
    if facilitator is not None:
        facilitating[facilitator.id] = facilitator
    chains = people.management_chains(sorted(in_sets.keys() | facilitating.keys()))
    return CohortSets(
        sets=sets,
        arrangement=composer.Arrangement(
            sets=[members[each.id] for each in sets],
            facilitator_ids=[each.facilitator_id for each in sets],
            names=[each.name for each in sets],
        ),
        candidates=[candidate_of(person, chains[person.id]) for person in in_sets.values()],
        facilitators=[
            composer.Facilitator(
                person_id=person.id,
                capacity=MAX_SETS_PER_FACILITATOR,
                managers=chains[person.id],
                name=person.display_name,
            )
            for person in facilitating.values()
        ],
    )


def move_refusal(membership: SetMembership, target: LearningSet, today: date) -> str | None:
    """Why moving a member into ``target`` (an open set of their cohort) would break a hard
    rule, or None."""
    standing = cohort_sets(target.cohort_id, today)
    return composer.move_refusal(
        standing.arrangement,
        standing.candidates,
        membership.person_id,
        standing.index_of(target),
        facilitators=standing.facilitators,
        max_size=MAX_SET_SIZE,
    )


def facilitator_problems(learning_set: LearningSet, person: Person, today: date) -> list[str]:
    """The hard rules that giving ``learning_set`` (open) to ``person`` would break. Rules
    broken already, by a directory change say, are not this change's doing: only new ones
    count."""
    standing = cohort_sets(learning_set.cohort_id, today, facilitator=person)
    facilitator_ids = list(standing.arrangement.facilitator_ids)
    facilitator_ids[standing.index_of(learning_set)] = person.id
    before = standing.problems(standing.arrangement)
    after = standing.problems(
        dataclasses.replace(standing.arrangement, facilitator_ids=facilitator_ids)
    )
    return [problem for problem in after if problem not in before]
