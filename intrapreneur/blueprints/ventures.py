"""Ventures and their experiment boards as pages.

Every card carries a plain move form; drag-and-drop (``static/js/board.js``) only
submits that same form. Board filters live in the query string so that a filtered
board can be bookmarked; a filter value the board does not know (an owner who is not
on it, a made-up column) answers 400 with the reason, rather than quietly showing a
different board from the one the link promised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import Select
from sqlalchemy.orm.exc import StaleDataError

from intrapreneur.core.errors import render_error
from intrapreneur.core.exports import csv_lines
from intrapreneur.core.forms import person_choices
from intrapreneur.core.pagination import DEFAULT_PER_PAGE, paginate
from intrapreneur.core.permissions import ensure, requires, signed_in
from intrapreneur.core.security import safe_next
from intrapreneur.experiments import queries, services
from intrapreneur.experiments.forms import (
    BoardFilterForm,
    CardForm,
    LearningCardForm,
    MoveCardForm,
    ShareForm,
    TeamMemberForm,
    VentureForm,
    VentureSettingsForm,
)
from intrapreneur.experiments.models import (
    Assumption,
    Column,
    Decision,
    Evidence,
    Experiment,
    Stage,
    TeamRole,
    Venture,
    VentureMember,
    Visibility,
)
from intrapreneur.experiments.permissions import (
    access_to,
    can_manage_venture,
    can_review,
    can_start_ventures,
    can_work_on,
)
from intrapreneur.experiments.queries import BoardFilters
from intrapreneur.experiments.services import BoardRefusal, CardFields, LearningCard
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries as learning_queries
from intrapreneur.learning.forms import ActionForm

blueprint = Blueprint("ventures", __name__)

# A save that lost a race with another at the database (the version column noticed).
STALE = "Someone else changed this while you were working on it. Reload the page and try again."


def _now() -> datetime:
    return datetime.now(UTC)


def _load_venture(venture_id: int, *, work: bool = False, manage: bool = False) -> Venture:
    """The venture, or 404 for anyone who may not see it (its existence is not revealed);
    403 for those who see it but may not change it."""
    venture = db.get_or_404(Venture, venture_id)
    access = access_to(current_user, venture, date.today())  # one team look-up for all three
    ensure(access.view, hide=True)
    ensure(access.work or not work)
    ensure(access.manage or not manage)
    return venture


def _load_card(experiment_id: int, *, work: bool = False) -> Experiment:
    experiment = db.get_or_404(Experiment, experiment_id)
    _load_venture(experiment.venture_id, work=work)
    return experiment


def _reason(error: Exception) -> str:
    return error.message if isinstance(error, BoardRefusal) else STALE


def _commit_or_flash(change: Callable[[], object]) -> bool:
    """Run a change and commit once; a refusal is flashed and rolled back."""
    try:
        change()
        db.session.commit()
    except (BoardRefusal, StaleDataError) as error:
        db.session.rollback()
        flash(_reason(error), "error")
        return False
    return True


def _save_or_show_again(
    form: FlaskForm, page: Callable[[], str], change: Callable[[], object]
) -> ResponseReturnValue | None:
    """None once saved; otherwise the page again, with the form's errors (422) or the
    refusal on top of the form (409), nothing saved."""
    if not form.validate_on_submit():
        return page(), 422 if form.errors else 200
    try:
        change()
        db.session.commit()
    except (BoardRefusal, StaleDataError) as error:
        db.session.rollback()
        form.form_errors.append(_reason(error))
        return page(), 409
    return None


# -- ventures ------------------------------------------------------------------------------


def _venture_values(form: VentureForm) -> dict[str, Any]:
    return {
        "title": form.title.data,
        "problem": form.problem.data,
        "customer": form.customer.data,
        "stage": Stage(form.stage.data),
        "visibility": Visibility(form.visibility.data),
    }


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
    venture = services.create_venture(**_venture_values(form), by=current_user, now=_now())
    db.session.commit()
    flash(f"{venture.title} is started. Add the first experiment to its board.", "success")
    return redirect(url_for("ventures.board", venture_id=venture.id))


# -- the board -----------------------------------------------------------------------------


def _read_filters(venture_id: int) -> tuple[BoardFilterForm, BoardFilters | None]:
    """The filters in the query string, or None when one of them is not understood."""
    form = BoardFilterForm(request.args)
    form.owner.choices = person_choices(queries.card_owners(venture_id), nobody="Anyone")
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
        400, f"This board has no such filter ({problems}). Clear the filters and choose again."
    )


# A column shows a page of its oldest cards, the same page size as every list;
# "Show all" pages through the rest.
CARDS_PER_COLUMN = DEFAULT_PER_PAGE
# Worked out once, not per card: a board may hold thousands (see bench/boards.py).
EVIDENCE_STRENGTH = {Evidence.SAY: "weakest", Evidence.DO: "stronger", Evidence.PAY: "strongest"}
# Escaped here, once, so the template outputs them as they are.
CARD_LABELS: dict[str, Markup] = {
    **{a: escape(a.value.capitalize()) for a in Assumption},
    **{e: escape(f"what people {e.value} ({EVIDENCE_STRENGTH[e]})") for e in Evidence},
    **{d: escape(d.value.replace("_", " ")) for d in Decision},
}
# Decided is reached through the learning card, never by a move.
MOVE_TARGETS = [column for column in Column if column is not Column.DECIDED]
MOVE_OPTIONS = {
    current: Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(
            target.value,
            Markup(" selected") if target is current else "",
            target.value.capitalize(),
        )
        for target in MOVE_TARGETS
    )
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
        labels=CARD_LABELS,
        move_options=MOVE_OPTIONS,
        counts=counts,
        page=page,
        per_column=CARDS_PER_COLUMN,
    )


@blueprint.post("/experiments/<int:experiment_id>/move")
@requires(can_start_ventures)
def move(experiment_id: int) -> ResponseReturnValue:
    experiment = _load_card(experiment_id, work=True)
    form = MoveCardForm()
    if not form.validate_on_submit():
        return render_error(400, "That move was not understood, so the card was not moved.")
    to = Column(form.column.data)
    moved = _commit_or_flash(
        lambda: services.move(
            experiment, to, version=form.version.data, by=current_user, now=_now()
        )
    )
    if moved:
        flash(f"“{experiment.title}” is now in {to.value.capitalize()}.", "success")
    board_url = url_for("ventures.board", venture_id=experiment.venture_id)
    # Back at the card: keyboard users go on from it, not from the top of the board.
    return redirect(f"{safe_next(form.back.data, board_url)}#card-{experiment.id}")


CSV_HEADER = [
    "id", "title", "column", "owner", "assumption", "evidence", "hypothesis", "test",
    "metric", "success criterion", "starts on", "ends on", "money requested",
    "days requested", "overdue", "awaiting review", "decision", "learning",
]  # fmt: skip


def _csv_rows(statement: Select[tuple[Experiment]], today: date) -> Iterator[list[Any]]:
    for card in db.session.scalars(statement.execution_options(yield_per=500)):
        yield [
            card.id, card.title, card.column.value, card.owner.display_name,
            card.assumption.value, card.evidence.value, card.hypothesis, card.test,
            card.metric, card.success_criterion, card.starts_on, card.ends_on,
            card.cost_requested, card.days_requested,
            "yes" if services.is_overdue(card, today) else "no",
            "yes" if card.review_requested_at else "no",
            card.decision.value if card.decision else "", card.learning,
        ]  # fmt: skip


@blueprint.get("/ventures/<int:venture_id>/export.csv")
@requires(signed_in)
def export(venture_id: int) -> ResponseReturnValue:
    """The filtered board as CSV, written to the audit log first, then streamed."""
    venture = _load_venture(venture_id)
    filter_form, filters = _read_filters(venture.id)
    if filters is None:
        return _bad_filters(filter_form)
    services.record_export(venture, filters.as_args(), by=current_user)
    db.session.commit()
    statement = queries.board_cards(venture.id, filters, date.today())
    lines = csv_lines(CSV_HEADER, _csv_rows(statement, date.today()))
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="venture-{venture.id}-board.csv"'},
    )


@blueprint.get("/ventures/<int:venture_id>/activity")
@requires(signed_in)
def activity(venture_id: int) -> ResponseReturnValue:
    venture = _load_venture(venture_id)
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


def _team_choices(form: CardForm, venture: Venture) -> list[Person]:
    team = [member.person for member in queries.team_of(venture.id)]
    form.owner_id.choices = person_choices(team)
    return team


def _card_fields(form: CardForm) -> CardFields:
    return CardFields(
        title=form.title.data,
        hypothesis=form.hypothesis.data,
        assumption=Assumption(form.assumption.data),
        test=form.test.data,
        metric=form.metric.data,
        success_criterion=form.success_criterion.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        cost_requested=form.cost_requested.data or Decimal(0),
        days_requested=form.days_requested.data or Decimal(0),
        evidence=Evidence(form.evidence.data),
    )


def _chosen(team: list[Person], person_id: int) -> Person:
    return next(person for person in team if person.id == person_id)


@blueprint.route("/ventures/<int:venture_id>/experiments/new", methods=["GET", "POST"])
@requires(can_start_ventures)
def new_card(venture_id: int) -> ResponseReturnValue:
    venture = _load_venture(venture_id, work=True)
    form = CardForm()
    team = _team_choices(form, venture)
    if not form.is_submitted():
        form.owner_id.data = current_user.id
    created: list[Experiment] = []
    shown = _save_or_show_again(
        form,
        partial(render_template, "ventures/card_form.html", form=form, venture=venture),
        lambda: created.append(
            services.create_experiment(
                venture,
                _card_fields(form),
                owner=_chosen(team, form.owner_id.data),
                by=current_user,
                now=_now(),
            )
        ),
    )
    if shown:
        return shown
    flash(f"“{created[0].title}” is in the backlog.", "success")
    return redirect(url_for("ventures.board", venture_id=venture.id))


@blueprint.route("/experiments/<int:experiment_id>/edit", methods=["GET", "POST"])
@requires(can_start_ventures)
def edit_card(experiment_id: int) -> ResponseReturnValue:
    experiment = _load_card(experiment_id, work=True)
    form = CardForm()
    team = _team_choices(form, experiment.venture)
    if not form.is_submitted():
        form.process(obj=experiment)

    def save() -> None:
        now = _now()
        version = form.version.data or 0
        services.update_experiment(
            experiment, _card_fields(form), version=version, by=current_user, now=now
        )
        owner = _chosen(team, form.owner_id.data)
        services.hand_over(experiment, owner, by=current_user, now=now)

    shown = _save_or_show_again(
        form,
        partial(
            render_template,
            "ventures/card_form.html",
            form=form,
            venture=experiment.venture,
            experiment=experiment,
        ),
        save,
    )
    if shown:
        return shown
    flash("Card saved.", "success")
    return redirect(url_for("ventures.card", experiment_id=experiment.id))


def _card_page(experiment: Experiment, decide_form: LearningCardForm | None = None) -> str:
    venture = experiment.venture
    if decide_form is None:
        decide_form = LearningCardForm(version=experiment.version)
    return render_template(
        "ventures/card.html",
        experiment=experiment,
        venture=venture,
        parent=db.session.get(Experiment, experiment.parent_id) if experiment.parent_id else None,
        children=queries.children_of(experiment.id),
        page=paginate(queries.card_activity(experiment.id), per_page=20),
        decide_form=decide_form,
        works=can_work_on(current_user, venture),
        reviews=can_review(current_user, venture),
        overdue=services.is_overdue(experiment, date.today()),
    )


@blueprint.get("/experiments/<int:experiment_id>")
@requires(signed_in)
def card(experiment_id: int) -> ResponseReturnValue:
    return _card_page(_load_card(experiment_id))


@blueprint.post("/experiments/<int:experiment_id>/decide")
@requires(can_start_ventures)
def decide(experiment_id: int) -> ResponseReturnValue:
    experiment = _load_card(experiment_id, work=True)
    form = LearningCardForm()
    follow_ups: list[Experiment | None] = []
    shown = _save_or_show_again(
        form,
        partial(_card_page, experiment, form),
        lambda: follow_ups.append(
            services.decide(
                experiment,
                LearningCard(
                    observation=form.observation.data,
                    learning=form.learning.data,
                    evidence_data=form.evidence_data.data,
                    decision=Decision(form.decision.data),
                ),
                version=form.version.data,
                by=current_user,
                now=_now(),
            )
        ),
    )
    if shown:
        return shown
    decision = Decision(form.decision.data).value.replace("_", " ")
    follow_up = follow_ups[0]
    if follow_up is None:
        flash(f"Decided: {decision}. The learning card is on the record.", "success")
        return redirect(url_for("ventures.card", experiment_id=experiment.id))
    flash(f"Decided: {decision}. Here is the follow-up card, ready to design.", "success")
    return redirect(url_for("ventures.card", experiment_id=follow_up.id))


# -- settings (owners) -----------------------------------------------------------------------


def _share_form(**data: Any) -> tuple[ShareForm, set[int]]:
    """Sharing offers the sets the owner is in today or facilitates."""
    offered = learning_queries.current_sets_of(current_user.id, date.today())
    form = ShareForm(**data)
    form.set_ids.choices = [(s.id, f"{s.name} ({s.cohort.name})") for s in offered]
    return form, {s.id for s in offered}


def _settings_page(
    venture: Venture,
    *,
    details: VentureSettingsForm | None = None,
    team_form: TeamMemberForm | None = None,
) -> str:
    """The owners' page; forms other than the one just sent show the stored values."""
    shared = set(queries.shared_set_ids(venture.id))
    share_form, offered = _share_form(formdata=None, set_ids=sorted(shared))
    return render_template(
        "ventures/settings.html",
        venture=venture,
        details=details or VentureSettingsForm(formdata=None, obj=venture),
        team=queries.team_of(venture.id),
        team_form=team_form or TeamMemberForm(formdata=None),
        share_form=share_form,
        shared_elsewhere=len(shared - offered),
        action_form=ActionForm(),
        manages=True,
        reviews=can_review(current_user, venture),
    )


