"""Read everything every audience can read, through the real routes, and name the people
behind each figure.

The attacker's reading list (the product's "reader of everything"):

* HR's dashboard ``/culture/`` with every combination of its filters (wave, cohort, group,
  dimension): the heatmap with its respondents row, the tables by business unit, country and
  location, participants against the comparison group,
  the trend over waves, the distribution, Cronbach's alpha and the response rates;
* each manager's dashboard, with the same filters (their figures cover their departments);
* ``/api/v1/culture/scores?wave=…`` for every wave, with a real API token;
* the CSV export ``/culture/export.csv.zip`` (one CSV file per table) for every wave,
  unfiltered and with each cohort and group filter;
* the impact estimate ``/culture/impact`` for every dimension, pair of waves and cohort.

Pages are parsed with ``html.parser`` by table captions and headers. A table, section or row
this module does not know makes it fail rather than skip figures: the attacker must not miss
what a new version of a page prints. Formats accepted: a mean alone ("3.42") or with its number
of answers ("3.42 (12)"); a hidden cell is any text starting with "hidden"; bands given as a
point or a range; the API's and the CSV's answer counts when present.

What a figure is about comes from the page (its selected filters, captions, headers and row
labels) and the people behind it from the organisation's ground truth (``organisations``): the
attacker knows the organisation, never the engine.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from itertools import combinations, product, zip_longest
from urllib.parse import urlencode

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from intrapreneur.extensions import db
from intrapreneur.identity import api_tokens
from intrapreneur.identity.models import ApiScope
from tests.conftest import sign_in_as
from tests.culture.attack.algebra import Fact
from tests.culture.attack.organisations import (
    COMPARISON,
    NO_COHORT,
    NO_DEPARTMENT,
    PARTICIPANT,
    PROGRAMME,
    Organisation,
    Selection,
    Written,
    dimensions,
    instrument,
)

RESPONDENTS = "respondents"
GROUP_LABELS = {"Participants": PARTICIPANT, "Comparison group": COMPARISON}
EVERYONE = "All"  # a margin in the CSV
# Survey-free tables of HR's page: behaviour recorded in the product, not answers.
NOT_SURVEY_TABLES = (
    "Behaviour recorded in the product",
    "Experiments started and decided",
    "Participants by",
)
PLACE_COLUMNS = {"Business unit": "business_unit", "Country": "country", "Location": "location"}
PLACE_CAPTIONS = {
    f"Mean score per dimension and {name.lower()}": d for name, d in PLACE_COLUMNS.items()
}
SCORE_COLUMNS = {
    "Wave",
    "Department",
    "Cohort",
    "Group",
    "Dimension",
    "Respondents",
    *PLACE_COLUMNS,
}
SCORE_COLUMNS |= {"Answers", "Mean score"}
FIGURE_FIELDS = {"group", "respondents", "means", "answers", "hidden_dimensions", "hidden", "label"}
RATE = re.compile(
    r"(?P<group>participants|comparison group):? (?P<answered>.+?) of \d+( invited)?( \(.*\))?",
    re.IGNORECASE,
)


def score(dimension: str) -> str:
    return f"score:{dimension}"


def answers(dimension: str) -> str:
    return f"answers:{dimension}"


def band(dimension: str) -> str:
    return f"band:{dimension}"


@dataclass(frozen=True)
class Reading:
    """One figure as an audience read it: ``value`` None when the figure is hidden."""

    audience: str
    place: str
    selection: Selection
    measure: str  # score:<dimension>, answers:<dimension>, band:<dimension> or respondents
    value: float | None

    @property
    def hidden(self) -> bool:
        return self.value is None


def facts(readings: list[Reading], organisation: Organisation) -> list[Fact]:
    """The shown figures as the attacker's facts: family and exact people behind each."""
    found = []
    for reading in readings:
        if reading.hidden:
            continue
        _, _, dimension = reading.measure.partition(":")
        people = organisation.selected(reading.selection, dimension or None)
        where = f"{reading.audience}: {reading.place}"
        found.append(
            Fact(
                reading.measure,
                people,
                f"{where} ({reading.selection.describe(organisation.waves)})",
            )
        )
    return found


