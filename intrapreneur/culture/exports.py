"""HR's exports of the survey figures: the dashboard's suppressed figures as rows, with a
table describing the instrument and one stating the rules, written as a workbook with one
sheet per table (XLSX) or a ZIP with one CSV file per table (``scores.csv``,
``response-rates.csv``, ``instrument.csv``, ``rules.csv``), each with its own header row so
that Excel, ``csv`` and pandas read it as it is.

Every figure comes from the published release (``dashboard.all_published``), so an export
shows exactly what the dashboard and the API show and hides the rest with the same text.
Rows are generated one at a time and written out as they come (the ZIP streamed, XLSX in
constant-memory mode into a temporary file), so memory stays flat however many groups
there are. Comments are never exported.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO

import xlsxwriter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from intrapreneur.core import services as audit
from intrapreneur.core.exports import csv_lines, neutralise
from intrapreneur.core.i18n import page_locale
from intrapreneur.culture.anonymity import Rules, hidden_label
from intrapreneur.culture.dashboard import all_published
from intrapreneur.culture.figures import (
    ALL,
    GROUP_NAMES,
    PLACE_DIMENSIONS,
    TABLE_DIMENSIONS,
    Figure,
    cohort_names,
    department_names,
    group_name,
    no_responses_label,
    place_names,
)
from intrapreneur.culture.instruments import Instrument
from intrapreneur.culture.models import SurveyGroup, SurveyWave
from intrapreneur.culture.published import StoredFigures
from intrapreneur.culture.queries import Rate, published_series, response_rates
from intrapreneur.identity.models import Person

Value = str | int | float
MEAN_DECIMALS = 2  # as the dashboard prints them
COLUMN_WIDTH = 24
NO_ANSWERS = _l("no answers")
CONTENT_TYPES = {
    "csv": "application/zip",  # CSV tables, one file each
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"csv": "csv.zip", "xlsx": "xlsx"}


@dataclass(frozen=True)
class ExportFilters:
    """What HR chose, as on the dashboard: waves (none: the latest), a cohort id (or
    ``NONE`` for people in no cohort) and a group."""

    wave_ids: tuple[int, ...] = ()
    cohort: str | None = None
    group: SurveyGroup | None = None

    def coordinates(self) -> dict[str, str]:
        chosen = {"cohort": self.cohort, "group": self.group}
        return {dimension: str(value) for dimension, value in chosen.items() if value is not None}


@dataclass(frozen=True)
class Names:
    """Department, cohort and place names by the ids the figures carry."""

    departments: Mapping[str, str]
    cohorts: Mapping[str, str]
    places: Mapping[str, Mapping[str, str]]  # place dimension -> value -> name

    def of(self, group: Mapping[str, str]) -> tuple[str, ...]:
        """Department, cohort, group, business unit, country and location as printed; a
        coordinate left out is everyone."""
        department, cohort, status = (group.get(dimension) for dimension in TABLE_DIMENSIONS)
        return (
            str(ALL) if department is None else self.departments.get(department, department),
            str(ALL) if cohort is None else self.cohorts.get(cohort, cohort),
            group_name(status),
            *(
                str(ALL)
                if (value := group.get(place)) is None
                else self.places[place].get(value, value)
                for place in PLACE_DIMENSIONS
            ),
        )


@dataclass(frozen=True)
class Export:
    """Everything an export prints, gathered before the first row is written."""

    figures: list[StoredFigures]  # the chosen waves only
    instruments: Mapping[str, Instrument]  # by instrument key, for the chosen waves
    rates: Mapping[int, Mapping[SurveyGroup, Rate]]
    names: Names
    rules: Rules
    filters: ExportFilters
    made_on: date  # the date its files carry


@dataclass(frozen=True)
class Section:
    """A table: a sheet of the workbook, or a CSV file of the ZIP."""

    title: str
    header: tuple[str, ...]
    rows: Iterable[Sequence[Value]]


def waves_through(wave_ids: Collection[int], today: date) -> list[SurveyWave] | None:
    """The published series (``queries.published_series``) from the first wave to the
    latest of these (none given: to the latest), oldest first, which ``all_published`` needs
    whole. None when one of them does not exist or is not published (still open)."""
    waves = published_series(today)
    position = {wave.id: number for number, wave in enumerate(waves)}
    if not waves or not position.keys() >= set(wave_ids):
        return None
    last = max((position[wave_id] for wave_id in wave_ids), default=len(waves) - 1)
    return waves[: last + 1]


def gather(
    filters: ExportFilters, rules: Rules, instruments: Mapping[str, Instrument], today: date
) -> Export:
    """The published figures of the chosen waves (``filters.wave_ids``, which must exist),
    with the names and response rates they print; ``NotPublishedYet`` before the job ran."""
    series = waves_through(filters.wave_ids, today) or []
    figures = [wave for wave in all_published(series, rules) if wave.wave.id in filters.wave_ids]
    rates = response_rates(list(filters.wave_ids))
    return Export(figures, instruments, rates, names_in(figures), rules, filters, today)


def names_in(figures: Sequence[StoredFigures]) -> Names:
    """The names of the departments and cohorts these figures mention, one query each."""
    departments, cohorts, *places = (
        {value for wave in figures for value in wave.values_of(dimension)}
        for dimension in ("department", "cohort", *PLACE_DIMENSIONS)
    )
    return Names(
        departments=department_names(departments),
        cohorts=cohort_names(cohorts),
        places={
            place: place_names(place, values)
            for place, values in zip(PLACE_DIMENSIONS, places, strict=True)
        },
    )


def record_export(export_format: str, filters: ExportFilters, *, by: Person) -> None:
    audit.record(
        "culture.exported",
        actor=by,
        format=export_format,
        filters={
            "waves": list(filters.wave_ids),
            "cohort": filters.cohort,
            "group": None if filters.group is None else str(filters.group),
        },
    )


def sections(export: Export) -> list[Section]:
    """The export's tables, their titles and headers in the reader's language (a background
    export's in the organisation's)."""
    return [
        Section(
            _("Scores"),
            (
                _("Wave"),
                _("Department"),
                _("Cohort"),
                _("Group"),
                _("Business unit"),
                _("Country"),
                _("Location"),
                _("Dimension"),
                _("Respondents"),
                _("Answers"),
                _("Mean score"),
            ),
            _score_rows(export),
        ),
        Section(
            _("Response rates"),
            (_("Wave"), _("Group"), _("Invited"), _("Answered"), _("Response rate (%)")),
            _rate_rows(export),
        ),
        Section(
            _("Instrument"),
            (
                _("Instrument"),
                _("Title"),
                _("Scale"),
                _("Dimension"),
                _("Item"),
                _("Text"),
                _("Reverse-scored"),
            ),
            _instrument_rows(export.instruments.values()),
        ),
        Section(_("Rules"), (_("Rule"), _("In force")), _rule_rows(export)),
    ]


def _score_rows(export: Export) -> Iterator[tuple[Value, ...]]:
    for wave in export.figures:
        dimensions = export.instruments[wave.wave.instrument_key].dimensions
        for figure in wave.selected(**export.filters.coordinates()):
            for dimension in dimensions:
                yield (
                    wave.wave.title,
                    *export.names.of(figure.group),
                    dimension.name,
                    _respondents(figure),
                    *_mean_and_answers(figure, dimension.id, hidden_label(export.rules.k)),
                )


def _respondents(figure: Figure) -> Value:
    return figure.label or figure.respondents or no_responses_label()


def _mean_and_answers(figure: Figure, dimension: str, hidden_text: str) -> tuple[Value, Value]:
    """The answers behind the mean and the mean, or why there is none."""
    if figure.hidden or figure.label:
        return _respondents(figure), _respondents(figure)
    if figure.is_hidden(dimension):
        return hidden_text, hidden_text
    mean = figure.means.get(dimension)
    if mean is None:
        return str(NO_ANSWERS), str(NO_ANSWERS)
    return figure.answers[dimension], round(mean, MEAN_DECIMALS)


def _rate_rows(export: Export) -> Iterator[tuple[Value, ...]]:
    """Invitations carry no cohort, so rates are per group over the whole wave; the number
    who answered is the wave's suppressed figure for the group."""
    groups = [export.filters.group] if export.filters.group else list(SurveyGroup)
    for wave in export.figures:
        for group in groups:
            invited = export.rates[wave.wave.id].get(group, Rate(0, 0)).invited
            answered = wave.get(group=str(group))
            yield wave.wave.title, str(GROUP_NAMES[group]), invited, *_answered(answered, invited)