def _to_settings(venture: Venture) -> ResponseReturnValue:
    return redirect(url_for("ventures.settings", venture_id=venture.id))


@blueprint.route("/ventures/<int:venture_id>/settings", methods=["GET", "POST"])
@requires(can_start_ventures)
def settings(venture_id: int) -> ResponseReturnValue:
    venture = _load_venture(venture_id, manage=True)
    form = VentureSettingsForm()
    if not form.is_submitted():
        form.process(obj=venture)
    shown = _save_or_show_again(
        form,
        partial(_settings_page, venture, details=form),
        lambda: services.update_venture(
            venture,
            **_venture_values(form),
            version=form.version.data,
            by=current_user,
            now=_now(),
        ),
    )
    if shown:
        return shown
    flash("Venture saved.", "success")
    return _to_settings(venture)


@blueprint.post("/ventures/<int:venture_id>/team")
@requires(can_start_ventures)
def add_to_team(venture_id: int) -> ResponseReturnValue:
    venture = _load_venture(venture_id, manage=True)
    form = TeamMemberForm()
    if not form.validate_on_submit():
        return _settings_page(venture, team_form=form), 422
    person = queries.active_person(form.email.data)
    if person is None:
        form.email.errors.append("Nobody with an active account has that email or username.")
        return _settings_page(venture, team_form=form), 422
    role = TeamRole(form.role.data)
    if _commit_or_flash(lambda: services.set_team_role(venture, person, role, by=current_user)):
        flash(f"{person.display_name} is {role.value} of {venture.title}.", "success")
    return _to_settings(venture)


