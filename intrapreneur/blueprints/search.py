"""The search page: one box over everything the reader may see (``intrapreneur.search``)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user

from intrapreneur.core.permissions import requires, signed_in
from intrapreneur.search import queries, text
from intrapreneur.search.forms import KIND_LABELS, KIND_NAMES, SearchForm

blueprint = Blueprint("search", __name__)

# Deeper than anyone pages by hand; keeps the OFFSET small whatever number the URL carries.
LAST_PAGE = 500


@blueprint.get("/search")
@requires(signed_in)
def page() -> ResponseReturnValue:
    form = SearchForm(request.args)
    query = text.parse(form.q.data)
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), LAST_PAGE)
    valid = form.validate()
    results = None
    if valid:
        results = queries.search(
            current_user,
            query,
            form.filters(),
            today=date.today(),
            language=str(get_locale() or "en"),
            page=number,
        )
    return render_template(
        "search/page.html",
        form=form,
        query=query,
        results=results,
        chosen=form.chosen(),
        kind_labels=KIND_LABELS,
        kind_names=KIND_NAMES,
        max_query=text.MAX_QUERY,
        max_terms=text.MAX_TERMS,
    ), 200 if valid else 400
