"""The portfolio as a PDF, rendered on the server by WeasyPrint.

WeasyPrint runs no JavaScript, so the PDF carries the figures' numbers as tables and simple
SVG bars (``charts.svg_bars``). It fetches nothing: the template holds its own styles, and
the URL fetcher refuses every address (no network, no file), whatever a page might name.
The PDF holds a few pages of aggregates whatever the portfolio's size (per-venture rows stop
at ``queries.LISTED``), so it is rendered in the request and sent as it is made.
"""

from __future__ import annotations

import logging

from flask import render_template

from intrapreneur.core import services as audit
from intrapreneur.experiments.portfolio.figures import Portfolio
from intrapreneur.identity.models import Person


def render_pdf(html: str) -> bytes:
    # Imported here, not with the module: WeasyPrint takes over a second to load, which
    # every process (web worker, job runner, command) would pay at start for a rare export.
    # It tells every step of every document at INFO: the app's log keeps its warnings.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NothingFetched(URLFetcher):
        """Refuses every URL: the PDF is made from the page's own text alone."""

        def fetch(self, url: str, headers: object = None) -> None:  # type: ignore[override]
            raise ValueError(f"The portfolio PDF fetches nothing (asked for {url[:80]!r}).")

    document = HTML(string=html, base_url=None, url_fetcher=NothingFetched())
    return bytes(document.write_pdf())


def portfolio_pdf(portfolio: Portfolio, **context: object) -> bytes:
    return render_pdf(render_template("portfolio/print.html", portfolio=portfolio, **context))


def record_export(export_format: str, portfolio: Portfolio, *, by: Person) -> None:
    """Every export in the audit log: who, what, which filters (like the culture exports)."""
    audit.record(
        "portfolio.exported",
        actor=by,
        format=export_format,
        filters=portfolio.filters.for_audit(),
        ventures=portfolio.ventures,
        listed=len(portfolio.rows),
    )
