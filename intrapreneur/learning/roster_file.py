"""Reading an uploaded list of people to enrol: a CSV file of one column, usernames or email
addresses, a header line optional.

A file that cannot be read as such a list is refused whole with a reason a person can act
on (``RosterFileProblem``); reading never fails otherwise, whatever the bytes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from intrapreneur.core.dates import number_text

MAX_LINES = 5_000
# A first line holding one of these is a header, not a person.
HEADERS = frozenset({"username", "usernames", "email", "emails", "e-mail", "email address"})
SHOWN_LINE_NUMBERS = 10
TOO_MANY_LINES = _l(
    "The file has more than %(most)s lines; at most %(most)s people can be imported at "
    "a time. Split it into smaller files.",
    most=LazyString(number_text, MAX_LINES),
)


@dataclass(frozen=True)
class RosterLine:
    number: int  # in the file, counting from 1, as an editor shows it
    value: str


class RosterFileProblem(Exception):
    status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_roster(content: bytes) -> list[RosterLine]:
    """The file's people, one per non-blank line, without the header."""
    text = _text(content)
    lines: list[RosterLine] = []
    too_wide: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            while cells and not cells[-1]:
                cells.pop()  # "ann," as spreadsheets write a column with an empty neighbour
            if not cells:
                continue
            if len(cells) > 1:
                too_wide.append(reader.line_num)
            lines.append(RosterLine(reader.line_num, cells[0]))
            if len(lines) > MAX_LINES + 1:  # one more than a header and the most lines
                raise RosterFileProblem(str(TOO_MANY_LINES))
    except csv.Error as error:
        raise RosterFileProblem(
            _(
                "Line %(line)s cannot be read as CSV (%(error)s). Check its quotes.",
                line=reader.line_num,
                error=error,
            )
        ) from None
    if too_wide:
        raise RosterFileProblem(_too_wide(too_wide))
    if lines and lines[0].value.lower() in HEADERS:
        lines = lines[1:]
    if not lines:
        raise RosterFileProblem(
            _(
                "The file holds no usernames or email addresses: put one person on each line.",
            )
        )
    if len(lines) > MAX_LINES:
        raise RosterFileProblem(str(TOO_MANY_LINES))
    return lines


def _text(content: bytes) -> str:
    if not content.strip():
        raise RosterFileProblem(_("The file is empty: put one username or email address per line."))
    try:
        text = content.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as error:
        raise RosterFileProblem(
            _(
                "The file is not UTF-8 text (byte %(byte)s is not valid UTF-8). Save it as "
                "UTF-8 (Excel: “CSV UTF-8”) and upload it again.",
                byte=error.start + 1,
            )
        ) from None
    if "\0" in text:
        raise RosterFileProblem(_("The file holds NUL characters, so it is not a text file."))
    return text


def _too_wide(numbers: list[int]) -> str:
    shown = ", ".join(str(number) for number in numbers[:SHOWN_LINE_NUMBERS])
    more = len(numbers) - SHOWN_LINE_NUMBERS
    if more > 0:
        return _(
            "The file must have one column, but these lines have more: %(shown)s and "
            "%(more)s others. Keep only the usernames or email addresses.",
            shown=shown,
            more=number_text(more),
        )
    return _(
        "The file must have one column, but these lines have more: %(shown)s. Keep "
        "only the usernames or email addresses.",
        shown=shown,
    )