def _answered(figure: Figure, invited: int) -> tuple[Value, Value]:
    """Who answered and the response rate, or the hidden text for both."""
    if figure.hidden:
        return _respondents(figure), _respondents(figure)
    if not invited:
        return _respondents(figure), _("no invitations")
    return _respondents(figure), round(100 * (figure.respondents or 0) / invited, 1)


def _instrument_rows(instruments: Iterable[Instrument]) -> Iterator[tuple[Value, ...]]:
    for installed in instruments:
        instrument = installed.in_language(page_locale())
        dimension_names = {dimension.id: dimension.name for dimension in instrument.dimensions}
        for item in instrument.items:
            yield (
                instrument.key,
                instrument.title,
                _scale(instrument),
                dimension_names[item.dimension],
                item.id,
                item.text,
                _("yes") if item.reverse else _("no"),
            )


def _scale(instrument: Instrument) -> str:
    labels = "; ".join(f"{point} = {label}" for point, label in instrument.scale_labels.items())
    scale = _("%(low)s to %(high)s", low=instrument.scale_min, high=instrument.scale_max)
    return f"{scale} ({labels})" if labels else scale


def _rule_rows(export: Export) -> list[tuple[str, str]]:
    rules, k = export.rules, export.rules.k
    return [
        (
            _("Minimum group size"),
            _(
                "A mean, count or band resting on fewer than %(k)s answers is hidden (the "
                "answers column says how many a shown mean rests on).",
                k=k,
            ),
        ),
        (
            _("Subtraction"),
            _(
                "A figure is shown only when, together with everything shown to anyone (HR, "
                "every manager's view, exports, the API) in this and every earlier wave, no sum "
                "or difference of shown figures works out the answers of fewer than %(k)s "
                "people; otherwise the cheapest figures involved are hidden too.",
                k=k,
            ),
        ),
        (
            _("Hidden figures"),
            _("Every hidden figure reads “%(hidden)s”, never 0.", hidden=hidden_label(k)),
        ),
        (
            _("Comments"),
            _(
                "Free-text comments are shown only for groups of %(k)s or more, and never "
                "exported.",
                k=rules.comment_k,
            ),
        ),
        (
            _("Scores"),
            _(
                "Mean of each respondent's score per dimension on the instrument's scale, "
                "reverse-scored items mirrored, rounded to %(decimals)s decimals.",
                decimals=MEAN_DECIMALS,
            ),
        ),
        (_("Filters"), _describe(export.filters, export.names)),
    ]


