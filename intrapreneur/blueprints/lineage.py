"""A venture's MVP lineage: its experiments as a tree, read back on one page."""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intrapreneur.core.charts import embeddable
from intrapreneur.core.permissions import ensure, requires, signed_in
from intrapreneur.experiments import charts, queries
from intrapreneur.experiments.models import Venture
from intrapreneur.experiments.permissions import can_view_venture
from intrapreneur.extensions import db

blueprint = Blueprint("lineage", __name__)


@blueprint.get("/ventures/<int:venture_id>/lineage")
@requires(signed_in)
def page(venture_id: int) -> ResponseReturnValue:
    venture = db.get_or_404(Venture, venture_id)
    ensure(can_view_venture(current_user, venture, date.today()), hide=True)
    rows = queries.lineage(venture.id)
    titles = {row.experiment.id: row.experiment.title for row in rows}
    return render_template(
        "lineage/page.html",
        venture=venture,
        rows=rows,
        titles=titles,
        decisions=Counter(row.experiment.decision for row in rows),
        figure=embeddable(charts.lineage_tree(rows)) if rows else None,
    )
