"""What the culture dashboard shows, assembled from suppressed figures only.

Every survey number on the page comes from ``dashboard.wave_figures`` (or, for the
distribution, through the anonymity engine here); this module only arranges them
into the heatmap, trends, side-by-side and tables, and their charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup
from sqlalchemy import select

from intrapreneur.core.charts import embeddable
from intrapreneur.culture import aggregates, charts, dashboard, published, services
from intrapreneur.culture import queries as survey_queries
from intrapreneur.culture.anonymity import Rules
from intrapreneur.culture.figures import (
    GROUP_NAMES,
    NONE,
    Figure,
    WaveFigures,
    department_names,
)
from intrapreneur.culture.instruments import Instrument
from intrapreneur.culture.models import SurveyGroup, SurveyWave, wave_cohort
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
class Waiting:
    """An opened wave whose figures are not shown yet, with how many answered so far."""

    wave: SurveyWave
    rates: dict[SurveyGroup, survey_queries.Rate]
    closed: bool
    publishing: bool  # closed after every earlier wave: the job is publishing its figures


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
    rates: dict[SurveyGroup, survey_queries.Rate] = field(default_factory=dict)
    waiting: list[Waiting] = field(default_factory=list)  # opened, figures not shown yet
    comments: dict[str, list[str]] = field(default_factory=dict)  # department name -> texts
    figures: dict[str, Markup] = field(default_factory=dict)


def build(choice: Choice, rules: Rules, today: date, departments: set[str] | None) -> Page:
    opened = survey_queries.opened_waves(today)
    series = survey_queries.closed_prefix(opened, today)
    all_figures = _figures_shown(series, rules, departments)
    waves = [figures.wave for figures in all_figures]
    page = Page(waves=waves, rules=rules)
    page.waiting = _waiting(opened[len(waves) :], series, today)
    if not waves:
        return page
    index = next((i for i, w in enumerate(waves) if w.id == choice.wave_id), len(waves) - 1)
    page.wave = waves[index]
    page.instrument = services.instruments().get(page.wave.instrument_key)
    if page.instrument is None:
        return page
    names = {d.id: d.name for d in page.instrument.dimensions}
    page.dimension = choice.dimension if choice.dimension in names else next(iter(names))
    page.cohorts = _cohorts_of(page.wave.id)
    chosen = all_figures[index]
    coordinates = _coordinates(choice)
    _heatmap(page, chosen, coordinates, names)
    _trend(page, all_figures, choice, names)
    _side_by_side(page, chosen, choice, names)
    if departments is None:  # bands are not split by department: whole organisation only
        _distribution(page, chosen, names[page.dimension])
    _alphas(page, chosen, rules)
    _comments(page, chosen.comment_departments())
    page.rates = survey_queries.response_rates([page.wave.id])[page.wave.id]
    return page


def _figures_shown(
    series: list[SurveyWave], rules: Rules, departments: set[str] | None
) -> list[WaveFigures]:
    """The figures of the waves the page shows. The whole organisation's view shows the
    published waves only: a wave that has just closed is suppressed by a background job
    (seconds to minutes on a big wave) rather than on every view until then. A manager's
    view covers their departments and is computed as it is asked for."""
    if departments is None:
        return list(published.stored_series(series, rules))
    return dashboard.wave_figures(series, rules, departments)


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
    return None if figure.hidden else figure.means.get(dimension)


def _text(figure: Figure, dimension: str) -> str:
    if figure.hidden or figure.label:
        return figure.label or ""
    value = figure.means.get(dimension)
    return "—" if value is None else f"{value:.2f}"


def _heatmap(
    page: Page, chosen: WaveFigures, coords: dict[str, str], names: dict[str, str]
) -> None:
    row = chosen.across("department", **coords)
    departments = department_names(set(row))
    # By name, "No department" last.
    ids = sorted(departments, key=lambda d: (d == NONE, departments[d].casefold()))
    page.heat_columns = [departments[d] for d in ids]
    figures = [row[d] for d in ids]
    page.heat_rows = [
        Row(name, [_text(f, dimension) for f in figures]) for dimension, name in names.items()
    ]
    page.heat_rows.append(
        Row("Respondents", [f.label if f.hidden else str(f.respondents) for f in figures])
    )
    means = [[_shown(f, dimension) for f in figures] for dimension in names]
    scale = (page.instrument.scale_min, page.instrument.scale_max)  # type: ignore[union-attr]
    page.figures["heatmap"] = embeddable(
        charts.heatmap(list(names.values()), page.heat_columns, means, scale)
    )


def _trend(page: Page, waves: list[WaveFigures], choice: Choice, names: dict[str, str]) -> None:
    dimension = page.dimension or ""
    cohort = {"cohort": str(choice.cohort_id)} if choice.cohort_id else {}
    series: dict[str, list[float | None]] = {}
    for group, label in GROUP_NAMES.items():
        # The comparison group belongs to no cohort: the cohort filter narrows participants.
        extra = cohort if group is SurveyGroup.PARTICIPANT else {}
        figures = [w.get(group=str(group), **extra) for w in waves]
        series[label] = [_shown(f, dimension) for f in figures]
        page.trend_rows.append(Row(label, [_text(f, dimension) for f in figures]))
    titles = [w.wave.title for w in waves]
    scale = (page.instrument.scale_min, page.instrument.scale_max)  # type: ignore[union-attr]
    page.figures["trend"] = embeddable(charts.trend(titles, series, names[dimension], scale))


def _side_by_side(page: Page, chosen: WaveFigures, choice: Choice, names: dict[str, str]) -> None:
    cohort = {"cohort": str(choice.cohort_id)} if choice.cohort_id else {}
    series: dict[str, list[float | None]] = {}
    for group, label in GROUP_NAMES.items():
        extra = cohort if group is SurveyGroup.PARTICIPANT else {}
        figure = chosen.get(group=str(group), **extra)
        series[label] = [_shown(figure, dimension) for dimension in names]
        page.side_rows.append(Row(label, [_text(figure, dimension) for dimension in names]))
    scale = (page.instrument.scale_min, page.instrument.scale_max)  # type: ignore[union-attr]
    page.figures["side"] = embeddable(
        charts.groups_side_by_side(list(names.values()), series, scale)
    )


def _distribution(page: Page, chosen: WaveFigures, dimension_name: str) -> None:
    """Respondents per half-point band, suppressed as a table of its own."""
    bands = chosen.distribution(page.dimension or "")
    page.distribution_rows = [
        Row(f"{band.score:.1f}", [band.label or str(band.respondents)]) for band in bands
    ]
    page.figures["distribution"] = embeddable(
        charts.distribution(
            [band.score for band in bands], [band.respondents for band in bands], dimension_name
        )
    )


def _alphas(page: Page, chosen: WaveFigures, rules: Rules) -> None:
    """Cronbach's alpha per dimension, shown only with at least k complete respondents."""
    instrument = page.instrument
    assert instrument is not None
    alphas = chosen.alphas(instrument)
    for dimension in instrument.dimensions:
        alpha = alphas[dimension.id]
        if alpha.respondents < rules.k:
            cells = [f"fewer than {rules.k} complete responses", ""]
        else:
            value = "—" if alpha.alpha is None else f"{alpha.alpha:.2f}"
            cells = [value, str(alpha.respondents)]
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
