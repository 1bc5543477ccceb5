"""The archive: one JSON file per section that holds rows, and a summary to read
(``index.html``), built in a spooled temporary file so that memory stays bounded however
long a person's history is (rows are read in batches and written as they come).

Values are written as JSON: times and days in ISO 8601 (times in UTC), amounts as strings
(exact decimals), choices as their codes, a file's content as its size. Every string,
those inside JSON values too, goes through the redactor first (``redaction``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from tempfile import SpooledTemporaryFile
from textwrap import indent
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile

from flask import render_template

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.privacy.subject_export.sections import Section, title_of

SPOOL_BYTES = 16 * 1024 * 1024  # past this, the archive being built goes to a file on disk
BATCH = 500  # rows read from the database at a time
SHOWN_ROWS = 200  # rows per section in the summary; its JSON file holds them all
INDEX = "index.html"

Redact = Callable[[str], str]


def json_value(value: Any, redact: Redact) -> Any:
    """A column's value as JSON, its strings redacted (a choice's code names no one)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): json_value(item, redact) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item, redact) for item in value]
    return redact(str(value))


def shown(value: Any) -> str:
    """A JSON value as a summary's table cell shows it (escaped by the template)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@dataclass
class Part:
    """A section as the summary shows it: its first rows, and how many it has."""

    section: Section
    title: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    count: int = 0

    @property
    def file_name(self) -> str:
        return f"{self.section.name}.json"


@dataclass(frozen=True)
class Archive:
    content: bytes
    parts: list[Part]

    @property
    def counts(self) -> dict[str, int]:
        return {part.section.name: part.count for part in self.parts if part.count}


def _rows(section: Section, person: Person) -> Iterator[dict[str, Any]]:
    statement = section.query(person).execution_options(yield_per=BATCH)
    for row in db.session.execute(statement):
        yield dict(row._mapping)


class _SectionFile:
    """One section's JSON file, written as its rows come and opened at the first (a section
    without rows has no file)."""

    def __init__(self, archive: ZipFile, part: Part) -> None:
        self.archive, self.part = archive, part
        self.file: IO[bytes] | None = None

    def write(self, row: dict[str, Any]) -> None:
        separator = ",\n"
        if self.file is None:
            self.file = self.archive.open(self.part.file_name, "w")
            self.file.write(_header(self.part).encode())
            separator = "\n"
        text = indent(json.dumps(row, ensure_ascii=False, indent=2), "    ")
        self.file.write((separator + text).encode())

    def close(self) -> None:
        if self.file is not None:
            self.file.write(b"\n  ]\n}\n")
            self.file.close()


def _header(part: Part) -> str:
    about = {
        "section": part.section.name,
        "title": part.title,
        "purpose": part.section.purpose,
        "who_sees": part.section.who_sees,
        "kept": part.section.kept,
    }
    return json.dumps(about, ensure_ascii=False, indent=2)[:-2] + ',\n  "rows": ['


def _write_section(archive: ZipFile, section: Section, person: Person, redact: Redact) -> Part:
    part = Part(section, title_of(section))
    file = _SectionFile(archive, part)
    try:
        for raw in _rows(section, person):
            row = {column: json_value(value, redact) for column, value in raw.items()}
            file.write(row)
            if part.count < SHOWN_ROWS:
                part.columns = part.columns or list(row)
                part.rows.append([shown(value) for value in row.values()])
            part.count += 1
    finally:
        file.close()
    return part


def build(
    person: Person,
    sections: list[Section],
    *,
    redact: Redact,
    summary: dict[str, Any],
    on_progress: Callable[[int], None],
) -> Archive:
    """The ZIP of ``person``'s sections, with ``index.html`` rendered from ``summary`` (the
    template's other values) and the sections; ``on_progress(1)`` after each section."""
    parts = []
    with SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        with ZipFile(spool, "w", ZIP_DEFLATED) as archive:
            for section in sections:
                parts.append(_write_section(archive, section, person, redact))
                on_progress(1)
            page = render_template(
                "privacy/export_index.html",
                person=person,
                parts=[part for part in parts if part.count],
                empty=[part.title for part in parts if not part.count],
                **summary,
            )
            archive.writestr(INDEX, page)
        spool.seek(0)
        return Archive(spool.read(), parts)