def everything(client: FlaskClient, organisation: Organisation, written: Written) -> list[Reading]:
    readings: list[Reading] = []
    sign_in_as(client, written.hr)
    readings += dashboards(client, organisation, "HR", scope=None)
    readings += csv_exports(client, organisation, written)
    readings += impact_pages(client, organisation, written)
    for manager in organisation.managers:
        sign_in_as(client, written.managers[manager])
        readings += dashboards(
            client, organisation, f"manager {manager}", scope=organisation.scope(manager)
        )
    readings += api(client, organisation, written)
    return readings


# -- HTML ----------------------------------------------------------------------------------


@dataclass
class Table:
    caption: str = ""
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Option:
    value: str
    text: str
    selected: bool


class Page(HTMLParser):
    """A page's tables (caption and rows of cell texts, header row first), its selects'
    options and its paragraphs' texts."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self.selects: dict[str, list[Option]] = {}
        self.paragraphs: list[str] = []
        self._text: list[str] | None = None  # the text being collected
        self._select: str | None = None
        self._option: dict[str, str | None] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self.tables.append(Table())
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append([])
        elif tag in ("td", "th", "caption", "p", "option"):
            self._text = []
        if tag == "select":
            self._select = attributes.get("id") or attributes.get("name") or ""
            self.selects[self._select] = []
        elif tag == "option":
            self._option = attributes

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self._text or []).split())
        if tag in ("td", "th") and self.tables and self.tables[-1].rows:
            self.tables[-1].rows[-1].append(text)
        elif tag == "caption" and self.tables:
            self.tables[-1].caption = text
        elif tag == "p":
            self.paragraphs.append(text)
        elif tag == "option" and self._select is not None and self._option is not None:
            value = self._option.get("value")
            selected = "selected" in self._option
            self.selects[self._select].append(Option(value or "", text, selected))
            self._option = None
        elif tag == "select":
            self._select = None
        if tag in ("td", "th", "caption", "p", "option"):
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def chosen(self, select: str) -> Option | None:
        options = self.selects.get(select, [])
        return next((o for o in options if o.selected), options[0] if options else None)


@dataclass(frozen=True)
class Cell:
    """A printed figure: hidden, or a number with perhaps its number of answers."""

    hidden: bool
    value: float | None = None
    count: int | None = None


NUMBER = re.compile(r"(?P<value>-?\d+(?:\.\d+)?)(?:\s*\((?P<count>\d+)\))?")
NOTHING = ("", "—", "no responses", "no answers")  # describes nobody: no figure


def cell(text: str) -> Cell | None:
    """A cell's figure, or None when it prints none (no responses, no answers)."""
    text = text.strip()
    if text.lower().startswith("hidden") or text.lower().startswith("fewer than"):
        return Cell(hidden=True)
    if text in NOTHING:
        return None
    match = NUMBER.fullmatch(text)
    assert match, f"a figure the attacker cannot read: {text!r}"
    count = match.group("count")
    return Cell(False, float(match.group("value")), None if count is None else int(count))


# -- dashboards ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """A dashboard page's filters as the page itself says it applied them."""

    url: str
    wave: int
    cohort: str | None
    group: str | None
    dimension: str


def dashboards(
    client: FlaskClient, organisation: Organisation, audience: str, scope: frozenset[str] | None
) -> list[Reading]:
    """The dashboard under its filters (``filter_choices``)."""
    first = Page(_get(client, "/culture/"))
    waves = [o.value for o in first.selects.get("wave", [])]
    titles = [o.text for o in first.selects.get("wave", [])]
    assert titles == list(organisation.waves), f"{audience} sees waves {titles}"
    cohorts = ["", *(o.value for o in first.selects.get("cohort", []) if o.value)]
    readings = []
    for wave, cohort, group, dimension in filter_choices(waves, cohorts, list(dimensions())):
        query = {"wave": wave, "cohort": cohort, "group": group, "dimension": dimension}
        url = "/culture/?" + urlencode({k: v for k, v in query.items() if v})
        readings += dashboard_page(Page(_get(client, url)), url, organisation, audience, scope)
    return readings


