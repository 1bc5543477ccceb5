"""docs/privacy.md describes every table and column the models have: read from the document
as a data-protection officer reads it, not from the registry it is rendered from."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

import intrapreneur.models  # noqa: F401  (every model registered on the metadata)
from intrapreneur.cli.privacy import privacy
from intrapreneur.extensions import db
from intrapreneur.privacy.record_document import END, START, render

DOCUMENT = Path(__file__).parents[2] / "docs" / "privacy.md"
HEADING = re.compile(r"^### `(?P<table>\w+)`$", re.MULTILINE)
COLUMN_ROW = re.compile(r"^\| `(?P<column>\w+)` \|", re.MULTILINE)


def _documented() -> dict[str, set[str]]:
    """Table → the columns its section's table lists."""
    text = DOCUMENT.read_text(encoding="utf-8")
    headings = list(HEADING.finditer(text))
    sections = {}
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        body = text[heading.end() : following.start() if following else len(text)]
        sections[heading["table"]] = {row["column"] for row in COLUMN_ROW.finditer(body)}
    return sections


def test_the_document_names_every_table_and_column_of_the_models() -> None:
    documented = _documented()
    for table in db.metadata.sorted_tables:
        assert table.name in documented, f"docs/privacy.md has no section for {table.name}"
        missing = {column.name for column in table.columns} - documented[table.name]
        assert not missing, f"docs/privacy.md does not mention {table.name}: {sorted(missing)}"


def test_the_generated_part_is_what_the_registry_says() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    assert render() in text, "run `intrapreneur privacy record` after changing the registry"


def test_the_command_rewrites_a_stale_document_and_checks_it(tmp_path: Path) -> None:
    stale = tmp_path / "privacy.md"
    stale.write_text(f"# Intro kept\n\n{START}\nold table\n{END}\n\nOutro kept\n", encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(privacy, ["record", str(stale), "--check"])
    assert checked.exit_code == 1 and "out of date" in checked.output
    written = runner.invoke(privacy, ["record", str(stale)])
    assert written.exit_code == 0, written.output
    text = stale.read_text(encoding="utf-8")
    assert text.startswith("# Intro kept\n\n") and text.endswith("\n\nOutro kept\n")
    assert "old table" not in text and "### `person`" in text
    assert runner.invoke(privacy, ["record", str(stale), "--check"]).exit_code == 0
