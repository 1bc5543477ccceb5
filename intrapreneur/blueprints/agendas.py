"""HR's agenda templates: the timed segments each session format starts from."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.blueprints.editing import agenda_form, save_or_show_again
from intrapreneur.core.errors import render_error
from intrapreneur.core.forms import VersionedForm
from intrapreneur.core.permissions import requires
from intrapreneur.extensions import db
from intrapreneur.learning import agenda_templates, services
from intrapreneur.learning.formats import FORMATS, length_text
from intrapreneur.learning.models import SessionFormat
from intrapreneur.learning.permissions import can_edit_agenda_templates

blueprint = Blueprint("agendas", __name__, url_prefix="/agendas")


def _format(name: str) -> SessionFormat:
    try:
        return SessionFormat(name)
    except ValueError:
        abort(404)


@blueprint.get("/")
@requires(can_edit_agenda_templates)
def index() -> ResponseReturnValue:
    templates = agenda_templates.templates_by_format()
    rows = []
    for session_format in SessionFormat:
        template = templates.get(session_format)
        segments = agenda_templates.segments_of(session_format, template)
        shipped = agenda_templates.is_shipped(session_format, template)
        rows.append(
            (session_format, template, shipped, segments, length_text(session_format, segments))
        )
    return render_template("agendas/index.html", rows=rows)


@blueprint.route("/<format_name>", methods=["GET", "POST"])
@requires(can_edit_agenda_templates)
def edit(format_name: str) -> ResponseReturnValue:
    session_format = _format(format_name)
    template = agenda_templates.template_of(session_format)
    form = agenda_form(
        agenda_templates.segments_of(session_format, template),
        version=template.version if template else 0,
    )
    shown = save_or_show_again(
        form,
        partial(
            render_template,
            "agendas/edit.html",
            form=form,
            session_format=session_format,
            shipped=agenda_templates.is_shipped(session_format, template),
            reset_form=VersionedForm(formdata=None, version=form.version.data),
        ),
        lambda: services.save_agenda_template(
            session_format,
            form.filled(),
            version=form.version.data,
            by=current_user,
            now=datetime.now(UTC),
        ),
        ready=form.ready_to_save(),
    )
    if shown:
        return shown
    flash(
        _(
            "The %(label)s agenda is saved. Sessions scheduled from now on start from it; "
            "sessions already scheduled keep theirs.",
            label=FORMATS[session_format].label,
        ),
        "success",
    )
    return redirect(url_for("agendas.index"))


@blueprint.post("/<format_name>/reset")
@requires(can_edit_agenda_templates)
def reset(format_name: str) -> ResponseReturnValue:
    session_format = _format(format_name)
    form = VersionedForm()
    if not form.validate_on_submit():
        return render_error(400)
    try:
        services.reset_agenda_template(
            session_format, version=form.version.data, by=current_user, now=datetime.now(UTC)
        )
        db.session.commit()
    except services.LearningRefusal as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("agendas.edit", format_name=session_format.value))
    flash(
        _(
            "%(label)s is back to its shipped agenda; sessions already scheduled keep theirs.",
            label=FORMATS[session_format].label,
        ),
        "success",
    )
    return redirect(url_for("agendas.index"))