def filter_choices(
    waves: list[str], cohorts: list[str], dimensions: list[str]
) -> list[tuple[str, str, str, str]]:
    """Every combination of wave, cohort and group, with the dimension filter turning; then
    more pages until every dimension was read with every wave and every cohort choice.

    The dimension filter only chooses which dimension the trend (over every wave, for the
    chosen cohort) and the distribution (of the chosen wave) print; the heatmap and the
    side-by-side print every dimension. Reading the whole product costs six times as many
    pages (about 100 ms each): set ATTACK_EVERY_FILTER=1 to read it all the same."""
    groups = ["", PARTICIPANT, COMPARISON]
    if os.environ.get("ATTACK_EVERY_FILTER"):
        return list(product(waves, cohorts, groups, dimensions))
    pages = [
        (wave, cohort, group, dimensions[number % len(dimensions)])
        for number, (wave, cohort, group) in enumerate(product(waves, cohorts, groups))
    ]
    for dimension in dimensions:
        waves_left = [w for w in waves if not any(p[0] == w and p[3] == dimension for p in pages)]
        cohorts_left = [
            c for c in cohorts if not any(p[1] == c and p[3] == dimension for p in pages)
        ]
        for wave, cohort in zip_longest(waves_left, cohorts_left):
            pages.append((wave or waves[-1], cohort or "", "", dimension))
    return pages


def dashboard_page(
    page: Page, url: str, organisation: Organisation, audience: str, scope: frozenset[str] | None
) -> list[Reading]:
    filters = _filters(page, url, organisation)
    names = _dimension_ids(page)
    read = Reader(audience, filters, organisation, scope)
    readings = list(read.rates(page.paragraphs))
    for table in page.tables:
        caption = table.caption
        place = next((d for start, d in PLACE_CAPTIONS.items() if caption.startswith(start)), None)
        if caption.startswith("Mean score per dimension and department"):
            readings += read.heatmap(table, names)
        elif place is not None:
            readings += read.places(table, names, place)
        elif caption.startswith("Mean score per dimension and group"):
            readings += read.side_by_side(table, names)
        elif caption.startswith("Mean score per wave"):
            readings += read.trend(table)
        elif caption.startswith("Respondents per") and "band" in caption:
            readings += read.distribution(table)
        elif caption.startswith("Cronbach's alpha"):
            readings += read.alphas(table, names)
        elif caption.startswith("Respondents per language"):
            readings += read.languages(table)
        else:
            assert caption.startswith(NOT_SURVEY_TABLES), f"an unknown table: {caption!r}"
    return readings


def _filters(page: Page, url: str, organisation: Organisation) -> Filters:
    wave, cohort, group, dimension = (
        page.chosen(s) for s in ("wave", "cohort", "group", "dimension")
    )
    assert wave and dimension, f"{url} shows no filters"
    return Filters(
        url=url,
        wave=organisation.waves.index(wave.text),
        cohort=cohort.text if cohort and cohort.value else None,
        group=group.value if group and group.value else None,
        dimension=dimension.value,
    )


def _dimension_ids(page: Page) -> dict[str, str]:
    return {o.text: o.value for o in page.selects["dimension"]}


