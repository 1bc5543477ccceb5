"""Pulse surveys: HR's waves and response rates; everyone's own questionnaire.

HR sees how many in each group were asked and answered, never who. The
questionnaire works signed in (``/surveys/<id>/answer``) and through the
personal link (``/surveys/answer/<token>``), whose secret is the credential.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from intrapreneur.core.errors import render_error
from intrapreneur.core.i18n import page_locale
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import public, requires
from intrapreneur.culture import queries, services, survey_languages
from intrapreneur.culture.forms import (
    AnswerForm,
    WaveForm,
    answer_form,
    answers_of,
    item_field_name,
)
from intrapreneur.culture.instruments import Instrument, InstrumentError
from intrapreneur.culture.models import SurveyInvitation, SurveyWave
from intrapreneur.culture.permissions import can_answer_surveys, can_run_surveys
from intrapreneur.extensions import db
from intrapreneur.learning import queries as learning_queries
from intrapreneur.learning.forms import ActionForm

blueprint = Blueprint("surveys", __name__, url_prefix="/surveys")
log = logging.getLogger(__name__)


@blueprint.errorhandler(InstrumentError)
def _unreadable_instrument(error: InstrumentError) -> ResponseReturnValue:
    # The operator needs the file and line; the visitor a plain sentence without paths.
    log.error("survey instruments cannot be read: %s", error)
    return render_error(
        503, _("The survey questionnaires cannot be read just now; please try later.")
    )


@blueprint.get("/")
@requires(can_run_surveys)
def index() -> ResponseReturnValue:
    page = paginate(queries.waves())
    return render_template(
        "surveys/index.html",
        page=page,
        rates=queries.response_rates([wave.id for wave in page.rows]),
        today=date.today(),
    )


@blueprint.route("/new", methods=["GET", "POST"])
@requires(can_run_surveys)
def new() -> ResponseReturnValue:
    form = WaveForm()
    cohorts = {
        cohort.id: cohort
        for _, programme_cohorts in learning_queries.programmes_with_cohorts()
        for cohort in programme_cohorts
    }
    form.instrument.choices = [
        SelectChoice(
            key,
            _(
                "%(title)s (version %(version)s)",
                title=instrument.in_language(page_locale()).title,
                version=instrument.version,
            ),
        )
        for key, instrument in services.instruments().items()
    ]
    form.cohort_ids.choices = [
        SelectChoice(cohort.id, f"{cohort.programme.name} · {cohort.name}")
        for cohort in cohorts.values()
    ]
    if not form.is_submitted():
        form.opens_on.data = date.today()
    if not form.validate_on_submit():
        return render_template("surveys/new.html", form=form), 422 if form.is_submitted() else 200
    try:
        created = services.create_wave(
            title=form.title.data,
            instrument_key=form.instrument.data,
            cohorts=[cohorts[cohort_id] for cohort_id in form.cohort_ids.data],
            opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
            seed=form.seed.data,
            by=current_user,
        )
    except services.SurveyRefusal as refusal:
        db.session.rollback()
        form.form_errors.extend(refusal.messages)
        return render_template("surveys/new.html", form=form), refusal.status
    db.session.commit()
    flash(_created_message(created), "success")
    return redirect(url_for("surveys.detail", wave_id=created.wave.id))


def _created_message(created: services.NewWave) -> str:
    message = _(
        "Survey created: %(participants)s participants and %(comparison)s people in the "
        "comparison group are invited.",
        participants=created.participants,
        comparison=created.comparison,
    )
    for short in created.shortfalls:
        message += " " + _(
            "%(department)s: only %(drawn)s of %(wanted)s comparison people could be drawn "
            "(not enough non-participants).",
            department=short.department,
            drawn=short.drawn,
            wanted=short.wanted,
        )
    return message


@blueprint.get("/<int:wave_id>")
@requires(can_run_surveys)
def detail(wave_id: int) -> ResponseReturnValue:
    wave = db.get_or_404(SurveyWave, wave_id)
    instrument = services.instruments().get(wave.instrument_key)
    return render_template(
        "surveys/detail.html",
        wave=wave,
        instrument=instrument.in_language(page_locale()) if instrument else None,
        rates=queries.response_rates([wave.id])[wave.id],
        close_form=ActionForm(),
        today=date.today(),
    )


@blueprint.post("/<int:wave_id>/close")
@requires(can_run_surveys)
def close(wave_id: int) -> ResponseReturnValue:
    wave = db.get_or_404(SurveyWave, wave_id)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    try:
        services.close_early(wave, by=current_user, now=datetime.now(UTC))
    except services.SurveyRefusal as refusal:
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(_("Survey closed: no new answers; those already given are kept."), "success")
    return redirect(url_for("surveys.detail", wave_id=wave.id))


@blueprint.get("/mine")
@requires(can_answer_surveys)
def mine() -> ResponseReturnValue:
    invitations = queries.open_invitations_of(current_user.id, date.today())
    return render_template(
        "surveys/mine.html",
        invitations=invitations,
        answered=queries.answered_waves(
            [i.wave_id for i in invitations], services.pseudonym_of(current_user.id)
        ),
    )


@blueprint.route("/<int:wave_id>/answer", methods=["GET", "POST"])
@requires(can_answer_surveys)
def answer(wave_id: int) -> ResponseReturnValue:
    wave = db.get_or_404(SurveyWave, wave_id)
    invitation = queries.invitation_of(wave.id, current_user.id)
    if invitation is None:
        abort(404)  # not invited: nobody learns which surveys others were asked
    return _questionnaire(invitation, url_for("surveys.answer", wave_id=wave.id))


@blueprint.route("/answer/<token>", methods=["GET", "POST"])
@public
def answer_by_token(token: str) -> ResponseReturnValue:
    try:
        invitation = services.invitation_for_token(token, date.today())
    except services.SurveyNotFound as refusal:
        return render_error(refusal.status, refusal.message)
    response = make_response(
        _questionnaire(invitation, url_for("surveys.answer_by_token", token=token))
    )
    # The page's address is a credential: keep it out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def _questionnaire(invitation: SurveyInvitation, action: str) -> ResponseReturnValue:
    """The questionnaire in the invitee's language (see ``survey_languages.page_language``)."""
    with force_locale(survey_languages.page_language(invitation)):
        return _questionnaire_page(invitation, action)


