"""The registry names every table and column the models have, and nothing they lack: a
column added without saying what it holds and what erasure does to it fails here."""

from __future__ import annotations

import intrapreneur.models  # noqa: F401  (every model registered on the metadata)
from intrapreneur.extensions import db
from intrapreneur.privacy.record import BY_NAME, TABLES
from intrapreneur.privacy.registry import Erase
from intrapreneur.privacy.settings import RETENTION_BY_NAME, TEXT_KIND_BY_NAME


def test_every_table_and_column_is_in_the_registry() -> None:
    schema = {
        table.name: {column.name for column in table.columns} for table in db.metadata.sorted_tables
    }
    assert set(BY_NAME) == set(schema)
    assert len(BY_NAME) == len(TABLES)  # no table listed twice
    for name, columns in schema.items():
        assert set(BY_NAME[name].columns) == columns, name


def test_links_name_real_columns_and_erasure_choices_are_complete() -> None:
    for table in TABLES:
        for link in table.links:
            assert link.column in table.columns, (table.name, link.column)
            assert link.relation in {"about", "by"}
        if table.written_columns():
            assert any(link.relation == "by" for link in table.links), table.name
        for name, column in table.columns.items():
            if column.on_erasure is Erase.WRITTEN:
                assert column.text_kind in TEXT_KIND_BY_NAME, (table.name, name)
        if table.retention_rule is not None:
            assert table.retention_rule in RETENTION_BY_NAME, table.name
        assert table.personal or not table.links, table.name