@dataclass(frozen=True)
class Reader:
    """Turns one dashboard page's tables into readings."""

    audience: str
    filters: Filters
    organisation: Organisation
    scope: frozenset[str] | None  # a manager's departments; None for the whole organisation

    def reading(
        self, place: str, selection: Selection, measure: str, value: float | None
    ) -> Reading:
        return Reading(self.audience, f"{self.filters.url} {place}", selection, measure, value)

    def figures(
        self, place: str, selection: Selection, dimension: str | None, text: str
    ) -> Iterator[Reading]:
        """A mean cell (with its answers, if printed) or a respondents cell."""
        printed = cell(text)
        if printed is None:
            return
        if dimension is None:
            yield self.reading(place, selection, RESPONDENTS, printed.value)
            return
        yield self.reading(place, selection, score(dimension), printed.value)
        if printed.hidden or printed.count is not None:
            yield self.reading(place, selection, answers(dimension), printed.count)

    def heatmap(self, table: Table, names: dict[str, str]) -> Iterator[Reading]:
        header, *rows = table.rows
        for column, department in enumerate(header[1:], start=1):
            assert department in (*self.organisation.departments, NO_DEPARTMENT), department
            assert self.scope is None or department in self.scope, f"{department} not in scope"
            selection = Selection(
                self.filters.wave,
                frozenset({department}),
                self.filters.cohort,
                self.filters.group,
            )
            for row in rows:
                dimension = None if row[0] == "Respondents" else names[row[0]]
                place = f"heatmap {row[0]} × {department}"
                yield from self.figures(place, selection, dimension, row[column])

    def places(self, table: Table, names: dict[str, str], dimension: str) -> Iterator[Reading]:
        """Scores by business unit, country or location: the whole organisation's, narrowed
        by the group filter (the page shows them only without a cohort filter)."""
        assert self.scope is None and self.filters.cohort is None, "places shown narrowed"
        header, *rows = table.rows
        for column, name in enumerate(header[1:], start=1):
            selection = Selection(
                self.filters.wave, group=self.filters.group, place=(dimension, name)
            )
            for row in rows:
                measure = None if row[0] == "Respondents" else names[row[0]]
                yield from self.figures(f"{dimension} {row[0]} × {name}", selection, measure,
                                        row[column])  # fmt: skip

    def side_by_side(self, table: Table, names: dict[str, str]) -> Iterator[Reading]:
        header, *rows = table.rows
        for row in rows:
            selection = self.group_row(row[0], self.filters.wave)
            for column, name in enumerate(header[1:], start=1):
                place = f"side-by-side {row[0]} × {name}"
                yield from self.figures(place, selection, names[name], row[column])

    def trend(self, table: Table) -> Iterator[Reading]:
        header, *rows = table.rows
        for row in rows:
            for column, title in enumerate(header[1:], start=1):
                selection = self.group_row(row[0], self.organisation.waves.index(title))
                place = f"trend {row[0]} × {title}"
                yield from self.figures(place, selection, self.filters.dimension, row[column])

    def group_row(self, label: str, wave: int) -> Selection:
        """Participants (of the chosen cohort) or the comparison group, over the audience's
        departments: the cohort filter narrows participants only."""
        group = GROUP_LABELS[label]
        cohort = self.filters.cohort if group == PARTICIPANT else None
        return Selection(wave, self.scope, cohort, group)

    def distribution(self, table: Table) -> Iterator[Reading]:
        """Bands of the whole wave's scores on the chosen dimension (the attacker's model:
        a band table with any band shown releases a sum over everyone who answered)."""
        assert self.scope is None, "a manager's page shows no distribution"
        _, *rows = table.rows
        for label, text in rows:
            printed = cell(text)
            if printed is not None:
                selection = Selection(self.filters.wave)
                yield self.reading(
                    f"band {label}", selection, band(self.filters.dimension), printed.value
                )

    def languages(self, table: Table) -> Iterator[Reading]:
        """Respondents per language answered in, over the whole wave. Everyone here answers
        in English (the test client asks for no other language), so a shown count is
        everyone who answered the wave."""
        assert self.scope is None, "a manager's page shows no language mix"
        _, *rows = table.rows
        for label, text in rows:
            assert label == "English", f"a language nobody here answers in: {label!r}"
            printed = cell(text)
            if printed is not None:
                selection = Selection(self.filters.wave)
                yield self.reading(f"language {label}", selection, RESPONDENTS, printed.value)

    def alphas(self, table: Table, names: dict[str, str]) -> Iterator[Reading]:
        """Complete respondents per dimension over the whole wave, where printed: a count
        of answers. (Alpha itself is not a sum and is not attacked.)"""
        header, *rows = table.rows
        if "Complete respondents" not in header:
            return
        for name, _alpha, complete, *_ in rows:
            printed = cell(complete)
            if printed is not None and not printed.hidden:
                selection = Selection(self.filters.wave)
                yield self.reading(f"alpha {name}", selection, answers(names[name]), printed.value)

    def rates(self, paragraphs: list[str]) -> Iterator[Reading]:
        """How many of each group answered the wave, over the whole organisation, as
        "participants 12 of 20 (60%)" or "Participants: 12 of 20 invited (60%)"."""
        for text in paragraphs:
            if text.startswith("Response rates in"):
                for part in text.partition(":")[2].split(";"):
                    yield from self.rate(part.strip().rstrip("."))

    def rate(self, text: str) -> Iterator[Reading]:
        match = RATE.fullmatch(text)
        if match is None:
            assert text == "nobody was invited", f"a response rate not understood: {text!r}"
            return
        label = match.group("group").lower()
        printed = cell(match.group("answered"))
        if printed is not None:
            group = PARTICIPANT if label == "participants" else COMPARISON
            selection = Selection(self.filters.wave, group=group)
            yield self.reading(f"response rate of {label}", selection, RESPONDENTS, printed.value)


