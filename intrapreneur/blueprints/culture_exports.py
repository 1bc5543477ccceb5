"""HR's exports of the survey figures, CSV tables in a ZIP or XLSX: the dashboard's filters
and suppression, with the instrument and the rules described; each export written to the
audit log first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import (
    Blueprint,
    Response,
    redirect,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from intrapreneur.core import jobs
from intrapreneur.core.errors import render_error
from intrapreneur.core.permissions import requires
from intrapreneur.culture import exports, services
from intrapreneur.culture.dashboard import NotPublishedYet, all_published, rules_in_force
from intrapreneur.culture.exports import ExportFilters
from intrapreneur.culture.figures import NONE
from intrapreneur.culture.instruments import Instrument
from intrapreneur.culture.models import SurveyGroup, SurveyWave
from intrapreneur.culture.permissions import can_export_culture
from intrapreneur.extensions import db
from intrapreneur.learning.forms import ActionForm

blueprint = Blueprint("culture_exports", __name__, url_prefix="/culture")

BAD_FILTERS = _l(
    "This export has no such filter: 'wave' takes a wave's number (repeat it for several), "
    "'cohort' a cohort's number or 'none', 'group' 'participant' or 'comparison'."
)


@blueprint.errorhandler(services.SurveyRefusal)
def _refused(refusal: services.SurveyRefusal) -> ResponseReturnValue:
    return render_error(refusal.status, refusal.message)


@blueprint.errorhandler(NotPublishedYet)
def _not_published_yet(waiting: NotPublishedYet) -> ResponseReturnValue:
    return render_error(409, str(waiting))


@blueprint.get("/export.csv.zip")
@requires(can_export_culture)
def export_csv() -> ResponseReturnValue:
    export = _prepare("csv")
    return Response(
        stream_with_context(exports.csv_zip(exports.sections(export), export.made_on)),
        mimetype=exports.CONTENT_TYPES["csv"],
        headers={"Content-Disposition": f'attachment; filename="{_file_name(export, "csv")}"'},
    )


@blueprint.get("/export.xlsx")
@requires(can_export_culture)
def export_xlsx() -> ResponseReturnValue:
    export = _prepare("xlsx")
    return send_file(
        exports.xlsx_file(exports.sections(export)),
        mimetype=exports.CONTENT_TYPES["xlsx"],
        as_attachment=True,
        download_name=_file_name(export, "xlsx"),
    )


@blueprint.post("/export.<any(csv, xlsx):export_format>/background")
@requires(can_export_culture)
def export_in_background(export_format: str) -> ResponseReturnValue:
    """A large export as a job: the page shows its progress, then the file to download."""
    if not ActionForm().validate_on_submit():
        return render_error(400)
    filters, _ = _checked(export_format)
    job_id = jobs.enqueue(
        "culture-export",
        requested_by=current_user,
        export_format=export_format,
        waves=list(filters.wave_ids),
        cohort=filters.cohort,
        group=None if filters.group is None else str(filters.group),
    )
    db.session.commit()
    return redirect(url_for("jobs.detail", job_id=job_id))


def _prepare(export_format: str) -> exports.Export:
    filters, instruments = _checked(export_format)
    return exports.gather(filters, rules_in_force(), instruments, date.today())


def _checked(export_format: str) -> tuple[ExportFilters, dict[str, Instrument]]:
    """Check the filters (400), waves (404, 409 before they are published) and instruments
    (503), audit and commit."""
    filters = _filters()
    waves = exports.waves_through(filters.wave_ids, date.today())
    if waves is None:
        raise services.SurveyNotFound(_("There is no such survey wave, or it has not opened yet."))
    all_published(waves, rules_in_force())
    filters = replace(filters, wave_ids=filters.wave_ids or (waves[-1].id,))
    instruments = _instruments([wave for wave in waves if wave.id in filters.wave_ids])
    exports.record_export(export_format, filters, by=current_user)
    db.session.commit()
    return filters, instruments


def _filters() -> ExportFilters:
    """The dashboard's filters, from the query string."""
    waves = request.args.getlist("wave")
    cohort = request.args.get("cohort") or None
    group = request.args.get("group") or None
    if (
        not all(wave.isdecimal() for wave in waves)
        or (cohort not in (None, NONE) and not cohort.isdecimal())
        or group not in (None, *SurveyGroup)
    ):
        raise services.SurveyRefusal(BAD_FILTERS, status=400)
    return ExportFilters(
        wave_ids=tuple(dict.fromkeys(map(int, waves))),
        cohort=cohort,
        group=SurveyGroup(group) if group else None,
    )


def _instruments(waves: list[SurveyWave]) -> dict[str, Instrument]:
    return {wave.instrument_key: services.instrument_of(wave) for wave in waves}


def _file_name(export: exports.Export, export_format: str) -> str:
    return exports.file_name(export.filters.wave_ids, export_format)
