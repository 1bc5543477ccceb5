"""What the culture dashboard shows, assembled from suppressed figures only.

Every survey number on the page comes from the published releases (``dashboard.wave_figures``);
this module only arranges them into the heatmap, trends, side-by-side and tables, and their
charts. A manager's page shows the organisation's figures of their departments and the
figures of their whole scope that the ledger released with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from intrapreneur.core.charts import embeddable
from intrapreneur.core.dates import number_text, percent_text
from intrapreneur.core.i18n import language_name_on_page, page_locale
from intrapreneur.culture import aggregates, behaviour, charts, dashboard, services
from intrapreneur.culture import queries as survey_queries
from intrapreneur.culture.anonymity import Cell, Rules, hidden_label, scope_hidden_label, suppress
from intrapreneur.culture.figures import (
    GROUP_NAMES,
    NONE,
    PLACE_DIMENSIONS,
    Figure,
    department_names,
    no_responses,
    place_names,
)
from intrapreneur.culture.instruments import Instrument
from intrapreneur.culture.ledger.people import scope_key
from intrapreneur.culture.models import SurveyGroup, SurveyWave, wave_cohort
from intrapreneur.culture.places import by_place, hidden_cells_text
from intrapreneur.culture.published import StoredFigures
from intrapreneur.extensions import db
from intrapreneur.learning.models import Cohort


@dataclass(frozen=True)
class Choice:
    """What the reader asked for in the query string (already checked)."""

    wave_id: int | None = None
    cohort_id: int | None = None
    group: SurveyGroup | None = None
    dimension: str | None = None


@dataclass(frozen=True)
class Row:
    """A table row: a label and one cell per column, each a number or the hidden text."""

    label: str
    cells: list[str]


@dataclass(frozen=True)
class PlaceTable:
    """Scores by business unit, country or location, and how many of its cells are hidden
    (each further way of splitting the answers gives more figures to subtract, so more
    suppression: the page says how much)."""

    dimension: str  # business_unit, country or location
    heading: str
    caption: str
    columns: list[str]
    rows: list[Row]
    hidden_cells: int
    cells: int

    @property
    def hidden_text(self) -> str:
        return hidden_cells_text(self.hidden_cells, self.cells)


PLACE_HEADINGS = {
    "business_unit": _l("Scores by business unit"),
    "country": _l("Scores by country"),
    "location": _l("Scores by location"),
}
PLACE_CAPTIONS = {
    "business_unit": _l("Mean score per dimension and business unit in %(wave)s"),
    "country": _l("Mean score per dimension and country in %(wave)s"),
    "location": _l("Mean score per dimension and location in %(wave)s"),
}


@dataclass(frozen=True)
class Waiting:
    """An opened wave whose figures are not shown yet, with how many answered so far."""

    wave: SurveyWave
    rates: dict[SurveyGroup, survey_queries.Rate]
    closed: bool
    publishing: bool  # closed after every earlier wave: the job is publishing its figures


@dataclass(frozen=True)
class RateRow:
    """A group's response rate as printed: who was asked, and who answered where shown."""

    group: str
    invited: int
    answered: str
    share: str


@dataclass(frozen=True)
class Reader:
    """Whose page it is: the whole organisation (HR) or a manager's departments."""

    k: int
    departments: set[str] | None = None  # None: the whole organisation

    @property
    def hidden_text(self) -> str:
        return hidden_label(self.k) if self.departments is None else scope_hidden_label(self.k)

    def view(self, figures: StoredFigures, **coordinates: str) -> Figure:
        """The figure of everyone the reader sees, narrowed by cohort and group."""
        if self.departments is None:
            return figures.get(**coordinates)
        if not self.departments:
            return no_responses(coordinates)
        stored = figures.scoped(scope_key(self.departments), **coordinates)
        if stored is not None:
            return stored
        parts = figures.across("department", **coordinates)
        chosen = [parts[d] for d in sorted(self.departments) if d in parts]
        return summed(chosen, coordinates, self.hidden_text)


def summed(parts: list[Figure], coordinates: dict[str, str], hidden_text: str) -> Figure:
    """A manager's scope that the publication does not hold (the organisation changed since),
    worked out from its departments' published figures: shown only where every part is, so
    it adds nothing to what is already released."""
    if any(part.hidden for part in parts):
        return Figure(coordinates, None, {}, {}, True, hidden_text)
    respondents = sum(part.respondents or 0 for part in parts)
    if not respondents:
        return no_responses(coordinates)
    dimensions = {d for part in parts for d in (*part.answers, *part.hidden_dimensions)}
    hidden = frozenset(d for d in dimensions if any(part.is_hidden(d) for part in parts))
    answers = {d: sum(part.answers.get(d, 0) for part in parts) for d in dimensions - hidden}
    means = {
        d: sum(part.means[d] * part.answers[d] for part in parts if part.answers.get(d)) / n
        for d, n in answers.items()
        if n
    }
    return Figure(coordinates, respondents, means, answers, False, None, hidden)


