"""The programme's impact estimate (``culture/impact.py`` says how), for HR and admins.

Managers are not let in: the estimate compares all participants with the whole comparison
group, and a manager's own departments would seldom hold k people in each of its four cells.

The choices travel in the query string, so an estimate can be bookmarked and the form works
without JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectChoice, SelectField

from intrapreneur.core.charts import embeddable
from intrapreneur.core.dates import day_text
from intrapreneur.core.i18n import page_locale
from intrapreneur.core.permissions import requires
from intrapreneur.culture import impact, services
from intrapreneur.culture import queries as survey_queries
from intrapreneur.culture.anonymity import Rules
from intrapreneur.culture.dashboard import rules_in_force, wave_figures
from intrapreneur.culture.instruments import Instrument
from intrapreneur.culture.models import SurveyWave
from intrapreneur.culture.permissions import sees_whole_organisation
from intrapreneur.learning.models import Cohort

blueprint = Blueprint("impact", __name__)

EVERY_PARTICIPANT = 0


class ImpactForm(Form):
    """The estimate's choices, read from the query string (no CSRF: it changes nothing)."""

    dimension = SelectField(_l("Dimension"))
    before = SelectField(
        _l("Before the programme"),
        coerce=int,
        description=_l("Usually the last wave before the cohort started."),
    )
    after = SelectField(
        _l("After the programme"),
        coerce=int,
        description=_l("A later wave that used the same questionnaire."),
    )
    cohort = SelectField(
        _l("Participants"),
        coerce=int,
        default=EVERY_PARTICIPANT,
        description=_l(
            "One cohort's participants, or all. The comparison group is always the "
            "waves' whole comparison group: it is matched by department, not by cohort."
        ),
    )


@blueprint.get("/culture/impact")
@requires(sees_whole_organisation)
def estimate() -> ResponseReturnValue:
    rules = rules_in_force()
    # Only waves whose release is published: the estimate prints their figures.
    series = survey_queries.published_series(date.today())
    waves = [figures.wave for figures in wave_figures(series, rules)]
    # In the reader's language: the dimensions' names in the form, the sentence and chart.
    instruments = {
        key: instrument.in_language(page_locale())
        for key, instrument in services.instruments().items()
    }
    cohorts = {cohort.id: cohort for cohort in impact.cohorts_surveyed()}
    form = _form(waves, instruments, cohorts.values())
    if not request.args:
        return _page(form, waves, rules)
    if not form.validate():
        return _page(form, waves, rules), 422
    by_id = {wave.id: wave for wave in waves}
    try:
        question = impact.question_for(
            waves,
            instruments,
            by_id[form.before.data],
            by_id[form.after.data],
            form.dimension.data,
            cohorts.get(form.cohort.data),
        )
    except impact.ImpactRefusal as refusal:
        return _page(form, waves, rules, refusal=str(refusal)), 422
    result = impact.estimate_impact(question, waves, rules)
    figure = embeddable(impact.impact_figure(result)) if result.result.shown else None
    return _page(form, waves, rules, result=result, figure=figure)


def _page(form: ImpactForm, waves: list[SurveyWave], rules: Rules, **values: object) -> str:
    return render_template("impact/estimate.html", form=form, waves=waves, k=rules.k, **values)


def _form(
    waves: Sequence[SurveyWave], instruments: dict[str, Instrument], cohorts: Sequence[Cohort]
) -> ImpactForm:
    form = ImpactForm(request.args)
    wave_choices = [
        SelectChoice(
            wave.id, _("%(wave)s (opened %(day)s)", wave=wave.title, day=day_text(wave.opens_on))
        )
        for wave in waves
    ]
    form.before.choices = wave_choices
    form.after.choices = wave_choices
    form.dimension.choices = _dimension_choices(waves, instruments)
    form.cohort.choices = [
        SelectChoice(EVERY_PARTICIPANT, _("Every participant")),
        *(SelectChoice(c.id, f"{c.programme.name} · {c.name}") for c in cohorts),
    ]
    return form


def _dimension_choices(
    waves: Sequence[SurveyWave], instruments: dict[str, Instrument]
) -> list[SelectChoice]:
    """Every dimension of the questionnaires the waves used (without JavaScript the list cannot
    follow the chosen waves; a dimension they lack is refused with a message)."""
    names: dict[str, str] = {}
    for key in dict.fromkeys(wave.instrument_key for wave in waves):
        for dimension in instruments[key].dimensions if key in instruments else ():
            names.setdefault(dimension.id, dimension.name)
    return [SelectChoice(dimension_id, name) for dimension_id, name in names.items()]