# -- the CSV export ------------------------------------------------------------------------


def csv_exports(client: FlaskClient, organisation: Organisation, written: Written) -> list[Reading]:
    """Every wave, unfiltered and with every cohort and group filter."""
    readings = []
    cohorts = ["", *map(str, written.cohort_ids.values()), "none"]
    for title, cohort, group in product(organisation.waves, cohorts, ("", PARTICIPANT, COMPARISON)):
        query = {"wave": written.wave_ids[title], "cohort": cohort, "group": group}
        url = "/culture/export.csv.zip?" + urlencode({k: v for k, v in query.items() if v})
        readings += csv_export(_answered(client, url).get_data(), url, organisation)
    return readings


def csv_export(content: bytes, url: str, organisation: Organisation) -> list[Reading]:
    readings = []
    for name, header, rows in _tables(content):
        records = [dict(zip(header, row, strict=True)) for row in rows]
        if name == "scores.csv":
            assert set(header) <= SCORE_COLUMNS, f"unknown columns: {set(header) - SCORE_COLUMNS}"
            readings += _scores(records, url, organisation)
        elif name == "response-rates.csv":
            readings += _rates(records, url, organisation)
        else:
            assert name in ("instrument.csv", "rules.csv"), f"an unknown table: {name!r}"
    return readings