@dataclass
class Page:
    waves: list[SurveyWave]
    wave: SurveyWave | None = None
    instrument: Instrument | None = None
    dimension: str | None = None
    cohorts: list[Cohort] = field(default_factory=list)
    rules: Rules = field(default_factory=Rules)
    heat_rows: list[Row] = field(default_factory=list)
    heat_columns: list[str] = field(default_factory=list)
    trend_rows: list[Row] = field(default_factory=list)
    side_rows: list[Row] = field(default_factory=list)
    distribution_rows: list[Row] = field(default_factory=list)
    alpha_rows: list[Row] = field(default_factory=list)
    language_rows: list[Row] = field(default_factory=list)
    rates: list[RateRow] = field(default_factory=list)
    distribution_hidden: bool = False
    nothing_shown: bool = False  # the reader's whole view of the wave is hidden
    waiting: list[Waiting] = field(default_factory=list)  # opened, figures not shown yet
    comments: dict[str, list[str]] = field(default_factory=dict)  # department name -> texts
    figures: dict[str, Markup] = field(default_factory=dict)
    places: list[PlaceTable] = field(default_factory=list)


def build(choice: Choice, rules: Rules, today: date, departments: set[str] | None) -> Page:
    opened = survey_queries.opened_waves(today)
    series = survey_queries.closed_prefix(opened, today)
    all_figures = dashboard.wave_figures(series, rules)
    reader = Reader(rules.k, departments)
    waves = [figures.wave for figures in all_figures]
    page = Page(waves=waves, rules=rules)
    page.waiting = _waiting(opened[len(waves) :], series, today)
    if not waves:
        return page
    index = next((i for i, w in enumerate(waves) if w.id == choice.wave_id), len(waves) - 1)
    page.wave = waves[index]
    instrument = services.instruments().get(page.wave.instrument_key)
    if instrument is None:
        return page
    page.instrument = instrument.in_language(page_locale())  # its dimensions' names
    names = {d.id: d.name for d in page.instrument.dimensions}
    page.dimension = choice.dimension if choice.dimension in names else next(iter(names))
    page.cohorts = _cohorts_of(page.wave.id)
    chosen = all_figures[index]
    page.nothing_shown = reader.view(chosen).hidden
    _heatmap(page, chosen, _coordinates(choice), names, departments)
    # Places are figures of the whole organisation, split by group but not by cohort.
    if departments is None and choice.cohort_id is None:
        page.places = [_place_table(page, chosen, place, _coordinates(choice), names)
                       for place in PLACE_DIMENSIONS]  # fmt: skip
    _trend(page, all_figures, choice, names, reader)
    _side_by_side(page, chosen, choice, names, reader)
    if departments is None:  # bands are not split by department: whole organisation only
        _distribution(page, chosen, names[page.dimension])
        page.language_rows = language_mix(chosen, rules)
    _alphas(page, chosen, rules)
    allowed = chosen.comment_departments()
    _comments(page, allowed if departments is None else allowed & departments)
    page.rates = _rates(chosen)
    return page


def _rates(figures: StoredFigures) -> list[RateRow]:
    """Who was asked (invitations), and who answered as the release shows it."""
    invited = survey_queries.response_rates([figures.wave.id])[figures.wave.id]
    rows = []
    for group, rate in invited.items():
        answered = figures.get(group=str(group))
        if answered.hidden:
            rows.append(RateRow(str(GROUP_NAMES[group]), rate.invited, answered.label or "", ""))
            continue
        count = answered.respondents or 0
        share = percent_text(count / rate.invited) if rate.invited else ""
        rows.append(RateRow(str(GROUP_NAMES[group]), rate.invited, str(count), share))
    return rows


def _waiting(waves: list[SurveyWave], series: list[SurveyWave], today: date) -> list[Waiting]:
    rates = survey_queries.response_rates([wave.id for wave in waves])
    return [Waiting(wave, rates[wave.id], wave.has_closed(today), wave in series) for wave in waves]


