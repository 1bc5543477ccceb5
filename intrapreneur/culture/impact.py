"""The programme's impact estimate: did participants' score on one dimension change more
than the comparison group's between a wave before the programme and a wave after?

Respondents' scores are read in SQL, one query per cell of the difference-in-differences
and one for all earlier waves (the pre-trend check): only each response's pseudonym and
score leave the database, never a person id (the pseudonym lets the interval resample
people rather than answers). The statistics are ``statistics.difference_in_differences``.
What is printed is the published release, as every other survey figure: a cell is shown
only when it has k scores *and* the release (``dashboard.wave_figures``) shows that group's
mean in that wave, so the estimate page can never be subtracted from a dashboard, an export
or the API to isolate a smaller group (e.g. one cohort's participants next to all
participants).

The estimate's figure builder lives here too, not in ``culture/charts.py``, so this page and
the dashboards' charts are built, and changed, independently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from flask_babel import gettext as _
from sqlalchemy import select

from intrapreneur.core.charts import styled
from intrapreneur.core.i18n import page_locale
from intrapreneur.culture.anonymity import Rules, hidden_label
from intrapreneur.culture.dashboard import wave_figures
from intrapreneur.culture.instruments import Dimension, Instrument
from intrapreneur.culture.models import (
    SurveyGroup,
    SurveyResponse,
    SurveyScore,
    SurveyWave,
    wave_cohort,
)
from intrapreneur.culture.statistics import (
    CELL_NAMES,
    COMPARISON_AFTER,
    COMPARISON_BEFORE,
    PARTICIPANTS_AFTER,
    PARTICIPANTS_BEFORE,
    DiDEstimate,
    Scored,
    describe,
    difference_in_differences,
)
from intrapreneur.extensions import db
from intrapreneur.learning.models import Cohort

# The bootstrap is seeded so that the same data always gives the same interval.
BOOTSTRAP_SEED = 2026
P, C = SurveyGroup.PARTICIPANT, SurveyGroup.COMPARISON


class ImpactRefusal(ValueError):
    """A choice of waves and dimension that cannot be compared, with the reason in a sentence."""


@dataclass(frozen=True)
class Question:
    """What HR asks: this dimension, between these two waves, for these participants."""

    before: SurveyWave
    after: SurveyWave
    dimension: Dimension
    scale: tuple[int, int]  # the questionnaire's answer scale
    cohort: Cohort | None  # None: every participant


@dataclass(frozen=True)
class ImpactCell:
    name: str  # statistics' cell key, e.g. "participants before"
    group: SurveyGroup
    wave: SurveyWave
    respondents: int | None  # None when hidden
    mean: float | None  # None when hidden


@dataclass(frozen=True)
class Impact:
    question: Question
    result: DiDEstimate  # its cells hold exact counts: print ``cells`` instead
    cells: list[ImpactCell]  # participants before, after; comparison before, after
    sentence: str
    hidden_text: str  # what a hidden cell shows

    @property
    def counterfactual(self) -> float | None:
        """Participants' "after" mean had they changed exactly as the comparison group did."""
        before, _, comparison_before, comparison_after = (cell.mean for cell in self.cells)
        if before is None or comparison_before is None or comparison_after is None:
            return None
        return before + comparison_after - comparison_before


def cohorts_surveyed() -> list[Cohort]:
    """The cohorts whose participants some wave asked, earliest first."""
    query = select(Cohort).join(wave_cohort).distinct().order_by(Cohort.starts_on, Cohort.id)
    return list(db.session.scalars(query))


def question_for(
    waves: Sequence[SurveyWave],
    instruments: dict[str, Instrument],
    before: SurveyWave,
    after: SurveyWave,
    dimension_id: str,
    cohort: Cohort | None,
) -> Question:
    """The question, or ``ImpactRefusal`` saying why these choices cannot be compared."""
    if before.instrument_key != after.instrument_key:
        raise ImpactRefusal(
            _(
                "“%(before)s” used %(before_instrument)s and “%(after)s” used "
                "%(after_instrument)s: scores from different questionnaires cannot be "
                "compared. Choose two waves that used the same questionnaire.",
                before=before.title,
                before_instrument=before.instrument_key,
                after=after.title,
                after_instrument=after.instrument_key,
            )
        )
    if waves.index(after) <= waves.index(before):
        raise ImpactRefusal(
            _("Choose an “after” wave that opened later than “%(before)s”.", before=before.title)
        )
    instrument = instruments.get(before.instrument_key)
    if instrument is None:
        raise ImpactRefusal(
            _(
                "The questionnaire %(instrument)s is no longer installed.",
                instrument=before.instrument_key,
            )
        )
    dimension = next((d for d in instrument.dimensions if d.id == dimension_id), None)
    if dimension is None:
        raise ImpactRefusal(
            _(
                "%(instrument)s has no dimension “%(dimension)s”.",
                instrument=instrument.title,
                dimension=dimension_id,
            )
        )
    return Question(before, after, dimension, (instrument.scale_min, instrument.scale_max), cohort)