def _tables(content: bytes) -> Iterator[tuple[str, list[str], list[list[str]]]]:
    """Each CSV file of the ZIP: its name, header and rows."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8-sig")
        header, *rows = csv.reader(io.StringIO(text, newline=""))
        yield name, header, rows


def _scores(
    records: list[dict[str, str]], url: str, organisation: Organisation
) -> Iterator[Reading]:
    names = {d.name: d.id for d in instrument().dimensions}
    for record in records:
        places = [(d, record[c]) for c, d in PLACE_COLUMNS.items() if record[c] != EVERYONE]
        assert len(places) <= 1, f"a figure of two places: {places}"
        selection = Selection(
            organisation.waves.index(record["Wave"]),
            _department(record["Department"]),
            _cohort(record["Cohort"]),
            None if record["Group"] == EVERYONE else GROUP_LABELS[record["Group"]],
            places[0] if places else None,
        )
        dimension = names[record["Dimension"]]
        place = f"{url} {record['Department']}/{record['Cohort']}/{record['Group']}/{places}"
        for measure, column in (
            (RESPONDENTS, "Respondents"),
            (score(dimension), "Mean score"),
            (answers(dimension), "Answers"),
        ):
            printed = cell(record[column]) if column in record else None
            if printed is not None:
                yield Reading("CSV export", f"{place} {column}", selection, measure, printed.value)


def _rates(
    records: list[dict[str, str]], url: str, organisation: Organisation
) -> Iterator[Reading]:
    for record in records:
        printed = cell(record["Answered"])
        if printed is not None:
            selection = Selection(
                organisation.waves.index(record["Wave"]), group=GROUP_LABELS[record["Group"]]
            )
            place = f"{url} response rate of {record['Group']}"
            yield Reading("CSV export", place, selection, RESPONDENTS, printed.value)


def _department(name: str) -> frozenset[str] | None:
    return None if name == EVERYONE else frozenset({name})


def _cohort(name: str) -> str | None:
    if name == EVERYONE:
        return None
    if name == NO_COHORT:
        return NO_COHORT
    suffix = f" ({PROGRAMME})"
    assert name.endswith(suffix), name
    return name.removesuffix(suffix)


# -- the API -------------------------------------------------------------------------------


def api(client: FlaskClient, organisation: Organisation, written: Written) -> list[Reading]:
    _, token = api_tokens.create_api_client(
        name="Attacker's HRIS", scope=ApiScope.CULTURE_READ, by=written.admin, now=datetime.now(UTC)
    )
    db.session.commit()
    readings = []
    for title in organisation.waves:
        url = f"/api/v1/culture/scores?wave={written.wave_ids[title]}"
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (url, response.status_code)
        readings += api_figures(response.get_json(), url, organisation, written)
    return readings


def api_figures(
    body: dict, url: str, organisation: Organisation, written: Written
) -> Iterator[Reading]:
    wave = organisation.waves.index(body["wave"]["title"])
    departments, cohorts = written.department_names(), written.cohort_names()
    for figure in body["figures"]:
        assert figure.keys() <= FIGURE_FIELDS, f"unknown fields: {figure.keys() - FIGURE_FIELDS}"
        group = figure["group"]
        places = [(d, _place_name(d, group[d], written)) for d in PLACE_COLUMNS.values()
                  if d in group]  # fmt: skip
        assert len(places) <= 1, f"a figure of two places: {group}"
        selection = Selection(
            wave,
            frozenset({departments[group["department"]]}) if "department" in group else None,
            cohorts[group["cohort"]] if "cohort" in group else None,
            group.get("group"),
            places[0] if places else None,
        )
        place = f"{url} {group}"
        hidden = figure["hidden"]
        if hidden or figure["respondents"]:
            respondents = None if hidden else figure["respondents"]
            yield Reading("API", place, selection, RESPONDENTS, respondents)
        # A group may be shown with one dimension's mean withheld ("hidden_dimensions").
        withheld = set(figure.get("hidden_dimensions") or ())
        for dimension, mean in figure["means"].items():
            if hidden or dimension in withheld:
                yield Reading("API", place, selection, score(dimension), None)
            elif mean is not None:
                yield Reading("API", place, selection, score(dimension), mean)
        for dimension, count in (figure.get("answers") or {}).items():
            if hidden or dimension in withheld:
                yield Reading("API", place, selection, answers(dimension), None)
            elif count:
                yield Reading("API", place, selection, answers(dimension), count)


def _place_name(dimension: str, value: str, written: Written) -> str:
    """A location is its own name ("Berlin, DE"); units and countries are named."""
    return written.place_names(dimension).get(value, value)


# -- the impact estimate -------------------------------------------------------------------


def impact_pages(
    client: FlaskClient, organisation: Organisation, written: Written
) -> list[Reading]:
    """Every dimension, every earlier and later wave, every participants' choice."""
    readings = []
    cohorts = ["0", *map(str, written.cohort_ids.values())]
    pairs = combinations(organisation.waves, 2)
    for dimension, (before, after), cohort in product(dimensions(), list(pairs), cohorts):
        query = {
            "dimension": dimension,
            "before": written.wave_ids[before],
            "after": written.wave_ids[after],
            "cohort": cohort,
        }
        url = "/culture/impact?" + urlencode(query)
        readings += impact_page(Page(_get(client, url)), url, dimension, organisation)
    return readings


def impact_page(
    page: Page, url: str, dimension: str, organisation: Organisation
) -> Iterator[Reading]:
    tables = [t for t in page.tables if t.caption.startswith("Respondents and mean")]
    assert len(tables) == 1 and len(page.tables) == 1, f"{url}: {[t.caption for t in page.tables]}"
    _, *rows = tables[0].rows
    for label, title, *figures in rows:
        if label.startswith("Participants, had they changed"):
            continue  # before + comparison's change: a sum of figures read in other rows
        wave = organisation.waves.index(title)
        if label == "Comparison group":
            selection = Selection(wave, group=COMPARISON)
        else:
            cohort = label.removeprefix("Participants of ") if label != "Participants" else None
            selection = Selection(wave, cohort=cohort, group=PARTICIPANT)
        place = f"{url} {label} in {title}"
        if len(figures) == 1:
            assert cell(figures[0]) == Cell(hidden=True), figures
            yield Reading("impact page", place, selection, score(dimension), None)
            continue
        respondents, mean = (cell(text) for text in figures)
        if respondents is not None:
            yield Reading("impact page", place, selection, RESPONDENTS, respondents.value)
        if mean is not None:
            yield Reading("impact page", place, selection, score(dimension), mean.value)


def _answered(client: FlaskClient, url: str) -> TestResponse:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _get(client: FlaskClient, url: str) -> str:
    return _answered(client, url).get_data(as_text=True)
