"""The set composer's workflow: propose, move, lock, recompute, publish.

``composer`` is pure; this module feeds it the cohort's people (departments,
management chains computed transitively, pairs from the previous cohort) and
keeps hr's draft in ``SetComposition``. Services flush; the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity import queries as people
from intrapreneur.identity.models import Person
from intrapreneur.learning import composer, queries, services
from intrapreneur.learning.models import Cohort, SessionFormat, SetComposition
from intrapreneur.learning.services import set_rules
from intrapreneur.learning.services.sets import MIN_SET_SIZE

DEFAULT_CADENCE_DAYS = 14


class StaleComposition(services.LearningRefusal):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this proposal while you were looking at it. Here it is "
                "as it stands now; make your change again if it still applies.",
            )
        )


@dataclass(frozen=True)
class FacilitatorChoice:
    person: Person
    capacity: int


@dataclass(frozen=True)
class Inputs:
    """What the composer needs to know about a cohort, read in a fixed number of queries."""

    candidates: list[composer.Candidate]
    facilitators: list[composer.Facilitator]
    previous_pairs: frozenset[frozenset[int]]
    people: dict[int, Person]  # candidates and facilitators, for the page


@dataclass(frozen=True)
class Workspace:
    """A draft as the page shows it: the arrangement assessed against today's data."""

    composition: SetComposition
    proposal: composer.Proposal
    people: dict[int, Person]
    # Drafted people who are no longer waiting for a set (declined, placed by hand, left).
    departed: list[int]

    @property
    def locked(self) -> frozenset[int]:
        return frozenset(self.composition.arrangement["locked"])


def draft_of(cohort: Cohort) -> SetComposition | None:
    return db.session.scalar(select(SetComposition).where(SetComposition.cohort_id == cohort.id))


def load_inputs(
    cohort: Cohort, facilitators: list[dict[str, int]], keep_apart: bool, today: date
) -> Inputs:
    """Candidates are accepted participants without a set; anyone asked to facilitate is
    not also placed as a member."""
    facilitating = {row["person_id"] for row in facilitators}
    members = [p for p in queries.set_candidates(cohort.id, today) if p.id not in facilitating]
    facilitator_people = people.people_by_id(sorted(facilitating))
    ids = [p.id for p in members]
    chains = people.management_chains(ids + sorted(facilitating))
    previous = queries.previous_cohort(cohort)
    pairs = queries.shared_set_pairs(previous.id, ids) if previous and keep_apart else frozenset()
    return Inputs(
        candidates=[set_rules.candidate_of(p, chains[p.id]) for p in members],
        facilitators=[
            composer.Facilitator(
                person_id=row["person_id"],
                capacity=row["capacity"],
                managers=chains[row["person_id"]],
                name=facilitator_people[row["person_id"]].display_name,
            )
            for row in facilitators
            if row["person_id"] in facilitator_people
        ],
        previous_pairs=pairs,
        people={p.id: p for p in members} | facilitator_people,
    )


def propose(
    cohort: Cohort,
    *,
    facilitators: list[FacilitatorChoice],
    set_count: int | None,
    keep_apart: bool,
    seed: int,
    by: Person,
    now: datetime,
    today: date,
) -> SetComposition:
    """A fresh proposal, replacing any draft the cohort had."""
    services.ensure_cohort_open(cohort)
    chosen = [{"person_id": f.person.id, "capacity": f.capacity} for f in facilitators]
    inputs = load_inputs(cohort, chosen, keep_apart, today)
    if not inputs.candidates:
        raise services.LearningRefusal(
            _(
                "Everyone accepted into %(cohort)s is already in a set; there is no one to place.",
                cohort=cohort.name,
            )
        )
    proposal = _compose(inputs, keep_apart=keep_apart, set_count=set_count, seed=seed)
    composition = draft_of(cohort) or SetComposition(cohort=cohort)
    composition.facilitators = chosen
    composition.keep_apart_previous = keep_apart
    composition.seed = seed
    _store(composition, proposal, frozenset(), by, now)
    db.session.add(composition)
    audit.record(
        "composer.proposed",
        actor=by,
        obj=cohort,
        sets=len(proposal.sets),
        people=len(inputs.candidates),
        unplaced=len(proposal.unplaced),
        seed=seed,
    )
    return composition


def workspace(composition: SetComposition, today: date) -> Workspace:
    return _workspace(composition, _inputs_of(composition, today))


def _workspace(composition: SetComposition, inputs: Inputs) -> Workspace:
    arrangement = _arrangement(composition)
    proposal = composer.assess(
        arrangement,
        inputs.candidates,
        facilitators=inputs.facilitators,
        min_size=MIN_SET_SIZE,
        max_size=services.MAX_SET_SIZE,
        previous_pairs=inputs.previous_pairs,
    )
    drafted = {person_id for members in arrangement.sets for person_id in members}
    return Workspace(
        composition=composition,
        proposal=proposal,
        people=inputs.people,
        departed=sorted(drafted - {c.person_id for c in inputs.candidates}),
    )


def move(
    composition: SetComposition,
    person_id: int,
    target: int,
    *,
    version: int,
    by: Person,
    now: datetime,
    today: date,
) -> None:
    """Put one person in another set (or, if unplaced, in a set) and lock them there."""
    _check_version(composition, version)
    inputs = _inputs_of(composition, today)
    arrangement = _arrangement(composition)
    if person_id not in {c.person_id for c in inputs.candidates}:
        raise services.LearningRefusal(_("That person is not waiting for a set in this cohort."))
    if not 0 <= target < len(arrangement.sets):
        raise services.LearningRefusal(_("There is no such set in this proposal."))
    refusal = composer.move_refusal(
        arrangement,
        inputs.candidates,
        person_id,
        target,
        facilitators=inputs.facilitators,
        max_size=services.MAX_SET_SIZE,
    )
    if refusal:
        raise services.LearningRefusal(refusal)
    sets = [[p for p in members if p != person_id] for members in arrangement.sets]
    sets[target].append(person_id)
    composition.arrangement = {
        **composition.arrangement,
        "sets": [sorted(members) for members in sets],
        "locked": sorted(arrangement.locked | {person_id}),
    }
    _changed(composition, by, now, "composer.moved", person_id=person_id, set=target + 1)