def _timing_warnings(question: Question) -> list[str]:
    """The estimate reads the cohort's effect only if the waves straddle its start."""
    cohort = question.cohort
    if cohort is None:
        return []
    warnings = []
    if question.before.closes_on > cohort.starts_on:
        warnings.append(
            _(
                "“%(wave)s” closed after %(cohort)s started, so its participants' scores may "
                "already include some of the programme's effect.",
                wave=question.before.title,
                cohort=cohort.name,
            )
        )
    if question.after.opens_on < cohort.starts_on:
        warnings.append(
            _(
                "“%(wave)s” opened before %(cohort)s started.",
                wave=question.after.title,
                cohort=cohort.name,
            )
        )
    return warnings


def estimate_impact(question: Question, waves: Sequence[SurveyWave], rules: Rules) -> Impact:
    """The estimate as it may be shown; ``waves`` are all waves, oldest first."""
    scores = {
        PARTICIPANTS_BEFORE: _cell_scores(question, question.before, P),
        PARTICIPANTS_AFTER: _cell_scores(question, question.after, P),
        COMPARISON_BEFORE: _cell_scores(question, question.before, C),
        COMPARISON_AFTER: _cell_scores(question, question.after, C),
    }
    result = difference_in_differences(
        *scores.values(),
        k=rules.k,
        seed=BOOTSTRAP_SEED,
        earlier_waves=_earlier_waves(question, waves),
    )
    cells = _published_cells(question, waves, rules, result)
    suppressed = [cell.name for cell in cells if cell.mean is None]
    if result.shown and suppressed:
        result = _withheld(result, suppressed, rules)
    if result.shown:
        result = dataclasses.replace(result, warnings=result.warnings + _timing_warnings(question))
    sentence = describe(result, _dimension_in_sentence(question.dimension.name))
    return Impact(question, result, cells, sentence, hidden_label(rules.k))


def _dimension_in_sentence(name: str) -> str:
    """A dimension's name inside a sentence: lower case in English ("the experimentation
    score"); other languages keep the name as written (German nouns are capitalised)."""
    return name.lower() if page_locale() == "en" else name


def _participant_filter(question: Question, group: SurveyGroup) -> list[object]:
    # A cohort narrows the participants only; the comparison group stays the wave's whole
    # (comparison respondents belong to no cohort, and matching is per department).
    if group is P and question.cohort is not None:
        return [SurveyScore.cohort_id == question.cohort.id]
    return []


def _cell_scores(question: Question, wave: SurveyWave, group: SurveyGroup) -> list[Scored]:
    """(pseudonym, score) of each response in the cell: the pseudonym lets the bootstrap
    resample people, not answers; nothing else about the respondent is read."""
    query = (
        select(SurveyResponse.pseudonym, SurveyScore.score)
        .join_from(SurveyScore, SurveyResponse, SurveyScore.response_id == SurveyResponse.id)
        .where(
            SurveyScore.wave_id == wave.id,
            SurveyScore.dimension == question.dimension.id,
            SurveyScore.group == group,
            *_participant_filter(question, group),
        )
    )
    return [(pseudonym, score) for pseudonym, score in db.session.execute(query)]


