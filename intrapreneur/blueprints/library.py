"""The learning library: what the organisation has learned from its decided experiments, as
far as the reader may see it, grouped by riskiest assumption and decision.

Filters live in the query string (a filtered library is a link to keep); one that is not
understood (a department the reader has no entry from, a made-up decision) answers 400 with
the reason and the form to correct it, never a different library from the one asked for.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intrapreneur.core.charts import embeddable
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import requires
from intrapreneur.core.timezones import day_end, day_start
from intrapreneur.experiments.labels import EVIDENCE_WITH_STRENGTH
from intrapreneur.experiments.library import charts, queries
from intrapreneur.experiments.library.forms import LibraryFilterForm
from intrapreneur.experiments.library.permissions import can_read_library
from intrapreneur.experiments.library.queries import LibraryFilters
from intrapreneur.experiments.models import Assumption, Decision, Evidence

blueprint = Blueprint("library", __name__)


def _read_filters(today: date) -> tuple[LibraryFilterForm, LibraryFilters | None]:
    """The filters from the query string, or None when one is not understood. Days are the
    reader's own: "to 31 January" ends at their midnight."""
    form = LibraryFilterForm(request.args)
    form.offer(
        queries.departments_offered(current_user, today),
        queries.business_units_offered(current_user, today),
    )
    if not form.validate():
        return form, None
    zone_name = current_user.time_zone
    return form, LibraryFilters(
        assumption=Assumption(form.assumption.data) if form.assumption.data else None,
        decision=Decision(form.decision.data) if form.decision.data else None,
        evidence=Evidence(form.evidence.data) if form.evidence.data else None,
        department_id=form.department.data or None,
        business_unit_id=form.business_unit.data or None,
        since=day_start(form.since.data, zone_name) if form.since.data else None,
        before=day_end(form.until.data, zone_name) if form.until.data else None,
    )


@blueprint.get("/library")
@requires(can_read_library)
def index() -> ResponseReturnValue:
    today = date.today()
    form, filters = _read_filters(today)
    if filters is None:
        return render_template("library/index.html", form=form, page=None, chosen={}), 400
    counts = queries.group_counts(current_user, today, filters)
    page = paginate(queries.entries(current_user, today, filters))
    return render_template(
        "library/index.html",
        form=form,
        chosen=form.chosen(),
        page=page,
        counts=counts,
        totals=queries.totals_by_assumption(counts),
        evidence_strength=EVIDENCE_WITH_STRENGTH,
        assumptions=list(Assumption),
        decisions=list(Decision),
        figure=embeddable(charts.decisions_by_assumption(counts)) if page.total else None,
    )