def toggle_lock(
    composition: SetComposition, person_id: int, *, version: int, by: Person, now: datetime
) -> bool:
    """Lock a placed person in their set, or unlock them; returns whether they are locked."""
    _check_version(composition, version)
    arrangement = _arrangement(composition)
    if not any(person_id in members for members in arrangement.sets):
        raise services.LearningRefusal(_("Only people placed in a set can be locked."))
    locked = arrangement.locked ^ {person_id}
    composition.arrangement = {**composition.arrangement, "locked": sorted(locked)}
    now_locked = person_id in locked
    _changed(
        composition,
        by,
        now,
        "composer.locked" if now_locked else "composer.unlocked",
        person_id=person_id,
    )
    return now_locked


def recompute(
    composition: SetComposition, *, version: int, by: Person, now: datetime, today: date
) -> None:
    """Compose again around the locked people, keeping the number of sets."""
    _check_version(composition, version)
    inputs = _inputs_of(composition, today)
    arrangement = _arrangement(composition)
    candidates = {c.person_id for c in inputs.candidates}
    locks = {
        person_id: s
        for s, members in enumerate(arrangement.sets)
        for person_id in members
        if person_id in arrangement.locked and person_id in candidates
    }
    proposal = _compose(
        inputs,
        keep_apart=composition.keep_apart_previous,
        set_count=max(len(arrangement.sets), 1),
        seed=composition.seed,
        locked=locks,
    )
    _store(composition, proposal, frozenset(locks), by, now)
    audit.record("composer.recomputed", actor=by, obj=composition.cohort, locked=len(locks))


def publish(
    composition: SetComposition, *, version: int, by: Person, now: datetime, today: date
) -> tuple[int, int]:
    """Create the sets and memberships; returns (sets created, people still without a set)."""
    _check_version(composition, version)
    inputs = _inputs_of(composition, today)
    current = _workspace(composition, inputs)
    broken = composer.broken_rules(
        _arrangement(composition),
        inputs.candidates,
        facilitators=inputs.facilitators,
        max_size=services.MAX_SET_SIZE,
    )
    if broken:
        raise services.LearningRefusal(
            _(
                "This proposal breaks a rule and cannot be published: %(problems)s Move "
                "people or recompute first.",
                problems=" ".join(broken),
            )
        )
    cohort = composition.cohort
    number = len(queries.sets_of_cohort(cohort.id))
    created = 0
    for proposed in current.proposal.sets:
        if not proposed.members:
            continue
        number += 1
        learning_set = services.create_set(
            cohort,
            name=f"Set {number}",
            facilitator=_person(current.people, proposed.facilitator_id),
            default_format=SessionFormat.MASTERMIND,
            cadence_days=DEFAULT_CADENCE_DAYS,
            by=by,
        )
        for person_id in proposed.members:
            services.add_member(learning_set, current.people[person_id], today=today, by=by)
        created += 1
    audit.record(
        "composer.published",
        actor=by,
        obj=cohort,
        sets=created,
        unplaced=len(current.proposal.unplaced),
    )
    db.session.delete(composition)
    return created, len(current.proposal.unplaced)


def discard(composition: SetComposition, *, by: Person) -> None:
    audit.record("composer.discarded", actor=by, obj=composition.cohort)
    db.session.delete(composition)


def _person(by_id: dict[int, Person], person_id: int | None) -> Person | None:
    return None if person_id is None else by_id[person_id]


def _compose(
    inputs: Inputs,
    *,
    keep_apart: bool,
    set_count: int | None,
    seed: int,
    locked: dict[int, int] | None = None,
) -> composer.Proposal:
    return composer.compose(
        inputs.candidates,
        facilitators=inputs.facilitators,
        min_size=MIN_SET_SIZE,
        max_size=services.MAX_SET_SIZE,
        previous_pairs=inputs.previous_pairs,
        keep_apart_previous=keep_apart,
        locked=locked,
        set_count=set_count,
        seed=seed,
    )


def _inputs_of(composition: SetComposition, today: date) -> Inputs:
    return load_inputs(
        composition.cohort, composition.facilitators, composition.keep_apart_previous, today
    )


def _arrangement(composition: SetComposition) -> composer.Arrangement:
    stored = composition.arrangement
    return composer.Arrangement(
        sets=stored["sets"],
        facilitator_ids=stored["facilitators"],
        locked=frozenset(stored["locked"]),
    )


def _store(
    composition: SetComposition,
    proposal: composer.Proposal,
    locked: frozenset[int],
    by: Person,
    now: datetime,
) -> None:
    composition.arrangement = {
        "sets": [s.members for s in proposal.sets],
        "facilitators": [s.facilitator_id for s in proposal.sets],
        "locked": sorted(locked),
    }
    composition.updated_by_id = by.id
    composition.updated_at = now


def _check_version(composition: SetComposition, version: int) -> None:
    if composition.version != version:
        raise StaleComposition


def _changed(
    composition: SetComposition, by: Person, now: datetime, action: str, **details: int
) -> None:
    composition.updated_by_id = by.id
    composition.updated_at = now
    audit.record(action, actor=by, obj=composition.cohort, **details)