def _earlier_waves(
    question: Question, waves: Sequence[SurveyWave]
) -> list[tuple[list[Scored], list[Scored]]]:
    """(participants, comparison) (pseudonym, score) pairs of each wave before "before" with
    its questionnaire, oldest first, read in one query."""
    earlier = [
        wave
        for wave in waves[: waves.index(question.before)]
        if wave.instrument_key == question.before.instrument_key
    ]
    if not earlier:
        return []
    by_wave: dict[int, dict[SurveyGroup, list[Scored]]] = {w.id: {P: [], C: []} for w in earlier}
    rows = db.session.execute(
        select(SurveyScore.wave_id, SurveyScore.group, SurveyResponse.pseudonym, SurveyScore.score)
        .join_from(SurveyScore, SurveyResponse, SurveyScore.response_id == SurveyResponse.id)
        .where(
            SurveyScore.wave_id.in_(by_wave),
            SurveyScore.dimension == question.dimension.id,
            *_earlier_filter(question),
        )
    )
    for wave_id, group, pseudonym, score in rows:
        by_wave[wave_id][group].append((pseudonym, score))
    return [(by_wave[w.id][P], by_wave[w.id][C]) for w in earlier]


def _earlier_filter(question: Question) -> list[object]:
    if question.cohort is None:
        return []
    return [(SurveyScore.group == C) | (SurveyScore.cohort_id == question.cohort.id)]


def _published_cells(
    question: Question, waves: Sequence[SurveyWave], rules: Rules, result: DiDEstimate
) -> list[ImpactCell]:
    """The four cells with the figures the anonymity engine lets every view print."""
    # The engine reads every wave from the first; later waves never change earlier ones.
    published = wave_figures(waves[: waves.index(question.after) + 1], rules)
    figures = {figures.wave.id: figures for figures in published}
    cells = []
    for name, wave, group in (
        (PARTICIPANTS_BEFORE, question.before, P),
        (PARTICIPANTS_AFTER, question.after, P),
        (COMPARISON_BEFORE, question.before, C),
        (COMPARISON_AFTER, question.after, C),
    ):
        figure = figures[wave.id].get(**_coordinates(question, group))
        mean = figure.means.get(question.dimension.id)
        if (
            figure.is_hidden(question.dimension.id)
            or result.cells[name].mean is None
            or mean is None
        ):
            cells.append(ImpactCell(name, group, wave, None, None))
        else:
            answers = figure.answers[question.dimension.id]
            cells.append(ImpactCell(name, group, wave, answers, mean))
    return cells


def _coordinates(question: Question, group: SurveyGroup) -> dict[str, str]:
    if group is P and question.cohort is not None:
        return {"cohort": str(question.cohort.id), "group": str(group)}
    return {"group": str(group)}


def _withheld(result: DiDEstimate, suppressed: list[str], rules: Rules) -> DiDEstimate:
    """No estimate when a cell of k or more is hidden to protect a smaller group elsewhere."""
    protected = [name for name in suppressed if result.cells[name].mean is not None]
    if not protected:
        return result
    warnings = [
        _(
            "The “%(group)s” group is hidden on the dashboards too: showing it would reveal a "
            "group of fewer than %(k)s by subtraction, so no estimate is shown.",
            group=CELL_NAMES[name],
            k=rules.k,
        )
        for name in protected
    ]
    return dataclasses.replace(
        result, estimate=None, low=None, high=None, warnings=result.warnings + warnings, shown=False
    )


# The chart


def impact_figure(impact: Impact) -> go.Figure:
    """Both groups' means before and after, and the participants' path had they changed as
    the comparison group did: the gap at "after" between the two is the estimate. The
    numbers are rounded as the page's table prints them."""
    question = impact.question
    waves = [question.before.title, question.after.title]
    participants_before, participants_after, comparison_before, comparison_after = (
        _rounded(cell.mean) for cell in impact.cells
    )
    figure = go.Figure(
        [
            _line(waves, [participants_before, participants_after], _("Participants"), "solid"),
            _line(waves, [comparison_before, comparison_after], _("Comparison group"), "solid"),
            _line(
                waves,
                [participants_before, _rounded(impact.counterfactual)],
                _("Participants had they changed as the comparison group did"),
                "dash",
            ),
        ]
    )
    figure.update_yaxes(range=list(question.scale), title=_("Mean score"))
    figure.update_xaxes(title=_("Wave"), type="category")
    figure.update_layout(legend={"orientation": "h", "y": -0.25})
    return styled(
        figure,
        _(
            "%(dimension)s: participants and comparison group",
            dimension=question.dimension.name,
        ),
    )


def _line(waves: list[str], means: list[float | None], name: str, dash: str) -> go.Scatter:
    return go.Scatter(
        x=waves, y=means, mode="lines+markers", name=name, line={"dash": dash}, connectgaps=False
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
