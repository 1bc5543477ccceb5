"""Reading the search index: each item only for readers the page showing it would let in.

Who sees an item is never copied into the index: it is the condition the owning page uses,
asked in the same SQL as the search:

* ventures, experiments and learning cards: ``experiments.queries.visible_to`` (private:
  the team and the managers above a member; shared with sets: also those sets' members and
  facilitators; organisation: also every employee, never a guest);
* hot-seat challenges, questions and commitments: the set's page rule
  (``learning.permissions.can_view_set``): its current members (guests too, in their own
  sets), its facilitator, and HR;
* nobody whose account is switched off or whose guest access has ended sees anything.

Results are paged by LIMIT/OFFSET with one row more than a page (whether there is a next
page) rather than a COUNT: counting every match would cost as much again as the search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    cast,
    column,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from intrapreneur.experiments.models import Experiment, Venture, Visibility
from intrapreneur.experiments.queries import visible_to
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.queries import current_set_ids
from intrapreneur.search import text
from intrapreneur.search.models import Kind, SearchItem

PER_PAGE = 20
# PostgreSQL's stemming per shipped language; any other language's words are kept as written.
CONFIGS = {"en": "english", "de": "german", "fr": "french", "es": "spanish"}
HEADLINE = (
    f"StartSel={text.START}, StopSel={text.STOP}, MaxWords=35, MinWords=15, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
FTS = table("search_fts", column("rowid"))
FTS_NAME = literal_column("search_fts")


@dataclass(frozen=True)
class Filters:
    kind: Kind | None = None
    evidence: str | None = None
    decision: str | None = None
    since: date | None = None
    until: date | None = None
    department_id: int | None = None
    unit_id: int | None = None

    def condition(self) -> ColumnElement[bool]:
        item = SearchItem
        conditions: list[ColumnElement[bool]] = []
        if self.kind:
            conditions.append(item.kind == self.kind.value)
        if self.evidence:
            conditions.append(item.evidence == self.evidence)
        if self.decision:
            conditions.append(item.decision == self.decision)
        if self.since:
            conditions.append(item.day >= self.since)
        if self.until:
            conditions.append(item.day <= self.until)
        if self.department_id:
            people = select(Person.id).where(Person.department_id == self.department_id)
            conditions.append(item.author_id.in_(people))
        if self.unit_id:
            people = select(Person.id).where(Person.business_unit_id == self.unit_id)
            conditions.append(item.author_id.in_(people))
        return _all(conditions) if conditions else true()


def _all(conditions: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined & condition
    return combined


@dataclass(frozen=True)
class Hit:
    kind: Kind
    object_id: int
    venture_id: int | None
    session_id: int | None
    title: str
    snippet: Markup
    day: date
    evidence: str | None
    decision: str | None


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    number: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def visible(reader: Person, today: date) -> ColumnElement[bool]:
    """The items ``reader`` may see today, as one condition (see the module's rules), on a
    statement whose items have their venture joined (``with_venture``): the venture's
    rule is asked of each matching item's own venture, so a search costs in proportion
    to what it matches, not to how many ventures there are."""
    if not reader.may_act(today):
        return false()
    if reader.has_role(Role.HR):
        sets: ColumnElement[bool] = SearchItem.set_id.is_not(None)
    else:
        sets = SearchItem.set_id.in_(current_set_ids(reader.id, today))
    ventures = visible_to(reader, today)
    if not reader.is_guest:
        # Implied by visible_to and asked first: most items belong to organisation-wide
        # ventures, which then need no look-up of teams, shares or reports.
        ventures = (Venture.visibility == Visibility.ORGANISATION) | ventures
    return or_(SearchItem.venture_id.is_not(None) & ventures, sets)


def with_venture(statement: Select[Any]) -> Select[Any]:
    return statement.outerjoin(Venture, Venture.id == SearchItem.venture_id)


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _tsquery(config: str, words: str, *, any_word: bool = False) -> Any:
    """The reader's stemming OR the words as written (an item indexed in another language
    still matches its exact words); ``any_word``: any of the words instead of all."""
    parts = []
    for name in (config, "simple"):
        query = func.plainto_tsquery(literal_column(f"'{name}'::regconfig"), words)
        if any_word:
            query = cast(func.replace(cast(query, String), "&", "|"), TSQUERY)
        parts.append(query)
    return parts[0].op("||")(parts[1])


def _hit(row: Any, snippet: Markup) -> Hit:
    return Hit(
        Kind(row.kind),
        row.object_id,
        row.venture_id,
        row.session_id,
        row.title,
        snippet,
        row.day,
        row.evidence,
        row.decision,
    )


ITEM_COLUMNS = (
    SearchItem.id,
    SearchItem.kind,
    SearchItem.object_id,
    SearchItem.venture_id,
    SearchItem.session_id,
    SearchItem.title,
    SearchItem.day,
    SearchItem.evidence,
    SearchItem.decision,
)


def _ranked_postgresql(
    where: ColumnElement[bool], config: str, words: str, *, any_word: bool
) -> tuple[Select[Any], Any]:
    query = _tsquery(config, words, any_word=any_word)
    rank = func.ts_rank(SearchItem.vector, query)
    ranked = with_venture(select(SearchItem.id, rank.label("rank"))).where(
        SearchItem.vector.op("@@")(query), where
    )
    return ranked.order_by(rank.desc(), SearchItem.id), query


def _page_postgresql(
    where: ColumnElement[bool], config: str, words: str, limit: int, offset: int, any_word: bool
) -> list[Hit]:
    ranked, query = _ranked_postgresql(where, config, words, any_word=any_word)
    page = ranked.limit(limit).offset(offset).subquery("page")
    headline = func.ts_headline(
        literal_column(f"'{config}'::regconfig"), SearchItem.body, query, HEADLINE
    )
    rows = db.session.execute(
        select(*ITEM_COLUMNS, headline.label("snippet"))
        .join(page, page.c.id == SearchItem.id)
        .order_by(page.c.rank.desc(), SearchItem.id)
    )
    return [_hit(row, text.highlighted(row.snippet)) for row in rows]


def _page_sqlite(where: ColumnElement[bool], match: str, limit: int, offset: int) -> list[Hit]:
    """The page ranked by bm25 (the title weighing ten times the text), then snippets for
    its rows alone, looked up by rowid: a common word costs no snippet per match."""
    matches = FTS_NAME.op("MATCH")(bindparam("match", match))
    rank = func.bm25(FTS_NAME, literal_column("10.0"), literal_column("1.0"))
    rows = db.session.execute(
        select(*ITEM_COLUMNS)
        .select_from(FTS)
        .join(SearchItem, SearchItem.id == FTS.c.rowid)
        .outerjoin(Venture, Venture.id == SearchItem.venture_id)
        .where(matches, where)
        .order_by(rank, SearchItem.id)
        .limit(limit)
        .offset(offset)
    ).all()
    if not rows:
        return []
    snippet = func.snippet(
        FTS_NAME, literal_column("1"), text.START, text.STOP, "…", literal_column("24")
    )
    snippets = dict(
        db.session.execute(
            select(FTS.c.rowid, snippet).where(
                FTS_NAME.op("MATCH")(bindparam("again", match)),
                FTS.c.rowid.in_([row.id for row in rows]),
            )
        ).all()
    )
    return [_hit(row, text.highlighted(snippets.get(row.id, ""))) for row in rows]


def _recent(where: ColumnElement[bool], limit: int, offset: int) -> list[Hit]:
    rows = db.session.execute(
        with_venture(select(*ITEM_COLUMNS, SearchItem.body))
        .where(where)
        .order_by(SearchItem.day.desc(), SearchItem.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_hit(row, Markup.escape(text.opening(row.body))) for row in rows]


def search(
    reader: Person,
    query: text.Query,
    filters: Filters,
    *,
    today: date,
    language: str,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Results:
    """One page of the items matching ``query`` that ``reader`` may see, best first; with
    no words, the newest such items. One statement for the page, one more on SQLite for
    its snippets; nothing per result."""
    where = visible(reader, today) & filters.condition()
    limit, offset = per_page + 1, (max(page, 1) - 1) * per_page
    if query.empty:
        hits = _recent(where, limit, offset)
    elif _postgresql():
        config = CONFIGS.get(language.split("_")[0], "simple")
        hits = _page_postgresql(where, config, " ".join(query.terms), limit, offset, False)
    else:
        hits = _page_sqlite(where, text.fts5_all(query.terms), limit, offset)
    return Results(hits[:per_page], max(page, 1), per_page, len(hits) > per_page)


def similar_learnings(
    reader: Person, experiment: Experiment, limit: int = 5, *, today: date, language: str = "en"
) -> list[Hit]:
    """Other learning cards the reader may see, ranked by the words of this card's
    learning (its title, what was observed and learned, the evidence): any word counts,
    the rarer and more often shared the higher."""
    words = " ".join(
        (experiment.title, experiment.observation, experiment.learning, experiment.evidence_data)
    )
    terms = text.learning_terms(words)
    if not terms:
        return []
    where = (
        visible(reader, today)
        & (SearchItem.kind == Kind.LEARNING.value)
        & (SearchItem.object_id != experiment.id)
    )
    if _postgresql():
        config = CONFIGS.get(language.split("_")[0], "simple")
        return _page_postgresql(where, config, " ".join(terms), limit, 0, True)
    return _page_sqlite(where, text.fts5_any(terms), limit, 0)
