"""Expertise: HR's vocabulary, each entrepreneur's own profile, and the employees' finder."""

from __future__ import annotations

from datetime import date, time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from intrapreneur.core.errors import render_error
from intrapreneur.core.models import utcnow
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import requires
from intrapreneur.extensions import db
from intrapreneur.identity.expertise import queries, services
from intrapreneur.identity.expertise.forms import (
    WINDOW_ROWS,
    FinderForm,
    ProfileForm,
    TagForm,
    weekday_names,
)
from intrapreneur.identity.expertise.models import ExpertiseTag
from intrapreneur.identity.expertise.permissions import (
    can_find_entrepreneurs,
    can_keep_profile,
    can_manage_expertise,
)
from intrapreneur.learning.forms import ActionForm

blueprint = Blueprint("expertise", __name__)


# -- HR's vocabulary ---------------------------------------------------------------------------


def _vocabulary(form: TagForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "hacks/tags.html",
        tags=queries.tags(),
        usage=queries.tag_usage(),
        form=form,
        action_form=ActionForm(),
    ), status


@blueprint.route("/expertise/tags", methods=["GET", "POST"])
@requires(can_manage_expertise)
def tags() -> ResponseReturnValue:
    form = TagForm()
    if not form.validate_on_submit():
        return _vocabulary(form, 422 if form.errors else 200)
    try:
        tag = services.add_tag(form.name.data or "", by=current_user, now=utcnow())
    except services.ExpertiseRefusal as refusal:
        db.session.rollback()
        form.name.errors.append(refusal.message)
        return _vocabulary(form, refusal.status)
    db.session.commit()
    flash(_("“%(name)s” added to the vocabulary.", name=tag.name), "success")
    return redirect(url_for("expertise.tags"))


@blueprint.post("/expertise/tags/<int:tag_id>/rename")
@requires(can_manage_expertise)
def rename(tag_id: int) -> ResponseReturnValue:
    tag = db.get_or_404(ExpertiseTag, tag_id)
    form = TagForm()
    if not form.validate_on_submit():
        flash(" ".join(map(str, form.name.errors)) or _("Give the tag a name."), "error")
        return redirect(url_for("expertise.tags"))
    try:
        services.rename_tag(tag, form.name.data or "", by=current_user)
    except services.ExpertiseRefusal as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(_("Renamed to “%(name)s”.", name=tag.name), "success")
    return redirect(url_for("expertise.tags"))


def _tag_change(tag_id: int, change, done: str) -> ResponseReturnValue:  # type: ignore[no-untyped-def]
    tag = db.get_or_404(ExpertiseTag, tag_id)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    try:
        change(tag)
    except services.ExpertiseRefusal as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(done % {"name": tag.name}, "success")
    return redirect(url_for("expertise.tags"))


@blueprint.post("/expertise/tags/<int:tag_id>/retire")
@requires(can_manage_expertise)
def retire(tag_id: int) -> ResponseReturnValue:
    return _tag_change(
        tag_id,
        lambda tag: services.retire_tag(tag, by=current_user, now=utcnow()),
        _("“%(name)s” retired: profiles keep it, nobody can choose it any more."),
    )


@blueprint.post("/expertise/tags/<int:tag_id>/restore")
@requires(can_manage_expertise)
def restore(tag_id: int) -> ResponseReturnValue:
    return _tag_change(
        tag_id,
        lambda tag: services.restore_tag(tag, by=current_user),
        _("“%(name)s” is offered again."),
    )


# -- one's own profile -------------------------------------------------------------------------


def _profile_form() -> ProfileForm:
    form = ProfileForm()
    form.tag_ids.choices = [
        SelectChoice(tag.id, tag.name) for tag in queries.tags(offered_only=True)
    ]
    if not form.is_submitted():
        profile = queries.profile_of(current_user.id)
        held = queries.tags_of([current_user.id])[current_user.id]
        windows = queries.windows_of([current_user.id])[current_user.id]
        form.bio.data = profile.bio if profile else ""
        form.tag_ids.data = [tag.id for tag in held if tag.retired_at is None]
        for row, window in zip(form.windows, windows, strict=False):
            row.form.weekday.data = str(window.weekday)
            row.form.start.data = _clock(window.start_minute)
            row.form.end.data = _clock(window.end_minute)
        while len(form.windows) < len(windows) + 2:
            form.windows.append_entry()
    return form


def _clock(minute: int) -> time:
    return time(minute // 60 % 24, minute % 60)


@blueprint.route("/account/expertise", methods=["GET", "POST"])
@requires(can_keep_profile)
def profile() -> ResponseReturnValue:
    form = _profile_form()
    status = 200
    if form.validate_on_submit():
        try:
            services.save_profile(
                current_user,
                bio=form.bio.data or "",
                tag_ids=form.tag_ids.data or [],
                windows=form.filled_windows(),
                now=utcnow(),
            )
        except services.ExpertiseRefusal as refusal:
            db.session.rollback()
            form.form_errors.append(refusal.message)
            status = refusal.status
        else:
            db.session.commit()
            flash(_("Your profile is saved: employees find you by it."), "success")
            return redirect(url_for("expertise.profile"))
    elif form.errors:
        status = 422
    retired = [tag for tag in queries.tags_of([current_user.id])[current_user.id] if tag.retired_at]
    return render_template(
        "hacks/profile.html",
        form=form,
        retired=retired,
        has_profile=queries.profile_of(current_user.id) is not None,
        zone=current_user.time_zone,
    ), status


# -- the finder --------------------------------------------------------------------------------


def _filters(form: FinderForm) -> dict[str, object]:
    """The query's filters; a filter that does not parse is left out (and said so)."""
    tag_id = int(form.tag.data) if (form.tag.data or "").isdigit() else None
    found: dict[str, object] = {"tag_id": tag_id}
    if form.when.data == "now":
        found["now"] = utcnow()
    elif form.when.data == "period" and form.first.data:
        last = form.last.data or form.first.data
        if last < form.first.data:
            form.last.errors.append(_("The last day comes before the first."))
        else:
            found["period"] = queries.Period(form.first.data, last)
    elif form.when.data == "period":
        form.first.errors.append(_("Give the first day of the period."))
    return found


@blueprint.get("/entrepreneurs")
@requires(can_find_entrepreneurs)
def finder() -> ResponseReturnValue:
    form = FinderForm(request.args)
    offered = queries.tags(offered_only=True)
    form.tag.choices = [SelectChoice("", _("Any expertise"))] + [
        SelectChoice(str(tag.id), tag.name) for tag in offered
    ]
    form.validate()
    filters = _filters(form) if not (form.first.errors or form.last.errors) else {}
    page = paginate(queries.entrepreneurs(date.today(), **filters), per_page=20)  # type: ignore[arg-type]
    ids = [person.id for person in page.rows]
    args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template(
        "hacks/finder.html",
        form=form,
        page=page,
        tags=queries.tags_of(ids),
        windows=queries.windows_of(ids),
        bios=queries.bios_of(ids),
        weekdays=weekday_names(),
        args=args,
        rows=WINDOW_ROWS,
    ), 422 if (form.first.errors or form.last.errors) else 200