@blueprint.post("/ventures/<int:venture_id>/team/<int:member_id>/remove")
@requires(can_start_ventures)
def remove_from_team(venture_id: int, member_id: int) -> ResponseReturnValue:
    venture = _load_venture(venture_id, manage=True)
    member = db.get_or_404(VentureMember, member_id)
    ensure(member.venture_id == venture.id, hide=True)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    if _commit_or_flash(lambda: services.remove_team_member(venture, member, by=current_user)):
        flash(f"{member.person.display_name} has left the team.", "success")
    return _to_settings(venture)


@blueprint.post("/ventures/<int:venture_id>/shares")
@requires(can_start_ventures)
def share(venture_id: int) -> ResponseReturnValue:
    venture = _load_venture(venture_id, manage=True)
    form, offered = _share_form()
    if not form.validate_on_submit():
        return render_error(400, "Those sets were not understood, so sharing did not change.")
    chosen = set(form.set_ids.data or [])
    if _commit_or_flash(lambda: services.share_into(venture, chosen, offered, by=current_user)):
        flash("Sharing saved.", "success")
    return _to_settings(venture)


@blueprint.post("/ventures/<int:venture_id>/archive")
@requires(can_start_ventures)
def archive(venture_id: int) -> ResponseReturnValue:
    venture = _load_venture(venture_id, manage=True)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    if _commit_or_flash(lambda: services.archive_venture(venture, by=current_user, now=_now())):
        flash(f"{venture.title} is archived: kept as it is, read-only.", "success")
    return redirect(url_for("ventures.board", venture_id=venture.id))


@blueprint.post("/ventures/<int:venture_id>/delete")
@requires(can_start_ventures)
def delete(venture_id: int) -> ResponseReturnValue:
    venture = _load_venture(venture_id, manage=True)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    title = venture.title
    if not _commit_or_flash(lambda: services.delete_venture(venture, by=current_user)):
        return _to_settings(venture)
    flash(f"{title} is deleted.", "success")
    return redirect(url_for("ventures.index"))
