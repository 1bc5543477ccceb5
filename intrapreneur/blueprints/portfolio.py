"""The sponsor portfolio (``experiments/portfolio``): the page, its print layout and its PDF,
for sponsors and HR. The filters travel in the query string, so the page, its printout and
its PDF of one choice share an address; each PDF is written to the audit log first."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.core.charts import embeddable
from intrapreneur.core.errors import render_error
from intrapreneur.core.permissions import requires
from intrapreneur.experiments.portfolio import charts, pdf, queries
from intrapreneur.experiments.portfolio.figures import Portfolio
from intrapreneur.experiments.portfolio.forms import PortfolioForm
from intrapreneur.experiments.portfolio.permissions import can_read_portfolio
from intrapreneur.extensions import db

blueprint = Blueprint("portfolio", __name__)


def _form() -> PortfolioForm:
    return PortfolioForm(
        request.args, cohorts=queries.cohort_choices(), units=queries.unit_choices()
    )


@blueprint.get("/portfolio")
@requires(can_read_portfolio)
def page() -> ResponseReturnValue:
    form = _form()
    if not form.validate():
        return render_template("portfolio/index.html", form=form, portfolio=None), 400
    figures = queries.portfolio(current_user, form.filters, date.today())
    return render_template(
        "portfolio/index.html",
        form=form,
        portfolio=figures,
        figures=_figures(figures),
        query=request.query_string.decode(),
    )


@blueprint.get("/portfolio/export.pdf")
@requires(can_read_portfolio)
def export_pdf() -> ResponseReturnValue:
    form = _form()
    if not form.validate():
        message = _("These filters cannot be read: %(errors)s", errors=_errors(form))
        return render_error(400, message)
    figures = queries.portfolio(current_user, form.filters, date.today())
    pdf.record_export("pdf", figures, by=current_user)
    db.session.commit()
    document = pdf.portfolio_pdf(
        figures, form=form, bars=charts.print_bars(figures), made_on=date.today()
    )
    return Response(
        document,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="portfolio-{date.today()}.pdf"'},
    )


def _errors(form: PortfolioForm) -> str:
    return "; ".join(str(error) for errors in form.errors.values() for error in errors)


def _figures(figures: Portfolio) -> dict[str, Any]:
    return {
        "funnel": embeddable(charts.funnel(figures)),
        "columns": embeddable(charts.columns(figures)),
        "funding": embeddable(charts.funding_over_time(figures.months)),
        "evidence": embeddable(charts.evidence(figures.evidence)),
        "decisions": embeddable(charts.decisions(figures.decisions)),
        "time": embeddable(charts.time_to_decision(figures.decision_months)),
        "units": embeddable(charts.unit_balance(figures.units)),
    }
