"""A board's cards: a new card, editing one, its page, and deciding it with a learning
card."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.blueprints.ventures.common import (
    blueprint,
    load_card,
    load_venture,
    save_or_show_again,
)
from intrapreneur.core.forms import person_choices
from intrapreneur.core.models import utcnow
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import requires, signed_in
from intrapreneur.experiments import queries, services
from intrapreneur.experiments.forms import CardForm, LearningCardForm
from intrapreneur.experiments.labels import DECISION_LABELS
from intrapreneur.experiments.models import Assumption, Decision, Evidence, Experiment, Venture
from intrapreneur.experiments.permissions import can_review, can_start_ventures, can_work_on
from intrapreneur.experiments.services import CardFields, LearningCard
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.search import queries as search_queries
from intrapreneur.search.forms import KIND_NAMES


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
    venture = load_venture(venture_id, work=True)
    form = CardForm()
    team = _team_choices(form, venture)
    if not form.is_submitted():
        form.owner_id.data = current_user.id
    created: list[Experiment] = []
    shown = save_or_show_again(
        form,
        partial(render_template, "ventures/card_form.html", form=form, venture=venture),
        lambda: created.append(
            services.create_experiment(
                venture,
                _card_fields(form),
                owner=_chosen(team, form.owner_id.data),
                by=current_user,
                now=utcnow(),
            )
        ),
    )
    if shown:
        return shown
    flash(_("“%(title)s” is in the backlog.", title=created[0].title), "success")
    return redirect(url_for("ventures.board", venture_id=venture.id))


@blueprint.route("/experiments/<int:experiment_id>/edit", methods=["GET", "POST"])
@requires(can_start_ventures)
def edit_card(experiment_id: int) -> ResponseReturnValue:
    experiment = load_card(experiment_id, work=True)
    form = CardForm()
    team = _team_choices(form, experiment.venture)
    if not form.is_submitted():
        form.process(obj=experiment)

    def save() -> None:
        now = utcnow()
        version = form.version.data or 0
        services.update_experiment(
            experiment, _card_fields(form), version=version, by=current_user, now=now
        )
        owner = _chosen(team, form.owner_id.data)
        services.hand_over(experiment, owner, by=current_user, now=now)

    shown = save_or_show_again(
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
    flash(_("Card saved."), "success")
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
        # Other learning cards the reader may see, ranked by this card's words.
        similar=search_queries.similar_learnings(
            current_user, experiment, today=date.today(), language=str(get_locale() or "en")
        )
        if experiment.decision
        else [],
        kind_names=KIND_NAMES,
    )


@blueprint.get("/experiments/<int:experiment_id>")
@requires(signed_in)
def card(experiment_id: int) -> ResponseReturnValue:
    return _card_page(load_card(experiment_id))


@blueprint.post("/experiments/<int:experiment_id>/decide")
@requires(can_start_ventures)
def decide(experiment_id: int) -> ResponseReturnValue:
    experiment = load_card(experiment_id, work=True)
    form = LearningCardForm()
    follow_ups: list[Experiment | None] = []
    shown = save_or_show_again(
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
                now=utcnow(),
            )
        ),
    )
    if shown:
        return shown
    decision = DECISION_LABELS[Decision(form.decision.data)]
    follow_up = follow_ups[0]
    if follow_up is None:
        flash(
            _("Decided: %(decision)s. The learning card is on the record.", decision=decision),
            "success",
        )
        return redirect(url_for("ventures.card", experiment_id=experiment.id))
    flash(
        _("Decided: %(decision)s. Here is the follow-up card, ready to design.", decision=decision),
        "success",
    )
    return redirect(url_for("ventures.card", experiment_id=follow_up.id))


# -- settings (owners) -----------------------------------------------------------------------