def _comments(page: Page, allowed: set[str]) -> None:
    """Comments of the departments large enough for them (``Rules.comment_k``)."""
    ids = sorted(int(d) for d in allowed if d != NONE)
    names = department_names({str(d) for d in ids})
    page.comments = {
        names[str(d)]: texts
        for d, texts in aggregates.comments(page.wave.id, ids).items()  # type: ignore[union-attr]
        if texts
    }


def _coordinates(choice: Choice) -> dict[str, str]:
    chosen = {}
    if choice.cohort_id is not None:
        chosen["cohort"] = str(choice.cohort_id)
    if choice.group is not None:
        chosen["group"] = str(choice.group)
    return chosen


def _shown(figure: Figure, dimension: str) -> float | None:
    return None if figure.is_hidden(dimension) else figure.means.get(dimension)


def _text(figure: Figure, dimension: str, hidden_text: str) -> str:
    """The mean and, in brackets, the answers it rests on; or why there is none."""
    if figure.hidden or figure.label:
        return figure.label or ""
    if figure.is_hidden(dimension):
        return hidden_text
    mean = figure.means.get(dimension)
    return "—" if mean is None else f"{number_text(mean, 2)} ({figure.answers[dimension]})"


def _heatmap(
    page: Page,
    chosen: StoredFigures,
    coords: dict[str, str],
    names: dict[str, str],
    departments: set[str] | None,
) -> None:
    row = chosen.across("department", **coords)
    if departments is not None:
        row = {d: figure for d, figure in row.items() if d in departments}
    named = department_names(set(row))
    # By name, "No department" last.
    ids = sorted(named, key=lambda d: (d == NONE, named[d].casefold()))
    page.heat_columns = [named[d] for d in ids]
    figures = [row[d] for d in ids]
    hidden_text = hidden_label(page.rules.k)
    page.heat_rows = [
        Row(name, [_text(f, dimension, hidden_text) for f in figures])
        for dimension, name in names.items()
    ]
    page.heat_rows.append(
        Row(_("Respondents"), [f.label if f.hidden else str(f.respondents) for f in figures])
    )
    means = [[_shown(f, dimension) for f in figures] for dimension in names]
    scale = (page.instrument.scale_min, page.instrument.scale_max)  # type: ignore[union-attr]
    page.figures["heatmap"] = embeddable(
        charts.heatmap(list(names.values()), page.heat_columns, means, scale)
    )


def _place_table(
    page: Page, chosen: StoredFigures, place: str, coords: dict[str, str], names: dict[str, str]
) -> PlaceTable:
    row = chosen.across(place, **coords)
    named = place_names(place, set(row))
    values = sorted(named, key=lambda v: (v == NONE, named[v].casefold()))
    figures = [row[v] for v in values]
    hidden_text = hidden_label(page.rules.k)
    rows = [
        Row(name, [_text(f, dimension, hidden_text) for f in figures])
        for dimension, name in names.items()
    ]
    rows.append(
        Row(_("Respondents"), [f.label if f.hidden else str(f.respondents) for f in figures])
    )
    hidden = sum(f.hidden for f in figures) * (len(names) + 1) + sum(
        f.is_hidden(dimension) for f in figures if not f.hidden for dimension in names
    )
    return PlaceTable(
        place,
        str(PLACE_HEADINGS[place]),
        str(PLACE_CAPTIONS[place] % {"wave": page.wave.title}),  # type: ignore[union-attr]
        [named[v] for v in values],
        rows,
        hidden,
        len(figures) * (len(names) + 1),
    )


PARTICIPANT_CAPTIONS = {
    "business_unit": _l("Participants by business unit"),
    "country": _l("Participants by country"),
    "location": _l("Participants by location"),
}


@dataclass(frozen=True)
class ParticipantCounts:
    """Accepted participants per value of one place dimension, as they may be shown."""

    caption: str
    rows: list[Row]
    hidden_cells: int

    @property
    def hidden_text(self) -> str:
        return hidden_cells_text(self.hidden_cells, len(self.rows))


def participants_by_place(rules: Rules) -> list[ParticipantCounts]:
    """The participants per business unit, country and location, through the anonymity
    rules (``places.by_place``)."""
    tables = by_place(behaviour.participants_by_place(), rules)
    return [
        ParticipantCounts(
            str(PARTICIPANT_CAPTIONS[dimension]),
            [Row(f.name, [f.label or "" if f.hidden else str(f.people)]) for f in figures],
            sum(f.hidden for f in figures),
        )
        for dimension, figures in tables.items()
    ]


