"""The ventures list, a new venture and its board: filters, moves, export and activity.

Every card carries a plain move form; drag-and-drop (``static/js/board.js``) only
submits that same form. Board filters live in the query string so that a filtered
board can be bookmarked; a filter value the board does not know (an owner who is not
on it, a made-up column) answers 400 with the reason, rather than quietly showing a
different board from the one the link promised.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import Select

from intrapreneur.blueprints.ventures.common import (
    blueprint,
    commit_or_flash,
    load_card,
    load_venture,
    venture_values,
)
from intrapreneur.core.errors import render_error
from intrapreneur.core.exports import csv_lines
from intrapreneur.core.forms import person_choices
from intrapreneur.core.models import utcnow
from intrapreneur.core.pagination import DEFAULT_PER_PAGE, paginate
from intrapreneur.core.permissions import ensure, requires, signed_in
from intrapreneur.core.security import safe_next
from intrapreneur.experiments import queries, services
from intrapreneur.experiments.forms import BoardFilterForm, MoveCardForm, VentureForm
from intrapreneur.experiments.labels import (
    ASSUMPTION_LABELS,
    COLUMN_LABELS,
    DECISION_LABELS,
    EVIDENCE_LABELS,
    EVIDENCE_WITH_STRENGTH,
)
from intrapreneur.experiments.models import (
    DECIDABLE_FROM,
    Assumption,
    Column,
    Experiment,
    Venture,
)
from intrapreneur.experiments.permissions import (
    access_to,
    can_manage_venture,
    can_review,
    can_start_ventures,
)
from intrapreneur.experiments.queries import BoardFilters
from intrapreneur.extensions import db


@blueprint.get("/ventures/")
@requires(signed_in)
def index() -> ResponseReturnValue:
    return render_template(
        "ventures/index.html",
        page=paginate(queries.ventures_for(current_user, date.today())),
        columns=list(Column),
    )


@blueprint.route("/ventures/new", methods=["GET", "POST"])
@requires(can_start_ventures)
def new() -> ResponseReturnValue:
    form = VentureForm()
    if not form.validate_on_submit():
        return render_template("ventures/new.html", form=form), 422 if form.errors else 200
    venture = services.create_venture(**venture_values(form), by=current_user, now=utcnow())
    db.session.commit()
    flash(
        _("%(venture)s is started. Add the first experiment to its board.", venture=venture.title),
        "success",
    )
    return redirect(url_for("ventures.board", venture_id=venture.id))


# -- the board -----------------------------------------------------------------------------


def _read_filters(venture_id: int) -> tuple[BoardFilterForm, BoardFilters | None]:
    """The filters in the query string, or None when one of them is not understood."""
    form = BoardFilterForm(request.args)
    form.owner.choices = person_choices(queries.card_owners(venture_id), nobody=_("Anyone"))
    if not form.validate():
        return form, None
    return form, BoardFilters(
        owner_id=form.owner.data or None,
        column=Column(form.column.data) if form.column.data else None,
        assumption=Assumption(form.assumption.data) if form.assumption.data else None,
        overdue=form.overdue.data,
        awaiting=form.awaiting.data,
    )


def _bad_filters(form: BoardFilterForm) -> ResponseReturnValue:
    problems = "; ".join(
        f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()
    )
    return render_error(
        400,
        _(
            "This board has no such filter (%(problems)s). Clear the filters and choose again.",
            problems=problems,
        ),
    )


# A column shows a page of its oldest cards, the same page size as every list;
# "Show all" pages through the rest.
CARDS_PER_COLUMN = DEFAULT_PER_PAGE
# Decided is reached through the learning card on the card's own page, never by a move:
# choosing it (offered once a card has run) leads there.
MOVE_TARGETS = [column for column in Column if column is not Column.DECIDED]


def _card_labels() -> dict[str, Markup]:
    """Worked out once per board, not per card (a board may hold thousands, see
    bench/boards.py), in the reader's language; escaped here so the template outputs them
    as they are."""
    return {
        **{a: escape(label) for a, label in ASSUMPTION_LABELS.items()},
        **{e: escape(label) for e, label in EVIDENCE_WITH_STRENGTH.items()},
        **{d: escape(label) for d, label in DECISION_LABELS.items()},
    }


def _move_options() -> dict[Column, Markup]:
    """Each column's move options, once per board in the reader's language."""
    to_decided = Markup('<option value="{}">{}</option>').format(
        Column.DECIDED.value, _("Decided: record the decision on the card's page")
    )
    return {
        current: Markup("").join(
            Markup('<option value="{}"{}>{}</option>').format(
                target.value,
                Markup(" selected") if target is current else "",
                COLUMN_LABELS[target],
            )
            for target in MOVE_TARGETS
        )
        + (to_decided if current in DECIDABLE_FROM else "")
        for current in Column
    }


@blueprint.get("/ventures/<int:venture_id>")
@requires(signed_in)
def board(venture_id: int) -> ResponseReturnValue:
    venture = db.get_or_404(Venture, venture_id)
    access = access_to(current_user, venture, date.today())
    ensure(access.view, hide=True)
    filter_form, filters = _read_filters(venture.id)
    if filters is None:
        return _bad_filters(filter_form)
    today = date.today()
    columns: dict[Column, list[Any]] = {column: [] for column in Column}
    page = None
    if filters.column:  # one column: paged through like any list
        page = paginate(queries.card_faces(venture.id, filters, today), per_page=CARDS_PER_COLUMN)
        cards, counts = page.rows, {**dict.fromkeys(Column, 0), filters.column: page.total}
    else:
        cards = queries.first_card_faces(venture.id, filters, today, CARDS_PER_COLUMN)
        counts = queries.column_counts(venture.id, filters, today)
    for card in cards:
        columns[card.column].append(card)
    return render_template(
        "ventures/board.html",
        venture=venture,
        columns=columns,
        decisions=queries.decision_counts(venture.id),
        overdue=queries.overdue_of(venture.id, today, CARDS_PER_COLUMN),
        filter_form=filter_form,
        filters=filters.as_args(),
        works=access.work,
        manages=access.manage,
        reviews=access.review,
        today=today,
        labels=_card_labels(),
        move_options=_move_options(),
        counts=counts,
        page=page,
        per_column=CARDS_PER_COLUMN,
    )


@blueprint.post("/experiments/<int:experiment_id>/move")
@requires(can_start_ventures)
def move(experiment_id: int) -> ResponseReturnValue:
    experiment = load_card(experiment_id, work=True)
    form = MoveCardForm()
    if not form.validate_on_submit():
        return render_error(400, _("That move was not understood, so the card was not moved."))
    to = Column(form.column.data)
    if to is Column.DECIDED and experiment.can_be_decided:
        flash(
            _(
                "Record what the experiment showed and your decision: "
                "that is what moves the card to Decided."
            ),
            "info",
        )
        return redirect(url_for("ventures.card", experiment_id=experiment.id) + "#decide-heading")
    moved = commit_or_flash(
        lambda: services.move(
            experiment, to, version=form.version.data, by=current_user, now=utcnow()
        )
    )
    if moved:
        flash(
            _(
                "“%(title)s” is now in %(column)s.",
                title=experiment.title,
                column=COLUMN_LABELS[to],
            ),
            "success",
        )
    board_url = url_for("ventures.board", venture_id=experiment.venture_id)
    # Back at the card: keyboard users go on from it, not from the top of the board.
    return redirect(f"{safe_next(form.back.data, board_url)}#card-{experiment.id}")


def _csv_header() -> list[str]:
    """The export's column names, in the reader's language (the columns' order is fixed)."""
    return [
        _("id"), _("title"), _("column"), _("owner"), _("assumption"), _("evidence"),
        _("hypothesis"), _("test"), _("metric"), _("success criterion"), _("starts on"),
        _("ends on"), _("money requested"), _("days requested"), _("overdue"),
        _("awaiting review"), _("decision"), _("learning"),
    ]  # fmt: skip


def _csv_rows(statement: Select[tuple[Experiment]], today: date) -> Iterator[list[Any]]:
    yes, no = _("yes"), _("no")
    for card in db.session.scalars(statement.execution_options(yield_per=500)):
        yield [
            card.id, card.title, COLUMN_LABELS[card.column], card.owner.display_name,
            ASSUMPTION_LABELS[card.assumption], EVIDENCE_LABELS[card.evidence],
            card.hypothesis, card.test, card.metric, card.success_criterion,
            card.starts_on, card.ends_on, card.cost_requested, card.days_requested,
            yes if services.is_overdue(card, today) else no,
            yes if card.review_requested_at else no,
            DECISION_LABELS[card.decision] if card.decision else "", card.learning,
        ]  # fmt: skip


@blueprint.get("/ventures/<int:venture_id>/export.csv")
@requires(signed_in)
def export(venture_id: int) -> ResponseReturnValue:
    """The filtered board as CSV, written to the audit log first, then streamed."""
    venture = load_venture(venture_id)
    filter_form, filters = _read_filters(venture.id)
    if filters is None:
        return _bad_filters(filter_form)
    services.record_export(venture, filters.as_args(), by=current_user)
    db.session.commit()
    statement = queries.board_cards(venture.id, filters, date.today())
    lines = csv_lines(_csv_header(), _csv_rows(statement, date.today()))
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="venture-{venture.id}-board.csv"'},
    )


@blueprint.get("/ventures/<int:venture_id>/activity")
@requires(signed_in)
def activity(venture_id: int) -> ResponseReturnValue:
    venture = load_venture(venture_id)
    page = paginate(queries.venture_activity(venture.id), per_page=50)
    card_ids = [int(e.object_id) for e in page.rows if e.object_type == "experiment"]
    return render_template(
        "ventures/activity.html",
        venture=venture,
        page=page,
        titles=queries.card_titles(card_ids, current_user, date.today()),
        manages=can_manage_venture(current_user, venture),
        reviews=can_review(current_user, venture),
    )


# -- cards ---------------------------------------------------------------------------------
