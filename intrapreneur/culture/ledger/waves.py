"""One closed wave's release: every figure any audience may ever see of it, decided once,
against everything released of the earlier waves.

Families are decided one after another, each over its own people (the respondent counts
over everyone who responded; each dimension's means over the people who answered its items;
each dimension's distribution over the same people; comments with the larger minimum):

1. The whole organisation's tables (every margin of department × cohort × group, and each
   place, business unit, country and location, alone and by group): first the within-table
   rules of ``anonymity`` on each table (minimum, remainder, complementary suppression: a
   fast first pass that picks sensible siblings), then the exact ledger check against the
   earlier waves (``release``), which withholds more where a combination still isolates
   fewer than k people.
2. Every manager's scope (their departments, narrowed by cohort and group), checked against
   the earlier waves and the whole organisation's release just made: a scope never causes
   an organisation-wide figure to be hidden, and is shown only where it adds nothing that
   isolates a small group.

A mean is shown only with its group's respondent count, and every figure rests on at least
k answers of its own family: a dimension that fewer than k of a group's respondents answered
is hidden even when the group's count is shown.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from intrapreneur.culture import aggregates
from intrapreneur.culture.aggregates import Filters
from intrapreneur.culture.anonymity import Cell, Rules, suppress
from intrapreneur.culture.ledger.people import (
    PLACE_DIMENSIONS,
    RESPONDENTS,
    TABLE_DIMENSIONS,
    Atoms,
    GroupKey,
    answered,
)
from intrapreneur.culture.ledger.release import Candidate, released
from intrapreneur.culture.ledger.tables import Totals, wave_totals

EVERYONE = GroupKey(frozenset())


@dataclass(frozen=True)
class Band:
    """Respondents whose score lies in [low, high] (half points, adjacent bands merged)."""

    low: float
    high: float
    respondents: int


@dataclass(frozen=True)
class Earlier:
    """What a published wave released, as the ledger of later waves reads it."""

    wave_id: int
    shown: dict[str, set[GroupKey]]  # family → groups shown with people behind them
    scopes: set[str]
    bands: set[str]  # dimensions whose distribution was shown
    comments: set[str]  # departments whose comments were listed


@dataclass
class WaveRelease:
    wave_id: int
    totals: dict[GroupKey, Totals]
    scopes: set[str]
    shown: dict[str, set[GroupKey]] = field(default_factory=dict)  # family → shown groups
    bands: dict[str, list[Band] | None] = field(default_factory=dict)  # None: hidden
    comments: set[str] = field(default_factory=set)

    def as_earlier(self) -> Earlier:
        return Earlier(
            self.wave_id,
            {family: {key for key in keys if self._people(key, family)}
             for family, keys in self.shown.items()},
            self.scopes,
            {dimension for dimension, bands in self.bands.items() if bands is not None},
            self.comments,
        )  # fmt: skip

    def _people(self, key: GroupKey, family: str) -> int:
        totals = self.totals.get(key)
        return totals.people(family) if totals else 0


def release_wave(
    series: Sequence[int],
    earlier: Sequence[Earlier],
    dimensions: Sequence[str],
    rules: Rules,
    scopes: set[str],
) -> WaveRelease:
    """Decide the release of the last wave of ``series`` (wave ids, oldest first), given
    what each earlier wave released."""
    release = WaveRelease(series[-1], wave_totals(series[-1], scopes), scopes)
    hidden_counts: set[GroupKey] = set()
    # A dimension everyone who responded answered, in every wave, has the respondents' very
    # rows and earlier releases: their decision is its decision (typically most dimensions).
    decided: list[tuple[dict[str, list], Atoms, set[GroupKey]]] = []
    for family in (RESPONDENTS, *dimensions):
        members = answered(series, family)
        same = next((done for done in decided if done[0] == members), None)
        if same is not None:
            _, atoms, shown = same
            groups = atoms.groups(len(series) - 1, scopes)
        else:
            atoms = Atoms(members, len(series))
            fixed = _rows(atoms, earlier, [before.shown.get(family, set()) for before in earlier])
            groups = atoms.groups(len(series) - 1, scopes)
            shown = _decide(release.totals, family, atoms, groups, fixed, rules.k, hidden_counts)
            decided.append((members, atoms, shown))
        release.shown[family] = shown
        if family == RESPONDENTS:
            hidden_counts = set(release.totals) - shown
            release.comments = _comments(release.totals, atoms, groups, earlier, rules)
        else:
            release.bands[family] = _bands(release.wave_id, family, atoms, groups, earlier, rules)
    return release


def _decide(
    totals: dict[GroupKey, Totals],
    family: str,
    atoms: Atoms,
    groups: dict[GroupKey, frozenset[int]],
    fixed: list[frozenset[int]],
    k: int,
    withheld: set[GroupKey],
) -> set[GroupKey]:
    candidates = [
        _candidate(key, family, totals, groups) for key in sorted(totals, key=GroupKey.order)
    ]
    organisation = [c for c in candidates if c.key.scope is None]
    first_pass = _within_table_hidden(organisation, k)
    shown = released(atoms.weights, fixed, organisation, k, withheld, first_pass)
    fixed = fixed + [groups[key] for key in shown if key in groups]
    scoped = [c for c in candidates if c.key.scope is not None]
    return shown | released(atoms.weights, fixed, scoped, k, withheld)


def _candidate(
    key: GroupKey, family: str, totals: dict[GroupKey, Totals], groups: dict[GroupKey, frozenset]
) -> Candidate:
    people = totals[key].people(family)
    members = groups.get(key, frozenset())
    return Candidate(key, members, people)


def _within_table_hidden(
    candidates: list[Candidate], minimum: int, *, comments: bool = False
) -> set[GroupKey]:
    """The first pass: the hierarchical rules over each table of the organisation's
    figures (department × cohort × group, and each place × group) on its own; the exact
    check (``release``) then covers what one table gives away about another."""
    rules = Rules(k=3, comment_k=minimum) if comments else Rules(k=minimum, comment_k=minimum)
    hidden: set[GroupKey] = set()
    for table in (TABLE_DIMENSIONS, *((place, "group") for place in PLACE_DIMENSIONS)):
        within = [c for c in candidates if {name for name, _ in c.key.coordinates} <= {*table}]
        cells = [Cell(dict(c.key.coordinates), c.people) for c in within]
        shown = suppress(cells, rules, comments=comments)
        hidden |= {c.key for c, s in zip(within, shown, strict=True) if s.hidden}
    return hidden


def _rows(
    atoms: Atoms, earlier: Sequence[Earlier], keys: Sequence[Collection[GroupKey]]
) -> list[frozenset[int]]:
    """The groups each earlier wave released (``keys``, wave by wave), over the atoms of
    this series."""
    rows = []
    for index, (before, shown) in enumerate(zip(earlier, keys, strict=True)):
        groups = atoms.groups(index, before.scopes)
        rows += [groups[key] for key in sorted(shown, key=GroupKey.order) if key in groups]
    return rows


def _comments(
    totals: dict[GroupKey, Totals],
    atoms: Atoms,
    groups: dict[GroupKey, frozenset[int]],
    earlier: Sequence[Earlier],
    rules: Rules,
) -> set[str]:
    """Departments whose comments may be listed: their respondents pass the ledger with the
    comments' minimum (comments can be matched one by one between two lists, so the
    subtraction rules apply to them as to counts)."""
    departments = sorted(
        (key for key in totals if key.scope is None and _only(key, "department")),
        key=GroupKey.order,
    )
    candidates = [_candidate(key, RESPONDENTS, totals, groups) for key in departments]
    organisation = [c for c in (_candidate(key, RESPONDENTS, totals, groups) for key in totals)
                    if c.key.scope is None]  # fmt: skip
    first_pass = _within_table_hidden(organisation, rules.comment_k, comments=True)
    fixed = _rows(atoms, earlier, [{_department(d) for d in e.comments} for e in earlier])
    shown = released(atoms.weights, fixed, candidates, rules.comment_k, (), first_pass)
    return {dict(key.coordinates)["department"] for key in shown if totals[key].respondents}


def _bands(
    wave_id: int,
    dimension: str,
    atoms: Atoms,
    groups: dict[GroupKey, frozenset[int]],
    earlier: Sequence[Earlier],
    rules: Rules,
) -> list[Band] | None:
    """The whole wave's distribution, adjacent half-point bands merged until each holds k
    people; hidden when the wave has fewer than k answers, or when, compared with the
    distributions shown for earlier waves, it would isolate fewer than k people."""
    bands = coarsened(
        [(row.key[0], row.respondents) for row in aggregates.distribution(wave_id, dimension,
                                                                          Filters())],
        rules.k,
    )  # fmt: skip
    if not bands:
        return None
    everyone = groups.get(EVERYONE, frozenset())
    candidate = Candidate(EVERYONE, everyone, sum(band.respondents for band in bands))
    fixed = _rows(atoms, earlier, [{EVERYONE} if dimension in e.bands else set() for e in earlier])
    return bands if released(atoms.weights, fixed, [candidate], rules.k) else None


def coarsened(counts: Sequence[tuple[float, int]], k: int) -> list[Band]:
    """Adjacent bands merged, lowest first, until each holds at least k people (the last
    one joins the one before it if it falls short); none when all of them hold fewer."""
    bands: list[Band] = []
    low, people = None, 0
    for score, count in counts:
        low = score if low is None else low
        people += count
        if people >= k:
            bands.append(Band(low, score, people))
            low, people = None, 0
    if people and bands:
        last = bands.pop()
        bands.append(Band(last.low, counts[-1][0], last.respondents + people))
    return bands


def _only(key: GroupKey, dimension: str) -> bool:
    return {name for name, _ in key.coordinates} == {dimension}


def _department(department: str) -> GroupKey:
    return GroupKey(frozenset({("department", department)}))