def _trend(
    page: Page, waves: list[StoredFigures], choice: Choice, names: dict[str, str], reader: Reader
) -> None:
    dimension = page.dimension or ""
    cohort = {"cohort": str(choice.cohort_id)} if choice.cohort_id else {}
    series: dict[str, list[float | None]] = {}
    for group, name in GROUP_NAMES.items():
        label = str(name)
        # The comparison group belongs to no cohort: the cohort filter narrows participants.
        extra = cohort if group is SurveyGroup.PARTICIPANT else {}
        figures = [reader.view(w, group=str(group), **extra) for w in waves]
        series[label] = [_shown(f, dimension) for f in figures]
        cells = [_text(f, dimension, reader.hidden_text) for f in figures]
        page.trend_rows.append(Row(label, cells))
    titles = [w.wave.title for w in waves]
    scale = (page.instrument.scale_min, page.instrument.scale_max)  # type: ignore[union-attr]
    page.figures["trend"] = embeddable(charts.trend(titles, series, names[dimension], scale))


def _side_by_side(
    page: Page, chosen: StoredFigures, choice: Choice, names: dict[str, str], reader: Reader
) -> None:
    cohort = {"cohort": str(choice.cohort_id)} if choice.cohort_id else {}
    series: dict[str, list[float | None]] = {}
    for group, name in GROUP_NAMES.items():
        label = str(name)
        extra = cohort if group is SurveyGroup.PARTICIPANT else {}
        figure = reader.view(chosen, group=str(group), **extra)
        series[label] = [_shown(figure, dimension) for dimension in names]
        cells = [_text(figure, dimension, reader.hidden_text) for dimension in names]
        page.side_rows.append(Row(label, cells))
    scale = (page.instrument.scale_min, page.instrument.scale_max)  # type: ignore[union-attr]
    page.figures["side"] = embeddable(
        charts.groups_side_by_side(list(names.values()), series, scale)
    )


def _distribution(page: Page, chosen: StoredFigures, dimension_name: str) -> None:
    """Respondents per band, adjacent half-point bands merged until each holds k people."""
    bands = chosen.distribution(page.dimension or "")
    if bands is None:
        page.distribution_hidden = True
        return
    labels = [_band_label(band.low, band.high) for band in bands]
    page.distribution_rows = [
        Row(label, [str(band.respondents)]) for label, band in zip(labels, bands, strict=True)
    ]
    page.figures["distribution"] = embeddable(
        charts.distribution(labels, [band.respondents for band in bands], dimension_name)
    )


def language_mix(chosen: StoredFigures, rules: Rules) -> list[Row]:
    """How many answered in each language, whole organisation only, through the anonymity
    engine: the languages and their total are one table, so a language answered by fewer
    than k is hidden, and so is the next smallest, lest the total give it away. The total
    is the wave's published respondents: where the release hides those, every language is
    hidden too."""
    counts = survey_queries.response_languages(chosen.wave.id)
    hidden_text = hidden_label(rules.k)
    if chosen.get().hidden:
        return [Row(language_name_on_page(language), [hidden_text]) for language in sorted(counts)]
    cells = [Cell({}, sum(counts.values()))]
    cells += [Cell({"language": language}, count) for language, count in sorted(counts.items())]
    return [
        Row(language_name_on_page(shown.group["language"]), [shown.reason or str(shown.count)])
        for shown in suppress(cells, rules)[1:]
    ]


def _band_label(low: float, high: float) -> str:
    if low == high:
        return number_text(low, 1)
    return f"{number_text(low, 1)}–{number_text(high, 1)}"


def _alphas(page: Page, chosen: StoredFigures, rules: Rules) -> None:
    """Cronbach's alpha per dimension over the whole wave, shown only with at least k
    complete respondents and where the wave's mean of the dimension is released. How many
    were complete is not printed: a count of people over a set the release does not
    decide could be differenced against the released counts."""
    instrument = page.instrument
    assert instrument is not None
    alphas = chosen.alphas(instrument)
    everyone = chosen.get()
    for dimension in instrument.dimensions:
        alpha = alphas.get(dimension.id)
        if alpha is None or alpha.respondents < rules.k or everyone.is_hidden(dimension.id):
            cells = [
                _(
                    "hidden: fewer than %(k)s complete responses, here or by subtraction",
                    k=rules.k,
                )
            ]
        else:
            cells = ["—" if alpha.alpha is None else number_text(alpha.alpha, 2)]
        page.alpha_rows.append(Row(dimension.name, cells))


def _cohorts_of(wave_id: int) -> list[Cohort]:
    return list(
        db.session.scalars(
            select(Cohort)
            .join(wave_cohort, wave_cohort.c.cohort_id == Cohort.id)
            .where(wave_cohort.c.wave_id == wave_id)
            .order_by(Cohort.starts_on)
        )
    )