def _questionnaire_page(invitation: SurveyInvitation, action: str) -> ResponseReturnValue:
    """Show the questionnaire or store the answer; refusals say why and store nothing."""
    today = date.today()
    try:
        services.ensure_can_answer(invitation, today)
        installed = services.instrument_of(invitation.wave)
    except services.SurveyRefusal as refusal:
        return _refused(invitation, refusal)
    language = survey_languages.questionnaire_language(invitation, installed)
    instrument = installed.in_language(language)
    form = answer_form(instrument)
    if form.validate_on_submit():
        try:
            services.answer_invitation(
                invitation,
                answers_of(form, instrument),
                form.comment.data or "",
                today,
                language=language,
            )
        except services.SurveyRefusal as refusal:
            db.session.rollback()
            form.form_errors.extend(refusal.messages)
            return _form(invitation, instrument, form, action), refusal.status
        db.session.commit()
        return render_template("surveys/thanks.html", wave=invitation.wave)
    status = 422 if form.is_submitted() else 200
    return _form(invitation, instrument, form, action), status


def _form(
    invitation: SurveyInvitation, instrument: Instrument, form: AnswerForm, action: str
) -> str:
    return render_template(
        "surveys/answer.html",
        wave=invitation.wave,
        instrument=instrument,
        form=form,
        action=action,
        field_name=item_field_name,
    )


def _refused(invitation: SurveyInvitation, refusal: services.SurveyRefusal) -> ResponseReturnValue:
    return render_template(
        "surveys/refused.html", wave=invitation.wave, messages=refusal.messages
    ), refusal.status
