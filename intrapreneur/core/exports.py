"""Exports people open in spreadsheets: every cell made safe, rows streamed as CSV that
Excel reads as UTF-8."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

# A spreadsheet treats a cell starting with one of these as a formula (or, for tab, CR
# and LF, may shift it so that the next character starts one): CSV or formula injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Excel on Windows opens a CSV file in the system's legacy code page unless it starts with
# a byte-order mark ("Zürich café" would read "ZÃ¼rich cafÃ©"). Every CSV here is meant for
# spreadsheets, so each starts with one; Python reads it with ``encoding="utf-8-sig"`` and
# pandas drops it by itself.
UTF8_BOM = "\ufeff"


def neutralise(value: Any) -> str:
    """The cell as text, with a leading apostrophe if a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """A CSV file's text, one line at a time: the byte-order mark, the header and the rows,
    every cell neutralised (the mark stands before the first cell, so it cannot start one)."""
    yield UTF8_BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _with_header(header, rows):
        writer.writerow([neutralise(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _with_header(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[Iterable[Any]]:
    yield header
    yield from rows