def _describe(filters: ExportFilters, names: Names) -> str:
    waves = ", ".join(map(str, filters.wave_ids))
    chosen = filters.cohort
    cohort = str(ALL) if chosen is None else cohort_names({chosen})[chosen]
    group = str(ALL) if filters.group is None else str(GROUP_NAMES[filters.group])
    return _(
        "wave ids %(waves)s; cohort: %(cohort)s; group: %(group)s",
        waves=waves,
        cohort=cohort,
        group=group,
    )


class _Pieces(io.RawIOBase):
    """A write-only stream that keeps what is written until it is taken: the ZIP is
    written into it, and each piece goes to the client as soon as it is there."""

    def __init__(self) -> None:
        self._pieces: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._pieces.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        taken = b"".join(self._pieces)
        self._pieces.clear()
        return taken


def csv_file_name(section: Section) -> str:
    return section.title.lower().replace(" ", "-") + ".csv"


def csv_zip(parts: Iterable[Section], made_on: date) -> Iterator[bytes]:
    """A ZIP holding each table as a CSV file of its own (``csv_lines``: header first, every
    cell neutralised, a byte-order mark for Excel), made as it is sent. The stream cannot
    seek, so zipfile writes each file's sizes after its data; the files carry ``made_on``
    rather than the clock, so the same export is the same bytes all day."""
    pieces = _Pieces()
    with zipfile.ZipFile(pieces, "w") as archive:
        for section in parts:
            entry = zipfile.ZipInfo(csv_file_name(section), made_on.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w") as member:
                for line in csv_lines(section.header, section.rows):
                    member.write(line.encode())
                    if piece := pieces.take():
                        yield piece
    yield pieces.take()


def xlsx_file(parts: Iterable[Section]) -> IO[bytes]:
    """The workbook, one sheet per section, in an unnamed temporary file (removed when
    closed) rewound for reading. Constant-memory mode writes each row out as it comes."""
    # Not a context manager: the response streams the file and closes it.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "in_memory": False})
        bold = workbook.add_format({"bold": True})
        for section in parts:
            _write_sheet(workbook.add_worksheet(section.title), section, bold)
        workbook.close()
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def _write_sheet(sheet: Worksheet, section: Section, bold: Format) -> None:
    sheet.set_column(0, len(section.header) - 1, COLUMN_WIDTH)
    sheet.freeze_panes(1, 0)
    for column, title in enumerate(section.header):
        sheet.write_string(0, column, neutralise(title), bold)
    for row, cells in enumerate(section.rows, start=1):
        for column, value in enumerate(cells):
            _write(sheet, row, column, value)


def _write(sheet: Worksheet, row: int, column: int, value: Value) -> None:
    # Numbers stay numbers so HR can compute with them (a number is never a formula);
    # everything else is written as neutralised text, never parsed.
    if isinstance(value, int | float):
        sheet.write_number(row, column, value)
    else:
        sheet.write_string(row, column, neutralise(value))


def file_content(export: Export, export_format: str) -> bytes:
    """The whole file at once, for a background job to keep (``ExportFile``)."""
    if export_format == "csv":
        return b"".join(csv_zip(sections(export), export.made_on))
    with xlsx_file(sections(export)) as handle:
        return handle.read()


def file_name(wave_ids: Sequence[int], export_format: str) -> str:
    return f"survey-figures-wave-{'-'.join(map(str, wave_ids))}.{EXTENSIONS[export_format]}"
