"""The search index: a copy of what people wrote, kept only to find it."""

from __future__ import annotations

from intrapreneur.privacy.registry import Col, Table

TABLES = (
    Table(
        "search_item",
        purpose="Search: one row per searchable thing (a venture, an experiment, a learning "
        "card, a hot-seat challenge, a question, a commitment), copied from its own row.",
        who_sees="whoever may see the thing it copies, through search (the same rules as "
        "its page); nobody reads the table itself",
        kept="as long as the thing it copies: rewritten with every change of it, deleted with it",
        notes="Derived data. Every write of the copied rows rewrites their items in the same "
        "transaction, and erasing a person rebuilds the items of every row the erasure "
        "changed, so the index never holds text its source no longer holds. Not exported to "
        "a person (their access export holds the rows it copies). On SQLite the words are "
        "also held in the full-text table search_fts, on PostgreSQL in the vector column; "
        "both follow the row.",
        columns={
            "id": Col("a number"),
            "kind": Col("what it copies (venture, experiment, learning, challenge, ...)"),
            "object_id": Col("the number of the row it copies"),
            "venture_id": Col("the venture whose visibility decides who finds it"),
            "set_id": Col("the set whose members find it"),
            "session_id": Col("the session it was said in"),
            "author_id": Col("who wrote it (for the department and unit filters)"),
            "title": Col("a copy of its title"),
            "body": Col("a copy of its text"),
            "language": Col("the language its words are stemmed in"),
            "evidence": Col("evidence strength (a filter)"),
            "decision": Col("the decision taken (a filter)"),
            "day": Col("its day (a filter; newest first without a query)"),
            "vector": Col("its words as PostgreSQL's full-text index reads them"),
        },
    ),
)
